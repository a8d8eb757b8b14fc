import pytest

from charter_portal.errors import is_database_outage


@pytest.fixture
def failing_site(settings, client):
    settings.ROOT_URLCONF = "tests.charter_portal.urls_failing"
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_an_unexpected_error_shows_the_gov_uk_500_page_and_no_traceback(failing_site):
    response = failing_site.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "an unexpected bug" not in body
    assert "Traceback" not in body


def test_only_connection_failures_count_as_an_outage():
    from django.db import IntegrityError, OperationalError, ProgrammingError

    assert is_database_outage(OperationalError("connection refused"))
    assert not is_database_outage(ProgrammingError("syntax error"))
    assert not is_database_outage(IntegrityError("duplicate key"))


@pytest.mark.django_db
def test_the_404_page_keeps_the_council_layout(small_council, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Smallbury Inclusive Economy Charter" in body
