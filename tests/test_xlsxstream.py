"""The .xlsx written as XML text (the action list): what it holds reads back as it went in,
hostile text stays harmless text, and the bytes depend only on the content."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from xml.dom.minidom import parseString

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from office import needs_office, shown_rows

from ctforms.files import xlsxstream
from ctforms.files.xlsxstream import (
    MAX_CELL_TEXT,
    NO_STYLE,
    Book,
    Style,
    column_letter,
    safe_cell_text,
)

STAMP = dt.datetime(2024, 6, 10)
HOSTILE = [
    "=SUM(A1)",
    "+44 1234 567890",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://x","y")',
    "#N/A",
    'O\'Brien <b>&amp;</b> "Smith" & Sons > 1',
    "Ann\x00\x07\x1b\x7f\x85Marie",
    "tab\tand\r\nbreaks\n",
    "  leading and trailing  ",
    "bad \ud800 surrogate \ufffe \uffff",
    "]]> <![CDATA[ x ]]>",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
    "\u202eright-to-left override, emoji 🎓, Zoë Ñúñez",
    "x" * (MAX_CELL_TEXT + 10),
    "",
]


def _book(texts: list[str]) -> bytes:
    book = Book()
    wrap = book.style(Style(wrap=True, vertical="top", fill="FCE4E4"))
    ws = book.sheet("Actions", [20, 30], freeze_header=True, filters=True, landscape=True)
    ws.append(["Text", "Also"], [book.style(Style(bold=True))] * 2)
    for text in texts:
        ws.append([text, text], [wrap, NO_STYLE])
    return book.bytes(STAMP)


@pytest.fixture(scope="module")
def hostile() -> bytes:
    return _book(HOSTILE)


def test_hostile_text_reads_back_as_safe_text(hostile: bytes) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(hostile))["Actions"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    for text, (styled, plain) in zip(HOSTILE, rows, strict=True):
        want = safe_cell_text(text) or None
        assert styled.value == plain.value == want
        assert styled.data_type in ("s", "n")  # text, or an empty cell: never "f" or "e"
        starts = want is not None and want.startswith(("=", "+", "-", "@"))
        # Excel's leading apostrophe: the text stays text even when someone edits the cell.
        assert styled.quotePrefix == plain.quotePrefix == starts
        assert styled.fill.fgColor.rgb == "FFFCE4E4" and styled.alignment.wrap_text
    assert rows[-2][0].value.endswith("…") and len(rows[-2][0].value) == MAX_CELL_TEXT


def test_every_part_is_well_formed_xml_with_no_formula(hostile: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(hostile)) as zf:
        assert zf.testzip() is None
        for name in zf.namelist():
            xml = zf.read(name).decode("utf-8")
            parseString(xml)  # raises on anything XML 1.0 cannot carry
            assert "<f>" not in xml and "<f " not in xml and "<!ENTITY" not in xml


def test_same_content_same_bytes_and_the_stamp_is_the_one_given(hostile: bytes) -> None:
    assert _book(HOSTILE) == hostile
    with zipfile.ZipFile(io.BytesIO(hostile)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 6, 10, 0, 0, 0)}
        assert zf.namelist()[0] == "[Content_Types].xml"
        core = zf.read("docProps/core.xml").decode()
    assert core.count("2024-06-10T00:00:00Z") == 2
    props = openpyxl.load_workbook(io.BytesIO(hostile)).properties
    assert props.creator == "ctforms" and props.created == STAMP


def test_values_types_and_layout_read_back() -> None:
    book = Book()
    date = book.style(Style(date=True))
    ws = book.sheet("Sheet & <one>", [8, 12.5, 9, 10], freeze_header=True, filters=True)
    ws.append(["a", "b", "c", "d"], [NO_STYLE] * 4, 30)
    ws.append([3, 2.5, dt.date(2024, 6, 1), None], [NO_STYLE, NO_STYLE, date, NO_STYLE])
    ws.append([True, -7, dt.date(2024, 2, 29), "x"], [NO_STYLE, NO_STYLE, date, NO_STYLE])
    other = book.sheet("Two", [40], side_margin=0.3, footer="A & B College (12345)")
    other.append(["only"], [NO_STYLE])
    wb = openpyxl.load_workbook(io.BytesIO(book.bytes(STAMP)))
    assert wb.sheetnames == ["Sheet & <one>", "Two"]
    ws1 = wb["Sheet & <one>"]
    assert [[c.value for c in row] for row in ws1.iter_rows()] == [
        ["a", "b", "c", "d"],
        [3, 2.5, dt.datetime(2024, 6, 1), None],
        [True, -7, dt.datetime(2024, 2, 29), "x"],
    ]
    assert ws1.cell(2, 3).number_format == "DD/MM/YYYY"
    assert ws1.freeze_panes == "A2" and ws1.auto_filter.ref == "A1:D3"
    assert ws1.print_title_rows == "$1:$1"
    assert ws1.row_dimensions[1].height == 30
    assert [ws1.column_dimensions[c].width for c in "ABCD"] == [8, 12.5, 9, 10]
    ws2 = wb["Two"]
    assert ws2.page_margins.left == 0.3 and ws2.page_setup.orientation is None
    # "&" in a footer starts one of Excel's codes: the text's own "&" is doubled.
    assert ws2.oddFooter.left.text == "A && B College (12345)"


def test_dates_before_march_1900_are_refused() -> None:
    ws = Book().sheet("S", [8])
    with pytest.raises(ValueError, match="1900"):
        ws.append([dt.date(1900, 2, 28)], [NO_STYLE])


def test_column_letters() -> None:
    cases = {1: "A", 18: "R", 26: "Z", 27: "AA", 52: "AZ", 703: "AAA"}
    assert {n: column_letter(n) for n in cases} == cases


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_reads_back_as_its_safe_text(texts: list[str]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(_book(texts)))["Actions"]
    got = [row[0].value for row in ws.iter_rows(min_row=2)]
    # openpyxl drops the trailing rows that hold only empty cells, so compare what it kept.
    want = [safe_cell_text(t) or None for t in texts]
    assert got == want[: len(got)]
    assert all(w is None for w in want[len(got) :])


@needs_office
def test_libreoffice_opens_it_and_shows_the_text(hostile: bytes, tmp_path: Path) -> None:
    rows = shown_rows(hostile, "hostile.xlsx", tmp_path)
    assert rows[0] == ["Text", "Also"]
    shown = [r[0] if r else "" for r in rows[1:]]
    want = [safe_cell_text(t) for t in HOSTILE]
    # LibreOffice shows every text as it is (never a formula's result); the last row, empty
    # text, is an empty row it leaves out.
    assert shown[:-1] == want[:-2] and len(shown) == len(HOSTILE) - 1
    assert shown[-1] == want[-2][: len(shown[-1])] and len(shown[-1]) > 30_000


def test_printable_text_is_already_safe() -> None:
    """safe_cell_text returns printable text as it is, without its scan: every character the
    scan removes or replaces must be one Python does not call printable."""
    scan = re.compile(f"{xlsxstream._UNSAFE.pattern}|{xlsxstream._BREAKS.pattern}")
    touched = [chr(c) for c in range(0x110000) if scan.match(chr(c))]
    assert "\t" in touched and "\x00" in touched and "\ud800" in touched
    assert not any(c.isprintable() for c in touched)
