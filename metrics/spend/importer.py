"""The rows of the council's "spending over £500" files (Local Government Transparency Code).

Councils publish them as CSV or XLSX with their own headers and their own ways of writing money
and dates. This module turns any such file into a stream of checked rows (`SpendRow`) or row
problems (`RowError`), one row at a time, so that a file of millions of lines never sits in
memory. It writes nothing: `metrics.spend.services.spend_import` does.

- Headers are matched through an alias map, ignoring case, spaces, underscores and punctuation
  ("Payment Date", "payment_date" and "PAYMENT DATE" are one). The council's reference data and
  the command's `--map "Column Header=field"` add spellings; `--map "Column=ignore"` skips a
  column; a column mapping is saved per publishing body (metrics.spend.mappings) and applied
  to its next files. Every sheet of a workbook is read, each with its own header row, found
  below any title block; footers ("Total", "Grand total") are left out (LeftOutRow).
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
import difflib
import functools
import itertools
import operator
import re
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
    PLACEHOLDER_AS_BLANK,
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

# The headers each field is read from, as the files spell them, best first: when a file has two
# columns that could be the amount, the earlier alias wins. Compared through header_key, so case,
# spaces, underscores and punctuation (brackets too) do not matter: "Supplier (Beneficiary) Name"
# and "Supplier(Beneficiary) Name" are one. Held as data: a new council's spelling is a line
# here (every council), in its reference file's [spend] header_aliases (one council), or a saved
# column mapping (one publishing body, metrics.spend.mappings).
#
# Sources: the Local Government Transparency Code's mandatory items (date, department,
# beneficiary, summary of purpose, amount, irrecoverable VAT, merchant category); the Local
# Government Association's spend schema ("Organisation Name", "Organisation Code", "Effective
# Date", "Service Division Categorisation", "Responsible Unit", "Expenses Code", "Expenditure
# Category", "Expenditure Code", "Narrative"/"Purpose of Expenditure", "Payment Date",
# "Transaction Number", "Net Amount", "Irrecoverable VAT", "Beneficiary", "Supplier Name",
# "Supplier ID", "Supplier Type", "Merchant Category"); and the headers of real councils',
# a fire authority's, a police and crime commissioner's, the GLA's and a department's files
# (published 2012-2025).
HEADER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "payment_date": (
        "Date",
        "Payment Date",
        "Transaction Date",
        "Paid Date",
        "Date Paid",
        "Invoice Payment Date",
        "Clearing Date",
        "Payment Run Date",
        "Date of Payment",
        "Effective Date",  # LGA schema: the payment's date where no "Payment Date" is given
    ),
    "amount": (
        "Amount",
        "Net Amount",
        "Amount Paid",
        "Value",
        "Amount exc VAT",
        "Amount excluding VAT",
        "Total (excludes VAT)",
        "Total excluding VAT",
        "Net Value",
        "Net",
        "SumOfAmount_Exc_VAT",
        "Sum of Amount exc VAT",
        "Amount GBP",
        "Amount (£)",
        "Payment Amount",
        "Transaction Amount",
    ),
    "supplier_name": (
        "Supplier Name",
        "Supplier",
        "Supplier (Beneficiary) Name",
        "Supplier(Beneficiary) Name",
        "Beneficiary",
        "Beneficiary Name",
        "Payee",
        "Payee Name",
        "Vendor Name",
        "Vendor",
        "Creditor Name",
        "Creditor",
        "Merchant Name",
    ),
    "transaction_number": (
        "Transaction Number",
        "Transaction No",
        "Trans No",
        "Transaction ID",
        "Transaction Ref",
        "Transaction Reference",
        "Document No",
        "Document Number",
        "Payment Reference",
        "Payment Ref",
        "Reference",
        "Ref",
    ),
    "department": (
        "Expense Area",
        "Service Area",
        "Department",
        "Service",
        "Service Area Categorisation",
        "Service Division Categorisation",  # LGA schema
        "Directorate",
        "Service Division",
        "Responsible Unit",  # LGA schema
        "Organisational Unit",
        "Service Label",
        "Service Category Label",
        "Cost Centre Name",
    ),
    "expense_type": (
        "Expense Type",
        "Expenses Type",
        "Expenditure Type",
        "Expenditure Category",  # LGA schema
        "Merchant Category",  # the Transparency Code's "merchant category" (card payments)
        "Category",
        "Expenditure Account Code Description",
        "Account Description",
        "Subjective Description",
    ),
    "supplier_ref": (
        "Supplier ID",
        "Supplier Number",
        "Supplier Ref",
        "Supplier Reference",
        "Supplier Code",
        "Vendor ID",
        "Vendor Number",
        "Creditor ID",
        "Creditor Number",
    ),
    "supplier_postcode": (
        "Supplier Postcode",
        "Supplier Post Code",
        "Postcode",
        "Post Code",
        "Beneficiary Postcode",
    ),
    "description": (
        "Description",
        "Purpose",
        "Purpose of Expenditure",
        "Narrative",
        "Extended Description",
        "Summary of Purpose",
        "Expense Description",
        "Details",
        "Transaction Description",
    ),
    # "Organisation Name" before "Body": where a file has both, "Body" may hold a URL or a code
    # (Devon's "Body" is "18", its "Name of Body" the name).
    "body_name": (
        "Body Name",
        "Organisation Name",  # LGA schema
        "Name of Body",
        "Organisation Label",
        "Organisation",
        "Body",
    ),
    "irrecoverable_vat": (
        "Irrecoverable VAT",  # LGA schema
        "Irrecoverable VAT Amount",
        "VAT Irrecoverable",
    ),
}
# Columns of the LGA schema and of real files that the portal does not read: named here so that
# no one adds them as aliases of a field by mistake ("Organisation Code" is not the body's name,
# "Supplier Type" not the expense type). Such columns are passed over, as any unknown column is.
UNREAD_HEADERS = (
    "Organisation Code",
    "Organisation URI",
    "Expenses Code",
    "Expenditure Code",
    "Supplier Type",
    "Creditor Type",
    "Charity Registration Number",
    "VAT Registration Number",
    "Invoice Number",
    "Purchase Order Number",
    "Contract Number",
    "Procurement Category",
)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    name: tuple(dict.fromkeys(header_key(spelling) for spelling in spellings))
    for name, spellings in HEADER_SPELLINGS.items()
}
MAX_LENGTHS = {
    "body_name": 200,
    "transaction_number": 100,
    "department": 200,
    "expense_type": 200,
    "supplier_name": 300,
    "supplier_ref": 100,
}
# How far down a title block (a title, notes, blank lines) the header row may be.
HEADER_SEARCH_ROWS = 40


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
    """Which column of one sheet of the file feeds which field."""

    header_line: int
    headers: list[str]
    index: dict[str, int]
    sheet: str = ""
    # The publishing body the file is from (the import's body name, else the body-name cell of
    # the sheet's first line), whose saved column mapping was looked up and is saved to, and
    # whether a saved mapping applied to this sheet.
    body: str = ""
    mapping_applied: bool = False

    def describe(self) -> list[tuple[str, str]]:
        """(field label, column header) for every field read from the file."""
        return [(FIELD_LABELS[name], self.headers[i]) for name, i in self.index.items()]


@dataclass
class SheetRead:
    """What one sheet of the file gave, for the batch's report (ImportBatch.sheets)."""

    name: str
    header_line: int = 0
    rows: int = 0
    left_out: int = 0
    skipped: str = ""  # why the sheet gave no rows: hidden, or no header row and no data

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "header_line": self.header_line,
            "rows": self.rows,
            "left_out": self.left_out,
            "skipped": self.skipped,
        }


SKIPPED_HIDDEN = "a hidden sheet: not read"
SKIPPED_NO_DATA = "no header row and no payments (a notes or cover sheet): not read"


def _index(keys: list[str], *, header_map: Mapping[str, str], aliases: Mapping[str, str]):
    """{field: column position} for a row of header keys."""
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
    return index


def _columns(
    headers: list[Any], *, line: int, header_map: Mapping[str, str], aliases: Mapping[str, str]
) -> tuple[SpendColumns | None, list[str]]:
    """The columns for this header row, or None and the required fields it lacks."""
    texts = [cell_text(header) for header in headers]
    index = _index([header_key(text) for text in texts], header_map=header_map, aliases=aliases)
    missing = [name for name in REQUIRED_FIELDS if name not in index]
    if missing:
        return None, missing
    return SpendColumns(header_line=line, headers=texts, index=index), []


@dataclass
class _Candidate:
    """The row of a title block likeliest to be the header row: the most fields recognised."""

    line: int
    headers: list[str]
    missing: list[str]


def _header_search(
    head: list[tuple[int, list[Any]]], *, header_map: Mapping[str, str], aliases: Mapping[str, str]
) -> tuple[SpendColumns | None, _Candidate | None]:
    """The first row of `head` that has a column for every required field, else the likeliest."""
    best: tuple[tuple[int, int], _Candidate] | None = None
    for line, cells in head:
        if line > HEADER_SEARCH_ROWS:
            break
        columns, missing = _columns(cells, line=line, header_map=header_map, aliases=aliases)
        if columns is not None:
            return columns, None
        texts = [cell_text(cell) for cell in cells]
        labels = [text for text in texts if text]
        if not labels:
            continue
        score = (len(REQUIRED_FIELDS) - len(missing), sum(1 for t in labels if not _numeric(t)))
        if best is None or score > best[0]:
            best = (score, _Candidate(line=line, headers=texts, missing=missing))
    return None, (best[1] if best else None)


def _numeric(text: str) -> bool:
    try:
        amount_parse(text)
    except ValueError:
        return False
    return True


def _headers_listed(headers: Iterable[str]) -> str:
    listed = ", ".join(header for header in headers if header)
    return listed if len(listed) <= 600 else listed[:600] + "…"


def _where(sheet: str) -> str:
    return f"sheet “{sheet}”" if sheet else "this file"


def _spellings(name: str, count: int = 4) -> str:
    return ", ".join(f"“{spelling}”" for spelling in HEADER_SPELLINGS[name][:count])


def _header_errors(candidate: _Candidate | None, *, sheet: str, searched: int) -> list[RowError]:
    """Why no header row was found: the likeliest row's headers, and what to do."""
    where = _where(sheet)
    if candidate is None:
        return [
            RowError(
                searched,
                "",
                "",
                f"No header row: lines 1 to {searched} of {where} are blank. The header row "
                "(Date, Supplier name, Amount...) must be within the first "
                f"{HEADER_SEARCH_ROWS} lines",
                sheet,
            )
        ]
    errors = []
    listed = _headers_listed(candidate.headers)
    for name in candidate.missing:
        label = FIELD_LABELS[name]
        example = next(
            (
                header
                for header in candidate.headers
                if header
                and field_for(header) is None
                and difflib.get_close_matches(header_key(header), HEADER_ALIASES[name], 1, 0.75)
            ),
            "",
        )
        to_map = (
            f'map “{example}” to it if that is the column (--map "{example}={name}", or '
            "the upload page's extra column names)"
            if example
            else f'or map a column to it (--map "Column Header={name}", or the upload page\'s '
            "extra column names)"
        )
        errors.append(
            RowError(
                candidate.line,
                label,
                "",
                f"No column for the {label.lower()}: the header row of {where} (line "
                f"{candidate.line}; the search stopped at line {searched}) has: {listed}. Name "
                f"a column {_spellings(name)}, {to_map}",
                sheet,
            )
        )
    return errors


def _map_errors(
    header_map: Mapping[str, str], headers: list[str], *, line: int, sheet: str
) -> list[RowError]:
    """A column mapping that names a column the header row does not have is an error."""
    keys = {header_key(header) for header in headers}
    return [
        RowError(
            line,
            column,
            "",
            f"The column mapping “{column}={field_name}” names a column that the header row of "
            f"{_where(sheet)} (line {line}) does not have. Its headers are: "
            f"{_headers_listed(headers)}. Correct the column's name in the mapping (as the "
            "file spells it), or leave the mapping out",
            sheet,
        )
        for column, field_name in header_map.items()
        if header_key(column) not in keys
    ]


def _looks_like_data(cells: list[Any]) -> bool:
    """A line with a date and an amount: a payment, whatever the header says."""
    dated = numbered = False
    for cell in cells:
        if isinstance(cell, datetime.date):
            dated = True
        elif isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
            numbered = True
        elif cell is not None:
            text = cell_text(cell)
            if 6 <= len(text) <= 20 and text[:1].isdigit():
                try:
                    date_parse(text)
                    dated = True
                    continue
                except ValueError:
                    pass
            if text and _numeric(text):
                numbered = True
    return dated and numbered


# Footer lines: a total of the file, a sheet or a period. "Total Gas & Power Ltd" is a supplier,
# not a footer: a label must be a total and nothing else (see _footer).
TOTAL_LABELS = frozenset(
    header_key(label)
    for label in (
        "Total",
        "Totals",
        "Grand Total",
        "Grand Totals",
        "Sub Total",
        "Subtotal",
        "Sub-total",
        "Overall Total",
        "Net Total",
        "Report Total",
        "Sum",
        "Sum Total",
    )
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_TOTAL_LABEL = re.compile(
    r"(grand |sub ?|overall |report |net )?totals?( (for|of|to|in))?( the)?"
    r"( (month|period|quarter|year|week|sheet|file|spend|spending|payments|expenditure|amount|"
    r"value|q[1-4]|" + "|".join(_MONTHS.split()) + r"|\d+))+"
)
FOOTER_REASON = "A total line at the foot of the file"


def _total_label(text: str) -> bool:
    key = header_key(text)
    return key in TOTAL_LABELS or _TOTAL_LABEL.fullmatch(key) is not None


def _footer(cells: list[Any], columns: SpendColumns) -> tuple[Decimal | None, str] | None:
    """(amount, text) when the line is a footer: no date, and nothing but a total label ("Total",
    "Grand total", "Total for April 2024") and amounts, or a lone amount; else None. Cheap for
    a payment: its date cell settles it."""
    raw_date = cells[columns.index["payment_date"]]
    if isinstance(raw_date, datetime.date | int | float):
        return None
    date_text = cell_text(raw_date)
    if date_text[:1].isdigit():
        return None
    body_index = columns.index.get("body_name")
    labelled = False
    amounts: list[Decimal] = []
    texts: list[str] = []
    placeholders = 0
    for i, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        texts.append(text)
        if is_placeholder(text):  # "N/A" in the VAT column of every line, the total's too
            placeholders += 1
            continue
        if _total_label(text):
            labelled = True
            continue
        try:
            amounts.append(amount_parse(cell))
        except ValueError:
            if i != body_index:  # the body's name may stand on every line, its footer too
                return None
    if not amounts or (not labelled and len(texts) - placeholders > 1):
        return None
    try:
        amount = amount_parse(cells[columns.index["amount"]])
    except ValueError:
        amount = amounts[0]
    return amount, " | ".join(texts)


NOTE_REASON = "A note below the total line at the foot of the file"


def _note_below_total(cells: list[Any], columns: SpendColumns) -> tuple[None, str] | None:
    """(None, text) for a line below a total line with no date and no amount: a note ("Source:
    the finance system"), not a payment; else None."""
    raw_amount = cells[columns.index["amount"]]
    if cell_text(raw_amount):
        try:
            amount_parse(raw_amount)
            return None
        except ValueError:
            pass
    return None, " | ".join(text for cell in cells if (text := cell_text(cell)))


def _body_in_file(
    head: list[tuple[int, list[Any]]],
    headers: list[str],
    line: int,
    *,
    header_map: Mapping[str, str],
    aliases: Mapping[str, str],
) -> str:
    """The body name on the first line below the header row, if the file has such a column."""
    index = _index([header_key(h) for h in headers], header_map=header_map, aliases=aliases)
    column = index.get("body_name")
    if column is None:
        return ""
    for row_line, cells in head:
        if row_line <= line or column >= len(cells):
            continue
        text = cell_text(cells[column])
        if text and "://" not in text and not text.casefold().startswith("www."):
            return text
    return ""


def _sheet_columns(
    head: list[tuple[int, list[Any]]],
    *,
    sheet: str,
    header_map: Mapping[str, str],
    aliases: Mapping[str, str],
    saved: Mapping[str, Mapping[str, str]],
    body_name: str,
) -> tuple[SpendColumns | None, _Candidate | None]:
    """The sheet's header row, read with the saved column mapping of the body the file is from
    (the import's body name, else the body named on the sheet's first line) under the
    officer's own mapping for this import."""
    body = body_name
    mapping = {**saved.get(header_key(body), {}), **header_map} if body else dict(header_map)
    columns, candidate = _header_search(head, header_map=mapping, aliases=aliases)
    if not body:
        found = columns or candidate
        if found is not None:
            body = _body_in_file(
                head,
                found.headers,
                found.header_line if isinstance(found, SpendColumns) else found.line,
                header_map=mapping,
                aliases=aliases,
            )
        if body and header_key(body) in saved:
            mapping = {**saved[header_key(body)], **header_map}
            columns, candidate = _header_search(head, header_map=mapping, aliases=aliases)
    if columns is not None:
        columns.sheet, columns.body = sheet, body
        columns.mapping_applied = header_key(body) in saved if body else False
    return columns, candidate


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
    saved_mappings: Mapping[str, Mapping[str, str]] | None = None,
    on_sheet: Callable[[SheetRead], None] | None = None,
) -> Iterator[SpendRow | list[RowError] | LeftOutRow]:
    """Each data row of every sheet of the file, checked: a SpendRow, or the list of its
    problems, or a LeftOutRow (a footer; a trivial line with no supplier, when
    `leave_out_trivial`).

    Each sheet has its own header row, found below any title block. A sheet of a workbook with
    no header row and nothing like a payment (a notes sheet) is skipped; one with payments but
    no header row is an error naming the sheet. `saved_mappings` are the publishing bodies'
    saved column mappings ({body name: {column header: field}}); `header_map`, the officer's
    for this import, wins over them, and naming a column the header row lacks is an error.
    `on_sheet` is told what each sheet gave. Blank rows are skipped. Raises SpendFileError when
    no sheet has a header row. `withheld_payees` are the council's catch-all payee names,
    beside the built-in ones.
    """
    header_map = header_map or {}
    aliases = aliases or {}
    saved = {header_key(body): dict(mapping) for body, mapping in (saved_mappings or {}).items()}
    body_name = cell_text(body_name)
    today = today or timezone.localdate()
    withheld_keys = withheld_payee_keys(withheld_payees)
    pending: list[RowError] = []  # header problems, until a sheet with a header row is found
    header_found = False
    for sheet in spend_file.sheets():
        report = SheetRead(name=sheet.name)
        if sheet.skipped:
            report.skipped = SKIPPED_HIDDEN
            if on_sheet:
                on_sheet(report)
            continue
        rows = sheet.rows
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + 1))
        columns, candidate = _sheet_columns(
            head,
            sheet=sheet.name,
            header_map=header_map,
            aliases=aliases,
            saved=saved,
            body_name=body_name,
        )
        if columns is None:
            searched = min(HEADER_SEARCH_ROWS, head[-1][0]) if head else 0
            if sheet.name and not any(
                _looks_like_data(cells)
                for _, cells in itertools.chain(head, itertools.islice(rows, 200))
            ):
                report.skipped = SKIPPED_NO_DATA
                if on_sheet:
                    on_sheet(report)
                continue
            errors = _header_errors(candidate, sheet=sheet.name, searched=searched)
            if candidate is not None:
                errors += _map_errors(
                    header_map, candidate.headers, line=candidate.line, sheet=sheet.name
                )
            report.skipped = "no header row"
            if on_sheet:
                on_sheet(report)
            if header_found:
                yield errors
            else:
                pending.extend(errors)
            continue
        report.header_line = columns.header_line
        map_errors = _map_errors(
            header_map, columns.headers, line=columns.header_line, sheet=sheet.name
        )
        if not header_found:
            header_found = True
            if pending or map_errors:
                yield pending + map_errors
                pending = []
        elif map_errors:
            yield map_errors
        if on_columns:
            on_columns(columns)
        reader = _RowReader(
            columns,
            default_body=body_name,
            today=today,
            leave_out_trivial=leave_out_trivial,
            trivial_amount=trivial_amount,
            withheld_keys=withheld_keys,
            sheet=sheet.name,
        )
        width = len(columns.headers)
        date_index = columns.index["payment_date"]
        below_total = False  # a total line was met: notes may follow it
        body_rows = ((line, cells) for line, cells in head if line > columns.header_line)
        for line, cells in itertools.chain(body_rows, rows):
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            if not any(cells):
                continue
            texts = [cell_text(cells[i]) if i is not None else "" for i in reader.text_index]
            if not any(texts) and not any(cell_text(cell) for cell in cells):
                continue
            report.rows += 1
            # A payment's date settles it at once (millions of lines): only the rest are looked at.
            raw_date = cells[date_index]
            if raw_date.__class__ is datetime.datetime or (
                raw_date.__class__ is str and raw_date[:1].isdigit()
            ):
                footer = None
            else:
                footer = _footer(cells, columns)
                reason = FOOTER_REASON
                if footer is None and below_total:
                    footer, reason = _note_below_total(cells, columns), NOTE_REASON
            if footer is not None:
                below_total = True
                report.left_out += 1
                yield LeftOutRow(line, reason, footer[0], footer[1], sheet.name)
                continue
            item = reader.row(line, cells, texts)
            if sheet.name:
                if isinstance(item, list):
                    item = [e if e.sheet else e._replace(sheet=sheet.name) for e in item]
                elif isinstance(item, LeftOutRow):
                    report.left_out += 1
                    if not item.sheet:
                        item = item._replace(sheet=sheet.name)
            elif isinstance(item, LeftOutRow):
                report.left_out += 1
            yield item
        if on_sheet:
            on_sheet(report)
    if not header_found:
        raise SpendFileError(
            pending
            or [
                RowError(
                    0,
                    "",
                    "",
                    "No sheet of this workbook has a header row and payments: every sheet is "
                    "hidden, or a notes or cover sheet. Put the payments, under their header "
                    "row, on a sheet that is shown",
                )
            ]
        )


_postcode = functools.lru_cache(maxsize=65536)(normalise_postcode)
# How many distinct dates, supplier names and body names a reader remembers before starting
# afresh.
READER_MEMO_SIZE = 65536


class _RowReader:
    """Checks one row at a time against the columns found in the header.

    It runs for every line of files of millions of lines: work that depends only on a cell's
    value (a date, a supplier name, a body name) is done once per distinct value and kept in
    the reader's bounded memos; no regular expression runs per row on the common path."""

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
        # The texts with a length limit, fetched in one C call; only a line with one longer
        # than the shortest limit is looked at field by field.
        self.limited = [
            (position, MAX_LENGTHS[name], name)
            for position, name in enumerate(TEXT_FIELDS)
            if name in MAX_LENGTHS
        ]
        self.limited_texts = operator.itemgetter(*(position for position, _, _ in self.limited))
        self.shortest_limit = min(limit for _, limit, _ in self.limited)
        # Per distinct cell text: a date (or the reason it is none), a supplier name's reading,
        # a body name's. Cleared when full, so memory stays bounded whatever the file.
        self.dates: dict[str, datetime.date | str] = {}
        self.suppliers: dict[str, tuple[str, str, bool, str, str]] = {}
        self.bodies: dict[str, str] = {}

    def problem(self, errors: list[RowError], line: int, name: str, value: Any, reason: str):
        errors.append(
            RowError(line, self.headers[self.index[name]], cell_text(value)[:200], reason)
        )

    def _date(self, raw_date: Any) -> datetime.date | str:
        """The payment date, or the reason the cell is not one."""
        try:
            return date_parse(raw_date, today=self.today)
        except ValueError as error:
            reason = placeholder_error(
                raw_date, "a date", "enter the payment date, like 31/03/2025"
            )
            return reason or str(error)

    def _supplier(self, supplier_name: str) -> tuple[str, str, bool, str, str]:
        """(name, key, redacted, why the line names no supplier, why the name is bad)."""
        if supplier_name and supplier_name_is_redacted(supplier_name):
            return REDACTED_NAME, REDACTED_KEY, True, "", ""
        if not supplier_name:
            return "", "", False, "Enter the supplier's name", ""
        supplier_key = supplier_name_normalise(supplier_name)
        if supplier_key in self.withheld_keys:
            return REDACTED_NAME, REDACTED_KEY, True, "", ""
        if (not supplier_key or supplier_key in PLACEHOLDER_NAME_KEYS) and is_placeholder(
            supplier_name
        ):
            reason = placeholder_error(
                supplier_name,
                "a supplier's name",
                "enter the supplier's name (“Redacted” for a payee withheld)",
            )
            return supplier_name, supplier_key, False, reason or "", ""
        if not supplier_key:
            bad = "A supplier name needs letters or digits: enter the supplier's name"
            return supplier_name, "", False, "", bad
        return supplier_name, supplier_key, False, "", ""

    def _body(self, body_name: str) -> str:
        if body_name and is_url(body_name):
            body_name = ""  # a web address (the LGA schema's "Body" URI) is not a name
        return body_name or self.default_body

    def row(
        self, line: int, cells: list[Any], texts: list[str]
    ) -> SpendRow | list[RowError] | LeftOutRow:
        errors: list[RowError] = []
        supplier_name = texts[0]
        # A placeholder ("N/A", "-", "Various") in an optional column is no value.
        optional = texts[1:]
        (
            supplier_ref,
            raw_postcode,
            body_name,
            transaction_number,
            department,
            expense_type,
            description,
        ) = map(PLACEHOLDER_AS_BLANK.get, optional, optional)
        if max(map(len, self.limited_texts(texts))) > self.shortest_limit:
            for position, limit, name in self.limited:
                if len(texts[position]) > limit:
                    self.problem(
                        errors,
                        line,
                        name,
                        texts[position],
                        f"Longer than {limit} characters: shorten it, or, if this column is not "
                        f"the {FIELD_LABELS[name].lower()}, map it to the right field or ignore it",
                    )

        raw_date = cells[self.date_index]
        if raw_date.__class__ is str:
            payment_date = self.dates.get(raw_date)
            if payment_date is None:
                if len(self.dates) >= READER_MEMO_SIZE:
                    self.dates.clear()
                payment_date = self.dates[raw_date] = self._date(raw_date)
        else:
            payment_date = self._date(raw_date)
        if payment_date.__class__ is str:
            self.problem(errors, line, "payment_date", raw_date, payment_date)
            payment_date = None
        raw_amount = cells[self.amount_index]
        amount = None
        try:
            amount = amount_parse(raw_amount)
        except ValueError as error:
            reason = placeholder_error(
                raw_amount, "an amount", "enter the amount paid, like 1234.56"
            )
            self.problem(errors, line, "amount", raw_amount, reason or str(error))
        vat = None
        if self.vat_index is not None:
            raw_vat = cells[self.vat_index]
            vat_text = cell_text(raw_vat)
            if vat_text and not is_placeholder(vat_text):
                try:
                    vat = amount_parse(raw_vat)
                except ValueError as error:
                    self.problem(
                        errors,
                        line,
                        "irrecoverable_vat",
                        raw_vat,
                        f"{error}; or leave the cell blank: the column is optional",
                    )

        supplier = self.suppliers.get(supplier_name)
        if supplier is None:
            if len(self.suppliers) >= READER_MEMO_SIZE:
                self.suppliers.clear()
            supplier = self.suppliers[supplier_name] = self._supplier(supplier_name)
        supplier_name, supplier_key, redacted, nameless, bad_name = supplier
        postcode = payment_postcode = ""
        if redacted:
            supplier_ref = ""
        else:
            if bad_name:
                self.problem(errors, line, "supplier_name", supplier_name, bad_name)
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
            self.problem(errors, line, "supplier_name", supplier_name, nameless)

        body = self.bodies.get(body_name)
        if body is None:
            if len(self.bodies) >= READER_MEMO_SIZE:
                self.bodies.clear()
            body = self.bodies[body_name] = self._body(body_name)
        if errors or payment_date is None or amount is None:
            return errors
        return SpendRow(
            line=line,
            body_name=body,
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
                body_name=body,
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
