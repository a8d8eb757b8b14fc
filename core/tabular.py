"""The tabular-import toolkit every import shares (spend, postcodes, supplier flags, paper pledges,
balance-sheet indicators): headers matched however a council spells them, and problems reported
row by row so that an officer can put the file right. Imports are all or nothing: one problem
and nothing from the file is kept.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple


def header_key(text: Any) -> str:
    """How headers are compared: case, accents' compatibility forms, spaces, underscores and
    punctuation ignored ("Supplier_Name", "SUPPLIER NAME" and "Supplier name:" are one)."""
    text = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def field_key(text: Any) -> str:
    """A header as a field name: "Price year", "price-year" -> "price_year"."""
    return header_key(text).replace(" ", "_")


def columns_find(headers: Iterable[Any], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{field: the header as the file spells it} for each field one of whose aliases (best
    first) is among the headers. A header serves one field only: the first that claims it."""
    by_key: dict[str, str] = {}
    for header in headers:
        if header is not None:
            by_key.setdefault(header_key(header), str(header))
    found: dict[str, str] = {}
    taken: set[str] = set()
    for field, names in aliases.items():
        for name in names:
            header = by_key.get(header_key(name))
            if header is not None and header not in taken:
                found[field] = header
                taken.add(header)
                break
    return found


class RowError(NamedTuple):
    """One problem: the line of the file (the header is line 1; 0 for the file as a whole), the
    column as the file spells it, the value found, what is wrong, and the sheet of a workbook
    the line is on ("" for a file of one sheet, such as a CSV file)."""

    line: int
    column: str
    value: str
    reason: str
    sheet: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class ImportRefused(Exception):
    """A file with problems: nothing from it was imported. `errors` lists every problem found
    (up to a limit, then `truncated`)."""

    def __init__(self, errors: list[RowError], *, truncated: bool = False):
        self.errors = errors
        self.truncated = truncated
        count = f"{len(errors)}{'+' if truncated else ''}"
        super().__init__(f"{count} problem{'' if count == '1' else 's'}; nothing was imported")


def refuse_file(reason: str, *, line: int = 0) -> ImportRefused:
    """The error for a file that cannot be read at all, or whose header is wrong."""
    return ImportRefused([RowError(line, "", "", reason)])
