"""The one CSV writer: formula-safe cells, a byte order mark for Excel, streamed or whole."""

from decimal import Decimal

import pytest

from core.csv import BYTE_ORDER_MARK, csv_download, csv_lines, csv_stream, spreadsheet_safe


@pytest.mark.parametrize(
    "value", ["=SUM(1)", "+44 1438 242242", "-2", "@cmd", "\tTAB", "\rreturn", "=", "@"]
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["", "Plain words", "1+1=2", "A-ha", "email me@example.org", " =SUM(1)", "'quoted"]
)
def test_an_ordinary_cell_is_left_alone(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize("value", [42, -2, 1.5, Decimal("-500.00")])
def test_a_number_is_left_a_number_even_when_negative(value):
    assert spreadsheet_safe(value) == value


def test_nothing_is_an_empty_cell():
    assert spreadsheet_safe(None) == ""


def test_a_cell_starting_with_a_line_break_gets_a_leading_quote():
    assert spreadsheet_safe("\n=SUM(1)") == "'\n=SUM(1)"


def test_csv_lines_starts_with_a_byte_order_mark_and_the_header():
    lines = list(csv_lines(header=["name", "text"], rows=[]))
    assert lines == [BYTE_ORDER_MARK + "name,text\r\n"]


def test_csv_lines_makes_every_cell_spreadsheet_safe_and_quotes_what_needs_it():
    lines = list(
        csv_lines(
            header=["name", "text", "target"],
            rows=[['=HYPERLINK("http://x")', "Line one,\nline two", None]],
        )
    )
    assert lines[1] == '"\'=HYPERLINK(""http://x"")","Line one,\nline two",\r\n'


def test_csv_lines_is_lazy_so_it_can_stream():
    def rows():
        yield ["first"]
        raise AssertionError("read too far")

    lines = csv_lines(header=["a"], rows=rows())
    assert next(lines).endswith("a\r\n")
    assert next(lines) == "first\r\n"


def test_csv_lines_can_leave_out_the_byte_order_mark():
    assert next(csv_lines(header=["a"], rows=[], byte_order_mark=False)) == "a\r\n"


def test_a_download_is_an_attachment_of_the_whole_text():
    response = csv_download(filename="t.csv", lines=csv_lines(header=["a"], rows=[["=1"]]))
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == BYTE_ORDER_MARK + "a\r\n'=1\r\n"


def test_a_stream_sends_the_same_bytes_line_by_line():
    response = csv_stream(filename="t.csv", lines=csv_lines(header=["a"], rows=[["x"], ["y"]]))
    assert response.streaming
    assert b"".join(response.streaming_content).decode("utf-8") == (
        BYTE_ORDER_MARK + "a\r\nx\r\ny\r\n"
    )
