"""Community Balance Sheets in a real browser: WCAG 2.2 AA by axe on the public pages and the
officers' editor, entry without JavaScript, and no sideways scrolling at 320 px."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from balancesheets import services
from core.roles import OFFICERS
from tests.balancesheets.conftest import QUANTITIES, fill, publish
from tests.balancesheets.factories import officer, validator
from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow
from tests.signin import browser_sign_in

PASSWORD = "a-long-test-password"  # UserFactory's
LONG_WORD = "Volunteer-Centre-De-Duplicated-Register-Of-Regular-Volunteers-March-2025-Extract"


@pytest.fixture
def people(staff_roles):
    return {
        "officer": officer(username="sheet-officer", first_name="Sam", last_name="Officer"),
        "validator": validator(username="sheet-validator", first_name="Val", last_name="Group"),
    }


@pytest.fixture
def sheets(council, people):
    """2023/24 and 2024/25 published for two neighbourhoods and the borough, one restated, and
    a 2025/26 draft."""
    from balancesheets.models import Indicator

    library = {i.code: i for i in Indicator.objects.all()}
    by, checked_by = people["officer"], people["validator"]
    first, second = council.neighbourhoods.order_by("order")[:2]
    made = {}
    for year in (2023, 2024):
        for neighbourhood in (first, second, None):
            sheet = services.balance_sheet_create(
                council=council, neighbourhood=neighbourhood, year=year, actor=by
            )
            fill(sheet, library, by, QUANTITIES)
            made[year, neighbourhood] = publish(sheet, by=by, checked_by=checked_by)
    line = made[2024, first].lines.get(indicator__code="regular-volunteers")
    restated = services.balance_sheet_restate(
        sheet=made[2024, first], actor=by, reason="Volunteers registered twice were counted twice"
    )
    services.balance_sheet_line_change(
        line=restated.lines.get(indicator_id=line.indicator_id),
        data=services.LineInput(quantity=Decimal(80), evidence=LONG_WORD),
        actor=by,
    )
    made["restated"] = publish(restated, by=by, checked_by=checked_by)
    draft = services.balance_sheet_create(council=council, neighbourhood=first, year=2025, actor=by)
    fill(draft, library, by, {"regular-volunteers": 12, "people-in-work": 40})
    made["draft"] = draft
    made["slug"] = first.slug
    return made


def _public_paths(sheets) -> list[str]:
    slug = sheets["slug"]
    return [
        "/balance-sheets/",
        "/balance-sheets/2024-25/",
        f"/balance-sheets/2024-25/{slug}/",
        f"/balance-sheets/2024-25/{slug}/version-1/",
        "/balance-sheets/2023-24/borough/",
    ]


def _sign_in(page, user):
    browser_sign_in(page, user, PASSWORD, next_path="/balance-sheets/manage/")
    page.wait_for_url("**/balance-sheets/manage/")


def test_the_public_pages_have_no_accessibility_violations(sheets, page):
    for path in _public_paths(sheets):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_no_axe_violations(page)


def test_the_empty_index_has_no_accessibility_violations(council, page):
    page.goto("/balance-sheets/")
    expect(page.get_by_text("No balance sheets have been published yet.")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_public_pages_work_without_javascript(sheets, page_without_javascript):
    page = page_without_javascript
    page.goto("/balance-sheets/")
    page.get_by_role("link", name="Community Balance Sheets 2024/25").click()
    page.get_by_role("link", name=sheets["restated"].neighbourhood.name).first.click()
    expect(page.get_by_role("heading", name="Restated on")).to_be_visible()
    page.get_by_role("link", name="See version 1 as first published").click()
    expect(page.get_by_text("This is version 1")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename.endswith("-version-1.csv")


@pytest.mark.parametrize("index", range(5))
def test_the_public_pages_do_not_scroll_sideways_at_320_pixels(sheets, narrow_page, index):
    narrow_page.goto(_public_paths(sheets)[index])
    assert horizontal_overflow(narrow_page) == 0


def test_the_editor_has_no_accessibility_violations(sheets, people, page):
    _sign_in(page, people["officer"])
    assert_no_axe_violations(page)
    draft = sheets["draft"]
    editor = f"/balance-sheets/manage/{draft.pk}/"
    for path in (
        editor,
        f"{editor}lines/add/",
        f"{editor}lines/{draft.lines.first().pk}/",
        f"{editor}submit/",
        f"{editor}copy-forward/",
        f"{editor}history/",
        "/balance-sheets/manage/new/",
        "/balance-sheets/manage/borough/",
        "/balance-sheets/manage/indicators/",
    ):
        page.goto(path)
        assert_no_axe_violations(page)
    # A form with errors, and its error summary.
    page.goto(f"{editor}lines/add/")
    page.get_by_role("button", name="Save line").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)


def test_the_cwb_groups_pages_have_no_accessibility_violations(sheets, people, page):
    draft = sheets["draft"]
    services.balance_sheet_submit(sheet=draft, actor=people["officer"])
    _sign_in(page, people["validator"])
    page.goto(f"/balance-sheets/manage/{draft.pk}/")
    expect(page.get_by_role("button", name="Return with comments")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Return with comments").click()
    page.get_by_role("button", name="Return the sheet").click()
    expect(page.get_by_text("Enter what the officers need to change").first).to_be_visible()
    assert_no_axe_violations(page)


def test_an_officer_enters_and_submits_a_sheet_without_javascript(
    council, sheets, people, page_without_javascript
):
    page = page_without_javascript
    _sign_in(page, people["officer"])
    page.get_by_role("button", name="Start a balance sheet").click()
    neighbourhood = council.neighbourhoods.order_by("order")[1]  # published 2024/25, no 2025
    page.get_by_label(neighbourhood.name).check()
    page.get_by_label("Financial year").select_option("2025")
    page.get_by_label("Start with the lines of the year before").check()
    page.get_by_role("button", name="Start the balance sheet").click()
    expect(page.get_by_text("lines copied from the year before")).to_be_visible()

    page.get_by_role("button", name="Add a line").click()
    page.get_by_label("Indicator").select_option(
        label="Apprenticeships started (asset; £2,500.00 per apprenticeship, illustrative)"
    )
    page.get_by_label("Quantity", exact=True).fill("4")
    page.get_by_role("button", name="Save line").click()
    expect(page.get_by_text("You added Apprenticeships started.")).to_be_visible()
    expect(page.get_by_role("cell", name="£10,000.00").first).to_be_visible()

    page.get_by_role("link", name="Change Regular volunteers").click()
    page.get_by_label("£ value, if not the quantity times the proxy (optional)").fill("1")
    page.get_by_role("button", name="Save line").click()
    expect(page.get_by_role("link", name="Enter the reason for a £ value")).to_be_visible()
    page.get_by_label("Reason for entering the £ value").fill("Measured at cost")
    page.get_by_role("button", name="Save line").click()
    expect(page.get_by_text("You changed Regular volunteers.")).to_be_visible()

    page.get_by_role("button", name="Submit for validation").click()
    page.get_by_role("button", name="Submit for validation").click()
    expect(page.get_by_text("You submitted the sheet")).to_be_visible()
    expect(page.get_by_text("Submitted for validation").first).to_be_visible()


def test_the_editor_does_not_scroll_sideways_at_320_pixels(sheets, people, narrow_page):
    _sign_in(narrow_page, people["officer"])
    assert horizontal_overflow(narrow_page) == 0
    for path in (
        f"/balance-sheets/manage/{sheets['draft'].pk}/",
        f"/balance-sheets/manage/{sheets['draft'].pk}/lines/add/",
        f"/balance-sheets/manage/{sheets['restated'].pk}/history/",
    ):
        narrow_page.goto(path)
        assert horizontal_overflow(narrow_page) == 0, path


def test_an_officer_is_in_the_officers_group(people):
    assert list(people["officer"].groups.values_list("name", flat=True)) == [OFFICERS]
