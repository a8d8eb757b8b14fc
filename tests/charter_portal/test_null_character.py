"""A NUL byte (%00) anywhere in a request gets a clear 400, never a 500: PostgreSQL cannot hold
NUL in text, so before the guard every admin list filter given one failed."""

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
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    client.raise_request_exception = False
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


def test_every_admin_list_filter_and_search_refuses_a_nul_byte_with_400(superuser_client):
    tried, answers = 0, {}
    for url, _ in _changelists():
        for name in _filter_parameters(superuser_client, url):
            response = superuser_client.get(url, {name: NUL})
            answers[f"{url}?{name}=%00"] = response.status_code
            tried += 1
    assert tried > 21  # every filter of every registered admin, not a sample
    assert set(answers.values()) == {400}, {
        query: status for query, status in answers.items() if status != 400
    }


def test_the_refusal_says_what_is_wrong(superuser_client):
    response = superuser_client.get("/admin/metrics/importbatch/", {"status__exact": NUL})
    assert response.status_code == 400
    page = response.content.decode()
    assert "contains a null character" in page
    assert "govuk-heading-l" in page  # the GOV.UK error page, not a bare message


@pytest.mark.parametrize(("path", "names"), PUBLIC_PAGES)
def test_public_pages_refuse_a_nul_byte_in_their_query(client, council, path, names):
    client.raise_request_exception = False
    response = client.get(path, dict.fromkeys(names, NUL))
    assert response.status_code == 400, path


@pytest.mark.parametrize("path", PUBLIC_PATHS_WITH_NUL)
def test_public_paths_holding_a_nul_byte_are_refused(client, council, path):
    client.raise_request_exception = False
    assert client.get(path).status_code == 400


def test_a_posted_form_value_with_a_nul_byte_is_refused(client, council):
    client.raise_request_exception = False
    response = client.post("/sign-in/", {"username": f"officer{NUL}", "password": "x"})
    assert response.status_code == 400


def test_requests_without_nul_pass(client, council):
    assert client.get("/pledges/", {"q": "co-op"}).status_code == 200
