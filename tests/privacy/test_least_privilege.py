"""Least privilege for personal data in admin: contact details only for the officers of the
pledge's neighbourhood and the data-protection staff, and every view of them logged."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.access import address_hash
from audit.models import PersonalDataView
from tests.privacy.conftest import (
    PRIVATE_CONTACT,
    PRIVATE_EMAIL,
    PRIVATE_NAME,
    PRIVATE_POSTCODE,
    TOWN_WIDE_EMAIL,
)
from tests.signin import sign_in_verified

PLEDGES = "/admin/pledges/pledge/"
OUTBOX = "/admin/outbox/outboundemail/"
SECRETS = (PRIVATE_EMAIL, TOWN_WIDE_EMAIL, PRIVATE_NAME, PRIVATE_CONTACT, PRIVATE_POSTCODE)


def _page(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return re.sub(r"\s+", " ", response.content.decode())


def _leaks(page: str, *, typed: str = "") -> list[str]:
    """The secrets on the page; a search echoes what was typed, which is no leak."""
    return [s for s in SECRETS if s != typed and s.lower() in page.lower()]


def _admin_urls():
    """Every registered model's changelist, search and history, and the change form of up to
    twenty of its objects (all of ours: the fixtures make few)."""
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"admin:{info}_changelist")
        yield changelist
        if model_admin.search_fields or type(model_admin).get_search_results is not (
            admin.ModelAdmin.get_search_results
        ):
            yield f"{changelist}?{urlencode({'q': PRIVATE_EMAIL})}"
            yield f"{changelist}?{urlencode({'q': PRIVATE_POSTCODE})}"
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:20]:
            yield reverse(f"admin:{info}_change", args=[pk])
            yield reverse(f"admin:{info}_history", args=[pk])


# The council's change form has a URLField, which warns of Django 6's default scheme.
CRAWL_WARNINGS = "ignore::django.utils.deprecation.RemovedInDjango60Warning"


@pytest.mark.filterwarnings(CRAWL_WARNINGS)
@pytest.mark.parametrize("role", ["cwb_member", "councillor_a", "officer_b"])
def test_no_admin_page_shows_a_pledgers_contact_details_to_others(
    request, client, private_pledge, town_wide_pledge, officer_a, role
):
    # A trail to read too: an officer edited the pledge.
    private_pledge.text = "We will buy from the market."
    private_pledge.save()
    sign_in_verified(client, request.getfixturevalue(role))
    crawled = 0
    found = []
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        crawled += 1
        if response.status_code == 200:
            typed = parse_qs(urlsplit(url).query).get("q", [""])[0]
            leaked = _leaks(response.content.decode(), typed=typed)
            if leaked:
                found.append((url, leaked))
    assert crawled > 50
    assert found == []


@pytest.mark.filterwarnings(CRAWL_WARNINGS)
def test_the_crawl_would_see_the_details_where_they_are_shown(
    client, private_pledge, town_wide_pledge, data_protection
):
    """The crawl above is not blind: the data-protection staff see the same pages with the
    details on them."""
    sign_in_verified(client, data_protection)
    pages = " ".join(client.get(url).content.decode() for url in _admin_urls() if "pledge" in url)
    assert set(_leaks(pages)) == set(SECRETS)


def test_an_officer_of_another_neighbourhood_sees_no_contact_details(
    client, private_pledge, officer_b
):
    sign_in_verified(client, officer_b)
    page = _page(client, f"{PLEDGES}{private_pledge.pk}/change/")
    assert private_pledge.reference in page
    assert _leaks(page) == []
    assert "did not agree to show their name" in page


def test_an_officer_of_another_neighbourhood_cannot_find_a_pledge_by_its_email(
    client, private_pledge, officer_b
):
    sign_in_verified(client, officer_b)
    assert private_pledge.reference not in _page(client, PLEDGES, q=PRIVATE_EMAIL)
    assert private_pledge.reference not in _page(client, PLEDGES, q=PRIVATE_NAME)


def test_the_neighbourhoods_officer_sees_them(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    page = _page(client, f"{PLEDGES}{private_pledge.pk}/change/")
    assert set(_leaks(page)) == {PRIVATE_EMAIL, PRIVATE_NAME, PRIVATE_CONTACT, PRIVATE_POSTCODE}
    assert private_pledge.reference in _page(client, PLEDGES, q=PRIVATE_EMAIL)


def test_a_town_wide_pledges_details_are_for_the_data_protection_staff(
    client, town_wide_pledge, officer_a, data_protection
):
    sign_in_verified(client, officer_a)
    assert TOWN_WIDE_EMAIL not in _page(client, f"{PLEDGES}{town_wide_pledge.pk}/change/")
    sign_in_verified(client, data_protection)
    assert TOWN_WIDE_EMAIL in _page(client, f"{PLEDGES}{town_wide_pledge.pk}/change/")


def test_the_outbox_shows_addresses_to_the_data_protection_staff_only(
    client, private_pledge, officer_a, data_protection
):
    sign_in_verified(client, officer_a)
    assert PRIVATE_EMAIL not in _page(client, OUTBOX)
    assert "(hidden)" in _page(client, OUTBOX)
    assert private_pledge.emails.get().subject not in _page(client, OUTBOX, q=PRIVATE_EMAIL)
    sign_in_verified(client, data_protection)
    assert PRIVATE_EMAIL in _page(client, OUTBOX)


# The log of each view.


def test_opening_a_pledge_with_contact_details_is_logged(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    _page(client, f"{PLEDGES}{private_pledge.pk}/change/")
    view = PersonalDataView.objects.get()
    assert (view.viewer, view.how, view.object_ids, view.people) == (
        officer_a,
        "viewed",
        [private_pledge.pk],
        1,
    )


def test_opening_a_pledge_without_its_contact_details_is_not_a_view_of_them(
    client, private_pledge, officer_b
):
    sign_in_verified(client, officer_b)
    _page(client, f"{PLEDGES}{private_pledge.pk}/change/")
    assert not PersonalDataView.objects.exists()


def test_a_search_by_email_is_logged_by_a_hash_of_what_was_typed(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    _page(client, PLEDGES, q=PRIVATE_EMAIL)
    view = PersonalDataView.objects.get()
    assert (view.how, view.object_ids) == ("searched", [private_pledge.pk])
    assert view.search_term_hash == address_hash(PRIVATE_EMAIL)
    assert PRIVATE_EMAIL not in str(PersonalDataView.objects.values().get())


def test_the_log_is_read_by_the_data_protection_staff_only(
    client, private_pledge, officer_a, data_protection
):
    sign_in_verified(client, officer_a)
    _page(client, f"{PLEDGES}{private_pledge.pk}/change/")
    assert client.get("/admin/audit/personaldataview/").status_code == 403
    sign_in_verified(client, data_protection)
    page = _page(client, "/admin/audit/personaldataview/")
    assert f"Pledge {private_pledge.reference}" in page
    assert officer_a.username in page
    assert (
        client.post(
            f"/admin/audit/personaldataview/{PersonalDataView.objects.first().pk}/delete/"
        ).status_code
        == 403
    )
