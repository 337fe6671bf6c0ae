"""Writing workbooks safely and reproducibly: user text never becomes a formula, and the same
content saved at any time gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ctforms.files.paper import MARGINS, PAPER_A4
from ctforms.files.reproducible import normalise_zip, zip_time
from ctforms.files.xlsxstream import DATE_FORMAT as DATE_FORMAT
from ctforms.files.xlsxstream import FORMULA_START
from ctforms.files.xlsxstream import LINE_HEIGHT as LINE_HEIGHT
from ctforms.files.xlsxstream import MAX_CELL_TEXT as MAX_CELL_TEXT
from ctforms.files.xlsxstream import safe_cell_text as safe_cell_text
from ctforms.files.xlsxstream import wrapped_lines as wrapped_lines

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_FORMAT = "@"


safe_text = safe_cell_text  # earlier name, still used by the forms


def set_text(cell: Cell, value: str) -> Cell:
    """Put user text in `cell` as text, never as a formula or error value.

    openpyxl makes any string of two or more characters starting with "=" a formula and
    "#N/A", "#REF!"... an error cell; forcing data_type "s" writes an inline string instead.
    quotePrefix (Excel's leading apostrophe) keeps "=", "+", "-" or "@" text as text even
    when someone edits the cell in Excel later.
    """
    text = safe_cell_text(value)
    if not text:
        cell.value = None  # an empty inline string is just an empty cell, with more bytes
        return cell
    # What openpyxl's value setter would store, without its scan for illegal characters (the
    # dearest part of filling a big sheet): safe_cell_text removed them, and cut the text to
    # Excel's length, already (tests/test_speed.py holds the two to the same characters).
    cell._value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Set a cell: text through set_text (never a formula); numbers, dates and None as they are."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        return set_text(cell, value)
    cell.value = value
    return cell


def text_lines(ws: Worksheet, lines: list[str], width: int = 78) -> None:
    """A sheet of wrapped text lines (instructions), each row tall enough for its text, printed
    one page wide. Spreadsheet programs do not grow a row for wrapped text on their own."""
    for row, line in enumerate(lines, start=1):
        put(ws, row, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
        wrapped = max(1, -(-len(line) // int(width * 1.1)))  # ceil: about 1.1 chars per unit
        if wrapped > 1:
            ws.row_dimensions[row].height = 15 * wrapped
    ws.column_dimensions["A"].width = width
    ws["A1"].font = Font(name="Calibri", bold=True, size=14)
    ws.row_dimensions[1].height = 20


_BOLD_WIDTH = 0.85  # bold text takes about this much less per line


def fit_rows(ws: Worksheet, first: int, last: int) -> None:
    """Wrap the text of rows first..last and make each row tall enough for it: spreadsheet
    programs do not all grow a row for wrapped text by themselves. Dates and numbers sit at
    the top left of their cell, beside the text (at the right they run into the next column's
    text on paper). The first row may be a bold header."""
    # The rows as ws[r] gives them (columns 1 to the last used), but the last column found
    # once: ws[r] looks through every cell of the sheet for it, each row (quadratic).
    rows = ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=ws.max_column)
    wrapped = StyleMemo()
    widths: dict[str, float] = {}
    for r, row in enumerate(rows, start=first):
        lines = 1
        for cell in row:
            if cell.value is None or cell.value == "":
                continue
            if not isinstance(cell.value, str):  # a date or number: at the top, beside the text
                wrapped.apply(cell, "number", _wrap_text)
                continue
            letter = cell.column_letter
            width = widths.get(letter)
            if width is None:
                width = widths[letter] = ws.column_dimensions[letter].width or 8.43
            if r == first and cell.font is not None and cell.font.b:
                width *= _BOLD_WIDTH  # a bold header's letters are wider
            lines = max(lines, wrapped_lines(cell.value, width))
            wrapped.apply(cell, (), _wrap_text)
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines


def _wrap_text(cell: Cell) -> None:
    a = cell.alignment
    cell.alignment = Alignment(
        horizontal=a.horizontal or ("left" if not isinstance(cell.value, str) else None),
        vertical=a.vertical or "top",
        wrap_text=True,
    )


class StyleMemo:
    """Styles set on many cells of one workbook, worked out once per distinct case.

    Setting a font, fill or alignment makes openpyxl hash the style object against the
    workbook's list of styles, a hundred times dearer than the value. Cells that start with the
    same style and are given the same one end with the same style array, so the first cell of
    each case is styled in full (registering any new style in the same order as ever, so the
    bytes do not change) and the others copy its array.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[tuple[int, ...] | None, Hashable], StyleArray] = {}

    def apply(self, cell: Cell, case: Hashable, style: Callable[[Cell], None]) -> None:
        """Style `cell` as style(cell) would; `case` names everything `style` depends on
        besides the cell's own style so far."""
        now = cell._style  # None until a style is first set
        key = (tuple(now) if now is not None else None, case)
        done = self._done.get(key)
        if done is None:
            style(cell)
            self._done[key] = StyleArray(cell._style)
        else:
            cell._style = StyleArray(done)  # a copy: cells never share their array


def print_landscape(ws: Worksheet, header_row: int = 1, first_row: int | None = None) -> None:
    """Print landscape with rows first_row..header_row (the header row alone by default) on
    every page; workbook_bytes makes it A4, one page wide (print_on_a4)."""
    ws.print_title_rows = f"{first_row or header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"


# Column width units a landscape A4 table may take for its text to print at about 9 pt or more
# (fit to the page's width, with ctforms' margins). Measured in LibreOffice with DejaVu Sans,
# the widest common case (a unit prints wider there than in Excel with Calibri).
LANDSCAPE_WIDTH = 145
_PAPER_LETTER = 1  # SpreadsheetML's paperSize code of US Letter
_MOST_NEEDED = 20  # no column is kept wider than this for a single long word (an address)
_WORD_BREAKS = re.compile(r"\s+|(?<=-)")


def print_table(
    ws: Worksheet,
    header_row: int,
    last_row: int,
    *,
    first_row: int | None = None,
    width: float = LANDSCAPE_WIDTH,
) -> None:
    """Lay out the table of rows header_row..last_row to print readably on landscape A4, one
    page wide: columns narrowed (the widest first, no word broken) until they fit `width`,
    every row as tall as its wrapped text, a line of text above or below the table wrapped
    across it, and rows first_row..header_row (the header row alone by default) on every page."""
    fit_columns(ws, header_row, last_row, width)
    _spread_lines(ws, header_row, last_row)
    fit_rows(ws, header_row, last_row)
    print_landscape(ws, header_row, first_row)


def fit_columns(ws: Worksheet, header_row: int, last_row: int, width: float) -> None:
    """Narrow the widest columns, none below what its longest word (or a label beside a value
    above the table) needs, until all of them together fit `width` units or no more can go."""
    columns = range(1, ws.max_column + 1)
    letters = [get_column_letter(c) for c in columns]
    now = [ws.column_dimensions[x].width or 8.43 for x in letters]
    if sum(now) <= width:
        return
    need = [4.0] * len(now)
    for row in ws.iter_rows(min_row=1, max_row=max(last_row, header_row)):
        for cell in row:
            if cell.value is None or cell.value == "" or cell.column > len(need):
                continue
            c = cell.column - 1
            if cell.row < header_row:
                # Above the table only a label with a value beside it must fit whole; other
                # text runs on over the empty cells to its right.
                beside = ws._cells.get((cell.row, cell.column + 1))  # ws.cell() would make one
                if beside is None or beside.value in (None, "") or not isinstance(cell.value, str):
                    continue
                text = cell.value
            elif isinstance(cell.value, str):  # its longest word (a line may end at a hyphen)
                text = max(_WORD_BREAKS.split(cell.value), key=len)
            elif isinstance(cell.value, dt.date):
                text = "00/00/0000"
            else:
                text = str(cell.value)
            # A unit a character (bold: 1.1), and one to spare: what a narrow column holds of
            # a word unbroken in DejaVu Sans, measured in LibreOffice.
            bold = 1.1 if cell.font is not None and cell.font.b else 1
            needed = len(text) * bold + 1
            need[c] = max(need[c], min(needed, _MOST_NEEDED))
    low, high = 0.0, max(now)
    if sum(max(n, min(w, low)) for n, w in zip(need, now, strict=True)) > width:
        cap = low  # even at their narrowest they do not fit: as narrow as they go
    else:
        for _ in range(40):  # the widest cap that fits, by halving
            mid = (low + high) / 2
            if sum(max(n, min(w, mid)) for n, w in zip(need, now, strict=True)) <= width:
                low = mid
            else:
                high = mid
        cap = low
    for letter, n, w in zip(letters, need, now, strict=True):
        ws.column_dimensions[letter].width = round(max(n, min(w, cap)), 1)


def _spread_lines(ws: Worksheet, header_row: int, last_row: int) -> None:
    """A line of text alone in column A, above or below the table, wider than the table:
    wrapped across the table's columns (merged), its row as tall as its lines."""
    columns = ws.max_column
    total = sum(
        ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, columns + 1)
    )
    rows: dict[int, list[Cell]] = {}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if cell.value is not None and cell.value != "":
                rows.setdefault(cell.row, []).append(cell)
    merged = {r for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)}
    for r, cells in rows.items():
        if header_row <= r <= last_row or len(cells) != 1 or cells[0].column != 1:
            continue
        if r in merged:
            continue  # a template's own merged cells: laid out already (merges cannot overlap)
        cell = cells[0]
        if not isinstance(cell.value, str) or columns < 2:
            continue
        size = float(cell.font.sz or 11) if cell.font is not None else 11.0
        bold = _BOLD_WIDTH if cell.font is not None and cell.font.b else 1
        lines = wrapped_lines(cell.value, total * bold * 11 / size)
        if lines < 2:
            continue  # it runs on over the empty cells to its right
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = LINE_HEIGHT * size / 11 * lines


def print_on_a4(ws: Worksheet, *, edited: bool = False) -> None:
    """How every sheet ctforms writes prints: on A4 (a sheet that names no paper prints on US
    Letter), one page wide and as many pages long as it takes, within ctforms' margins, in
    the orientation the producer chose (portrait unless print_landscape). workbook_bytes
    calls it on every sheet, so no producer can forget it.

    In a workbook someone else made (`edited`) only what is not chosen yet is set: A4 when no
    paper is named or US Letter (a program's default, never a UK school's choice), one page
    wide when the sheet has no scale or fit of its own."""
    setup = ws.page_setup
    fitted = ws.sheet_properties.pageSetUpPr
    if edited:
        if setup.paperSize in (None, _PAPER_LETTER):
            setup.paperSize = PAPER_A4
        if setup.scale is None and not (fitted is not None and fitted.fitToPage):
            _fit_to_width(ws)
        return
    setup.paperSize = PAPER_A4
    _fit_to_width(ws)
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)


def _fit_to_width(ws: Worksheet) -> None:
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages long as the rows take
    if ws.sheet_properties.pageSetUpPr is None:  # a sheet read from a file may have none
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def style_header(ws: Worksheet, row: int = 1) -> None:
    """Bold, shaded, wrapped header cells (those with a value) in `row`."""
    for cell in ws[row]:
        if cell.value is not None:
            # Named: a font with no name prints in LibreOffice's default, a wide serif.
            cell.font = Font(name="Calibri", bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def autosize(
    ws: Worksheet, min_width: int = 8, max_width: int = 60, columns: Iterable[int] | None = None
) -> None:
    """Column widths from the longest line in each column, within [min_width, max_width];
    columns: only these (1-based), when the others' widths are set anyway."""
    widths: dict[int, int] = {}
    if columns is None:
        cells: Iterable[Cell] = (cell for row in ws.iter_rows() for cell in row)
    else:
        wanted = set(columns)
        cells = (cell for (_, column), cell in ws._cells.items() if column in wanted)
    for cell in cells:
        if cell.value is None:
            continue
        text = (
            cell.value.strftime("%d/%m/%Y") if isinstance(cell.value, dt.date) else str(cell.value)
        )
        longest = max((len(line) for line in text.split("\n")), default=0)
        widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = max(
            min_width, min(max_width, width + 2)
        )


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _core_dates(stamp: dt.datetime, only_modified: bool = False) -> Callable[[str, bytes], bytes]:
    """Set core.xml's dates to `stamp` (only its 'modified' with only_modified), whatever
    openpyxl wrote there."""
    core_date = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def stamped(match: re.Match[bytes]) -> bytes:
        if only_modified and match[2] != b"modified":
            return match[0]
        return match[1] + core_date + match[3]

    def rewrite(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return content
        return _CORE_DATE.sub(stamped, content)

    return rewrite


def workbook_bytes(wb: Workbook, timestamp: dt.datetime, *, edited: bool = False) -> bytes:
    """The .xlsx bytes of `wb`; the same content and timestamp always give the same bytes.

    Sets wb's document properties: created, modified, creator and last modified by; for a
    workbook someone else made that ctforms `edited`, only modified and last modified by.
    Every sheet prints on A4 (print_on_a4).
    """
    for ws in wb.worksheets:
        print_on_a4(ws, edited=edited)
    stamp = zip_time(timestamp)
    if not edited:
        wb.properties.created = stamp
        wb.properties.creator = "ctforms"
    wb.properties.modified = stamp
    wb.properties.lastModifiedBy = "ctforms"
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() / wb.save() stamp 'modified' with the clock.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return normalise_zip(raw.getvalue(), stamp, _core_dates(stamp, only_modified=edited))
