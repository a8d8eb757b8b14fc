"""The import toolkit: headers however a council spells them, and problems row by row."""

import pytest

from core.tabular import ImportRefused, RowError, columns_find, field_key, header_key


@pytest.mark.parametrize(
    "spelling", ["Supplier Name", "SUPPLIER_NAME", " supplier-name: ", "Supplier  name"]
)
def test_headers_compare_without_case_spaces_or_punctuation(spelling):
    assert header_key(spelling) == "supplier name"


def test_a_header_becomes_a_field_name():
    assert field_key("Price year") == field_key("price-year") == "price_year"


def test_columns_are_found_by_their_best_alias_and_keep_the_files_spelling():
    aliases = {"postcode": ("pcds", "pcd"), "ward": ("osward",), "lad": ("lad24cd", "oslaua")}
    found = columns_find(["PCD", "pcds", "OSLAUA", "other"], aliases)
    assert found == {"postcode": "pcds", "lad": "OSLAUA"}


def test_a_header_serves_only_the_first_field_that_claims_it():
    found = columns_find(["Name"], {"supplier": ("name",), "contact": ("name",)})
    assert found == {"supplier": "Name"}


def test_a_refused_file_counts_its_problems():
    errors = [RowError(2, "Amount", "x", "Not an amount"), RowError(3, "Amount", "y", "Not one")]
    assert str(ImportRefused(errors)) == "2 problems; nothing was imported"
    assert str(ImportRefused(errors[:1], truncated=True)) == "1+ problems; nothing was imported"
    assert str(ImportRefused(errors[:1])) == "1 problem; nothing was imported"
    assert errors[0].as_dict() == {
        "line": 2,
        "column": "Amount",
        "value": "x",
        "reason": "Not an amount",
        "sheet": "",
    }
