"""The admin: every balance sheet model opens, lines are entered through the services in the
sheet's inline, and the council imports its own proxy values from a spreadsheet."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balancesheets import services
from balancesheets.models import BalanceSheetEvent, Indicator, ProxyValue, SheetAction
from balancesheets.resources import ProxyValueResource
from tests.balancesheets.conftest import fill
from tests.factories import UserFactory
from tests.signin import sign_in_verified


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model",
    ["capital", "indicator", "proxyvalue", "balancesheet", "balancesheetline", "balancesheetevent"],
)
def test_every_model_has_an_admin_list(client, published_sheet, an_officer, model):
    sign_in_verified(client, an_officer)
    response = client.get(f"/admin/balancesheets/{model}/")
    assert response.status_code == 200


def test_a_sheet_opens_in_admin_with_its_lines_and_history(client, published_sheet, an_officer):
    sign_in_verified(client, an_officer)
    response = client.get(f"/admin/balancesheets/balancesheet/{published_sheet.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "History" in page
    assert "Regular volunteers" in page
    assert "Open the sheet in the balance sheet editor" in page


def _management(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_lines_added_in_the_admin_inline_go_through_the_services(
    client, council, library, an_officer
):
    sheet = services.balance_sheet_create(
        council=council, neighbourhood=None, year=2024, actor=an_officer
    )
    sign_in_verified(client, an_officer)
    url = f"/admin/balancesheets/balancesheet/{sheet.pk}/change/"
    form = client.get(url).content.decode()
    prefix = re.search(r'name="(lines)-TOTAL_FORMS"', form).group(1)
    data = {
        **_management(prefix, 1, 0),
        **_management("events", 0, 0),
        f"{prefix}-0-indicator": library["regular-volunteers"].pk,
        f"{prefix}-0-quantity": "3",
        f"{prefix}-0-entered_value": "",
        f"{prefix}-0-override_reason": "",
        f"{prefix}-0-evidence": "Admin entry",
        f"{prefix}-0-note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    line = sheet.lines.get()
    assert line.value == Decimal("10200.00")
    assert BalanceSheetEvent.objects.filter(sheet=sheet, action=SheetAction.LINE_ADDED).exists()
    # An entered value without a reason is refused on the form, not with a server error.
    data[f"{prefix}-INITIAL_FORMS"] = "1"
    data[f"{prefix}-0-id"] = line.pk
    data[f"{prefix}-0-sheet"] = sheet.pk
    data[f"{prefix}-0-entered_value"] = "5"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter the reason" in response.content.decode()


def test_the_cwb_group_validates_from_the_admin_actions(
    client, council, library, an_officer, a_validator
):
    sheet = services.balance_sheet_create(
        council=council, neighbourhood=None, year=2024, actor=an_officer
    )
    fill(sheet, library, an_officer, {"regular-volunteers": 3})
    sign_in_verified(client, an_officer)
    changelist = "/admin/balancesheets/balancesheet/"
    client.post(changelist, {"action": "submit_selected", "_selected_action": [sheet.pk]})
    sheet.refresh_from_db()
    assert sheet.status == "submitted"
    # Officers are not offered the validation action; the CWB Group is.
    assert b"validate_selected" not in client.get(changelist).content
    sign_in_verified(client, a_validator)
    assert b"validate_selected" in client.get(changelist).content
    asked = client.post(changelist, {"action": "validate_selected", "_selected_action": [sheet.pk]})
    assert b"Validate balance sheets" in asked.content
    sheet.refresh_from_db()
    assert sheet.status == "submitted"  # not until it is confirmed
    client.post(
        changelist,
        {"action": "validate_selected", "_selected_action": [sheet.pk], "apply": "1"},
    )
    sheet.refresh_from_db()
    assert sheet.status == "validated"


def _csv(rows, header=("indicator", "price_year", "value_per_unit", "source")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_the_council_imports_its_own_proxy_values(library):
    from tablib import Dataset

    data = _csv(
        [
            ("regular-volunteers", "2023", "£3,650.00", "Council valuation 2023"),
            ("regular-volunteers", "2025", "3800", "Council valuation 2025"),
        ],
        header=("Indicator", "Price year", "Value per unit", "Source"),
    )
    dataset = Dataset().load(data.decode(), format="csv")
    result = ProxyValueResource().import_data(dataset, dry_run=False)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    proxies = ProxyValue.objects.filter(indicator__code="regular-volunteers")
    assert {(p.price_year, p.value_per_unit, p.is_illustrative) for p in proxies} == {
        (2023, Decimal("3650.00"), False),
        (2025, Decimal("3800.00"), False),
    }
    # Again: nothing changes.
    result = ProxyValueResource().import_data(dataset, dry_run=False)
    assert proxies.count() == 2


def test_a_bad_proxy_row_says_what_is_wrong(library):
    from tablib import Dataset

    data = _csv([("no-such-indicator", "2023", "10", "x"), ("green-space", "23", "-5", "y")])
    result = ProxyValueResource().import_data(Dataset().load(data.decode(), format="csv"))
    assert result.has_validation_errors()
    messages = " ".join(
        str(error) for row in result.invalid_rows for error in row.error_dict.values()
    )
    assert "no-such-indicator" in messages
    assert "Enter the price year as a year" in messages
    assert not ProxyValue.objects.filter(source__in=["x", "y"]).exists()


def test_indicators_import_through_the_admin(client, library, superuser):
    sign_in_verified(client, superuser)
    upload = SimpleUploadedFile(
        "indicators.csv",
        _csv(
            [("bus-stops", "Bus stops", "Built capital", "Asset", "bus stop")],
            header=("Code", "Name", "Capital", "Side", "Unit"),
        ),
        content_type="text/csv",
    )
    response = client.post(
        "/admin/balancesheets/indicator/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Errors" not in page, page[:4000]
    confirm = re.findall(r'name="([a-z_]+)" value="([^"]*)"', page)
    response = client.post("/admin/balancesheets/indicator/process_import/", dict(confirm))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="bus-stops")
    assert (indicator.capital.code, indicator.side) == ("built", "asset")
