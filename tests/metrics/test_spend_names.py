"""Supplier names: one normalised key per supplier, and redacted payees recognised."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.spend.names import REDACTED_KEY, supplier_name_is_redacted, supplier_name_normalise


@pytest.mark.parametrize(
    "names",
    [
        ["ACME LTD", "Acme Limited", "Acme Ltd.", "acme  ltd", " Acme,  Ltd "],
        ["Acme PLC", "ACME P.L.C.", "Acme Public Limited Company", "Acme plc."],
        ["Smith & Co", "Smith and Co", "SMITH & CO.", "Smith and Co."],
        ["Smith & Co Ltd", "Smith and Co Limited", "SMITH & CO. LTD"],
        ["The Acme Trust", "Acme Trust", "Acme Trust, The", "THE ACME TRUST"],
        [
            "Herts Repair Cafe CIC",
            "Herts Repair Café C.I.C.",
            "Herts Repair Cafe Community Interest Company",
        ],
        [
            "Jones Partners LLP",
            "Jones Partners L.L.P.",
            "Jones Partners Limited Liability Partnership",
        ],
        ["O'Brien Builders", "O\u2019Brien Builders", "OBrien Builders"],
        ["Acme Ltd", "Acme Ltd Ltd", "Acme Limited Ltd"],
        ["Acme Cyf", "Acme Cyfyngedig", "Acme Ltd"],
    ],
)
def test_spellings_of_one_supplier_have_one_key(names):
    keys = {supplier_name_normalise(name) for name in names}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme", "Acme Ltd"),  # a sole trader is not a company
        ("Acme Ltd", "Acme PLC"),
        ("Acme UK Ltd", "Acme Ltd"),
        ("Smith & Co", "Smith"),
        ("Stevenage Builders", "Stevenage Builder"),
    ],
)
def test_different_suppliers_keep_different_keys(first, second):
    assert supplier_name_normalise(first) != supplier_name_normalise(second)


def test_the_key_reads_as_words():
    assert supplier_name_normalise("  The ACME (Herts) Ltd. ") == "acme herts ltd"
    assert supplier_name_normalise("---") == ""
    assert supplier_name_normalise("Limited") == "limited"


@given(st.text(max_size=60))
def test_normalising_is_idempotent_and_never_the_redacted_key(name):
    key = supplier_name_normalise(name)
    assert supplier_name_normalise(key) == key
    assert key != REDACTED_KEY
    assert key == " ".join(key.split())


@pytest.mark.parametrize(
    "name",
    [
        "Redacted Personal Data",
        "REDACTED - COMMERCIAL CONFIDENTIALITY",
        "Redacted",
        "[REDACTED]",
        "Personal Data Redacted",
        "Personal data",
        "Personal Information",
        "Commercial in Confidence",
        "Commercially Sensitive",
        "Name withheld",
        "Withheld",
        "Private Individual",
        "Data Protection Act 2018",
        "GDPR - redacted",
    ],
)
def test_redacted_payees_are_recognised(name):
    assert supplier_name_is_redacted(name)


@pytest.mark.parametrize(
    "name",
    [
        "Confidential Shredding Ltd",
        "Personal Data Services Ltd",
        "Redact Ltd",
        "Individual Training Solutions Ltd",
        "Acme Ltd",
        "",
    ],
)
def test_real_suppliers_are_not_taken_for_redactions(name):
    assert not supplier_name_is_redacted(name)
