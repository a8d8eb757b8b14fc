"""The /spend/ tables as spreadsheet-safe CSV."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection, OWASP).
# Numbers are written as numbers; only text cells are guarded.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def csv_text(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole (small) table as CSV text, BOM first, every text cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe("" if cell is None else cell) for cell in row])
    return BYTE_ORDER_MARK + out.getvalue()
