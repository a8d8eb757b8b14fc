"""The values of a spending file's lines as real councils write them: placeholders, postcodes
that are not UK ones, a body column holding a web address, stray C1 control characters,
catch-all payees, and trivial lines an officer chooses to leave out. Every file is imported
through spend_import and checked against totals worked out here from the rows written."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from metrics.spend.files import SpendFile
from metrics.spend.importer import SpendRow, spend_rows
from metrics.spend.models import ImportBatch, Locality, SpendTransaction, Supplier
from metrics.spend.names import REDACTED_KEY, supplier_name_normalise
from metrics.spend.services import SpendImportError, spend_import
from metrics.spend.values import amount_parse, cell_text
from tests.metrics.factories_spend import csv_file

BODY = "Stevenage Borough Council"
HEADER = [
    "Body Name",
    "Payment Date",
    "Transaction Number",
    "Amount",
    "Supplier Name",
    "Supplier Postcode",
    "Irrecoverable VAT",
    "Expense Type",
    "Description",
]


def _line(number, amount, supplier, postcode="", vat="", kind="Repairs", text="", day="01"):
    return [BODY, f"{day}/04/2024", number, amount, supplier, postcode, vat, kind, text]


def _total(rows) -> Decimal:
    """The rows' amounts summed here, independently of the importer."""
    return sum((Decimal(row[3].replace("£", "").replace(",", "")) for row in rows), Decimal(0))


def _held_total() -> Decimal:
    return SpendTransaction.objects.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _rows(path) -> list:
    return list(spend_rows(SpendFile.open(path)))


def test_na_in_every_row_of_irrecoverable_vat_reads_as_no_vat(council, tmp_path):
    rows = [
        _line("T1", "1,234.56", "Acme Ltd", vat="N/A"),
        _line("T2", "250.00", "Bravo plc", vat="n/a"),
        _line("T3", "99.99", "Charlie Ltd", vat="N/A"),
    ]
    result = spend_import(path=csv_file(tmp_path / "vat.csv", rows, header=HEADER))

    assert (result.rows, result.added) == (3, 3)
    assert _held_total() == _total(rows) == Decimal("1584.55")
    assert set(SpendTransaction.objects.values_list("irrecoverable_vat", flat=True)) == {None}


@pytest.mark.parametrize(
    "placeholder", ["N/A", "n/a", "NA", "-", "--", "Various", "VARIOUS", "TBC", "Not applicable"]
)
def test_placeholders_in_optional_columns_read_as_empty(tmp_path, placeholder):
    row = [BODY, "01/04/2024", placeholder, "10.00", "Acme Ltd", placeholder, placeholder,
           placeholder, placeholder]  # fmt: skip
    (item,) = _rows(csv_file(tmp_path / "p.csv", [row], header=HEADER))

    assert isinstance(item, SpendRow)
    assert (item.transaction_number, item.supplier_postcode, item.payment_postcode) == ("", "", "")
    assert (item.irrecoverable_vat, item.expense_type, item.description) == (None, "", "")


def test_a_line_with_placeholders_is_the_same_payment_as_the_line_left_blank(council, tmp_path):
    blank = [_line("T1", "500.00", "Acme Ltd", kind="", text="")]
    na = [_line("T1", "500.00", "Acme Ltd", vat="N/A", kind="N/A", text="-")]
    spend_import(path=csv_file(tmp_path / "blank.csv", blank, header=HEADER))
    again = spend_import(path=csv_file(tmp_path / "na.csv", na, header=HEADER))

    assert (again.rows, again.added) == (1, 0)
    assert _held_total() == _total(blank)


@pytest.mark.parametrize(
    ("column", "what"),
    [(1, "not a date"), (3, "not an amount"), (4, "not a supplier's name")],
)
def test_a_placeholder_in_a_required_column_is_an_error_that_says_so(tmp_path, column, what):
    row = _line("T1", "10.00", "Acme Ltd")
    row[column] = "N/A"
    (errors,) = _rows(csv_file(tmp_path / "p.csv", [row], header=HEADER))

    (error,) = errors
    assert (error.line, error.column, error.value) == (2, HEADER[column], "N/A")
    assert error.reason.startswith(f"“N/A” is a placeholder, {what}: the column is required")


def test_various_and_an_eircode_in_supplier_postcode_import_with_locality_unknown(
    council, tmp_path
):
    rows = [
        _line("T1", "1000.00", "Acme Ltd", postcode="Various"),
        _line("T2", "2500.50", "Dublin Widgets Ltd", postcode="D02 X285"),
        _line("T3", "120.00", "Bravo plc", postcode="SG1"),
        _line("T4", "75.25", "Zip Corp", postcode="90210"),
    ]
    result = spend_import(path=csv_file(tmp_path / "pc.csv", rows, header=HEADER))

    assert (result.rows, result.added) == (4, 4)
    assert _held_total() == _total(rows) == Decimal("3695.75")
    for supplier in Supplier.objects.all():
        assert (supplier.postcode, supplier.locality) == ("", Locality.UNKNOWN)


def test_a_postcode_that_is_not_a_uk_one_is_kept_as_written_on_the_line(tmp_path):
    rows = [
        _line("T1", "10.00", "Dublin Widgets Ltd", postcode="D02 X285"),
        _line("T2", "10.00", "Acme Ltd", postcode="sg1 1hn"),
        _line("T3", "10.00", "Acme Ltd", postcode="Various"),
    ]
    items = _rows(csv_file(tmp_path / "pc.csv", rows, header=HEADER))

    assert [(row.payment_postcode, row.supplier_postcode) for row in items] == [
        ("D02 X285", ""),
        ("sg1 1hn", "SG1 1HN"),
        ("", ""),
    ]


def test_a_body_column_holding_a_web_address_is_not_the_body_name(council, tmp_path):
    header = ["Body", "Organisation Name", *HEADER[1:]]
    rows = [["http://www.stevenage.gov.uk", BODY, *_line("T1", "10.00", "Acme Ltd")[1:]]]
    spend_import(path=csv_file(tmp_path / "body.csv", rows, header=header))

    assert SpendTransaction.objects.get().body_name == BODY


def test_a_web_address_as_the_only_body_name_gives_way_to_the_import_body(council, tmp_path):
    header = ["Body", *HEADER[1:]]
    rows = [["http://www.stevenage.gov.uk", *_line("T1", "10.00", "Acme Ltd")[1:]]]
    spend_import(path=csv_file(tmp_path / "body.csv", rows, header=header), body_name=BODY)

    assert SpendTransaction.objects.get().body_name == BODY


@pytest.mark.parametrize(
    ("stray", "meant"),
    [("\x96", "\u2013"), ("\x92", "\u2019"), ("\x80", "\u20ac"), ("\x93", "\u201c")],
)
def test_stray_c1_characters_read_as_the_windows_1252_ones_they_stand_for(stray, meant):
    assert cell_text(f"Repairs {stray} boiler") == f"Repairs {meant} boiler"


def test_undefined_c1_characters_are_dropped():
    assert cell_text("Acme\x81 Ltd\x9d") == "Acme Ltd"


def test_a_line_written_with_a_stray_u0096_is_the_same_payment(council, tmp_path):
    clean = [_line("T1", "640.00", "Acme Ltd", text="Boiler \u2013 annual service")]
    stray = [_line("T1", "640.00", "Acme Ltd", text="Boiler \x96 annual service")]
    spend_import(path=csv_file(tmp_path / "clean.csv", clean, header=HEADER))
    again = spend_import(path=csv_file(tmp_path / "stray.csv", stray, header=HEADER))

    assert (again.rows, again.added) == (1, 0)
    assert SpendTransaction.objects.get().description == "Boiler \u2013 annual service"
    assert _held_total() == _total(clean)


def test_third_party_supplier_is_treated_like_a_redaction(council, tmp_path):
    rows = [
        _line("T1", "300.00", "THIRD PARTY SUPPLIER", postcode="SG1 1HN"),
        _line("T2", "200.00", "Third Party Payment"),
        _line("T3", "150.00", "Acme Ltd"),
    ]
    spend_import(path=csv_file(tmp_path / "tp.csv", rows, header=HEADER))

    redacted = Supplier.objects.get(normalised_name=REDACTED_KEY)
    assert redacted.is_redacted
    assert redacted.postcode == ""
    assert redacted.transactions.aggregate(total=Sum("amount"))["total"] == Decimal("500.00")
    assert set(Supplier.objects.values_list("normalised_name", flat=True)) == {
        REDACTED_KEY,
        "acme ltd",
    }
    assert _held_total() == _total(rows)


def test_a_real_supplier_whose_name_starts_like_a_catch_all_stays_named(council, tmp_path):
    rows = [_line("T1", "300.00", "Third Party Supplier Services Ltd")]
    spend_import(path=csv_file(tmp_path / "tp.csv", rows, header=HEADER))

    supplier = Supplier.objects.get()
    assert (supplier.name, supplier.is_redacted) == ("Third Party Supplier Services Ltd", False)


def test_the_councils_reference_data_adds_catch_all_payees(council, tmp_path, settings):
    reference = tmp_path / "council.toml"
    reference.write_text('[spend]\nwithheld_payees = ["Sundry Payee Account"]\n')
    settings.CHARTER_REFERENCE_FILE = str(reference)
    rows = [_line("T1", "80.00", "SUNDRY PAYEE ACCOUNT"), _line("T2", "20.00", "Acme Ltd")]
    spend_import(path=csv_file(tmp_path / "sp.csv", rows, header=HEADER))

    assert Supplier.objects.get(normalised_name=REDACTED_KEY).transactions.count() == 1
    assert not Supplier.objects.filter(
        normalised_name=supplier_name_normalise("Sundry Payee Account")
    ).exists()


# Nine "Difference A/c" lines of £0.01 with a blank supplier, among a quarter's payments.
PAYMENTS = [
    _line("T1", "1,500.00", "Acme Ltd"),
    _line("T2", "-25.00", "Bravo plc", kind="Credit note"),
    _line("T3", "700.10", "Charlie Ltd"),
]
DIFFERENCES = [
    _line(f"D{i}", "0.01", "", kind="Difference A/c", day=f"{i + 10:02}") for i in range(9)
]
QUARTER = [*PAYMENTS[:2], *DIFFERENCES, PAYMENTS[2]]


def test_trivial_lines_with_no_supplier_reject_the_file_by_default_saying_what_to_do(
    council, tmp_path
):
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=csv_file(tmp_path / "q1.csv", QUARTER, header=HEADER))

    errors = raised.value.errors
    assert [error.line for error in errors] == list(range(4, 13))
    assert {error.column for error in errors} == {"Supplier Name"}
    assert errors[0].reason == (
        "Enter the supplier's name, or choose to leave out trivial lines (no supplier, under "
        "£1.00) for this import"
    )
    assert SpendTransaction.objects.count() == 0
    assert ImportBatch.objects.get().leave_out_trivial is False


def test_the_officer_may_leave_out_trivial_lines_with_no_supplier(council, tmp_path):
    result = spend_import(
        path=csv_file(tmp_path / "q1.csv", QUARTER, header=HEADER), leave_out_trivial=True
    )

    assert (result.rows, result.added, result.left_out) == (12, 3, 9)
    assert _held_total() == _total(PAYMENTS) == Decimal("2175.10")
    batch = result.batch
    assert (batch.leave_out_trivial, batch.left_out, batch.total_value) == (
        True, 9, _total(PAYMENTS)
    )  # fmt: skip
    assert [item["line"] for item in batch.left_out_report] == list(range(4, 13))
    first = batch.left_out_report[0]
    assert first["amount"] == "0.01"
    assert first["reason"].startswith("No supplier and an amount under £1.00")
    assert "Difference A/c" in first["text"]
    assert not SpendTransaction.objects.filter(expense_type="Difference A/c").exists()


def test_a_line_with_no_supplier_and_a_real_amount_is_never_left_out(council, tmp_path):
    rows = [*PAYMENTS, _line("T9", "1.00", "")]
    with pytest.raises(SpendImportError) as raised:
        spend_import(
            path=csv_file(tmp_path / "q1.csv", rows, header=HEADER), leave_out_trivial=True
        )

    ((line, reason),) = [(error.line, error.reason) for error in raised.value.errors]
    assert (line, reason) == (5, "Enter the supplier's name")
    assert SpendTransaction.objects.count() == 0


def test_a_trivial_line_with_another_problem_is_not_left_out(council, tmp_path):
    rows = [*PAYMENTS, [BODY, "31/02/2024", "D1", "0.01", "", "", "", "Difference A/c", ""]]
    with pytest.raises(SpendImportError) as raised:
        spend_import(
            path=csv_file(tmp_path / "q1.csv", rows, header=HEADER), leave_out_trivial=True
        )

    assert [error.column for error in raised.value.errors] == ["Payment Date", "Supplier Name"]


def test_the_reference_data_sets_what_is_trivial(council, tmp_path, settings):
    reference = tmp_path / "council.toml"
    reference.write_text('[spend]\ntrivial_amount = "0.05"\n')
    settings.CHARTER_REFERENCE_FILE = str(reference)
    rows = [*PAYMENTS, _line("D1", "0.01", ""), _line("D2", "0.50", "")]
    with pytest.raises(SpendImportError) as raised:
        spend_import(
            path=csv_file(tmp_path / "q1.csv", rows, header=HEADER), leave_out_trivial=True
        )

    assert [error.line for error in raised.value.errors] == [6]


def test_a_value_too_long_for_its_field_says_what_to_do(tmp_path):
    row = _line("T1", "10.00", "Acme Ltd", kind="x" * 201)
    ((error,),) = _rows(csv_file(tmp_path / "long.csv", [row], header=HEADER))

    assert (error.line, error.column) == (2, "Expense Type")
    assert error.reason == (
        "Longer than 200 characters: shorten it, or, if this column is not the expense type, "
        "map it to the right field or ignore it"
    )


def test_a_bad_irrecoverable_vat_says_the_column_may_be_left_blank(tmp_path):
    row = _line("T1", "10.00", "Acme Ltd", vat="twenty")
    ((error,),) = _rows(csv_file(tmp_path / "vat.csv", [row], header=HEADER))

    assert (error.column, error.value) == ("Irrecoverable VAT", "twenty")
    assert error.reason.endswith("or leave the cell blank: the column is optional")


@pytest.mark.parametrize(
    ("text", "expected"), [("£237.53", "237.53"), ("£-12.00", "-12.00"), ("£12.5", "12.50")]
)
def test_amounts_written_with_a_pound_sign_read_as_before(text, expected):
    assert amount_parse(text) == Decimal(expected)


def test_every_line_with_the_same_bad_value_is_reported(tmp_path):
    rows = [
        [BODY, "31/02/2024", "T1", "10.00", "-", "", "", "", ""],
        [BODY, "31/02/2024", "T2", "10.00", "-", "", "", "", ""],
    ]
    items = _rows(csv_file(tmp_path / "bad.csv", rows, header=HEADER))

    assert [[(e.line, e.column) for e in errors] for errors in items] == [
        [(2, "Payment Date"), (2, "Supplier Name")],
        [(3, "Payment Date"), (3, "Supplier Name")],
    ]


def test_a_total_line_carrying_a_placeholder_is_still_a_footer(council, tmp_path):
    rows = [
        _line("T1", "600.00", "Acme Ltd", vat="N/A"),
        _line("T2", "150.25", "Bravo plc", vat="N/A", kind="-"),
        ["", "", "", "£750.25", "Total", "", "N/A", "-", ""],
    ]
    result = spend_import(path=csv_file(tmp_path / "vat.csv", rows, header=HEADER))

    assert (result.rows, result.added, result.left_out) == (3, 2, 1)
    assert _held_total() == _total(rows[:2]) == Decimal("750.25")
