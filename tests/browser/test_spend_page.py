"""/spend/ in a real browser: WCAG 2.2 AA by axe, the period chooser without JavaScript, 320 px."""

import pytest
from playwright.sync_api import expect

from metrics.spend.models import SpendTransaction
from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow
from tests.metrics.factories_spend import spend_generate

LONG_DEPARTMENT = "Housing, Investment, Regeneration and Neighbourhood Services Directorate"


@pytest.fixture
def spend(council):
    spend_generate(2000)
    SpendTransaction.objects.filter(pk__in=SpendTransaction.objects.values("pk")[:50]).update(
        department=LONG_DEPARTMENT
    )
    # Left out of influenceable spend by the reference file's "Precepts" rule: its table shows.
    SpendTransaction.objects.filter(pk__in=SpendTransaction.objects.values("pk")[50:80]).update(
        expense_type="Parish precept"
    )


SPEND_PATHS = [
    "/spend/",
    "/spend/?year=2024-25",
    "/spend/?quarter=2024-25-Q3",
    "/spend/?year=2019-20",  # a period without payments
    "/spend/?year=2024-26",  # an error
]


@pytest.mark.parametrize("path", SPEND_PATHS)
def test_the_spend_page_has_no_accessibility_violations(spend, page, path):
    page.goto(path)
    assert page.locator("h1").inner_text() == "Local spend"
    assert_no_axe_violations(page)


SUPPLIER_PATHS = ["/spend/suppliers/", "/spend/suppliers/?quarter=2024-25-Q3",
                  "/spend/suppliers/?year=2019-20", "/spend/suppliers/?year=x"]  # fmt: skip


@pytest.mark.parametrize("path", SUPPLIER_PATHS)
def test_the_largest_suppliers_page_has_no_accessibility_violations(spend, page, path):
    page.goto(path)
    assert page.locator("h1").inner_text() == "The largest suppliers"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", SUPPLIER_PATHS[:2])
def test_the_largest_suppliers_page_does_not_scroll_sideways_at_320_pixels(
    spend, narrow_page, path
):
    narrow_page.goto(path)
    assert horizontal_overflow(narrow_page) == 0


def test_the_empty_spend_page_has_no_accessibility_violations(council, page):
    page.goto("/spend/")
    expect(
        page.get_by_role("heading", name="No spending has been published here yet")
    ).to_be_visible()
    assert_no_axe_violations(page)


def test_the_period_chooser_works_without_javascript(spend, page_without_javascript):
    page = page_without_javascript
    page.goto("/spend/")
    page.get_by_label("Financial year").select_option("2024-25")
    page.get_by_label("Quarter", exact=True).select_option("Q3")
    page.get_by_role("button", name="Show this period").click()
    page.wait_for_url("**/spend/?year=2024-25&quarter=Q3")
    expect(
        page.get_by_role("heading", name="October to December 2024 (2024/25 Q3)")
    ).to_be_visible()
    assert page.get_by_label("Quarter", exact=True).input_value() == "Q3"
    link = page.get_by_role("link", name="Download spending by quarter (CSV)")
    assert link.get_attribute("href") == "/spend/quarters.csv?quarter=2024-25-Q3"
    caption = page.get_by_text("Spending by where suppliers are", exact=True)
    expect(caption).to_be_visible()


def test_an_error_is_shown_without_javascript(spend, page_without_javascript):
    page = page_without_javascript
    page.goto("/spend/?year=nonsense")
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("link", name="Choose a financial year from the list")).to_be_visible()


@pytest.mark.parametrize("path", ["/spend/", "/spend/?quarter=2024-25-Q1", "/spend/?year=x"])
def test_the_spend_page_does_not_scroll_sideways_at_320_pixels(spend, narrow_page, path):
    narrow_page.goto(path)
    assert horizontal_overflow(narrow_page) == 0


def test_the_empty_spend_page_does_not_scroll_sideways_at_320_pixels(council, narrow_page):
    narrow_page.goto("/spend/")
    assert horizontal_overflow(narrow_page) == 0


def test_a_table_too_wide_for_the_screen_scrolls_in_its_own_region(spend, narrow_page):
    narrow_page.goto("/spend/?year=2024-25")
    region = narrow_page.get_by_role("region", name="Share of spending by department, 2024/25")
    # Long words already wrap; a minimum width stands for whatever else makes a table wider
    # than the screen (more columns, larger text).
    region.locator("table").evaluate("table => { table.style.minWidth = '40rem'; }")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    assert horizontal_overflow(narrow_page) == 0
    region.focus()  # a keyboard can scroll it: it takes focus
    assert region.evaluate("box => box === document.activeElement")


def test_charts_are_drawn_over_the_tables_with_javascript(spend, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/spend/?year=2024-25")
    charts = page.get_by_role("img", name="a chart of the figures in the table below")
    charts.first.wait_for()
    assert charts.count() == 2
    assert page.locator("table[data-chart]").count() == 2  # the tables stay
    assert errors == []


def test_without_javascript_there_are_tables_and_no_charts(spend, page_without_javascript):
    page_without_javascript.goto("/spend/?year=2024-25")
    assert page_without_javascript.locator("canvas").count() == 0
    assert page_without_javascript.locator("table").count() >= 6
