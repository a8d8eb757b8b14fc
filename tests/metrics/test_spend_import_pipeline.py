"""The import writes a file step by step (services.PIPELINE_ROWS lines at a time, each step's
insert running while the next is read): the outcome must be the one of writing it at once."""

from decimal import Decimal

import pytest

from metrics.spend import services
from metrics.spend.models import ImportBatch, SpendTransaction, Supplier
from metrics.spend.services import SpendImportError, spend_import

pytestmark = pytest.mark.django_db

HEADER = "Date,Amount,Supplier name,Supplier postcode,Description"


@pytest.fixture(autouse=True)
def _small_steps(monkeypatch):
    monkeypatch.setattr(services, "PIPELINE_ROWS", 3)


def _file(path, lines: list[str]):
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


# Ten lines over four steps of three: the same invoice split into identical lines in the first
# and in the third step, and a supplier first seen without a postcode, given one later.
LINES = [
    "01/06/2024,100.00,Acme Ltd,,Split invoice",
    "02/06/2024,200.00,Beta Ltd,SG1 1HN,One",
    "03/06/2024,300.00,Gamma Ltd,,Two",
    "04/06/2024,400.00,Beta Ltd,SG1 1HN,Three",
    "05/06/2024,500.00,Delta Ltd,,Four",
    "06/06/2024,600.00,Gamma Ltd,LU1 2AA,Five",
    "01/06/2024,100.00,Acme Ltd,,Split invoice",
    "07/06/2024,700.00,Acme Ltd,,Six",
    "08/06/2024,800.00,Epsilon Ltd,,Seven",
    "09/06/2024,900.00,Zeta Ltd,,Eight",
]


def _expected_total() -> Decimal:
    return sum((Decimal(line.split(",")[1]) for line in LINES), Decimal(0))


def test_a_file_written_in_steps_keeps_every_line_identical_lines_included(council, tmp_path):
    result = spend_import(path=_file(tmp_path / "spend.csv", LINES), council=council)

    assert (result.rows, result.added) == (10, 10)
    assert SpendTransaction.objects.filter(description="Split invoice").count() == 2
    total = sum(SpendTransaction.objects.values_list("amount", flat=True), Decimal(0))
    assert total == _expected_total() == result.batch.total_value
    assert result.new_suppliers == Supplier.objects.count() == 6


def test_a_supplier_given_a_postcode_in_a_later_step_gains_it(council, tmp_path):
    spend_import(path=_file(tmp_path / "spend.csv", LINES), council=council)

    assert Supplier.objects.get(name="Gamma Ltd").postcode == "LU1 2AA"


def test_the_same_lines_again_in_steps_add_nothing(council, tmp_path):
    spend_import(path=_file(tmp_path / "first.csv", LINES), council=council)
    again = spend_import(path=_file(tmp_path / "again.csv", [*LINES, LINES[0]]), council=council)

    # The third copy of the split line is new; every other line is held already.
    assert (again.rows, again.added) == (11, 1)
    assert SpendTransaction.objects.filter(description="Split invoice").count() == 3


def test_a_bad_line_in_a_late_step_imports_nothing_from_earlier_steps(council, tmp_path):
    path = _file(tmp_path / "spend.csv", [*LINES, "10/06/2024,lots,Eta Ltd,,Nine"])

    with pytest.raises(SpendImportError):
        spend_import(path=path, council=council)

    assert not SpendTransaction.objects.exists()
    assert not Supplier.objects.exists()
    assert ImportBatch.objects.get().status == "rejected"
