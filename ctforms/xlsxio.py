"""Writing workbooks safely and reproducibly: user text never becomes a formula, and the same
content saved at any time gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ctforms.reproducible import normalise_zip

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\t\r\n]+")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def safe_text(value: str) -> str:
    """Control characters removed; tabs and line breaks become one space."""
    return _CONTROL.sub("", _BREAKS.sub(" ", value))


def put(ws: Any, row: int, column: int, value: object) -> Any:
    """Set a cell. Text is always stored as text, even '=SUM(A1)' or '+44…' (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def style_header(ws: Any, row: int = 1) -> None:
    for cell in ws[row]:
        if cell.value is not None:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def autosize(ws: Any, min_width: int = 8, max_width: int = 60) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = (
                cell.value.strftime("%d/%m/%Y")
                if isinstance(cell.value, dt.date)
                else str(cell.value)
            )
            longest = max((len(line) for line in text.split("\n")), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = max(
            min_width, min(max_width, width + 2)
        )


def workbook_bytes(wb: Workbook, timestamp: dt.datetime) -> bytes:
    """Save deterministically: fixed document properties and zip entry times."""
    stamp = max(timestamp.replace(tzinfo=None), dt.datetime(1980, 1, 1))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "ctforms"
    wb.properties.lastModifiedBy = "ctforms"
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() stamps 'modified' with the clock.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return normalise_zip(raw.getvalue(), stamp)
