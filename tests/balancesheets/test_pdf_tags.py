"""The balance sheet's PDF is tagged: a structure tree screen readers read, marked as tagged, with
its language and its title (WCAG 1.3.1, 2.4.2 and 3.1.1 for a PDF)."""

import io

import pytest
from pypdf import PdfReader


@pytest.fixture
def pdf(client, published_sheet) -> PdfReader:
    response = client.get(f"/balance-sheets/2024-25/{published_sheet.neighbourhood.slug}.pdf")
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content))


def _structure_types(element, found: set[str]) -> set[str]:
    element = element.get_object()
    if isinstance(element, dict):
        if "/S" in element:
            found.add(str(element["/S"]))
        kids = element.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                _structure_types(kid, found)
    return found


def test_the_pdf_is_marked_as_tagged(pdf):
    assert bool(pdf.trailer["/Root"]["/MarkInfo"]["/Marked"])


def test_the_pdf_has_a_structure_tree_of_headings_and_tables(pdf):
    types = _structure_types(pdf.trailer["/Root"]["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/Table", "/TR", "/TH", "/TD"} <= types


def test_the_pdf_says_its_language(pdf):
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_pdf_is_named_by_its_title(pdf, published_sheet):
    assert pdf.metadata.title == (
        f"{published_sheet.neighbourhood.name}: Community Balance Sheet 2024/25"
    )
    assert bool(pdf.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])
