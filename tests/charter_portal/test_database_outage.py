"""With the database unreachable: 503 pages, never a traceback; recovery with no restart."""

import pytest
from django.db import connection


@pytest.fixture
def database_unreachable(transactional_db, tmp_path):
    """Point the connection at a socket directory where no server listens, then restore it."""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = str(tmp_path)
    connection.settings_dict["PORT"] = "5999"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


def test_healthz_answers_503_without_the_database(database_unreachable, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.parametrize("path", ["/", "/neighbourhoods/", "/neighbourhoods/chells-and-manor/"])
def test_pages_answer_the_gov_uk_503_page_without_the_database(database_unreachable, client, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body


def test_the_service_recovers_when_the_database_returns(transactional_db, client, tmp_path):
    original_host = connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"] = str(tmp_path)
    try:
        assert client.get("/healthz").status_code == 503
        assert client.get("/charter/").status_code == 503
    finally:
        connection.close()
        connection.settings_dict["HOST"] = original_host
    assert client.get("/healthz").status_code == 200
    assert client.get("/charter/").status_code == 200
