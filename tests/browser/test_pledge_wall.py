"""The pledge wall in a real browser: WCAG 2.2 AA by axe, filters without JavaScript, 320 px."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pledges.models import Campaign, Commitment, PledgerType, PledgeUpdate, UpdateStatus
from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow
from tests.factories import PledgeFactory

LONG_WORD = "Stevenage-Community-Interest-Company-For-Sustainable-Neighbourhood-Regeneration"


@pytest.fixture
def wall(council):
    """45 published pledges of every kind, a long unbreakable name, a running campaign."""
    today = timezone.localdate()
    Campaign.objects.create(
        name="The first 100 days",
        target=100,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=90),
        description="in the first 100 days",
    )
    neighbourhoods = [*council.neighbourhoods.order_by("order"), None]
    commitments = list(Commitment.objects.all())
    kinds = list(PledgerType)
    pledges = [
        PledgeFactory(
            display_name=LONG_WORD if i == 0 else f"Pledger {i}",
            show_name=i % 3 != 0 or i == 0,
            pledger_type=kinds[i % len(kinds)],
            organisation_size="small" if kinds[i % len(kinds)] == PledgerType.BUSINESS else "",
            neighbourhood=neighbourhoods[i % len(neighbourhoods)],
            commitments=[commitments[i % len(commitments)], commitments[(i + 4) % 12]],
            target="4 work placements a year" if i % 2 else "",
            published_at=timezone.now() - datetime.timedelta(hours=i),
        )
        for i in range(45)
    ]
    PledgeUpdate.objects.create(
        pledge=pledges[0],
        text="Two apprentices started in September.",
        hours_volunteered=120,
        people_supported=35,
        placements_offered=4,
        spent_locally=Decimal("12500.50"),
        status=UpdateStatus.PUBLISHED,
    )
    return pledges


WALL_PATHS = [
    "/pledges/",
    "/pledges/?page=2",
    "/pledges/?neighbourhood=chells-and-manor&pledger_type=resident",
    "/pledges/?neighbourhood=town-wide&foundation=training-skills",
    "/pledges/?q=nothing-matches-this",
]


@pytest.mark.parametrize("path", WALL_PATHS)
def test_the_pledge_wall_has_no_accessibility_violations(wall, page, path):
    page.goto(path)
    assert page.locator("h1").inner_text() == "Pledge wall"
    assert_no_axe_violations(page)


def test_the_empty_pledge_wall_has_no_accessibility_violations(council, page):
    page.goto("/pledges/?neighbourhood=chells-and-manor")
    expect(page.get_by_role("heading", name="No pledges match your filters")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_pledge_page_has_no_accessibility_violations(wall, page):
    page.goto(f"/pledges/{wall[0].reference}/")
    assert page.locator("h1").inner_text() == LONG_WORD
    expect(page.get_by_text("Two apprentices started in September.")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_filters_work_without_javascript(wall, page_without_javascript):
    page = page_without_javascript
    page.goto("/pledges/")
    page.get_by_label("Neighbourhood").select_option("chells-and-manor")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/pledges/?*neighbourhood=chells-and-manor*")
    expected = sum(
        1 for p in wall if p.neighbourhood and p.neighbourhood.slug == "chells-and-manor"
    )
    expect(page.get_by_text(f"Showing 1 to {expected} of {expected} pledges")).to_be_visible()
    assert page.locator(".charter-card-list > li").count() == expected
    assert page.get_by_label("Neighbourhood").input_value() == "chells-and-manor"


def test_the_search_box_and_clear_filters_work_without_javascript(wall, page_without_javascript):
    page = page_without_javascript
    page.goto("/pledges/?pledger_type=business")
    page.get_by_label("Search pledges").fill("nothing-matches-this")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="No pledges match your filters")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_text("Showing 1 to 20 of 45 pledges")).to_be_visible()


def test_pagination_works_without_javascript(wall, page_without_javascript):
    page = page_without_javascript
    page.goto("/pledges/")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Showing 21 to 40 of 45 pledges")).to_be_visible()


@pytest.mark.parametrize(
    "path", ["/pledges/", "/pledges/?page=2&neighbourhood=town-wide", "/pledges/?q=none"]
)
def test_the_pledge_wall_does_not_scroll_sideways_at_320_pixels(wall, narrow_page, path):
    narrow_page.goto(path)
    assert horizontal_overflow(narrow_page) == 0


def test_a_pledge_page_does_not_scroll_sideways_at_320_pixels(wall, narrow_page):
    narrow_page.goto(f"/pledges/{wall[0].reference}/")
    assert horizontal_overflow(narrow_page) == 0
