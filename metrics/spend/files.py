"""A spending file on disk: CSV (UTF-8 with or without a byte order mark, else Windows-1252) or
XLSX, read as rows of cells without holding the file in memory."""

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.tabular import ImportRefused, RowError

READ_CHUNK = 1 << 20


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
