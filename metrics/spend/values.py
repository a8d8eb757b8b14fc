"""The values of a spending file's cells: money, dates and text as councils write them, and the
hashes that recognise a payment imported before.

- Money: "£1,234.56", "1234.5", credit notes as "-12.00", "(12.00)", "12.00-" or "12.00 CR";
  rounded to pennies.
- Dates: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, ISO (yyyy-mm-dd, with or without a time),
  dd-Mon-yyyy ("01-Apr-2024"), "1 April 2024", and real dates or serial numbers in XLSX. UK
  order: 04/01/2024 is 4 January.
- Placeholders: "N/A", "-", "Various", "TBC"... (`PLACEHOLDERS`) stand for no value. In an
  optional column they read as empty; in a required one (date, amount, supplier) they are an
  error that says so.
- Text: stray C1 control characters (U+0080-U+009F, left by a Windows-1252 file read as
  Latin-1 somewhere upstream) become the Windows-1252 characters they stand for, so a line
  written with U+0096 is the same line as one written with an en dash.
"""

import datetime
import functools
import hashlib
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from core.periods import FinancialYear

PENNY = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # the models' DecimalField(max_digits=14, decimal_places=2)


NOT_AN_AMOUNT = (
    "Not an amount of money: write it like 1234.56 or £1,234.56, a credit like -12.00 or (12.00)"
)
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")
_DIGITS = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


# What councils write in a cell that has no value, compared after case-folding the whole
# (spaces already collapsed by `cell_text`). Data, not logic: add spellings here.
PLACEHOLDERS = (
    "n/a",
    "n / a",
    "n.a.",
    "n.a",
    "#n/a",
    "na",
    "-",
    "--",
    "---",
    "\u2013",  # an en dash
    "\u2014",  # an em dash
    ".",
    "?",
    "various",
    "tbc",
    "tba",
    "not applicable",
    "not known",
    "unknown",
    "none",
    "null",
)
PLACEHOLDER_KEYS = frozenset(PLACEHOLDERS)
PLACEHOLDER_MAX_LENGTH = max(len(text) for text in PLACEHOLDERS)
# Each placeholder as councils write it (as listed, lower, UPPER, Title and Sentence case) read
# as "": the row reader maps a line's optional cells through this with C-level dict lookups
# (`map(PLACEHOLDER_AS_BLANK.get, texts, texts)`), no Python call per cell.
PLACEHOLDER_AS_BLANK = {
    variant: ""
    for text in PLACEHOLDERS
    for variant in (text, text.lower(), text.upper(), text.title(), text.capitalize())
}


def is_placeholder(text: str) -> bool:
    """Whether a cell's text (as `cell_text` gives it) stands for no value ("N/A", "-")."""
    return len(text) <= PLACEHOLDER_MAX_LENGTH and text.casefold() in PLACEHOLDER_KEYS


def placeholder_error(value: Any, what: str, advice: str) -> str | None:
    """The reason to give when a required cell holds a placeholder, else None."""
    text = cell_text(value)
    if text and is_placeholder(text):
        return f"“{text}” is a placeholder, not {what}: the column is required, so {advice}"
    return None


_URL = re.compile(
    r"(?:https?://|www\.)\S*|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|com|org|net|gov)(?:/\S*)?",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1024)
def is_url(text: str) -> bool:
    """Whether a cell holds a web address ("http://www.stevenage.gov.uk", "stevenage.gov.uk"):
    the LGA schema's "Body" column holds the body's URI, which is not its name."""
    return _URL.fullmatch(text) is not None


def amount_parse(value: Any) -> Decimal:
    """Money as councils write it, rounded to pennies. Raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError(NOT_AN_AMOUNT)
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = "".join(str(value or "").split())
        if not text:
            raise ValueError("Enter the amount paid, like 1234.56")
        if _PLAIN.fullmatch(text):
            amount = Decimal(text)
        elif text[:1] == "£" and _PLAIN.fullmatch(text, 1):  # "£237.53": most councils' way
            amount = Decimal(text[1:])
        else:
            amount = _amount_text(text)
    try:
        amount = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(NOT_AN_AMOUNT) from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError("Too large to be an amount of money: check that this column is the amount")
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
            raise ValueError(
                "Not an amount of money: commas must separate thousands, like 1,234.56"
            )
        body = body.replace(",", "")
    if not _DIGITS.fullmatch(body):
        raise ValueError(NOT_AN_AMOUNT)
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
NOT_A_DATE = "Not a date: write it like 31/03/2025 or 2025-03-31"


def date_parse(value: Any, *, today: datetime.date | None = None) -> datetime.date:
    """A payment date as councils write it (UK day-month order). Raises ValueError."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An XLSX date cell without a date format: days since Excel's epoch.
        if not 20000 <= value <= 80000:
            raise ValueError(NOT_A_DATE)
        day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
    else:
        day = _date_text(value.strip() if isinstance(value, str) else str(value or ""))
    today = today or timezone.localdate()
    if not FinancialYear.FIRST <= day.year <= today.year + 1:
        raise ValueError(
            f"Not a payment date: the year must be from {FinancialYear.FIRST} to now; "
            "check the year"
        )
    return day


@functools.lru_cache(maxsize=65536)
def _date_text(text: str) -> datetime.date:
    text = " ".join(text.split())
    if not text:
        raise ValueError("Enter the payment date, like 31/03/2025")
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
        raise ValueError(NOT_A_DATE)
    if year < 100:
        year += 2000
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(
            "Not a real date: check the day and the month (day first, like 31/03/2025)"
        ) from None


def _c1_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D stand for nothing
            table[code] = None
    return table


# U+0080-U+009F as the Windows-1252 characters they stand for (U+0096 is an en dash, U+0092 a
# right single quote, U+0080 the euro sign); the five undefined ones are dropped.
C1_AS_WINDOWS_1252 = _c1_table()
_C1 = re.compile("[\x80-\x9f]")


def cell_text(value: Any) -> str:
    """A cell as text on one line: spaces collapsed, NUL dropped (PostgreSQL refuses it), stray
    C1 control characters read as the Windows-1252 characters they stand for."""
    if value.__class__ is str:
        # Most cells (millions of lines): printable text has no whitespace but the ASCII space
        # (tabs, line breaks, NUL, C1 and other spaces are not printable), so a cell without
        # doubled, leading or trailing spaces is already as wanted.
        if value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
            return value
    else:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # XLSX reads 12345 in a General cell as 12345.0
        elif isinstance(value, datetime.datetime):
            value = value.date() if value.time() == datetime.time() else value
        value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and _C1.search(value):
        value = value.translate(C1_AS_WINDOWS_1252)
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


def line_hash(base_hash: str, occurrence: int) -> uuid.UUID:
    """The stored `SpendTransaction.line_hash`: the n-th identical line of a file (1, 2, ...)
    is a different payment (an invoice split into equal lines); the same line in another file
    is the same payment. The first 128 bits of sha256(base hash + ":" + n), as a UUID. The bulk
    path computes this in SQL; the two must agree."""
    return uuid.UUID(hex=hashlib.sha256(f"{base_hash}:{occurrence}".encode()).hexdigest()[:32])
