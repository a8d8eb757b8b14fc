"""Reading spending files: money, dates and headers as councils write them."""

import datetime
from decimal import Decimal

import pytest

from core.tabular import header_key
from metrics.spend.files import SpendFile, SpendFileError
from metrics.spend.importer import IGNORE, SpendRow, field_for, header_map_parse, spend_rows
from metrics.spend.values import amount_parse, date_parse
from tests.metrics.factories_spend import csv_file

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        (" £ 1,234.5 ", "1234.50"),
        ("1234", "1234.00"),
        ("-12.00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("(£1,012.00)", "-1012.00"),
        ("-£12", "-12.00"),
        ("£-12", "-12.00"),
        ("12.00-", "-12.00"),
        ("12.00 CR", "-12.00"),
        ("GBP 500", "500.00"),
        ("+500", "500.00"),
        (".5", "0.50"),
        ("0.005", "0.01"),
        ("1\u00a0234.56", "1234.56"),
        (1234, "1234.00"),
        (1234.56, "1234.56"),
        (0.1 + 0.2, "0.30"),
        (Decimal("7.125"), "7.13"),
    ],
)
def test_amounts_as_councils_write_them(text, expected):
    assert amount_parse(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "1.2.3", "12,34", "£", "()", "1e5", "NaN", "99999999999999", True]
)
def test_things_that_are_not_amounts(text):
    with pytest.raises(ValueError, match=r"."):
        amount_parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/04/2024", datetime.date(2024, 4, 1)),
        ("1/4/2024", datetime.date(2024, 4, 1)),
        ("1/4/24", datetime.date(2024, 4, 1)),
        ("31-03-2025", datetime.date(2025, 3, 31)),
        ("31.03.2025", datetime.date(2025, 3, 31)),
        ("2025-03-31", datetime.date(2025, 3, 31)),
        ("2025-03-31 00:00:00", datetime.date(2025, 3, 31)),
        ("2025-03-31T00:00:00", datetime.date(2025, 3, 31)),
        ("31/03/2025 14:05", datetime.date(2025, 3, 31)),
        ("01-Apr-2024", datetime.date(2024, 4, 1)),
        ("1-APR-24", datetime.date(2024, 4, 1)),
        ("1 April 2024", datetime.date(2024, 4, 1)),
        ("1st Sept 2024", datetime.date(2024, 9, 1)),
        (datetime.datetime(2024, 4, 1, 0, 0), datetime.date(2024, 4, 1)),  # noqa: DTZ001
        (datetime.date(2024, 4, 1), datetime.date(2024, 4, 1)),
        (45383, datetime.date(2024, 4, 1)),  # an XLSX date cell without a date format
    ],
)
def test_dates_as_councils_write_them(text, expected):
    assert date_parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "31/02/2024", "13/13/2024", "2024", "yesterday", "01-Foo-2024", "01/01/1899",
             "01/01/2030", 12]
)  # fmt: skip
def test_things_that_are_not_payment_dates(text):
    with pytest.raises(ValueError, match=r"."):
        date_parse(text, today=TODAY)


def test_headers_are_compared_without_case_spaces_underscores_or_punctuation():
    assert header_key(" Payment_Date ") == "payment date"
    assert header_key("Amount £") == "amount"
    assert header_key("Transaction No.") == "transaction no"
    assert header_key("SumOfAmount_Exc_VAT") == "sumofamount exc vat"


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ("department", "department"),
        ("Expense Area", "department"),
        ("Beneficiary", "supplier_name"),
        ("supplier_name", "supplier_name"),
        ("Supplier ID", "supplier_ref"),
        ("date", "payment_date"),
        ("ignore", IGNORE),
        ("nonsense", None),
    ],
)
def test_map_targets_name_fields_in_several_ways(target, field):
    assert field_for(target) == field


def test_the_command_map_option_is_parsed_and_checked():
    assert header_map_parse(["Cost Centre=department", "A=B=amount", "VAT = ignore"]) == {
        "Cost Centre": "department",
        "A=B": "amount",
        "VAT": IGNORE,
    }
    with pytest.raises(ValueError, match="not a field"):
        header_map_parse(["Cost Centre=colour"])
    with pytest.raises(ValueError, match="Column Header=field"):
        header_map_parse(["Cost Centre"])


def _read(path, **kwargs):
    return list(spend_rows(SpendFile.open(path), today=TODAY, **kwargs))


CANNOCK_HEADER = [
    "Service_Area_Categorisation",
    "Expenses_Type",
    "Narrative",
    "Date",
    "Transaction_Number",
    "SumOfAmount_Inc_VAT",
    "SumOfAmount_Exc_VAT",
    "Supplier_Name",
    "Supplier_ID",
]


def test_cannock_chase_headers_read_the_amount_without_vat(tmp_path):
    path = csv_file(
        tmp_path / "cannock.csv",
        [
            [
                "Housing",
                "Repairs",
                "Boiler",
                "05/06/2024",
                "T1",
                "1,200.00",
                "1,000.00",
                "Acme Ltd",
                "7",
            ]
        ],
        header=CANNOCK_HEADER,
    )
    [row] = _read(path)
    assert isinstance(row, SpendRow)
    assert row.amount == Decimal("1000.00")
    assert (row.department, row.expense_type, row.description) == ("Housing", "Repairs", "Boiler")
    assert (row.supplier_ref, row.transaction_number) == ("7", "T1")


def test_the_header_may_sit_below_title_rows_and_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text(
        "Stevenage Borough Council: spending over £500,,\n"
        ",,\n"
        "Payment Date,Beneficiary,Value\n"
        "01/04/2024,Acme Ltd,600\n"
        ",,\n"
        "02/04/2024,Acme Ltd,700\n",
        encoding="utf-8",
    )
    rows = _read(path)
    assert [row.line for row in rows] == [4, 6]
    assert [row.amount for row in rows] == [Decimal(600), Decimal(700)]


def test_a_file_without_the_required_columns_says_which_are_missing(tmp_path):
    path = csv_file(tmp_path / "x.csv", [["a", "b"]], header=["Payee", "Colour"])
    with pytest.raises(SpendFileError) as raised:
        _read(path)
    reasons = " ".join(error.reason for error in raised.value.errors)
    assert "No column for the date" in reasons
    assert "No column for the amount" in reasons
    assert "supplier" not in reasons  # "Payee" is an alias of the supplier name


def test_tab_and_semicolon_separated_files_are_read(tmp_path):
    for delimiter in ("\t", ";"):
        path = csv_file(
            tmp_path / "t.csv",
            [["01/04/2024", "Acme Ltd", "1.234,00".replace(".", "").replace(",", ".")]],
            header=["Date", "Supplier", "Amount"],
            delimiter=delimiter,
        )
        [row] = _read(path)
        assert row.amount == Decimal("1234.00")


def test_an_old_excel_file_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(SpendFileError, match="save it as CSV or XLSX"):
        SpendFile.open(path)
