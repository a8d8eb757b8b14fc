"""How amounts, shares and quantities are written on pages, in PDFs and in tests: one house style.

Money is pounds with thousands separators (large sums in summaries shortened: £1.2m, £1.65bn);
a negative amount has a true minus sign (U+2212), which screen readers say as "minus", unlike a
hyphen; nothing to show is an en dash.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MINUS = "\u2212"
DASH = "\u2013"


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or its text, None for nothing or what is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def is_whole(number: Decimal) -> bool:
    return number == number.to_integral_value()


def pounds(value: Any, *, pence: bool | None = None, empty: str = DASH) -> str:
    """£1,234.56 or \u2212£12 (a true minus sign).

    pence=True always shows them (accounts); False rounds to whole pounds (summary figures);
    None shows them only when there are some (£1,000,000 but £12.50).
    """
    number = as_decimal(value)
    if number is None:
        return empty
    size = abs(number)
    if pence is None:
        pence = not is_whole(size)
    text = f"£{size:,.2f}" if pence else f"£{size:,.0f}"
    negative = number < 0 and text not in ("£0", "£0.00")
    return f"{MINUS}{text}" if negative else text


def pounds_short(value: Any, *, empty: str = DASH) -> str:
    """A large sum as people read it: £1.2m, £271.8m, £1.65bn (trailing zeros dropped, a true
    minus sign); under a million, whole pounds (£957,236)."""
    number = as_decimal(value)
    if number is None:
        return empty
    size = abs(number).quantize(Decimal(1))  # £999,999.99 reads £1m, not £1,000,000
    if size >= 1_000_000_000:
        text = f"£{_trimmed(size / 1_000_000_000, 2)}bn"
    elif size >= 1_000_000:
        text = f"£{_trimmed(size / 1_000_000, 1)}m"
    else:
        return pounds(number, pence=False, empty=empty)
    return f"{MINUS}{text}" if number < 0 else text


def _trimmed(number: Decimal, places: int) -> str:
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # £1.25m: £1.3m
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pounds_change_short(value: Any, *, empty: str = DASH) -> str:
    """A change in the short style, always signed: +£15.7m, \u2212£3.4m, £0."""
    number = as_decimal(value)
    if number is None:
        return empty
    text = pounds_short(number, empty=empty)
    return f"+{text}" if number > 0 else text


def pounds_change(value: Any, *, pence: bool | None = True, empty: str = DASH) -> str:
    """A change against the year before, always signed: +£1,200.00, \u2212£300.00, £0.00."""
    number = as_decimal(value)
    if number is None:
        return empty
    text = pounds(number, pence=pence, empty=empty)
    return f"+{text}" if number > 0 else text


def percentage(value: Any, *, places: int = 1, empty: str = DASH) -> str:
    """18.2%; a negative share (a change) with a minus sign."""
    number = as_decimal(value)
    if number is None:
        return empty
    text = f"{abs(number):,.{places}f}%"
    return f"{MINUS}{text}" if number < 0 and text.strip("0.%,") else text


def quantity(value: Any, *, empty: str = DASH) -> str:
    """1,234 for whole numbers, 1,234.5 otherwise."""
    number = as_decimal(value)
    if number is None:
        return empty
    size = abs(number)
    text = f"{size:,.0f}" if is_whole(size) else f"{size:,.2f}".rstrip("0")
    return f"{MINUS}{text}" if number < 0 else text
