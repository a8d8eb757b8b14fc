"""The workflow buttons where a balance sheet is read: the editor's page and the sheet's admin
page offer exactly the steps the workflow allows each role in each state, each to the editor's
confirmation page; a missing comment changes nothing; a sheet someone else moved on since the
page was opened is said so, and nothing changes."""

import re

import pytest

from balancesheets import services
from balancesheets.models import BalanceSheet, SheetStatus
from core.roles import DATA_PROTECTION
from tests.balancesheets.conftest import QUANTITIES, fill
from tests.balancesheets.factories import officer, user_in, validator
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db

STEPS = ("submit", "validate", "return", "publish", "restate")
STEP_LINK = re.compile(
    r'href="/balance-sheets/manage/\d+/(submit|validate|return|publish|restate)/"'
)


@pytest.fixture
def people(db):
    return {"officer": officer(), "validator": validator(), "second_validator": validator()}


def _sheet_in(state, council, library, people, lines=None) -> BalanceSheet:
    sheet = services.balance_sheet_create(
        council=council,
        neighbourhood=council.neighbourhoods.order_by("order").first(),
        year=2024,
        actor=people["officer"],
    )
    fill(sheet, library, people["officer"], lines or {"regular-volunteers": 100})
    if state != SheetStatus.DRAFT:
        services.balance_sheet_submit(sheet=sheet, actor=people["officer"])
    if state == SheetStatus.RETURNED:
        services.balance_sheet_return(sheet=sheet, actor=people["validator"], comments="Recount")
    if state in (SheetStatus.VALIDATED, SheetStatus.PUBLISHED):
        services.balance_sheet_validate(sheet=sheet, actor=people["validator"])
    if state == SheetStatus.PUBLISHED:
        services.balance_sheet_publish(sheet=sheet, actor=people["officer"])
    sheet.refresh_from_db()
    assert sheet.status == state
    return sheet


def _editor(sheet) -> str:
    return f"/balance-sheets/manage/{sheet.pk}/"


def _admin_page(sheet) -> str:
    return f"/admin/balancesheets/balancesheet/{sheet.pk}/change/"


def _steps_linked(response) -> list[str]:
    assert response.status_code == 200
    found = STEP_LINK.findall(response.content.decode())
    return [step for step in STEPS if step in found]


# Written out, not read from the table.
OFFICER_STEPS = {
    SheetStatus.DRAFT: ["submit"],
    SheetStatus.SUBMITTED: [],
    SheetStatus.RETURNED: ["submit"],
    SheetStatus.VALIDATED: ["publish"],
    SheetStatus.PUBLISHED: ["restate"],
}
VALIDATOR_STEPS = {
    SheetStatus.DRAFT: [],
    SheetStatus.SUBMITTED: ["validate", "return"],
    SheetStatus.RETURNED: [],
    SheetStatus.VALIDATED: [],
    SheetStatus.PUBLISHED: [],
}


@pytest.mark.parametrize("page", [_editor, _admin_page], ids=["editor", "admin"])
@pytest.mark.parametrize("state", list(OFFICER_STEPS))
def test_an_officer_is_offered_the_steps_the_sheet_allows(
    client, council, library, people, state, page
):
    sheet = _sheet_in(state, council, library, people)
    sign_in_verified(client, people["officer"])
    assert _steps_linked(client.get(page(sheet))) == OFFICER_STEPS[state]


@pytest.mark.parametrize("page", [_editor, _admin_page], ids=["editor", "admin"])
@pytest.mark.parametrize("state", list(VALIDATOR_STEPS))
def test_the_cwb_group_is_offered_the_steps_the_sheet_allows(
    client, council, library, people, state, page
):
    sheet = _sheet_in(state, council, library, people)
    sign_in_verified(client, people["second_validator"])
    assert _steps_linked(client.get(page(sheet))) == VALIDATOR_STEPS[state]


def test_staff_who_may_not_see_sheets_reach_no_step(client, council, library, people):
    sheet = _sheet_in(SheetStatus.VALIDATED, council, library, people)
    sign_in_verified(client, user_in(DATA_PROTECTION))
    assert client.post(f"{_editor(sheet)}publish/").status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.VALIDATED


def test_the_publish_page_asks_first_and_the_post_publishes(client, council, library, people):
    sheet = _sheet_in(SheetStatus.VALIDATED, council, library, people)
    sign_in_verified(client, people["officer"])
    page = client.get(f"{_editor(sheet)}publish/")
    assert "Publish the sheet?" in page.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.VALIDATED
    response = client.post(f"{_editor(sheet)}publish/", follow=True)
    assert response.redirect_chain[-1][0] == _editor(sheet)
    assert "You published the sheet" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.published_by) == (SheetStatus.PUBLISHED, people["officer"])


def test_returning_without_comments_shows_the_error_and_changes_nothing(
    client, council, library, people
):
    sheet = _sheet_in(SheetStatus.SUBMITTED, council, library, people)
    sign_in_verified(client, people["validator"])
    response = client.post(f"{_editor(sheet)}return/", {"comments": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "<title>Error:" in page
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED


def test_validating_a_sheet_someone_else_validated_says_so_and_changes_nothing(
    client, council, library, people
):
    sheet = _sheet_in(SheetStatus.SUBMITTED, council, library, people)
    sign_in_verified(client, people["second_validator"])
    assert client.get(f"{_editor(sheet)}validate/").status_code == 200
    services.balance_sheet_validate(sheet=sheet, actor=people["validator"])  # meanwhile
    response = client.post(f"{_editor(sheet)}validate/", {"comments": "Fine"}, follow=True)
    assert response.redirect_chain[-1][0] == _editor(sheet)
    assert "Nothing was changed" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.validated_by) == (SheetStatus.VALIDATED, people["validator"])


def test_publishing_a_sheet_published_meanwhile_says_so(client, council, library, people):
    sheet = _sheet_in(SheetStatus.VALIDATED, council, library, people)
    other = officer()
    services.balance_sheet_publish(sheet=sheet, actor=other)
    sign_in_verified(client, people["officer"])
    response = client.post(f"{_editor(sheet)}publish/", follow=True)
    assert "Nothing was changed" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.published_by == other


def test_the_sheet_pages_run_a_bounded_number_of_queries(
    client, council, library, people, django_assert_max_num_queries
):
    # Nine lines: as many queries as for one (19 and 16 when measured).
    sheet = _sheet_in(SheetStatus.SUBMITTED, council, library, people, lines=QUANTITIES)
    sign_in_verified(client, people["validator"])
    with django_assert_max_num_queries(21):
        assert client.get(_admin_page(sheet)).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(_editor(sheet)).status_code == 200


def test_publishing_from_the_list_asks_first(client, council, library, people):
    sheet = _sheet_in(SheetStatus.VALIDATED, council, library, people)
    sign_in_verified(client, people["officer"])
    changelist = "/admin/balancesheets/balancesheet/"
    chosen = {"action": "publish_selected", "_selected_action": [sheet.pk]}
    asked = client.post(changelist, chosen)
    assert 'value="Publish sheets"' in asked.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.VALIDATED
    client.post(changelist, {**chosen, "apply": "1"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PUBLISHED


@pytest.mark.parametrize("page", [_editor, _admin_page], ids=["editor", "admin"])
def test_a_member_who_submitted_the_sheet_is_not_offered_validate(client, council, library, page):
    both = officer()
    both.groups.add(*validator().groups.all())
    people = {"officer": both, "validator": validator()}
    sheet = _sheet_in(SheetStatus.SUBMITTED, council, library, people)
    sign_in_verified(client, both)
    assert "validate" not in _steps_linked(client.get(page(sheet)))
