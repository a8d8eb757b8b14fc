"""The values of a spending file's cells: money, dates and text as councils write them, and the
hashes that recognise a payment imported before.

- Money: "£1,234.56", "1234.5", credit notes as "-12.00", "(12.00)", "12.00-" or "12.00 CR";
  rounded to pennies.
- Dates: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, ISO (yyyy-mm-dd, with or without a time),
  dd-Mon-yyyy ("01-Apr-2024"), "1 April 2024", and real dates or serial numbers in XLSX. UK
  order: 04/01/2024 is 4 January.
"""

import datetime
import functools
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from core.periods import FinancialYear

PENNY = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # the models' DecimalField(max_digits=14, decimal_places=2)


_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")
_DIGITS = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def amount_parse(value: Any) -> Decimal:
    """Money as councils write it, rounded to pennies. Raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("Not an amount of money")
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = "".join(str(value or "").split())
        if not text:
            raise ValueError("Enter an amount")
        amount = Decimal(text) if _PLAIN.fullmatch(text) else _amount_text(text)
    try:
        amount = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError("Not an amount of money") from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError("Too large to be an amount of money")
    return amount


def _amount_text(text: str) -> Decimal:
    negative = False
    body = text.replace("£", "")
    if body[:3].upper() == "GBP":
        body = body[3:]
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body[-2:].upper() == "CR":
        negative, body = not negative, body[:-2]
    if body.startswith("-"):
        negative, body = not negative, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    elif body.endswith("-"):
        negative, body = not negative, body[:-1]
    if "," in body:
        if not _GROUPED.fullmatch(body):
            raise ValueError("Not an amount of money: commas must separate thousands")
        body = body.replace(",", "")
    if not _DIGITS.fullmatch(body):
        raise ValueError("Not an amount of money")
    amount = Decimal(body)
    return -amount if negative else amount


_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%b").casefold(),
        datetime.date(2000, number, 1).strftime("%B").casefold(),
    )
} | {"sept": 9}
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})")
_YMD = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_D_MON_Y = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?[- /]?([a-z]{3,9})[- /,]*([0-9]{4}|[0-9]{2})")
_TIME = re.compile(
    r"(.+?)(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)"
)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date_parse(value: Any, *, today: datetime.date | None = None) -> datetime.date:
    """A payment date as councils write it (UK day-month order). Raises ValueError."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An XLSX date cell without a date format: days since Excel's epoch.
        if not 20000 <= value <= 80000:
            raise ValueError("Not a date")
        day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
    else:
        day = _date_text(value.strip() if isinstance(value, str) else str(value or ""))
    today = today or timezone.localdate()
    if not FinancialYear.FIRST <= day.year <= today.year + 1:
        raise ValueError(f"Not a payment date: the year must be from {FinancialYear.FIRST} to now")
    return day


@functools.lru_cache(maxsize=65536)
def _date_text(text: str) -> datetime.date:
    text = " ".join(text.split())
    if not text:
        raise ValueError("Enter a date")
    if match := _TIME.fullmatch(text):
        text = match.group(1)
    lowered = text.casefold()
    if match := _DMY.fullmatch(lowered):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YMD.fullmatch(lowered):
        year, month, day = (int(part) for part in match.groups())
    elif (match := _D_MON_Y.fullmatch(lowered)) and match.group(2) in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    else:
        raise ValueError("Not a date: write it like 31/03/2025 or 2025-03-31")
    if year < 100:
        year += 2000
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError("Not a real date") from None


def cell_text(value: Any) -> str:
    """A cell as text on one line: spaces collapsed, NUL dropped (PostgreSQL refuses it)."""
    if value.__class__ is not str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # XLSX reads 12345 in a General cell as 12345.0
        elif isinstance(value, datetime.datetime):
            value = value.date() if value.time() == datetime.time() else value
        value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    return " ".join(value.split())


def line_base_hash(
    *,
    body_name: str,
    payment_date: datetime.date,
    transaction_number: str,
    amount: Decimal,
    irrecoverable_vat: Decimal | None,
    supplier_key: str,
    department: str,
    expense_type: str,
    description: str,
) -> str:
    """sha256 of a line's normalised values. Supplier ID and postcode describe the supplier,
    not the payment, so a republished file that adds them still matches."""
    parts = (
        body_name.casefold(),
        payment_date.isoformat(),
        transaction_number.casefold(),
        str(amount),
        "" if irrecoverable_vat is None else str(irrecoverable_vat),
        supplier_key,
        department.casefold(),
        expense_type.casefold(),
        description.casefold(),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def line_hash(base_hash: str, occurrence: int) -> str:
    """The stored `SpendTransaction.line_hash`: the n-th identical line of a file (1, 2, ...)
    is a different payment (an invoice split into equal lines); the same line in another file
    is the same payment. The bulk path computes this in SQL; the two must agree."""
    return hashlib.sha256(f"{base_hash}:{occurrence}".encode()).hexdigest()
