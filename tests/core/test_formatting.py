"""The house style for money: large sums shortened (£1.2m, £1.65bn), a true minus sign."""

from decimal import Decimal

import pytest

from core.formatting import MINUS, pounds_change_short, pounds_short


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1651656433.00", "£1.65bn"),
        ("271812345.67", "£271.8m"),
        ("1200000", "£1.2m"),
        ("1250000", "£1.3m"),  # half up, as people round
        ("3000000", "£3m"),
        ("999999.99", "£1m"),
        ("957236.40", "£957,236"),
        ("-3404448", f"{MINUS}£3.4m"),
        ("-110787", f"{MINUS}£110,787"),
        (None, "\u2013"),
    ],
)
def test_large_sums_read_in_millions_and_billions(amount, text):
    assert pounds_short(None if amount is None else Decimal(amount)) == text


def test_a_short_change_is_always_signed():
    assert pounds_change_short(Decimal("15700000")) == "+£15.7m"
    assert pounds_change_short(Decimal("-15700000")) == f"{MINUS}£15.7m"
    assert pounds_change_short(Decimal(0)) == "£0"
