"""Reading the council's "spending over £500" files (Local Government Transparency Code).

Councils publish them as CSV or XLSX with their own headers and their own ways of writing money
and dates. This module turns any such file into a stream of checked rows (`SpendRow`) or row
problems (`RowError`), one row at a time, so that a file of millions of lines never sits in
memory. It writes nothing: `metrics.spend.services.spend_import` does.

- Headers are matched through an alias map, ignoring case, spaces, underscores and punctuation
  ("Payment Date", "payment_date" and "PAYMENT DATE" are one). The council's reference data and
  the command's `--map "Column Header=field"` add spellings; `--map "Column=ignore"` skips a
  column. The header may sit below a few title rows.
- Money: "£1,234.56", "1234.5", credit notes as "-12.00", "(12.00)", "12.00-" or "12.00 CR";
  rounded to pennies.
- Dates: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, ISO (yyyy-mm-dd, with or without a time),
  dd-Mon-yyyy ("01-Apr-2024"), "1 April 2024", and real dates or serial numbers in XLSX. UK
  order: 04/01/2024 is 4 January.
- Text: UTF-8 with or without a byte order mark, else Windows-1252.
- Redacted payees ("Redacted Personal Data", "REDACTED - COMMERCIAL CONFIDENTIALITY"...) become
  the one redacted supplier; their supplier ID and postcode are dropped.
"""

import codecs
import csv
import datetime
import functools
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.utils import timezone

from core.periods import FinancialYear
from core.tabular import ImportRefused, RowError, header_key
from metrics.spend.names import (
    REDACTED_KEY,
    REDACTED_NAME,
    supplier_name_is_redacted,
    supplier_name_normalise,
)
from neighbourhoods.postcodes import normalise_postcode

FIELD_LABELS = {
    "payment_date": "Date",
    "amount": "Amount",
    "supplier_name": "Supplier name",
    "transaction_number": "Transaction number",
    "department": "Expense area",
    "expense_type": "Expense type",
    "supplier_ref": "Supplier ID",
    "supplier_postcode": "Supplier postcode",
    "description": "Description",
    "body_name": "Body name",
    "irrecoverable_vat": "Irrecoverable VAT",
}
REQUIRED_FIELDS = ("payment_date", "amount", "supplier_name")
IGNORE = "ignore"

# Best first: when a file has two columns that could be the amount, the earlier alias wins.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "payment_date": ("date", "payment date", "transaction date", "paid date", "date paid"),
    "amount": (
        "amount",
        "net amount",
        "value",
        "amount exc vat",
        "amount excluding vat",
        "net value",
        "sumofamount exc vat",
        "sum of amount exc vat",
        "amount gbp",
    ),
    "supplier_name": (
        "supplier name",
        "supplier",
        "beneficiary",
        "beneficiary name",
        "payee",
        "payee name",
        "vendor name",
        "creditor name",
    ),
    "transaction_number": (
        "transaction number",
        "transaction no",
        "transaction id",
        "transaction ref",
        "transaction reference",
        "reference",
        "ref",
    ),
    "department": (
        "expense area",
        "service area",
        "department",
        "service",
        "service area categorisation",
        "directorate",
        "service division",
    ),
    "expense_type": (
        "expense type",
        "merchant category",
        "category",
        "expenses type",
        "expenditure type",
        "expenditure category",
    ),
    "supplier_ref": (
        "supplier id",
        "supplier number",
        "supplier ref",
        "supplier reference",
        "supplier code",
        "vendor id",
    ),
    "supplier_postcode": ("supplier postcode", "supplier post code", "postcode", "post code"),
    "description": (
        "description",
        "purpose",
        "narrative",
        "extended description",
        "summary of purpose",
        "expense description",
        "details",
    ),
    "body_name": ("body name", "body", "organisation name"),
    "irrecoverable_vat": ("irrecoverable vat", "irrecoverable vat amount", "vat irrecoverable"),
}
MAX_LENGTHS = {
    "body_name": 200,
    "transaction_number": 100,
    "department": 200,
    "expense_type": 200,
    "supplier_name": 300,
    "supplier_ref": 100,
}
# How far down a title block the header row may be.
HEADER_SEARCH_ROWS = 20
PENNY = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # the models' DecimalField(max_digits=14, decimal_places=2)
READ_CHUNK = 1 << 20


class SpendRow(NamedTuple):
    """One checked line of a spending file."""

    line: int
    body_name: str
    payment_date: datetime.date
    transaction_number: str
    amount: Decimal
    irrecoverable_vat: Decimal | None
    supplier_name: str
    supplier_key: str
    supplier_ref: str
    supplier_postcode: str
    is_redacted: bool
    department: str
    expense_type: str
    description: str
    base_hash: str


class SpendFileError(ImportRefused):
    """The file cannot be read as a spending file at all (no rows were looked at)."""

    def __str__(self) -> str:
        return "; ".join(error.reason for error in self.errors)


def field_for(name: str) -> str | None:
    """The field a --map target names: its own name ("supplier_name"), its label ("Supplier
    name") or any alias ("Beneficiary"); "ignore" skips the column."""
    key = header_key(name)
    if key == IGNORE:
        return IGNORE
    for field_name, aliases in HEADER_ALIASES.items():
        if key in (header_key(field_name), header_key(FIELD_LABELS[field_name]), *aliases):
            return field_name
    return None


def header_map_parse(pairs: Iterable[str]) -> dict[str, str]:
    """The command's `--map "Column Header=field"` options as {column header: field}."""
    mapping = {}
    for pair in pairs:
        column, separator, target = pair.rpartition("=")
        if not separator or not column.strip():
            raise ValueError(f'Write the mapping as "Column Header=field", not “{pair}”')
        field_name = field_for(target)
        if field_name is None:
            known = ", ".join(FIELD_LABELS)
            raise ValueError(f"“{target}” is not a field. The fields are: {known}, or ignore")
        mapping[column.strip()] = field_name
    return mapping


# --- Values ---------------------------------------------------------------------------------

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


def _text(value: Any) -> str:
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


# --- Files ----------------------------------------------------------------------------------


@dataclass
class SpendFile:
    """A spending file on disk: its kind, sha256, text encoding, and its rows as lists."""

    path: Path
    kind: str = ""
    sha256: str = ""
    encoding: str = ""
    size: int = 0
    _position: Callable[[], int] = field(default=lambda: 0, repr=False)
    _xlsx_rows: int = 0
    _xlsx_done: int = 0

    @classmethod
    def open(cls, path: Path) -> "SpendFile":
        spend_file = cls(path=Path(path))
        spend_file._fingerprint()
        return spend_file

    def _fingerprint(self) -> None:
        """One pass over the bytes: the sha256, and whether the text is UTF-8."""
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        try:
            with self.path.open("rb") as handle:
                head = handle.read(8)
                handle.seek(0)
                while chunk := handle.read(READ_CHUNK):
                    digest.update(chunk)
                    self.size += len(chunk)
                    if utf8:
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            utf8 = False
                if utf8:
                    decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
        except OSError as error:
            problem = RowError(0, "", "", f"Cannot read the file: {error}")
            raise SpendFileError([problem]) from error
        self.sha256 = digest.hexdigest()
        suffix = self.path.suffix.casefold()
        if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
            self.kind = "xlsx"
        elif head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
            raise SpendFileError(
                [RowError(0, "", "", "An old Excel (.xls) file: save it as CSV or XLSX")]
            )
        else:
            self.kind = "csv"
            self.encoding = "utf-8-sig" if utf8 else "cp1252"

    def fraction_read(self) -> float:
        if self.kind == "xlsx":
            return min(1.0, self._xlsx_done / self._xlsx_rows) if self._xlsx_rows else 0.0
        return min(1.0, self._position() / self.size) if self.size else 1.0

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line, cells) for every row, the first row being line 1."""
        if self.kind == "xlsx":
            yield from self._xlsx()
        else:
            yield from self._csv()

    def _csv(self) -> Iterator[tuple[int, list[Any]]]:
        with self.path.open("rb") as raw:
            self._position = raw.tell
            # Windows-1252 leaves five bytes undefined; those read as the Latin-1 characters.
            errors = "strict" if self.encoding == "utf-8-sig" else "spend-cp1252"
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors=errors, newline="")
            first = text.readline()
            delimiter = max((",", "\t", ";", "|"), key=first.count)
            text.seek(0)
            reader = csv.reader(text, delimiter=delimiter)
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as error:
                raise SpendFileError(
                    [RowError(reader.line_num, "", "", f"Not a readable CSV file: {error}")]
                ) from error

    def _xlsx(self) -> Iterator[tuple[int, list[Any]]]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise SpendFileError(
                [RowError(0, "", "", f"Not a readable XLSX file: {error}")]
            ) from error
        try:
            sheet = workbook.worksheets[0]
            self._xlsx_rows = sheet.max_row or 0
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                self._xlsx_done = line
                yield line, list(cells)
        finally:
            workbook.close()


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("spend-cp1252", _cp1252_fallback)


# --- Rows -----------------------------------------------------------------------------------


@dataclass
class SpendColumns:
    """Which column of the file feeds which field."""

    header_line: int
    headers: list[str]
    index: dict[str, int]

    def describe(self) -> list[tuple[str, str]]:
        """(field label, column header) for every field read from the file."""
        return [(FIELD_LABELS[name], self.headers[i]) for name, i in self.index.items()]


def _columns(
    headers: list[Any], *, line: int, header_map: Mapping[str, str], aliases: Mapping[str, str]
) -> tuple[SpendColumns | None, list[str]]:
    """The columns for this header row, or None and the required fields it lacks."""
    keys = [header_key(header) for header in headers]
    index: dict[str, int] = {}
    used: set[int] = set()
    overrides = {header_key(column): name for column, name in header_map.items()}
    for i, key in enumerate(keys):
        name = overrides.get(key)
        if name:
            used.add(i)
            if name != IGNORE and name not in index:
                index[name] = i
    extra: dict[str, list[str]] = {}
    for column, target in aliases.items():
        if name := field_for(target):
            extra.setdefault(name, []).append(header_key(column))
    for name, builtin in HEADER_ALIASES.items():
        if name in index:
            continue
        for alias in (*extra.get(name, ()), *builtin):
            matches = [i for i, key in enumerate(keys) if key == alias and i not in used]
            if matches:
                index[name] = matches[0]
                used.add(matches[0])
                break
    missing = [name for name in REQUIRED_FIELDS if name not in index]
    if missing:
        return None, missing
    texts = [_text(header) for header in headers]
    return SpendColumns(header_line=line, headers=texts, index=index), []


TEXT_FIELDS = (
    "supplier_name",
    "supplier_ref",
    "supplier_postcode",
    "body_name",
    "transaction_number",
    "department",
    "expense_type",
    "description",
)


def spend_rows(
    spend_file: SpendFile,
    *,
    header_map: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    body_name: str = "",
    today: datetime.date | None = None,
    on_columns: Callable[[SpendColumns], None] | None = None,
) -> Iterator[SpendRow | list[RowError]]:
    """Each data row of the file, checked: a SpendRow, or the list of its problems.

    Blank rows are skipped. Raises SpendFileError when no header row is found.
    """
    header_map = header_map or {}
    aliases = aliases or {}
    body_name = _text(body_name)
    today = today or timezone.localdate()
    rows = spend_file.rows()
    columns = None
    first_missing: list[str] | None = None
    for line, cells in rows:
        if not any(_text(cell) for cell in cells):
            continue
        columns, missing = _columns(cells, line=line, header_map=header_map, aliases=aliases)
        if columns is not None:
            break
        first_missing = first_missing if first_missing is not None else missing
        if line >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        missing = first_missing or list(REQUIRED_FIELDS)
        raise SpendFileError(
            [
                RowError(
                    1,
                    FIELD_LABELS[name],
                    "",
                    f"No column for the {FIELD_LABELS[name].lower()}: name one "
                    + ", ".join(f"“{alias}”" for alias in HEADER_ALIASES[name][:4])
                    + ", or map a column to it",
                )
                for name in missing
            ]
        )
    if on_columns:
        on_columns(columns)
    reader = _RowReader(columns, default_body=body_name, today=today)
    width = len(columns.headers)
    for line, cells in rows:
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        if not any(cells):
            continue
        texts = [_text(cells[i]) if i is not None else "" for i in reader.text_index]
        if not any(texts) and not any(_text(cell) for cell in cells):
            continue
        yield reader.row(line, cells, texts)


_postcode = functools.lru_cache(maxsize=65536)(normalise_postcode)


class _RowReader:
    """Checks one row at a time against the columns found in the header."""

    def __init__(self, columns: SpendColumns, *, default_body: str, today: datetime.date):
        self.index = columns.index
        self.headers = columns.headers
        self.default_body = default_body
        self.today = today
        self.text_index = [self.index.get(name) for name in TEXT_FIELDS]
        self.date_index = self.index["payment_date"]
        self.amount_index = self.index["amount"]
        self.vat_index = self.index.get("irrecoverable_vat")

    def row(self, line: int, cells: list[Any], texts: list[str]) -> SpendRow | list[RowError]:
        errors: list[RowError] = []
        index, headers = self.index, self.headers

        def problem(name: str, value: Any, reason: str) -> None:
            errors.append(RowError(line, headers[index[name]], _text(value)[:200], reason))

        (
            supplier_name,
            supplier_ref,
            raw_postcode,
            body_name,
            transaction_number,
            department,
            expense_type,
            description,
        ) = texts
        for name, value in zip(TEXT_FIELDS, texts, strict=True):
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                problem(name, value, f"Longer than {limit} characters")

        raw_date = cells[self.date_index]
        payment_date = None
        try:
            payment_date = date_parse(raw_date, today=self.today)
        except ValueError as error:
            problem("payment_date", raw_date, str(error))
        raw_amount = cells[self.amount_index]
        amount = None
        try:
            amount = amount_parse(raw_amount)
        except ValueError as error:
            problem("amount", raw_amount, str(error))
        vat = None
        if self.vat_index is not None:
            raw_vat = cells[self.vat_index]
            if _text(raw_vat):
                try:
                    vat = amount_parse(raw_vat)
                except ValueError as error:
                    problem("irrecoverable_vat", raw_vat, str(error))

        postcode = ""
        redacted = bool(supplier_name) and supplier_name_is_redacted(supplier_name)
        if redacted:
            supplier_name, supplier_key, supplier_ref = REDACTED_NAME, REDACTED_KEY, ""
        else:
            supplier_key = supplier_name_normalise(supplier_name)
            if not supplier_name:
                problem("supplier_name", "", "Enter the supplier's name")
            elif not supplier_key:
                problem("supplier_name", supplier_name, "A supplier name needs letters or digits")
            if raw_postcode:
                postcode = _postcode(raw_postcode) or ""
                if not postcode:
                    problem("supplier_postcode", raw_postcode, "Not a full UK postcode")

        body_name = body_name or self.default_body
        if errors or payment_date is None or amount is None:
            return errors
        return SpendRow(
            line=line,
            body_name=body_name,
            payment_date=payment_date,
            transaction_number=transaction_number,
            amount=amount,
            irrecoverable_vat=vat,
            supplier_name=supplier_name,
            supplier_key=supplier_key,
            supplier_ref=supplier_ref,
            supplier_postcode=postcode,
            is_redacted=redacted,
            department=department,
            expense_type=expense_type,
            description=description,
            base_hash=line_base_hash(
                body_name=body_name,
                payment_date=payment_date,
                transaction_number=transaction_number,
                amount=amount,
                irrecoverable_vat=vat,
                supplier_key=supplier_key,
                department=department,
                expense_type=expense_type,
                description=description,
            ),
        )
