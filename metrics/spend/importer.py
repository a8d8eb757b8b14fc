"""The rows of the council's "spending over £500" files (Local Government Transparency Code).

Councils publish them as CSV or XLSX with their own headers and their own ways of writing money
and dates. This module turns any such file into a stream of checked rows (`SpendRow`) or row
problems (`RowError`), one row at a time, so that a file of millions of lines never sits in
memory. It writes nothing: `metrics.spend.services.spend_import` does.

- Headers are matched through an alias map, ignoring case, spaces, underscores and punctuation
  ("Payment Date", "payment_date" and "PAYMENT DATE" are one). The council's reference data and
  the command's `--map "Column Header=field"` add spellings; `--map "Column=ignore"` skips a
  column. The header may sit below a few title rows.
- Cells' money and dates are read by `metrics.spend.values`; files (CSV in UTF-8 or
  Windows-1252, XLSX) by `metrics.spend.files`.
- Redacted payees ("Redacted Personal Data", "REDACTED - COMMERCIAL CONFIDENTIALITY"...) become
  the one redacted supplier; their supplier ID and postcode are dropped.
"""

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils import timezone

from core.tabular import RowError, header_key
from metrics.spend.files import SpendFile, SpendFileError
from metrics.spend.names import (
    REDACTED_KEY,
    REDACTED_NAME,
    supplier_name_is_redacted,
    supplier_name_normalise,
)
from metrics.spend.values import amount_parse, cell_text, date_parse, line_base_hash
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


class LeftOutRow(NamedTuple):
    """A line of the file left out on purpose, never in any figure: a footer ("Total", "Grand
    total"), or, when the officer chose so for this import, a line that fails only on fields
    that make it meaningless (no supplier and a trivial amount). The batch counts and lists
    them (ImportBatch.left_out, .left_out_report)."""

    line: int
    reason: str
    amount: Decimal | None = None
    text: str = ""  # the line's cells as written, shortened, for the report
    sheet: str = ""

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "line": self.line,
            "reason": self.reason,
            "amount": None if self.amount is None else str(self.amount),
            "text": self.text[:300],
        }


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
    texts = [cell_text(header) for header in headers]
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
) -> Iterator[SpendRow | list[RowError] | LeftOutRow]:
    """Each data row of the file, checked: a SpendRow, or the list of its problems.

    Blank rows are skipped. Raises SpendFileError when no header row is found.
    """
    header_map = header_map or {}
    aliases = aliases or {}
    body_name = cell_text(body_name)
    today = today or timezone.localdate()
    rows = spend_file.rows()
    columns = None
    first_missing: list[str] | None = None
    for line, cells in rows:
        if not any(cell_text(cell) for cell in cells):
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
        texts = [cell_text(cells[i]) if i is not None else "" for i in reader.text_index]
        if not any(texts) and not any(cell_text(cell) for cell in cells):
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
            errors.append(RowError(line, headers[index[name]], cell_text(value)[:200], reason))

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
            if cell_text(raw_vat):
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
