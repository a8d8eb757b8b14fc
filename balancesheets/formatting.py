"""How amounts and quantities are written on the pages, in the PDF and in tests: one place."""

from decimal import Decimal

# A real minus sign: read as "minus" by screen readers, unlike a hyphen.
MINUS = "\u2212"
# An en dash: no amount.
DASH = "\u2013"


def gbp(value: Decimal | None, *, empty: str = DASH) -> str:
    """£1,234.56; negative amounts with a minus sign; no amount as a dash."""
    if value is None:
        return empty
    text = f"£{abs(value):,.2f}"
    return f"{MINUS}{text}" if value < 0 else text


def gbp_change(value: Decimal | None, *, empty: str = DASH) -> str:
    """A change against the year before, always signed: +£1,200.00, minus £300.00, £0.00."""
    if value is None:
        return empty
    if value > 0:
        return f"+{gbp(value)}"
    return gbp(value)


def quantity(value: Decimal | None) -> str:
    """1,234 for whole numbers, 1,234.5 otherwise."""
    if value is None:
        return DASH
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0")
