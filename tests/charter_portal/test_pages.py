"""Public pages through the test client: content, 404s, bounded queries, security headers."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balancesheets.models import Side
from tests.balancesheets.factories import (
    BalanceSheetFactory,
    IndicatorFactory,
    LineFactory,
    ProxyValueFactory,
    officer,
    publish_directly,
    validator,
)
from tests.factories import NeighbourhoodFactory, WardFactory

PUBLIC_PATHS = [
    "/",
    "/charter/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/neighbourhoods/",
    "/neighbourhoods/chells-and-manor/",
]


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_answers(council, client, path):
    assert client.get(path).status_code == 200


def test_home_explains_cwb_with_both_benefits_four_foundations_and_a_pledge_button(council, client):
    page = _text(client.get("/"))
    assert "What Community Wealth Building is" in page
    assert "A fairer society" in page
    assert "A more resilient economy" in page
    assert "Offering careers advice in schools" in page
    for foundation in (
        "Procurement and social value",
        "Training and skills",
        "Co-operative and social economy growth",
        "Tackling climate change",
    ):
        assert foundation in page
    assert re.search(r'class="govuk-button govuk-button--start"[^>]*>\s*Make a pledge', page)


def test_the_header_names_the_council_and_the_service_from_the_council_record(council, client):
    council.service_name = "Testtown Fair Economy Pledge"
    council.save()
    page = _text(client.get("/charter/"))
    assert "<title>The Charter \N{EN DASH} Testtown Fair Economy Pledge</title>" in page
    assert "Stevenage Borough Council" in page


def test_the_layout_has_a_skip_link_a_beta_banner_and_the_statutory_footer_links(council, client):
    page = _text(client.get("/"))
    assert 'href="#main-content"' in page
    assert "govuk-phase-banner" in page
    assert "Beta" in page
    assert 'href="mailto:inclusive.economy@stevenage.gov.uk?subject=' in page
    for path in ("/accessibility/", "/privacy/", "/cookies/"):
        assert f'href="{path}"' in page


def test_no_gov_uk_crown_or_gds_transport_font(council, client):
    page = client.get("/").content.decode()
    assert "govuk-header__logotype" not in page
    assert "GDS Transport" not in page


def test_a_neighbourhood_page_lists_its_current_wards(council, client):
    page = _text(client.get("/neighbourhoods/bedwell-and-pin-green/"))
    assert "<li>Almond Hill</li>" in page
    assert "Pin Green, until 1 May 2024" in page


def test_the_neighbourhoods_page_lists_all_six(council, client):
    page = _text(client.get("/neighbourhoods/"))
    assert page.count('class="charter-card"') == 6
    assert "Old Town, Symonds Green and Woodfield" in page


def test_an_unknown_neighbourhood_is_the_gov_uk_404_page(council, client):
    response = client.get("/neighbourhoods/atlantis/")
    assert response.status_code == 404
    assert "Page not found" in _text(response)


@pytest.mark.django_db
def test_pages_work_before_any_council_is_loaded(client):
    assert client.get("/").status_code == 200
    assert client.get("/neighbourhoods/").status_code == 404


def test_posting_to_a_page_is_refused_without_an_error(council, client):
    assert client.post("/charter/").status_code == 405


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/neighbourhoods/", "/neighbourhoods/chells-and-manor/", "/"])
def test_query_count_does_not_grow_with_the_data(council, client, path):
    before = _queries(client, path)
    chells = council.neighbourhoods.get(slug="chells-and-manor")
    for _ in range(20):
        WardFactory(neighbourhood=NeighbourhoodFactory(council=council))
        WardFactory(neighbourhood=chells)
    assert _queries(client, path) == before
    assert before <= 15


@pytest.mark.parametrize("path", [*PUBLIC_PATHS, "/no-such-page/", "/healthz"])
def test_every_response_carries_the_security_headers(council, client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_only_inline_script_carries_this_responses_nonce(council, client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline_scripts == [f' nonce="{nonce}"']


def test_healthz_reports_the_database_as_json(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_negative_net_position_has_a_true_minus_sign(council, client):
    neighbourhood = council.neighbourhoods.order_by("order").first()
    debt = IndicatorFactory(side=Side.LIABILITY, unit="household")
    ProxyValueFactory(indicator=debt, value_per_unit=Decimal("100.00"))
    sheet = BalanceSheetFactory(council=council, neighbourhood=neighbourhood, year=2024)
    LineFactory(sheet=sheet, indicator=debt, quantity=Decimal(5))  # a £500 liability, no assets
    publish_directly(sheet, by=officer(), checked_by=validator())
    page = client.get(f"/neighbourhoods/{neighbourhood.slug}/").content.decode()
    assert "Its net position is <strong>\u2212£500</strong>" in page
    assert "£-" not in page
