"""A spending file on disk: CSV (UTF-8 with or without a byte order mark, UTF-16 or UTF-32 with
one, else Windows-1252) or XLSX, read as rows of cells without holding the file in memory.
Every sheet of a workbook is read, in the workbook's order (a police and crime commissioner
publishes a year as one sheet per month); a hidden sheet is named as skipped, not read.

An XLSX workbook is a ZIP archive: its declared unpacked sizes (all of it, and the shared text in
particular, which openpyxl holds in memory) are checked against settings before it is opened,
and its cells are counted as they are read, so a small file cannot unpack into gigabytes. A
file that is not text (binary data, or text that does not decode) is refused with a message
saying what was found.
"""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from core.tabular import ImportRefused, RowError

READ_CHUNK = 1 << 20
MEGABYTE = 1_000_000
# How much of a text file's start is looked at to tell its encoding, or that it is not text.
SNIFF_BYTES = 4096
BYTE_ORDER_MARKS = (  # longest first: UTF-32's little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# What a binary file that is not a spreadsheet most often turns out to be.
BINARY_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def _refused(reason: str, line: int = 0) -> "SpendFileError":
    return SpendFileError([RowError(line, "", "", reason)])


class SpendFileError(ImportRefused):
    """The file cannot be read as a spending file at all (no rows were looked at)."""

    def __str__(self) -> str:
        return "; ".join(error.reason for error in self.errors)


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
                head = handle.read(SNIFF_BYTES)
                handle.seek(0)
                # A UTF-16 or UTF-32 file has its own byte order mark; no need to try UTF-8.
                utf8 = _unicode_with_mark(head) is None
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
            self._xlsx_check()
        elif head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
            raise SpendFileError(
                [RowError(0, "", "", "An old Excel (.xls) file: save it as CSV or XLSX")]
            )
        else:
            self.kind = "csv"
            self.encoding = _text_encoding(head, utf8=utf8)

    def _xlsx_check(self) -> None:
        """Refuse a workbook that would unpack beyond the limits, before anything unpacks it.

        The sizes are the archive's own declarations; Python's zipfile never inflates a member
        beyond its declared size (and fails its checksum if the data is longer), so a workbook
        cannot unpack to more than it says."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise _refused(f"Not a readable XLSX file: {error}") from error
        names = {member.filename.casefold() for member in members}
        if "xl/workbook.xml" not in names:
            raise _refused(
                "This is a ZIP archive but not an Excel workbook (it has no xl/workbook.xml): "
                "save the spending file as CSV or XLSX"
            )
        unpacked = sum(member.file_size for member in members)
        limit = xlsx_max_unpacked_bytes()
        if unpacked > limit:
            raise _refused(
                f"This workbook unpacks to {unpacked / MEGABYTE:,.0f} MB, more than the "
                f"{limit / MEGABYTE:,.0f} MB allowed (SPEND_XLSX_MAX_UNPACKED_MB): save it as "
                "CSV, which is read a line at a time, or split it into smaller files"
            )
        shared = sum(
            member.file_size
            for member in members
            if member.filename.casefold().endswith("sharedstrings.xml")
        )
        limit = xlsx_max_shared_strings_bytes()
        if shared > limit:
            raise _refused(
                f"This workbook's text (its shared strings) unpacks to "
                f"{shared / MEGABYTE:,.0f} MB, more than the {limit / MEGABYTE:,.0f} MB allowed "
                "(SPEND_XLSX_MAX_SHARED_STRINGS_MB), since it must all be held in memory: "
                "save it as CSV, which is read a line at a time, or split it into smaller files"
            )

    def fraction_read(self) -> float:
        if self.kind == "xlsx":
            return min(1.0, self._xlsx_done / self._xlsx_rows) if self._xlsx_rows else 0.0
        return min(1.0, self._position() / self.size) if self.size else 1.0

    def sheets(self) -> Iterator["SpendSheet"]:
        """The file's sheets in order: a CSV file is one sheet with no name. Read each sheet's
        rows before asking for the next sheet."""
        if self.kind == "xlsx":
            yield from self._xlsx()
        else:
            yield SpendSheet(name="", rows=self._csv())

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line, cells) for every row of every sheet read, each sheet's first row being line 1."""
        for sheet in self.sheets():
            yield from sheet.rows

    def _csv(self) -> Iterator[tuple[int, list[Any]]]:
        with self.path.open("rb") as raw:
            self._position = raw.tell
            # Windows-1252 leaves five bytes undefined; those read as the Latin-1 characters.
            errors = "spend-cp1252" if self.encoding == "cp1252" else "strict"
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors=errors, newline="")
            reader = None
            try:
                first = text.readline()
                delimiter = max((",", "\t", ";", "|"), key=first.count)
                text.seek(0)
                reader = csv.reader(text, delimiter=delimiter)
                yield from enumerate(reader, start=1)
            except csv.Error as error:
                line = reader.line_num if reader else 1
                raise _refused(f"Not a readable CSV file: {error}", line) from error
            except UnicodeDecodeError as error:
                line = (reader.line_num + 1) if reader else 1
                raise _refused(
                    f"The file was read as {_ENCODING_NAMES.get(self.encoding, self.encoding)} "
                    f"text, but the bytes near byte {raw.tell():,} are not: save it again as "
                    "CSV (UTF-8)",
                    line,
                ) from error

    def _xlsx(self) -> Iterator["SpendSheet"]:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise SpendFileError(
                [RowError(0, "", "", f"Not a readable XLSX file: {error}")]
            ) from error
        counter = _CellCounter(xlsx_max_cells())
        try:
            sheets = list(workbook.worksheets)
            shown = [sheet for sheet in sheets if sheet.sheet_state == "visible"]
            # The declared dimensions only estimate progress: a crafted "A1:XFD1048576" would
            # otherwise pad every row to 16,384 cells and add a million empty rows.
            self._xlsx_rows = sum(sheet.max_row or 0 for sheet in shown)
            for sheet in sheets:
                if sheet.sheet_state != "visible":
                    yield SpendSheet(name=str(sheet.title), rows=iter(()), skipped="hidden")
                    continue
                sheet.reset_dimensions()
                yield SpendSheet(name=str(sheet.title), rows=self._xlsx_rows_of(sheet, counter))
        finally:
            workbook.close()

    def _xlsx_rows_of(self, sheet: Any, counter: "_CellCounter") -> Iterator[tuple[int, list[Any]]]:
        done_before = self._xlsx_done
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            self._xlsx_done = done_before + line
            counter.add(len(cells), line=line, sheet=str(sheet.title))
            yield line, list(cells)


@dataclass
class SpendSheet:
    """One sheet of a file: its name as the workbook gives it ("" for a CSV file), its rows as
    (line, cells), and why it is not read, if it is not (a hidden sheet)."""

    name: str
    rows: Iterator[tuple[int, list[Any]]]
    skipped: str = ""


@dataclass
class _CellCounter:
    """The cells read so far from the whole workbook, against the most allowed."""

    limit: int
    read: int = 0

    def add(self, cells: int, *, line: int, sheet: str) -> None:
        self.read += cells
        if self.read > self.limit:
            raise SpendFileError(
                [
                    RowError(
                        line,
                        "",
                        "",
                        f"This workbook has more than {self.limit:,} cells, the most allowed "
                        "(SPEND_XLSX_MAX_CELLS): save it as CSV, or split it into smaller files",
                        sheet,
                    )
                ]
            )


def xlsx_max_unpacked_bytes() -> int:
    return int(settings.SPEND_XLSX_MAX_UNPACKED_MB * MEGABYTE)


def xlsx_max_shared_strings_bytes() -> int:
    return int(settings.SPEND_XLSX_MAX_SHARED_STRINGS_MB * MEGABYTE)


def xlsx_max_cells() -> int:
    return int(settings.SPEND_XLSX_MAX_CELLS)


_ENCODING_NAMES = {
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
}
# Text has next to no control characters besides tab, line breaks and form feed; binary data
# (an image, a compressed file) has about one byte in ten.
BINARY_CONTROL_SHARE = 0.05


def _unicode_with_mark(head: bytes) -> str | None:
    """The codec of a UTF-16 or UTF-32 file that starts with its byte order mark."""
    for mark, codec, _ in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return codec
    return None


def _text_encoding(head: bytes, *, utf8: bool) -> str:
    """The codec to read a CSV file with, or SpendFileError saying what the file is instead."""
    marked = _unicode_with_mark(head)
    if marked:
        return marked
    # UTF-16 without a byte order mark: the other byte of each ASCII character is zero.
    if len(head) >= 4 and b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    for signature, description in BINARY_SIGNATURES:
        if head.startswith(signature):
            raise _refused(
                f"This is {description}, not a spending file: upload the CSV or XLSX file"
            )
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    if controls > BINARY_CONTROL_SHARE * len(head):
        raise _refused(
            "This file holds binary data, not text: save the spending file as CSV (UTF-8) or "
            "XLSX and upload that"
        )
    return "utf-8-sig" if utf8 else "cp1252"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("spend-cp1252", _cp1252_fallback)
