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
- Redacted payees ("Redacted Personal Data", "REDACTED - COMMERCIAL CONFIDENTIALITY"...) and
  catch-all payees ("THIRD PARTY SUPPLIER", "Various Suppliers": names.DEFAULT_WITHHELD_PAYEES
  and the council's `withheld_payees`) become the one redacted supplier; their supplier ID and
  postcode are dropped.
- Placeholders ("N/A", "-", "Various"...) in optional columns read as empty; in the date, the
  amount or the supplier name they are an error that says so. A postcode that is not a UK
  postcode (an Eircode, a foreign ZIP, "SG1") is kept as written on the payment
  (`payment_postcode`), its locality unknown, never an error. A body-name cell holding a web
  address is no name: the body given for the import applies.
- A line that fails only because it names no supplier, with a trivial amount (under the
  council's `trivial_amount`, £1.00 by default: "Difference A/c" lines of £0.01), is an error
  unless the officer chose to leave such lines out for this import: it is then a LeftOutRow.
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
    PLACEHOLDER_NAME_KEYS,
    REDACTED_KEY,
    REDACTED_NAME,
    supplier_name_is_redacted,
    supplier_name_normalise,
    withheld_payee_keys,
)
from metrics.spend.reference import DEFAULT_TRIVIAL_AMOUNT
from metrics.spend.values import (
    PLACEHOLDER_KEYS,
    PLACEHOLDER_MAX_LENGTH,
    amount_parse,
    cell_text,
    date_parse,
    is_placeholder,
    is_url,
    line_base_hash,
    placeholder_error,
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
    # The postcode the line gives, as written (cleaned), up to 40 characters, UK or not ("" for
    # none or a placeholder, and for a redacted payee); `supplier_postcode` is the same postcode
    # normalised when it is a full UK one, else "".
    payment_postcode: str = ""


# SpendTransaction.postcode's length.
PAYMENT_POSTCODE_LENGTH = 40


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
    leave_out_trivial: bool = False,
    trivial_amount: Decimal = DEFAULT_TRIVIAL_AMOUNT,
    withheld_payees: Iterable[str] = (),
) -> Iterator[SpendRow | list[RowError] | LeftOutRow]:
    """Each data row of the file, checked: a SpendRow, or the list of its problems, or a
    LeftOutRow (a trivial line with no supplier, when `leave_out_trivial`).

    Blank rows are skipped. Raises SpendFileError when no header row is found. `withheld_payees`
    are the council's catch-all payee names, beside the built-in ones.
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
    reader = _RowReader(
        columns,
        default_body=body_name,
        today=today,
        leave_out_trivial=leave_out_trivial,
        trivial_amount=trivial_amount,
        withheld_keys=withheld_payee_keys(withheld_payees),
    )
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
    """Checks one row at a time against the columns found in the header.

    It runs for every line of files of millions of lines: work that depends only on a cell's
    value is done once per distinct value (cached functions), never a regular expression per
    row."""

    def __init__(
        self,
        columns: SpendColumns,
        *,
        default_body: str,
        today: datetime.date,
        leave_out_trivial: bool = False,
        trivial_amount: Decimal = DEFAULT_TRIVIAL_AMOUNT,
        withheld_keys: frozenset[str] = frozenset(),
        sheet: str = "",
    ):
        self.index = columns.index
        self.headers = columns.headers
        self.default_body = default_body
        self.today = today
        self.text_index = [self.index.get(name) for name in TEXT_FIELDS]
        self.date_index = self.index["payment_date"]
        self.amount_index = self.index["amount"]
        self.vat_index = self.index.get("irrecoverable_vat")
        self.leave_out_trivial = leave_out_trivial
        self.trivial_amount = trivial_amount
        self.withheld_keys = withheld_keys
        self.sheet = sheet

    def row(
        self, line: int, cells: list[Any], texts: list[str]
    ) -> SpendRow | list[RowError] | LeftOutRow:
        errors: list[RowError] = []
        index, headers = self.index, self.headers

        def problem(name: str, value: Any, reason: str) -> None:
            errors.append(RowError(line, headers[index[name]], cell_text(value)[:200], reason))

        supplier_name = texts[0]
        # A placeholder ("N/A", "-", "Various") in an optional column is no value.
        (
            supplier_ref,
            raw_postcode,
            body_name,
            transaction_number,
            department,
            expense_type,
            description,
        ) = (
            ""
            if len(text) <= PLACEHOLDER_MAX_LENGTH and text.casefold() in PLACEHOLDER_KEYS
            else text
            for text in texts[1:]
        )
        for name, value in zip(TEXT_FIELDS, texts, strict=True):
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                problem(
                    name,
                    value,
                    f"Longer than {limit} characters: shorten it, or, if this column is not "
                    f"the {FIELD_LABELS[name].lower()}, map it to the right field or ignore it",
                )

        raw_date = cells[self.date_index]
        payment_date = None
        try:
            payment_date = date_parse(raw_date, today=self.today)
        except ValueError as error:
            reason = placeholder_error(
                raw_date, "a date", "enter the payment date, like 31/03/2025"
            )
            problem("payment_date", raw_date, reason or str(error))
        raw_amount = cells[self.amount_index]
        amount = None
        try:
            amount = amount_parse(raw_amount)
        except ValueError as error:
            reason = placeholder_error(
                raw_amount, "an amount", "enter the amount paid, like 1234.56"
            )
            problem("amount", raw_amount, reason or str(error))
        vat = None
        if self.vat_index is not None:
            raw_vat = cells[self.vat_index]
            vat_text = cell_text(raw_vat)
            if vat_text and not is_placeholder(vat_text):
                try:
                    vat = amount_parse(raw_vat)
                except ValueError as error:
                    problem(
                        "irrecoverable_vat",
                        raw_vat,
                        f"{error}; or leave the cell blank: the column is optional",
                    )

        postcode = payment_postcode = ""
        supplier_key = ""
        nameless = ""  # why the line names no supplier, when it names none
        redacted = bool(supplier_name) and supplier_name_is_redacted(supplier_name)
        if not redacted and supplier_name:
            supplier_key = supplier_name_normalise(supplier_name)
            redacted = supplier_key in self.withheld_keys
        if redacted:
            supplier_name, supplier_key, supplier_ref = REDACTED_NAME, REDACTED_KEY, ""
        else:
            if not supplier_name:
                nameless = "Enter the supplier's name"
            elif (not supplier_key or supplier_key in PLACEHOLDER_NAME_KEYS) and is_placeholder(
                supplier_name
            ):
                nameless = (
                    placeholder_error(
                        supplier_name,
                        "a supplier's name",
                        "enter the supplier's name (“Redacted” for a payee withheld)",
                    )
                    or ""
                )
            elif not supplier_key:
                problem(
                    "supplier_name",
                    supplier_name,
                    "A supplier name needs letters or digits: enter the supplier's name",
                )
            if raw_postcode:
                # Not a UK postcode (an Eircode, a foreign ZIP, "SG1"): kept as written, and
                # the payment's locality is unknown.
                postcode = _postcode(raw_postcode) or ""
                payment_postcode = raw_postcode[:PAYMENT_POSTCODE_LENGTH]

        if nameless:
            trivial = (
                not errors
                and amount is not None
                and payment_date is not None
                and abs(amount) < self.trivial_amount
            )
            if trivial and self.leave_out_trivial:
                return LeftOutRow(
                    line=line,
                    reason=f"No supplier and an amount under £{self.trivial_amount}: left out, "
                    "as chosen for this import",
                    amount=amount,
                    text=" | ".join(text for text in map(cell_text, cells) if text),
                    sheet=self.sheet,
                )
            if trivial:
                nameless += (
                    f", or choose to leave out trivial lines (no supplier, under "
                    f"£{self.trivial_amount}) for this import"
                )
            problem("supplier_name", supplier_name, nameless)

        if body_name and is_url(body_name):
            body_name = ""  # a web address (the LGA schema's "Body" URI) is not a name
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
            payment_postcode=payment_postcode,
        )
