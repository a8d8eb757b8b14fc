"""Spending files in the layouts real public bodies publish (issue 12): a police and crime
commissioner's workbook with one sheet per month, a title block above the header row, a "Total"
footer, the Local Government Association's spend schema, and the headers councils use. Each is
imported through spend_import and its figures checked against totals worked out here from the
amounts written, independently of the importer."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from openpyxl import Workbook

from core.roles import OFFICERS
from metrics.spend.importer import UNREAD_HEADERS, field_for
from metrics.spend.mappings import column_mappings_by_body
from metrics.spend.models import (
    ImportBatch,
    SpendColumnMapping,
    SpendColumnMappingEvent,
    SpendTransaction,
)
from metrics.spend.services import SpendImportError, spend_import
from tests.factories import UserFactory
from tests.metrics.factories_spend import ImportBatchFactory
from tests.signin import sign_in_verified

MONTHS = [
    "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "January", "February", "March",
]  # fmt: skip
PCC_HEADER = ["Date", "Supplier (Beneficiary) Name", "Amount Paid", "Trans No", "Expense Type"]


def _amount(month: int, line: int) -> Decimal:
    """A different amount for every line of every month, pennies included."""
    return Decimal(500 + month * 37 + line * 11) + Decimal(month + line) / 100


def _total(rows, column: int) -> Decimal:
    return sum((Decimal(str(row[column])) for row in rows), Decimal(0))


def _db_total() -> Decimal:
    return SpendTransaction.objects.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _csv(path, lines: list[list]) -> object:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(lines)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _pcc_workbook(path, *, lines_per_month: int = 3):
    """A notes sheet, then one sheet a month; every third month has a title block."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Office of the Police and Crime Commissioner: payments over £500, 2024-25"])
    notes.append([])
    notes.append(["Each month's payments are on a sheet of their own. Amounts exclude VAT."])
    written = {}
    for month, name in enumerate(MONTHS):
        sheet = workbook.create_sheet(name)
        if month % 3 == 0:
            sheet.append([f"Payments over £500: {name} 2024"])
            sheet.append(["Published under the Local Government Transparency Code"])
            sheet.append([])
        sheet.append(PCC_HEADER)
        year = 2024 if month < 9 else 2025
        rows = [
            [
                datetime.datetime(year, (month + 3) % 12 + 1, line + 1),  # noqa: DTZ001
                f"Supplier {line} Ltd",
                float(_amount(month, line)),
                f"{name[:3].upper()}{line}",
                "Vehicles",
            ]
            for line in range(lines_per_month)
        ]
        for row in rows:
            sheet.append(row)
        written[name] = rows
    workbook.save(path)
    return written


def test_every_sheet_of_a_workbook_is_imported(council, tmp_path):
    written = _pcc_workbook(tmp_path / "pcc-2024-25.xlsx")
    expected = sum((_total(rows, 2) for rows in written.values()), Decimal(0))

    result = spend_import(path=tmp_path / "pcc-2024-25.xlsx", council=council)

    assert (result.rows, result.added) == (36, 36)
    assert _db_total() == expected
    assert result.batch.total_value == expected


def test_the_batch_names_each_sheet_and_the_rows_it_gave(council, tmp_path):
    _pcc_workbook(tmp_path / "pcc.xlsx")
    batch = spend_import(path=tmp_path / "pcc.xlsx", council=council).batch
    batch.refresh_from_db()
    sheets = {sheet["name"]: sheet for sheet in batch.sheets}

    assert list(sheets) == ["Notes", *MONTHS]
    assert "not read" in sheets["Notes"]["skipped"]
    assert sheets["Notes"]["rows"] == 0
    assert [sheets[name]["rows"] for name in MONTHS] == [3] * 12
    assert sheets["April"]["header_line"] == 4  # below its three-line title block
    assert sheets["May"]["header_line"] == 1


def test_a_hidden_sheet_is_named_as_not_read(council, tmp_path):
    workbook = Workbook()
    shown = workbook.active
    shown.title = "April"
    shown.append(["Date", "Supplier", "Amount"])
    shown.append(["01/04/2024", "Acme Ltd", 600])
    lookup = workbook.create_sheet("Lists")
    lookup.append(["Date", "Supplier", "Amount"])
    lookup.append(["01/04/2024", "Drop-down value", 1])
    lookup.sheet_state = "hidden"
    workbook.save(tmp_path / "hidden.xlsx")

    result = spend_import(path=tmp_path / "hidden.xlsx", council=council)

    assert _db_total() == Decimal(600)
    assert [(sheet.name, bool(sheet.skipped)) for sheet in result.sheets] == [
        ("April", False),
        ("Lists", True),
    ]


def test_a_sheet_of_payments_with_no_header_row_is_an_error_naming_the_sheet(council, tmp_path):
    workbook = Workbook()
    good = workbook.active
    good.title = "April"
    good.append(["Date", "Supplier", "Amount"])
    good.append(["01/04/2024", "Acme Ltd", 600])
    headless = workbook.create_sheet("May")
    headless.append([datetime.datetime(2024, 5, 1), "Acme Ltd", 700])  # noqa: DTZ001
    workbook.save(tmp_path / "headless.xlsx")

    with pytest.raises(SpendImportError) as raised:
        spend_import(path=tmp_path / "headless.xlsx", council=council)

    assert SpendTransaction.objects.count() == 0
    sheets = {error.sheet for error in raised.value.errors}
    assert sheets == {"May"}
    assert all("sheet “May”" in error.reason for error in raised.value.errors)


def test_row_errors_carry_the_sheet_name_in_the_report(council, tmp_path):
    workbook = Workbook()
    first = workbook.active
    first.title = "April"
    first.append(["Date", "Supplier", "Amount"])
    first.append(["01/04/2024", "Acme Ltd", 600])
    second = workbook.create_sheet("May")
    second.append(["Date", "Supplier", "Amount"])
    second.append(["01/05/2024", "Acme Ltd", "six hundred"])
    workbook.save(tmp_path / "bad.xlsx")

    with pytest.raises(SpendImportError):
        spend_import(path=tmp_path / "bad.xlsx", council=council)

    [problem] = ImportBatch.objects.get().error_report
    assert (problem["sheet"], problem["line"], problem["column"]) == ("May", 2, "Amount")


def test_a_rejected_workbook_still_names_each_sheet_and_its_rows(council, tmp_path):
    workbook = Workbook()
    first = workbook.active
    first.title = "April"
    first.append(["Date", "Supplier", "Amount"])
    first.append(["01/04/2024", "Acme Ltd", 600])
    first.append(["02/04/2024", "Acme Ltd", 700])
    second = workbook.create_sheet("May")
    second.append(["Date", "Supplier", "Amount"])
    second.append(["01/05/2024", "Acme Ltd", "six hundred"])
    workbook.save(tmp_path / "bad.xlsx")

    with pytest.raises(SpendImportError):
        spend_import(path=tmp_path / "bad.xlsx", council=council)

    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    assert [(sheet["name"], sheet["rows"]) for sheet in batch.sheets] == [("April", 2), ("May", 1)]


TITLE_BLOCK = [
    ["Stevenage Borough Council"],
    ["Expenditure over £500"],
    ["Period: April to June 2024"],
    [],
    ["Published under the Local Government Transparency Code 2015"],
    ["Notes:"],
    ["1. Amounts exclude VAT"],
    ["2. Personal data is redacted"],
    [],
    ["Contact: transparency@example.gov.uk"],
]


def test_a_header_row_below_a_ten_line_title_block_is_found(council, tmp_path):
    payments = [
        ["02/04/2024", "Acme Ltd", "1,250.40"],
        ["03/05/2024", "Bolt & Sons", "980.05"],
        ["04/06/2024", "Café Nero Ltd", "-75.00"],
    ]
    path = _csv(tmp_path / "titled.csv", [*TITLE_BLOCK, ["Date", "Payee", "Net"], *payments])
    expected = Decimal("1250.40") + Decimal("980.05") - Decimal("75.00")

    result = spend_import(path=path, council=council)

    assert result.rows == 3
    assert _db_total() == expected
    assert result.sheets[0].header_line == 11


def test_a_header_error_gives_the_header_line_and_lists_the_headers_it_has(council, tmp_path):
    path = _csv(
        tmp_path / "titled.csv",
        [*TITLE_BLOCK, ["Date", "Paid To", "Net", "Cost Centre"], ["02/04/2024", "Acme", "9"]],
    )

    with pytest.raises(SpendImportError) as raised:
        spend_import(path=path, council=council)

    [error] = raised.value.errors
    assert error.line == 11
    assert "No column for the supplier name" in error.reason
    assert "(line 11;" in error.reason
    assert "has: Date, Paid To, Net, Cost Centre." in error.reason
    assert "“Supplier Name”" in error.reason  # what to name it
    assert "--map" in error.reason  # or how to map it


def test_a_misspelt_header_is_offered_as_the_column_to_map(council, tmp_path):
    path = _csv(tmp_path / "typo.csv", [["Date", "Suplier Name", "Amount"], ["1/4/24", "A", "9"]])

    with pytest.raises(SpendImportError) as raised:
        spend_import(path=path, council=council)

    [error] = raised.value.errors
    assert '--map "Suplier Name=supplier_name"' in error.reason


def test_a_total_footer_is_left_out_and_listed_never_counted(council, tmp_path):
    payments = [
        ["01/04/2024", "Acme Ltd", "1,000.00"],
        ["02/04/2024", "Total Gas & Power Ltd", "2,345.67"],  # a supplier, not a footer
        ["03/04/2024", "Bolt & Sons", "654.33"],
    ]
    expected = Decimal("1000.00") + Decimal("2345.67") + Decimal("654.33")
    footer = ["", "Total", f"{expected:,}"]
    path = _csv(tmp_path / "footed.csv", [["Date", "Supplier", "Amount"], *payments, footer])

    result = spend_import(path=path, council=council)

    assert (result.rows, result.added, result.left_out) == (4, 3, 1)
    assert _db_total() == expected
    assert SpendTransaction.objects.filter(supplier__name="Total Gas & Power Ltd").exists()
    batch = result.batch
    batch.refresh_from_db()
    assert batch.left_out == 1
    [left_out] = batch.left_out_report
    assert left_out["line"] == 5
    assert left_out["reason"] == "A total line at the foot of the file"
    assert Decimal(left_out["amount"]) == expected


@pytest.mark.parametrize(
    "footer",
    [
        ["Grand total", "", "4,000.00"],
        ["", "", "4,000.00"],  # an amount alone
        ["Totals:", "", "4000"],
        ["", "Total for April 2024", "4000"],
    ],
)
def test_footer_lines_as_councils_write_them_are_left_out(council, tmp_path, footer):
    rows = [["Date", "Supplier", "Amount"], ["01/04/2024", "Acme Ltd", "4000"], footer]
    result = spend_import(path=_csv(tmp_path / "f.csv", rows), council=council)
    assert (result.added, result.left_out) == (1, 1)
    assert _db_total() == Decimal(4000)


def test_notes_below_the_total_line_are_left_out_too(council, tmp_path):
    rows = [
        ["Date", "Supplier", "Amount"],
        ["01/04/2024", "Acme Ltd", "4000"],
        ["", "Total", "4000"],
        [],
        ["Source: the council's finance system", "", ""],
        ["Figures exclude VAT", "", "n/a"],
    ]
    result = spend_import(path=_csv(tmp_path / "f.csv", rows), council=council)
    assert (result.added, result.left_out) == (1, 3)
    assert _db_total() == Decimal(4000)
    reasons = [item["reason"] for item in result.batch.left_out_report]
    assert reasons[1:] == ["A note below the total line at the foot of the file"] * 2


def test_a_note_with_no_total_line_above_it_is_an_error(council, tmp_path):
    rows = [["Date", "Supplier", "Amount"], ["Source: the finance system", "", ""]]
    with pytest.raises(SpendImportError):
        spend_import(path=_csv(tmp_path / "f.csv", rows), council=council)


def test_a_payment_without_a_date_is_an_error_not_a_footer(council, tmp_path):
    rows = [["Date", "Supplier", "Amount"], ["", "Total Gas & Power Ltd", "500"]]
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=_csv(tmp_path / "f.csv", rows), council=council)
    assert [error.column for error in raised.value.errors] == ["Date"]


# The Local Government Association's spend schema, as councils following it publish.
LGA_HEADER = [
    "Organisation Name",
    "Organisation Code",
    "Effective Date",
    "Service Division Categorisation",
    "Responsible Unit",
    "Expenses Code",
    "Expenditure Category",
    "Expenditure Code",
    "Narrative",
    "Payment Date",
    "Transaction Number",
    "Net Amount",
    "Irrecoverable VAT",
    "Beneficiary",
    "Supplier ID",
    "Supplier Type",
    "Purpose of Expenditure",
    "Merchant Category",
]
LGA_BODY = "Example District Council"


def _lga_line(number: int, amount: str, supplier: str) -> list:
    return [
        LGA_BODY, "E07000999", "30/06/2024", "Housing Services", "Repairs team", "R100",
        "Repairs and maintenance", "4010", "Boiler repairs", f"0{number}/06/2024", f"T{number}",
        amount, "0.00", supplier, f"S{number}", "Private company", "Boiler servicing", "Repairs",
    ]  # fmt: skip


def test_an_lga_schema_file_imports_every_field(council, tmp_path):
    lines = [_lga_line(1, "1200.50", "Acme Ltd"), _lga_line(2, "(300.25)", "Bolt & Sons")]
    path = _csv(tmp_path / "lga.csv", [LGA_HEADER, *lines])

    result = spend_import(path=path, council=council)

    assert result.added == 2
    assert _db_total() == Decimal("1200.50") - Decimal("300.25")
    payment = SpendTransaction.objects.get(transaction_number="T1")
    assert payment.body_name == LGA_BODY
    assert payment.payment_date == datetime.date(2024, 6, 1)  # "Payment Date", not "Effective"
    assert payment.department == "Housing Services"
    assert payment.expense_type == "Repairs and maintenance"
    assert payment.description == "Boiler servicing"  # the purpose, before the narrative
    assert payment.supplier.supplier_ref == "S1"


@pytest.mark.parametrize(
    "header",
    [
        ["Invoice Payment Date", "Supplier (Beneficiary) Name", "Amount Paid", "Trans No"],
        ["Clearing Date", "Supplier(Beneficiary) Name", "Total (excludes VAT)", "Vendor ID"],
        ["Payment Date", "Vendor Name", "Net Amount", "Document No"],
    ],
)
def test_headers_councils_use_every_month_need_no_map(council, tmp_path, header):
    lines = [["01/04/2024", "Acme Ltd", "812.34", "X1"], ["02/04/2024", "Bolt Ltd", "99.99", "X2"]]
    result = spend_import(path=_csv(tmp_path / "h.csv", [header, *lines]), council=council)
    assert result.added == 2
    assert _db_total() == Decimal("812.34") + Decimal("99.99")


PAYEE_FILE = [
    ["Body Name", "Date", "Paid To", "Net"],
    ["Hertfordshire Fire Authority", "01/04/2024", "Acme Ltd", "700.00"],
    ["Hertfordshire Fire Authority", "02/04/2024", "Bolt Ltd", "300.50"],
]


def test_a_map_naming_a_column_the_file_lacks_is_an_error_listing_its_headers(council, tmp_path):
    path = _csv(tmp_path / "p.csv", PAYEE_FILE)
    with pytest.raises(SpendImportError) as raised:
        spend_import(
            path=path,
            council=council,
            header_map={"Paid To": "supplier_name", "Net Value": "amount", "Colour": "ignore"},
        )
    errors = {error.column: error for error in raised.value.errors}
    assert set(errors) == {"Net Value", "Colour"}
    assert errors["Colour"].line == 1
    assert "Its headers are: Body Name, Date, Paid To, Net." in errors["Colour"].reason
    assert SpendTransaction.objects.count() == 0


def test_a_mapping_is_saved_for_the_body_and_applied_to_its_next_file(council, tmp_path):
    officer = UserFactory(is_staff=True)
    first = spend_import(
        path=_csv(tmp_path / "april.csv", PAYEE_FILE),
        council=council,
        header_map={"Paid To": "supplier_name"},
        actor=officer,
    )
    assert first.mapping_saved_for == "Hertfordshire Fire Authority"
    mapping = SpendColumnMapping.objects.get()
    assert (mapping.columns, mapping.updated_by) == ({"Paid To": "supplier_name"}, officer)

    may = [PAYEE_FILE[0], ["HERTFORDSHIRE FIRE AUTHORITY", "01/05/2024", "Acme Ltd", "1234.56"]]
    second = spend_import(path=_csv(tmp_path / "may.csv", may), council=council)

    assert second.added == 1
    assert second.mapping_applied_for == "HERTFORDSHIRE FIRE AUTHORITY"
    assert _db_total() == Decimal("700.00") + Decimal("300.50") + Decimal("1234.56")


def test_a_saved_mapping_applies_to_a_file_from_the_body_given_at_import(council, tmp_path):
    SpendColumnMapping.objects.create(body_name="Herts PCC", columns={"Paid To": "supplier_name"})
    lines = [["Date", "Paid To", "Net"], ["01/04/2024", "Acme Ltd", "640.10"]]

    result = spend_import(
        path=_csv(tmp_path / "p.csv", lines), council=council, body_name="herts pcc"
    )

    assert result.added == 1
    assert _db_total() == Decimal("640.10")


def test_a_dry_run_saves_no_mapping(council, tmp_path):
    spend_import(
        path=_csv(tmp_path / "p.csv", PAYEE_FILE),
        council=council,
        header_map={"Paid To": "supplier_name"},
        dry_run=True,
    )
    assert column_mappings_by_body() == {}


def test_the_command_names_each_sheet_and_the_saved_mapping(council, tmp_path, capsys):
    _pcc_workbook(tmp_path / "pcc.xlsx", lines_per_month=2)
    call_command(
        "import_spend",
        str(tmp_path / "pcc.xlsx"),
        "--no-progress",
        "--body",
        "Herts PCC",
        "--map",
        "Trans No=transaction_number",
    )
    out = capsys.readouterr().out
    assert "Sheet “Notes”: no header row and no payments" in out
    assert "Sheet “April”: header row on line 4, 2 lines." in out
    assert "Sheet “March”: header row on line 1, 2 lines." in out
    assert "Column mapping saved for “Herts PCC”" in out
    assert "24 rows read, 24 added" in out


def test_the_command_reports_a_problem_with_its_sheet(council, tmp_path, capsys):
    workbook = Workbook()
    workbook.active.title = "June"
    workbook.active.append(["Date", "Supplier", "Amount"])
    workbook.active.append(["01/06/2024", "Acme Ltd", "lots"])
    workbook.save(tmp_path / "bad.xlsx")
    with pytest.raises(CommandError):
        call_command("import_spend", str(tmp_path / "bad.xlsx"), "--no-progress")
    assert "bad.xlsx, sheet “June”, line 2, column “Amount”" in capsys.readouterr().err


def test_an_officer_edits_a_saved_mapping_in_admin_and_it_is_audited(council, client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    sign_in_verified(client, officer)
    mapping = SpendColumnMapping.objects.create(body_name="Herts PCC", columns={"Payee": "ignore"})

    response = client.post(
        f"/admin/metrics/spendcolumnmapping/{mapping.pk}/change/",
        {"body_name": "Herts PCC", "columns_text": "Paid To=Supplier name\nNet=amount"},
    )

    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.columns == {"Paid To": "supplier_name", "Net": "amount"}
    assert mapping.updated_by == officer
    assert SpendColumnMappingEvent.objects.filter(pgh_obj=mapping, pgh_label="update").exists()


def test_a_saved_mapping_with_a_field_that_does_not_exist_is_refused_in_admin(council, client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    sign_in_verified(client, officer)

    response = client.post(
        "/admin/metrics/spendcolumnmapping/add/",
        {"body_name": "Herts PCC", "columns_text": "Paid To=colour"},
    )

    assert response.status_code == 200
    assert "“colour” is not a field" in response.content.decode()
    assert SpendColumnMapping.objects.count() == 0


def test_the_batch_page_shows_each_sheet_and_the_sheet_of_each_problem(council, client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    sign_in_verified(client, officer)
    batch = ImportBatchFactory(
        status=ImportBatch.Status.REJECTED,
        reviewed_at=None,
        sheets=[
            {"name": "Notes", "header_line": 0, "rows": 0, "left_out": 0, "skipped": "not read"},
            {"name": "April", "header_line": 4, "rows": 1200, "left_out": 1, "skipped": ""},
        ],
        error_report=[
            {"sheet": "May", "line": 7, "column": "Amount", "value": "x", "reason": "Not one"}
        ],
    )

    page = client.get(f"/admin/metrics/importbatch/{batch.pk}/change/").content.decode()

    assert "<td>April</td><td>4</td><td>1,200 (1 left out)</td><td>read</td>" in page
    assert "<td>Notes</td><td></td><td>0</td><td>not read</td>" in page
    assert "<th>Sheet</th><th>Line</th>" in page
    assert "<td>May</td><td>7</td><td>Amount</td>" in page


def test_columns_the_portal_does_not_read_are_aliases_of_no_field():
    assert all(field_for(header) is None for header in UNREAD_HEADERS)


def test_column_names_given_on_the_upload_page_are_saved_for_the_body(
    council, client, settings, tmp_path, run_worker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    sign_in_verified(client, officer)
    content = "Date,Paid To,Net\n01/04/2024,Acme Ltd,812.50\n02/04/2024,Bolt Ltd,87.50\n"

    client.post(
        "/admin/metrics/importbatch/upload/",
        {
            "file": SimpleUploadedFile("herts.csv", content.encode(), content_type="text/csv"),
            "body_name": "Herts PCC",
            "header_map": "Paid To=supplier_name",
        },
    )
    run_worker()

    assert ImportBatch.objects.get().status == ImportBatch.Status.REVIEW
    assert _db_total() == Decimal("900.00")
    mapping = SpendColumnMapping.objects.get()
    assert (mapping.body_name, mapping.columns) == ("Herts PCC", {"Paid To": "supplier_name"})
    assert mapping.updated_by == officer


def test_an_expense_description_column_is_the_description(council, tmp_path):
    rows = [["Date", "Supplier", "Amount", "Expense Description"], ["1/4/24", "Acme", "9", "Tea"]]
    spend_import(path=_csv(tmp_path / "d.csv", rows), council=council)
    assert SpendTransaction.objects.get().description == "Tea"
