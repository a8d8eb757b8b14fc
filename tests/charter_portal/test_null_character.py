"""A NUL byte (%00) in a request never makes a 500: PostgreSQL cannot hold NUL in text, so before
the guard every admin list filter and search given one failed. Where it would reach the database
the answer is a clear 400; our own pages answer as they do for any bad value."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

NUL = "\x00"

# Public pages with the query parameters they read, and paths whose text parameter is looked up.
PUBLIC_PAGES = [
    ("/", ["q"]),
    ("/pledges/", ["q", "neighbourhood", "pledger_type", "commitment", "size", "page"]),
    ("/pledges.json", ["q", "neighbourhood", "page"]),
    ("/pledges.csv", ["q", "neighbourhood"]),
    ("/spend/", ["year", "quarter"]),
    ("/metrics/", ["year"]),
    ("/lm3/", ["page"]),
    ("/impact/", ["year"]),
    ("/balance-sheets/", ["year"]),
    ("/neighbourhoods/", ["q"]),
]
PUBLIC_PATHS_WITH_NUL = [
    "/pledges/%00/",
    "/impact/%00/",
    "/pledge/confirm/%00/",
    "/pledge/manage/%00/",
]


@pytest.fixture
def superuser_client(client, council, sign_in):
    # An exception is raised here, not turned into a page: the refusal must be handled as a
    # bad request, not reported as a crash that handler500 happens to word kindly.
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def _changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), model_admin


def _filter_parameters(client, url) -> list[str]:
    """The query parameters of every list filter the changelist shows, and its search."""
    response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context["cl"]
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if changelist.search_fields:
        names.append("q")
    return names


def test_no_admin_list_filter_or_search_fails_on_a_nul_byte(superuser_client):
    tried, answers = 0, {}
    for url, _ in _changelists():
        for name in _filter_parameters(superuser_client, url):
            response = superuser_client.get(url, {name: NUL})
            answers[f"{url}?{name}=%00"] = response.status_code
            tried += 1
    assert tried > 21  # every filter of every registered admin, not a sample
    failed = {query: status for query, status in answers.items() if status >= 500}
    assert failed == {}
    # Those that reached the database (21 filters answered 500 before) now say why.
    refused = [query for query, status in answers.items() if status == 400]
    print(f"{tried} filter and search parameters tried, {len(refused)} refused with 400")
    assert len(refused) >= 21


def test_the_refusal_says_what_is_wrong(superuser_client):
    response = superuser_client.get("/admin/metrics/importbatch/", {"status__exact": NUL})
    assert response.status_code == 400
    page = response.content.decode()
    assert "contains a null character" in page
    assert "govuk-heading-l" in page  # the GOV.UK error page, not a bare message


@pytest.mark.parametrize(("path", "names"), PUBLIC_PAGES)
def test_public_pages_never_fail_on_a_nul_byte_in_their_query(client, council, path, names):
    """Our own pages check their parameters: they answer as for any bad value."""
    client.raise_request_exception = False
    response = client.get(path, dict.fromkeys(names, NUL))
    assert response.status_code in (200, 302, 400, 404), path


@pytest.mark.parametrize("path", PUBLIC_PATHS_WITH_NUL)
def test_public_paths_holding_a_nul_byte_are_not_found(client, council, path):
    client.raise_request_exception = False
    assert client.get(path).status_code == 404


def test_a_posted_nul_byte_is_a_form_error_not_a_failure(client, council):
    client.raise_request_exception = False
    response = client.post("/sign-in/", {"username": f"officer{NUL}", "password": "x"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_a_nul_refused_outside_a_view_is_a_400_too(rf):
    """handler500 makes the same check, for a NUL that fails in a middleware."""
    from django.db import DataError

    from charter_portal.errors import server_error

    request = rf.get("/admin/", {"q": NUL})
    try:
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    except DataError:
        response = server_error(request)
    assert response.status_code == 400
    assert b"contains a null character" in response.content


def test_other_failures_stay_500(rf):
    from charter_portal.errors import server_error

    request = rf.get("/admin/", {"q": "plain"})
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


def test_requests_without_nul_pass(client, council):
    assert client.get("/pledges/", {"q": "co-op"}).status_code == 200
