"""Spending files in odd shapes: UTF-16 and UTF-32 text, binary files, and XLSX workbooks built
to unpack far beyond their size on disk. Each is read right or refused with a message saying
what was found, never a crash."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from metrics.spend.files import SpendFile, SpendFileError
from metrics.spend.models import ImportBatch, SpendTransaction, Supplier
from metrics.spend.services import SpendImportError, spend_import
from tests.metrics.factories_spend import xlsx_file

HEADER = ["Date", "Supplier name", "Amount", "Expense area", "Description"]
# Amounts as the file writes them, and the same in pennies, written out independently.
ROWS = [
    ["01/04/2024", "Café Nero Ltd", "£1,234.56", "Leisure", "Coffee for the café (£)"],
    ["02/04/2024", "Acme Ltd", "(12.00)", "Housing", "Credit note"],
    ["03/04/2024", "Über Cleaning", "500", "Housing", "Cleaning"],
]
EXPECTED_TOTAL = Decimal("1234.56") - Decimal("12.00") + Decimal("500.00")
EXPECTED_SUPPLIERS = {"Café Nero Ltd", "Acme Ltd", "Über Cleaning"}


def _csv_text() -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    return out.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


TEXT_ENCODINGS = {
    "utf-16 little-endian with its mark": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf-16 big-endian with its mark": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "utf-16 little-endian without a mark": lambda text: text.encode("utf-16-le"),
    "utf-32 with its mark": lambda text: text.encode("utf-32"),
    "utf-8 with its mark": lambda text: text.encode("utf-8-sig"),
    "utf-8": lambda text: text.encode("utf-8"),
    "windows-1252": lambda text: text.encode("cp1252"),
}


@pytest.mark.parametrize("encoding", list(TEXT_ENCODINGS))
def test_a_text_file_imports_to_the_same_figures_as_its_utf8_twin(council, tmp_path, encoding):
    data = TEXT_ENCODINGS[encoding](_csv_text())
    path = _write(tmp_path, "spend.csv", data)
    result = spend_import(path=path, council=council)

    assert (result.rows, result.added) == (3, 3)
    total = SpendTransaction.objects.aggregate(total=Sum("amount"))["total"]
    assert total == EXPECTED_TOTAL
    assert set(Supplier.objects.values_list("name", flat=True)) == EXPECTED_SUPPLIERS
    assert SpendTransaction.objects.filter(description="Coffee for the café (£)").count() == 1
    # The UTF-8 twin is recognised as the very same payments: nothing more is added. (The very
    # same bytes would be refused as a file already held: the UTF-8 file's twin has a mark.)
    twin_data = _csv_text().encode("utf-8")
    twin_data = _csv_text().encode("utf-8-sig") if twin_data == data else twin_data
    twin = _write(tmp_path, "twin.csv", twin_data)
    assert spend_import(path=twin, council=council).added == 0


def test_a_utf16_file_that_stops_decoding_is_refused_saying_so(council, tmp_path):
    data = b"\xff\xfe" + _csv_text().encode("utf-16-le") + b"\x00\xdc" + "x".encode("utf-16-le")
    path = _write(tmp_path, "spend.csv", data)
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=path, council=council)
    [error] = raised.value.errors
    assert "read as UTF-16 text" in error.reason
    assert "save it again as CSV (UTF-8)" in error.reason
    assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED
    assert SpendTransaction.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "This is a PNG image"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "This is a PDF document"),
        (bytes(range(256)) * 16, "holds binary data, not text"),
    ],
)
def test_a_binary_file_is_refused_saying_what_it_is(council, tmp_path, data, message):
    path = _write(tmp_path, "spend.csv", data)
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=path, council=council)
    assert message in raised.value.errors[0].reason


def test_a_stray_nul_in_a_text_file_does_not_make_it_binary(council, tmp_path):
    text = _csv_text().replace("Credit note", "Credit\x00 note")
    path = _write(tmp_path, "spend.csv", text.encode("utf-8"))
    assert spend_import(path=path, council=council).added == 3


# --- XLSX workbooks that unpack beyond their size -------------------------------------------


def _workbook(tmp_path, rows=ROWS):
    return xlsx_file(tmp_path / "plain.xlsx", rows, header=HEADER)


def _repacked(source, target, *, replace=None, add=None):
    """A copy of the workbook with members replaced or added (compressed, as Excel does)."""
    replace, add = replace or {}, add or {}
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as copy,
    ):
        for member in original.infolist():
            data = replace.get(member.filename, original.read(member.filename))
            copy.writestr(member.filename, data)
        for name, data in add.items():
            copy.writestr(name, data)
    return target


SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def _with_shared_strings(source, target, shared_strings: bytes):
    """The workbook with a shared-strings part, declared as Excel declares it."""
    with zipfile.ZipFile(source) as original:
        types = original.read("[Content_Types].xml").decode()
        rels = original.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdShared" Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
        "</Relationships>",
    )
    return _repacked(
        source,
        target,
        replace={"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
        add={"xl/sharedStrings.xml": shared_strings},
    )


def _shared_strings_bomb(megabytes: int) -> bytes:
    """One shared string of `megabytes` MB, valid XML: openpyxl would read it whole."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>'
    head += b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return head + b"<si><t>" + b"A" * (megabytes * 1_000_000) + b"</t></si></sst>"


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened: the bound was not checked first")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_workbook_whose_shared_strings_unpack_too_far_is_refused_unread(
    council, tmp_path, settings, openpyxl_must_not_open
):
    settings.SPEND_XLSX_MAX_SHARED_STRINGS_MB = 2
    bomb = _with_shared_strings(
        _workbook(tmp_path), tmp_path / "bomb.xlsx", _shared_strings_bomb(12)
    )
    assert bomb.stat().st_size < 100_000  # small on disk, 12 MB unpacked

    with pytest.raises(SpendImportError) as raised:
        spend_import(path=bomb, council=council)
    [error] = raised.value.errors
    assert "shared strings) unpacks to 12 MB, more than the 2 MB allowed" in error.reason
    assert "SPEND_XLSX_MAX_SHARED_STRINGS_MB" in error.reason
    assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED


def test_a_workbook_that_unpacks_too_far_in_all_is_refused_unread(
    tmp_path, settings, openpyxl_must_not_open
):
    settings.SPEND_XLSX_MAX_UNPACKED_MB = 3
    bomb = _repacked(
        _workbook(tmp_path), tmp_path / "bomb.xlsx", add={"xl/media/image1.bin": b"\0" * 5_000_000}
    )
    with pytest.raises(SpendFileError, match=r"unpacks to 5 MB, more than the 3 MB allowed"):
        SpendFile.open(bomb)


def test_the_default_bound_refuses_the_reported_workbook(tmp_path, openpyxl_must_not_open):
    """The reported file: under 1 MB on disk, shared strings unpacking to 174 MB."""
    bomb = _with_shared_strings(
        _workbook(tmp_path), tmp_path / "bomb.xlsx", _shared_strings_bomb(174)
    )
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(SpendFileError, match="174 MB, more than the 64 MB allowed"):
        SpendFile.open(bomb)


def test_a_workbook_with_too_many_cells_is_refused_naming_the_limit(council, tmp_path, settings):
    settings.SPEND_XLSX_MAX_CELLS = 40
    rows = [["01/04/2024", f"Supplier {n}", "600", "Housing", ""] for n in range(20)]
    with pytest.raises(SpendImportError) as raised:
        spend_import(path=_workbook(tmp_path, rows), council=council)
    [error] = raised.value.errors
    assert "more than 40 cells" in error.reason
    assert "SPEND_XLSX_MAX_CELLS" in error.reason
    assert SpendTransaction.objects.count() == 0


def test_a_workbook_declaring_a_vast_sheet_counts_only_its_real_cells(council, tmp_path, settings):
    """Excel writes A1:XFD1048576 when whole rows are formatted: read by that, every row would
    be padded to 16,384 cells and the cell bound refuse a file of four rows."""
    settings.SPEND_XLSX_MAX_CELLS = 1000
    plain = _workbook(tmp_path)
    with zipfile.ZipFile(plain) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<dimension ref="A1:E4"\s*/>', sheet)
    vast = re.sub(r'<dimension ref="A1:E4"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    path = _repacked(plain, tmp_path / "vast.xlsx", replace={"xl/worksheets/sheet1.xml": vast})

    result = spend_import(path=path, council=council)
    assert (result.rows, result.added) == (3, 3)
    assert SpendTransaction.objects.aggregate(total=Sum("amount"))["total"] == EXPECTED_TOTAL


def test_a_zip_that_is_not_a_workbook_is_refused_saying_so(tmp_path):
    path = tmp_path / "spend.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpendFileError, match="a ZIP archive but not an Excel workbook"):
        SpendFile.open(path)
