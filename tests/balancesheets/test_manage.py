"""The officers' balance sheet pages, through the test client: who may see and do what, line
entry with GOV.UK error messages, running totals, copy-forward and the workflow."""

from decimal import Decimal

import pytest

from balancesheets import services
from balancesheets.models import BalanceSheet, SheetStatus
from core.roles import COUNCILLORS
from tests.balancesheets.conftest import fill
from tests.balancesheets.factories import user_in
from tests.factories import UserFactory
from tests.signin import sign_in_verified

MANAGE = "/balance-sheets/manage/"


@pytest.fixture
def neighbourhood(council):
    return council.neighbourhoods.order_by("order").first()


@pytest.fixture
def draft(council, neighbourhood, an_officer):
    return services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
    )


def _editor(sheet) -> str:
    return f"{MANAGE}{sheet.pk}/"


# Who may come in


def test_signing_in_is_required(client, council, settings):
    from django.shortcuts import resolve_url

    response = client.get(MANAGE)
    assert response.status_code == 302
    login = resolve_url(settings.LOGIN_URL)
    assert response["Location"] == f"{login}?next=/balance-sheets/manage/"


@pytest.mark.parametrize("kind", ["public", "staff without a role", "councillor"])
def test_people_without_a_staff_role_are_refused(client, council, kind):
    if kind == "public":
        user = UserFactory(is_staff=False)
    elif kind == "councillor":
        user = user_in(COUNCILLORS)
        user.is_staff = False
        user.save()
    else:
        user = UserFactory(is_staff=True)
    sign_in_verified(client, user)
    response = client.get(MANAGE)
    assert response.status_code == 403
    assert b"You cannot see this page" in response.content


def test_officers_and_the_cwb_group_see_the_list(client, draft, an_officer, a_validator):
    for user in (an_officer, a_validator):
        sign_in_verified(client, user)
        response = client.get(MANAGE)
        assert response.status_code == 200
        assert str(draft).encode() in response.content
        assert response["Cache-Control"].startswith("max-age=0")
    assert b"Start a balance sheet" not in response.content  # the CWB Group does not enter


# Starting a sheet


def test_an_officer_starts_a_sheet(client, council, neighbourhood, an_officer):
    sign_in_verified(client, an_officer)
    response = client.post(
        f"{MANAGE}new/", {"area": neighbourhood.slug, "year": "2024", "copy_forward": "on"}
    )
    sheet = BalanceSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _editor(sheet)
    assert (sheet.neighbourhood, sheet.year, sheet.created_by) == (neighbourhood, 2024, an_officer)
    page = client.get(response["Location"]).content.decode()
    assert "no sheet for the year before" in page


def test_starting_a_sheet_shows_gov_uk_errors(client, draft, neighbourhood, an_officer):
    sign_in_verified(client, an_officer)
    response = client.post(f"{MANAGE}new/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Select the area the balance sheet is for" in page
    assert "govuk-error-summary" in page
    response = client.post(f"{MANAGE}new/", {"area": neighbourhood.slug, "year": "2024"})
    assert "already has a balance sheet for 2024/25" in response.content.decode()


# Lines


def test_adding_a_line_prices_it_and_updates_the_running_totals(client, draft, library, an_officer):
    sign_in_verified(client, an_officer)
    page = client.get(f"{_editor(draft)}lines/add/").content.decode()
    assert "Regular volunteers (asset; £3,400.00 per regular volunteer, illustrative)" in page
    assert '<optgroup label="Social capital">' in page
    indicator = library["regular-volunteers"]
    response = client.post(
        f"{_editor(draft)}lines/add/",
        {"indicator": indicator.pk, "quantity": "1,200", "evidence": "Register"},
    )
    assert response.status_code == 302
    line = draft.lines.get()
    assert line.value == Decimal("4080000.00")
    editor = client.get(_editor(draft)).content.decode()
    assert "You added Regular volunteers." in editor
    assert editor.count("£4,080,000.00") >= 3  # the line, the capital, all capitals


def test_an_entered_value_without_a_reason_is_an_error_on_the_form(
    client, draft, library, an_officer
):
    sign_in_verified(client, an_officer)
    response = client.post(
        f"{_editor(draft)}lines/add/",
        {"indicator": library["people-in-work"].pk, "quantity": "3", "value": "£100,000"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the reason for a £ value different from the quantity times the proxy" in page
    assert not draft.lines.exists()
    response = client.post(
        f"{_editor(draft)}lines/add/",
        {
            "indicator": library["people-in-work"].pk,
            "quantity": "3",
            "value": "£100,000",
            "override_reason": "Part-time posts",
        },
    )
    assert response.status_code == 302
    assert draft.lines.get().value == Decimal("100000.00")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Enter the quantity"),
        ("lots", "Quantity must be a number, like 120 or 12.5"),
        ("-4", "Quantity must be 0 or more"),
        ("1.234", "Quantity can have at most 2 decimal places"),
        ("1e20", "Quantity must be less than 1,000,000,000,000"),
        ("NaN", "Quantity must be a number"),
    ],
)
def test_bad_quantities_get_clear_messages(client, draft, library, an_officer, quantity, message):
    sign_in_verified(client, an_officer)
    response = client.post(
        f"{_editor(draft)}lines/add/",
        {"indicator": library["regular-volunteers"].pk, "quantity": quantity},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_changing_and_removing_a_line(client, draft, library, an_officer):
    line = fill(draft, library, an_officer, {"regular-volunteers": 10})[0]
    sign_in_verified(client, an_officer)
    change = f"{_editor(draft)}lines/{line.pk}/"
    page = client.get(change).content.decode()
    assert "Quantity (regular volunteer)" in page
    assert client.post(change, {"quantity": "11", "evidence": "New"}).status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.value, line.evidence) == (11, Decimal("37400.00"), "New")
    remove = f"{change}remove/"
    assert b"Remove Regular volunteers?" in client.get(remove).content
    assert client.post(remove).status_code == 302
    assert not draft.lines.exists()
    history = client.get(f"{_editor(draft)}history/").content.decode()
    assert "Line removed" in history
    assert "Line changed" in history


def test_copy_forward_from_the_year_before(
    client, council, neighbourhood, draft, library, an_officer
):
    last = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2023, actor=an_officer
    )
    fill(last, library, an_officer, {"regular-volunteers": 10, "green-space": 4})
    sign_in_verified(client, an_officer)
    editor = client.get(_editor(draft)).content.decode()
    assert "Copy lines from 2023/24" in editor
    response = client.post(f"{_editor(draft)}copy-forward/")
    assert response.status_code == 302
    assert draft.lines.count() == 2


# The workflow


def test_the_whole_workflow_through_the_pages(client, draft, library, an_officer, a_validator):
    fill(draft, library, an_officer, {"regular-volunteers": 10})
    sign_in_verified(client, an_officer)
    assert b"Submit for validation" in client.get(_editor(draft)).content
    assert client.post(f"{_editor(draft)}submit/").status_code == 302
    # An officer cannot validate; the CWB Group can, or return with comments.
    assert client.get(f"{_editor(draft)}validate/").status_code == 403
    sign_in_verified(client, a_validator)
    assert b"Return with comments" in client.get(_editor(draft)).content
    response = client.post(f"{_editor(draft)}return/", {"comments": ""})
    assert "Enter what the officers need to change" in response.content.decode()
    client.post(f"{_editor(draft)}return/", {"comments": "Add the evidence"})
    draft.refresh_from_db()
    assert draft.status == SheetStatus.RETURNED
    sign_in_verified(client, an_officer)
    assert b"Add the evidence" in client.get(_editor(draft)).content
    client.post(f"{_editor(draft)}submit/")
    sign_in_verified(client, a_validator)
    assert client.post(f"{_editor(draft)}validate/", {"comments": "Fine"}).status_code == 302
    assert client.get(f"{_editor(draft)}publish/").status_code == 403
    sign_in_verified(client, an_officer)
    assert client.post(f"{_editor(draft)}publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == SheetStatus.PUBLISHED
    slug = draft.neighbourhood.slug
    assert client.get(f"/balance-sheets/2024-25/{slug}/").status_code == 200
    # Published: no more line changes, only a restatement.
    line = draft.lines.get()
    response = client.post(f"{_editor(draft)}lines/{line.pk}/", {"quantity": "1"})
    assert response.status_code == 302
    assert "cannot be changed" in client.get(response["Location"]).content.decode()
    response = client.post(f"{_editor(draft)}restate/", {"reason": "Double count"})
    restated = BalanceSheet.objects.get(restates=draft)
    assert response["Location"] == _editor(restated)
    assert restated.version == 2


def test_the_borough_sheet_is_built_from_the_page(
    client, council, draft, library, an_officer, a_validator
):
    fill(draft, library, an_officer, {"regular-volunteers": 10})
    services.balance_sheet_submit(sheet=draft, actor=an_officer)
    services.balance_sheet_validate(sheet=draft, actor=a_validator)
    sign_in_verified(client, an_officer)
    response = client.post(f"{MANAGE}borough/", {"year": "2024"})
    borough = BalanceSheet.objects.get(neighbourhood=None)
    assert response["Location"] == _editor(borough)
    assert "Not yet validated" in client.get(response["Location"]).content.decode()
    assert borough.lines.get().quantity == 10


def test_another_councils_sheet_is_not_found(client, draft, an_officer):
    from tests.factories import CouncilFactory

    other = CouncilFactory()
    sheet = BalanceSheet.objects.create(council=other, year=2024)
    sign_in_verified(client, an_officer)
    assert client.get(_editor(sheet)).status_code == 404
