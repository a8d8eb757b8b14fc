"""Importing spending files: messy real-world files, all or nothing, idempotent."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from metrics.spend.models import ImportBatch, Locality, LocalitySource, SpendTransaction, Supplier
from metrics.spend.names import REDACTED_KEY
from metrics.spend.services import (
    SPEND_MAX_ERRORS,
    SpendFileHeld,
    SpendImportError,
    spend_import,
)
from metrics.spend.values import NOT_AN_AMOUNT, line_base_hash, line_hash
from neighbourhoods.services import postcodes_import
from tests.metrics.factories_spend import csv_file, xlsx_file

BODY = "Stevenage Borough Council"


def _line(date, number, amount, supplier, ref="", area="Housing", kind="Repairs", text=""):
    return [BODY, date, number, amount, supplier, ref, area, kind, "E100", text]


MESSY = [
    _line("01/04/2024", "T1", "£1,234.56", "ACME LTD", "S1", text="Boiler repairs"),
    _line("2/4/24", "T2", "(12.00)", "Acme Limited", "S1", text="Credit note"),
    _line("2024-04-03", "T3", "-50.00", "Acme Ltd.", "S1"),
    _line("04-Apr-2024", "T4", "500", "Redacted Personal Data", "S9", "Care", "Grants"),
    _line("05/04/2024", "T5", "£750.00", "REDACTED - COMMERCIAL CONFIDENTIALITY", "S10"),
    _line("06/04/2024", "T6", "1000", "Café Nero Ltd", "S2", "Leisure", "Catering"),
]


def _amounts():
    return sorted(SpendTransaction.objects.values_list("amount", flat=True))


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)]
)
def test_a_messy_file_imports_correctly_in_any_encoding(council, tmp_path, encoding, bom):
    path = csv_file(tmp_path / "spend.csv", MESSY, encoding=encoding, bom=bom)
    result = spend_import(path=path, council=council)

    assert (result.rows, result.added) == (6, 6)
    assert _amounts() == [
        Decimal("-50.00"), Decimal("-12.00"), Decimal("500.00"), Decimal("750.00"),
        Decimal("1000.00"), Decimal("1234.56"),
    ]  # fmt: skip
    suppliers = {s.normalised_name: s for s in Supplier.objects.all()}
    assert set(suppliers) == {"acme ltd", "cafe nero ltd", REDACTED_KEY}
    assert suppliers["acme ltd"].name == "ACME LTD"  # the first spelling met
    assert suppliers["cafe nero ltd"].name == "Café Nero Ltd"  # é read right in every encoding
    redacted = suppliers[REDACTED_KEY]
    assert redacted.is_redacted
    assert redacted.supplier_ref == ""
    assert redacted.postcode == ""
    assert redacted.transactions.count() == 2
    batch = result.batch
    assert (batch.status, batch.rows, batch.added) == (ImportBatch.Status.REVIEW, 6, 6)
    assert len(batch.sha256) == 64
    first = SpendTransaction.objects.get(transaction_number="T1")
    assert (first.body_name, first.department, first.expense_type, first.description) == (
        BODY, "Housing", "Repairs", "Boiler repairs"
    )  # fmt: skip
    assert first.payment_date == datetime.date(2024, 4, 1)


def test_an_xlsx_file_with_a_title_block_and_typed_cells_imports(council, tmp_path):
    path = xlsx_file(
        tmp_path / "spend.xlsx",
        [
            [datetime.datetime(2024, 5, 1), "Acme Ltd", 1234.56, 10001, "SG1 1HN"],  # noqa: DTZ001
            ["02/05/2024", "Redacted Personal Data", "(£20.00)", None, None],
            [None, None, None, None, None],
            [45444, "Bravo plc", 99, 10002, ""],
        ],
        header=[
            "Payment Date",
            "Beneficiary Name",
            "Net Amount",
            "Transaction No",
            "Supplier Postcode",
        ],
        title="Spending over £500, May 2024",
    )
    result = spend_import(path=path, council=council)
    assert (result.rows, result.added) == (3, 3)
    rows = SpendTransaction.objects.order_by("payment_date").values_list(
        "payment_date", "supplier__name", "amount", "transaction_number"
    )
    assert list(rows) == [
        (datetime.date(2024, 5, 1), "Acme Ltd", Decimal("1234.56"), "10001"),
        (datetime.date(2024, 5, 2), "Redacted", Decimal("-20.00"), ""),
        (datetime.date(2024, 6, 1), "Bravo plc", Decimal("99.00"), "10002"),
    ]
    acme = Supplier.objects.get(normalised_name="acme ltd")
    assert (acme.postcode, acme.locality) == ("SG1 1HN", Locality.BOROUGH)


REAL_DATE = "Not a real date: check the day and the month (day first, like 31/03/2025)"


def test_one_bad_row_imports_nothing_and_reports_every_bad_row(council, tmp_path):
    rows = [
        *MESSY,
        _line("31/02/2024", "T7", "100", "Acme Ltd"),
        _line("07/04/2024", "T8", "one hundred", ""),
    ]
    path = csv_file(tmp_path / "bad.csv", rows)
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=path, council=council)

    error = raised.value
    assert [(e.line, e.column, e.value, e.reason) for e in error.errors] == [
        (8, "Date", "31/02/2024", REAL_DATE),
        (9, "Amount", "one hundred", NOT_AN_AMOUNT),
        (9, "Supplier name", "", "Enter the supplier's name"),
    ]
    assert SpendTransaction.objects.count() == 0
    assert Supplier.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.added) == (ImportBatch.Status.REJECTED, 8, 0)
    assert batch.error_report[0] == {
        "line": 8, "column": "Date", "value": "31/02/2024", "reason": REAL_DATE, "sheet": "",
    }  # fmt: skip
    assert batch == error.batch


def test_a_file_with_very_many_bad_rows_keeps_a_bounded_report(council, tmp_path):
    rows = [_line("01/04/2024", f"T{i}", "x", "Acme Ltd") for i in range(SPEND_MAX_ERRORS + 5)]
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=csv_file(tmp_path / "bad.csv", rows), council=council)
    assert raised.value.total == SPEND_MAX_ERRORS + 5
    report = ImportBatch.objects.get().error_report
    assert len(report) == SPEND_MAX_ERRORS + 1
    assert report[-1]["reason"] == "5 more"


def test_the_same_file_again_is_refused_naming_its_batch_and_creates_nothing(council, tmp_path):
    path = csv_file(tmp_path / "spend.csv", MESSY)
    first = spend_import(path=path, council=council).batch
    with pytest.raises(SpendFileHeld, match=f"already held by import batch {first.pk}") as held:
        spend_import(path=path, file_name="renamed.csv", council=council)
    assert held.value.batch == first
    assert SpendTransaction.objects.count() == 6
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [first.pk]


def test_rows_already_held_from_another_file_add_nothing(council, tmp_path):
    spend_import(path=csv_file(tmp_path / "q1.csv", MESSY[:3]), council=council)
    # The year's file repeats the quarter's lines, in another order, with other spacing and case.
    year = [*MESSY[3:], *reversed(MESSY[:3])]
    year[-1] = [cell.upper() if isinstance(cell, str) else cell for cell in year[-1]]
    result = spend_import(path=csv_file(tmp_path / "year.csv", year), council=council)
    assert (result.rows, result.added) == (6, 3)
    assert SpendTransaction.objects.count() == 6


def test_identical_split_lines_are_both_kept_and_recognised_again(council, tmp_path):
    split = _line("01/05/2024", "T100", "250.00", "Acme Ltd", text="Invoice 9, split")
    path = csv_file(tmp_path / "split.csv", [split, split, MESSY[0]])
    assert spend_import(path=path, council=council).added == 3
    assert SpendTransaction.objects.filter(transaction_number="T100").count() == 2
    # Another file repeating both adds only its new line; one with a third identical line adds one.
    path = csv_file(tmp_path / "split2.csv", [split, MESSY[1], split])
    assert spend_import(path=path, council=council).added == 1
    path = csv_file(tmp_path / "split3.csv", [split, split, split])
    assert spend_import(path=path, council=council).added == 1


def test_the_stored_line_hash_is_the_documented_one(council, tmp_path):
    split = _line("01/05/2024", "T100", "£250.00", "ACME LIMITED", "S1", text="Split")
    spend_import(path=csv_file(tmp_path / "split.csv", [split, split]), council=council)
    base = line_base_hash(
        body_name=BODY,
        payment_date=datetime.date(2024, 5, 1),
        transaction_number="T100",
        amount=Decimal("250.00"),
        irrecoverable_vat=None,
        supplier_key="acme ltd",
        department="Housing",
        expense_type="Repairs",
        description="Split",
    )
    assert set(SpendTransaction.objects.values_list("line_hash", flat=True)) == {
        line_hash(base, 1),
        line_hash(base, 2),
    }


def test_body_name_comes_from_the_option_when_the_file_has_none(council, tmp_path):
    path = csv_file(
        tmp_path / "s.csv",
        [["01/04/2024", "Acme Ltd", "600"]],
        header=["Date", "Supplier", "Amount"],
    )
    spend_import(path=path, council=council, body_name="Stevenage Borough Council")
    assert SpendTransaction.objects.get().body_name == "Stevenage Borough Council"


def test_a_dry_run_counts_and_saves_nothing(council, tmp_path):
    result = spend_import(path=csv_file(tmp_path / "s.csv", MESSY), council=council, dry_run=True)
    assert (result.dry_run, result.rows, result.added, result.new_suppliers) == (True, 6, 6, 3)
    assert [row.line for row in result.preview] == [2, 3, 4, 5, 6, 7]
    assert ImportBatch.objects.count() == SpendTransaction.objects.count() == 0
    assert Supplier.objects.count() == 0


def test_an_existing_supplier_gains_a_postcode_it_lacked_but_keeps_the_rest(council, tmp_path):
    header = ["Date", "Supplier", "Supplier ID", "Supplier Postcode", "Amount"]
    spend_import(
        path=csv_file(
            tmp_path / "a.csv", [["01/04/2024", "Acme Ltd", "", "", "600"]], header=header
        ),
        council=council,
    )
    acme = Supplier.objects.get()
    assert acme.locality == Locality.UNKNOWN
    Supplier.objects.filter(pk=acme.pk).update(is_sme=True, name="Acme (officer's spelling)")
    rows = [["02/04/2024", "ACME LIMITED", "S1", "sg11hn", "700"]]
    spend_import(path=csv_file(tmp_path / "b.csv", rows, header=header), council=council)
    acme.refresh_from_db()
    assert (acme.name, acme.is_sme, acme.supplier_ref, acme.postcode) == (
        "Acme (officer's spelling)", True, "S1", "SG1 1HN"
    )  # fmt: skip
    assert acme.locality == Locality.BOROUGH  # SG1 is a local prefix; the lookup is empty


def test_values_with_backslashes_quotes_and_line_breaks_survive_the_bulk_path(council, tmp_path):
    text = 'Path C:\\temp\\new "quoted"\nsecond line\tand a tab'
    path = csv_file(
        tmp_path / "s.csv", [_line("01/04/2024", "T\\1", "600", "Back\\slash Ltd", text=text)]
    )
    spend_import(path=path, council=council)
    row = SpendTransaction.objects.get()
    assert row.description == 'Path C:\\temp\\new "quoted" second line and a tab'
    assert row.transaction_number == "T\\1"
    assert row.supplier.name == "Back\\slash Ltd"


def test_an_unreadable_file_is_rejected_with_a_reason(council, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("Colour,Shape\nred,round\n")
    with pytest.raises(SpendImportError):
        spend_import(path=path, council=council)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED
    assert "No column for the date" in batch.error_report[0]["reason"]


def test_the_command_imports_with_map_options_and_a_progress_bar(council, tmp_path):
    header = ["When", "Who", "How much", "Cost Centre", "Internal code"]
    path = csv_file(
        tmp_path / "odd.csv", [["01/04/2024", "Acme Ltd", "600", "Parks", "X1"]], header=header
    )
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_spend",
        str(path),
        "--map", "When=date", "--map", "Who=supplier", "--map", "How much=amount",
        "--map", "Cost Centre=Expense Area", "--map", "Internal code=ignore",
        "--body", BODY,
        stdout=out,
        stderr=err,
    )  # fmt: skip
    assert "1 rows read, 1 added, 0 already held; 1 new suppliers." in out.getvalue()
    assert "100%" in err.getvalue()
    assert "\r" in err.getvalue()
    row = SpendTransaction.objects.get()
    assert (row.department, row.body_name) == ("Parks", BODY)


def test_the_command_reports_bad_rows_and_fails(council, tmp_path):
    path = csv_file(tmp_path / "bad.csv", [_line("01/04/2024", "T1", "lots", "Acme Ltd")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_spend", str(path), "--no-progress", stdout=io.StringIO(), stderr=err)
    assert "bad.csv, line 2, column “Amount”: 'lots': Not an amount of money" in err.getvalue()
    assert SpendTransaction.objects.count() == 0


def test_the_command_dry_run_saves_nothing(council, tmp_path):
    out = io.StringIO()
    path = csv_file(tmp_path / "s.csv", MESSY)
    call_command("import_spend", str(path), "--dry-run", "--no-progress", stdout=out)
    assert "6 would add" in out.getvalue()
    assert "nothing was saved" in out.getvalue()
    assert SpendTransaction.objects.count() == 0


def test_the_command_refuses_a_bad_map(council, tmp_path):
    with pytest.raises(CommandError, match="not a field"):
        call_command("import_spend", str(tmp_path / "x.csv"), "--map", "A=colour")


def test_no_staging_table_is_left_behind(council, tmp_path):
    spend_import(path=csv_file(tmp_path / "s.csv", MESSY), council=council)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'spend_staging_%%'")
        assert cursor.fetchone()[0] == 0


def test_the_command_places_suppliers_again_after_a_postcode_import(council):
    supplier = Supplier.objects.create(
        name="Ashby Gardens", normalised_name="ashby gardens", postcode="SG1 6AA"
    )
    postcodes_import(rows=[{"pcds": "SG1 6AA", "lad24cd": "E07000099"}])
    out = io.StringIO()
    call_command("import_spend", "--refresh-localities", stdout=out)
    assert "1 changed" in out.getvalue()
    supplier.refresh_from_db()
    assert (supplier.locality, supplier.locality_source) == (
        Locality.COUNTY,
        LocalitySource.POSTCODE_LOOKUP,
    )
    with pytest.raises(CommandError, match="at least one file"):
        call_command("import_spend")
