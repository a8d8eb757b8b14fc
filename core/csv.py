"""CSV for people who open it in a spreadsheet: formula-safe cells, UTF-8 that Excel reads.

Every CSV the portal offers (open data, dashboards, the impact report) is written through here, so
the CSV-injection guard and the byte order mark are the same everywhere.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

# A spreadsheet treats a text cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet will show, never run.

    Text that would start a formula gets a leading single quote. Numbers stay numbers: a negative
    amount is data, not a formula. Nothing (None) is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class _Line:
    """A file-like object whose write() hands back what it was given: one CSV line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    *, header: Sequence[str], rows: Iterable[Sequence[Any]], byte_order_mark: bool = True
) -> Iterator[str]:
    """CSV text line by line (header first, the byte order mark before it), every cell safe.

    A generator, so a streamed response sends rows as they are read.
    """
    writer = csv.writer(_Line())
    first = writer.writerow([spreadsheet_safe(cell) for cell in header])
    yield (BYTE_ORDER_MARK + first) if byte_order_mark else first
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_text(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole (small) table as CSV text."""
    return "".join(csv_lines(header=header, rows=rows))


def csv_download(*, filename: str, lines: Iterable[str]) -> HttpResponse:
    """A small table (a page's worth of figures) as a CSV download, sent whole."""
    return _as_attachment(HttpResponse("".join(lines), CSV_CONTENT_TYPE), filename)


def csv_stream(*, filename: str, lines: Iterable[str]) -> StreamingHttpResponse:
    """A large download of CSV lines (from csv_lines), streamed so memory stays flat."""
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines), CSV_CONTENT_TYPE)
    return _as_attachment(response, filename)


def _as_attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
