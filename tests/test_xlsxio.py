"""Reproducible, injection-safe workbook writing."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile

import openpyxl
import pytest

from ctforms.files.xlsxio import (
    MAX_CELL_TEXT,
    autosize,
    put,
    safe_cell_text,
    set_text,
    style_header,
    workbook_bytes,
)

STAMP = dt.datetime(2024, 6, 10)
RISKY = ["=SUM(A1)", "=1+1", "+44 1234 567890", "-2+3", "@SUM(A1)", "#N/A", "#REF!", "="]


def _sample() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, title in enumerate(["Name", "Note", "When"], start=1):
        put(ws, 1, col, title)
    put(ws, 2, 1, "Ada Lovelace")
    put(ws, 2, 2, "a long note " * 3)
    put(ws, 2, 3, dt.date(2024, 6, 30))
    style_header(ws)
    autosize(ws)
    return wb


def _sheet_xml(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name).decode("utf-8")


@pytest.mark.slow  # waits past a second boundary
def test_same_content_later_gives_same_bytes() -> None:
    first = workbook_bytes(_sample(), STAMP)
    time.sleep(1.1)  # past a second boundary: any clock time in the file would now differ
    second = workbook_bytes(_sample(), STAMP)
    assert first == second


def test_timestamp_is_the_one_given() -> None:
    data = workbook_bytes(_sample(), STAMP)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 6, 10, 0, 0, 0)}
        assert {i.create_system for i in zf.infolist()} == {3}
        core = zf.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "2024-06-10T00:00:00Z",
        "2024-06-10T00:00:00Z",
    ]
    assert "ctforms" in core
    assert workbook_bytes(_sample(), STAMP + dt.timedelta(days=1)) != data


def test_timestamp_before_1980_is_clamped() -> None:
    data = workbook_bytes(_sample(), dt.datetime(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_aware_timestamp_is_taken_as_utc() -> None:
    aware = dt.datetime(2024, 6, 10, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert workbook_bytes(_sample(), aware) == workbook_bytes(_sample(), STAMP)


def test_entries_keep_openpyxl_order() -> None:
    raw = io.BytesIO()
    wb = _sample()
    wb.save(raw)
    data = workbook_bytes(wb, STAMP)
    with zipfile.ZipFile(raw) as a, zipfile.ZipFile(io.BytesIO(data)) as b:
        assert a.namelist() == b.namelist()


@pytest.mark.parametrize("text", RISKY)
def test_formula_looking_text_is_stored_as_text(text: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    put(ws, 1, 1, text)
    set_text(ws["B1"], text)
    xml = _sheet_xml(workbook_bytes(wb, STAMP))
    assert "<f>" not in xml and "<f " not in xml
    assert xml.count('t="inlineStr"') == 2
    back = openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb, STAMP))).active
    for cell in (back["A1"], back["B1"]):
        assert cell.value == text
        assert cell.data_type == "s"


def test_formula_looking_text_gets_excels_quote_prefix() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    put(ws, 1, 1, "=SUM(A1)")
    put(ws, 2, 1, "plain")
    back = openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb, STAMP))).active
    assert back["A1"].quotePrefix
    assert not back["A2"].quotePrefix


def test_openpyxl_alone_would_write_a_formula() -> None:
    # The behaviour set_text exists for; if openpyxl changes, this says so.
    ws = openpyxl.Workbook().active
    ws["A1"] = "=SUM(A1)"
    ws["A2"] = "#N/A"
    assert (ws["A1"].data_type, ws["A2"].data_type) == ("f", "e")


def test_control_characters_removed() -> None:
    assert safe_cell_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"
    assert safe_cell_text("line one\r\nline two\tthree\n") == "line one line two three "
    assert safe_cell_text("x\ud800y\ufffez\uffff") == "xyz"
    assert safe_cell_text("Zoë Ñúñez – ok") == "Zoë Ñúñez – ok"


def test_control_characters_never_reach_the_file() -> None:
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, "Sm\x00ith\x0b\ud800\nJr")  # openpyxl alone raises on these
    back = openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb, STAMP))).active
    assert back["A1"].value == "Smith Jr"


def test_over_long_text_is_cut_to_excels_limit() -> None:
    assert len(safe_cell_text("x" * (MAX_CELL_TEXT + 10))) == MAX_CELL_TEXT


def test_empty_text_is_an_empty_cell() -> None:
    ws = openpyxl.Workbook().active
    assert put(ws, 1, 1, "").value is None
    assert put(ws, 1, 2, "\x00").value is None


def test_non_text_values_kept() -> None:
    ws = openpyxl.Workbook().active
    assert put(ws, 1, 1, 7).value == 7
    assert put(ws, 1, 2, dt.date(2024, 1, 2)).value == dt.date(2024, 1, 2)
    assert put(ws, 1, 3, None).value is None


def test_autosize_and_header_style() -> None:
    ws = _sample().active
    assert ws["A1"].font.bold and ws["A1"].alignment.wrap_text
    assert ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.column_dimensions["A"].width == len("Ada Lovelace") + 2
    assert ws.column_dimensions["B"].width == len("a long note " * 3) + 2
    assert ws.column_dimensions["C"].width == len("30/06/2024") + 2
    autosize(ws, min_width=8, max_width=20)
    assert ws.column_dimensions["B"].width == 20
    ws2 = openpyxl.Workbook().active
    put(ws2, 1, 1, "ID")
    autosize(ws2, min_width=8)
    assert ws2.column_dimensions["A"].width == 8


def test_print_table_fits_the_page_without_breaking_a_word() -> None:
    """Issue 19: the widest columns narrowed until the table fits landscape A4; none below its
    longest word; a line above the table wider than it wrapped across it; headers repeated."""
    from openpyxl import Workbook

    from ctforms.files.xlsxio import LANDSCAPE_WIDTH, print_table, put

    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, "A note above the table, longer than the table is wide. " * 8)
    titles = ["Candidate Number", "Reason", "Qualification Title", "Code"]
    for col, (title, width) in enumerate(zip(titles, [14, 60, 50, 40], strict=True), start=1):
        put(ws, 3, col, title)
        ws.column_dimensions["ABCD"[col - 1]].width = width
    for r in range(4, 7):
        put(ws, r, 1, "0012")
        put(ws, r, 2, "Unit or grade claimed differs from the centre's markbook " * 3)
        put(ws, r, 3, "OCR Level 3 Cambridge Technical Extended Certificate in Business")
        put(ws, r, 4, "Unbreakablelongword")
    print_table(ws, 3, 6)
    widths = [ws.column_dimensions[x].width for x in "ABCD"]
    assert sum(widths) <= LANDSCAPE_WIDTH
    assert widths[0] == 14  # narrow already: kept
    assert widths[3] >= len("Unbreakablelongword")  # a word is never broken
    assert widths[1] < 60 and widths[2] < 50
    assert ws.print_title_rows == "$3:$3"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].alignment.wrap_text and (ws.row_dimensions[1].height or 0) > 15
    assert (ws.row_dimensions[4].height or 0) > 15  # the Reason wraps: its row grows


def test_print_table_leaves_a_templates_own_merged_line_as_it_is() -> None:
    from openpyxl import Workbook

    from ctforms.files.xlsxio import print_table, put, workbook_bytes

    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, "A centre's own title, merged across the form by its template. " * 5)
    ws.merge_cells("A1:C1")
    for col in range(1, 5):
        put(ws, 3, col, f"Column {col}")
        put(ws, 4, col, "text " * 30)
        ws.column_dimensions["ABCD"[col - 1]].width = 60
    print_table(ws, 3, 4)
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]  # no overlapping merge
    assert openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb, dt.datetime(2024, 1, 1))))
