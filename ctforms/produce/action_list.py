"""The register as an action list a head of department can filter (one row per issue)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ctforms.checks.urgency import by_urgency, is_overdue
from ctforms.files.fast import without_gc
from ctforms.files.xlsxio import (
    DATE_FORMAT,
    LINE_HEIGHT,
    StyleMemo,
    autosize,
    print_landscape,
    put,
    style_header,
    workbook_bytes,
    wrapped_lines,
)
from ctforms.models import Issue, Register, Severity
from ctforms.read.centre import assumed_dates

# Person-readable columns first: when and how bad, who, what, what to do, what was done; the
# Issue ID (to paste into the Actions sheet) last. Widths fit a landscape page when printed.
COLUMN_WIDTHS = {
    "Severity": 9,
    "Deadline": 11,
    "Overdue": 8,
    "Candidate Number": 10,
    "Surname": 11,
    "Forenames": 11,
    "Qualification Code": 12,
    "Qualification Title": 14,
    "Unit Number": 8,
    "Unit Title": 13,
    "Summary": 20,
    "Action": 32,
    "Remedy": 16,
    "Handled": 8,
    "What was done": 13,
    "OCR Reference": 10,
    "Kind": 12,
    "Issue ID": 0,  # as wide as the longest id: an id is never wrapped
}
COLUMNS = list(COLUMN_WIDTHS)
# Long free text, wrapped in its column rather than one very wide line.
_WRAP = {
    "Candidate Number",
    "Surname",
    "Forenames",
    "Qualification Title",
    "Unit Title",
    "Summary",
    "Action",
    "Remedy",
    "What was done",
    "Kind",
}
# Light fills that still tell apart on a greyscale printer: overdue darker than blocking.
BLOCKING_FILL = PatternFill("solid", fgColor="FCE4E4")
OVERDUE_FILL = PatternFill("solid", fgColor="F4B6B6")
_OVERDUE_LABEL = "Rows in dark pink"
_BLOCKING_LABEL = "Rows in light pink"
_ABOUT_WIDTH = 70
_LINE_HEIGHT = LINE_HEIGHT


def _row(issue: Issue) -> list[object]:
    cand = issue.candidate
    done = issue.handled_by
    return [
        issue.severity.value,
        issue.deadline,
        # Same rule as the report and pack: a handled issue is no longer overdue.
        "Y" if is_overdue(issue) else "N",
        issue.candidate_number or "",
        cand.surname if cand else "",
        cand.forenames if cand else "",
        issue.qualification_code or "",
        issue.qualification_title,
        issue.unit_number,
        issue.unit_title,
        issue.summary,
        issue.action,
        issue.remedy,
        "Y" if issue.handled else "N",
        done.action_taken if done else "",
        done.ocr_reference if done else "",
        issue.kind.value,
        issue.id,
    ]


def _lines(text: str, width: int) -> int:
    return wrapped_lines(text, width)


def _fill(issue: Issue) -> PatternFill | None:
    if is_overdue(issue):
        return OVERDUE_FILL
    if issue.severity is Severity.BLOCKING and not issue.handled:
        return BLOCKING_FILL
    return None


def _style(cell: Cell, *, date: bool, alignment: Alignment, fill: PatternFill | None) -> None:
    if date:
        cell.number_format = DATE_FORMAT
    cell.alignment = alignment
    if fill is not None:
        cell.fill = fill


@without_gc
def action_list_bytes(register: Register) -> bytes:
    """The action list .xlsx: sheet "Actions" (one row per issue, most urgent first,
    filterable) and "About" (what the list is, what the colours mean).

    Every text goes in as text (never a formula); the bytes depend only on the register.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Actions"
    for col, title in enumerate(COLUMNS, start=1):
        put(ws, 1, col, title)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    styles = StyleMemo()
    for r, issue in enumerate(by_urgency(register.issues), start=2):
        fill = _fill(issue)
        lines = 1
        for col, value in enumerate(_row(issue), start=1):
            title = COLUMNS[col - 1]
            cell = put(ws, r, col, value)
            is_date = isinstance(value, dt.date)
            wrapped = title in _WRAP
            styles.apply(
                cell,
                (is_date, wrapped, id(fill)),
                partial(_style, date=is_date, alignment=wrap if wrapped else top, fill=fill),
            )
            if wrapped and isinstance(value, str):
                lines = max(lines, _lines(value, COLUMN_WIDTHS[title]))
        # Spreadsheet programs do not all grow a row for wrapped text: say how tall it is.
        if lines > 1:
            ws.row_dimensions[r].height = _LINE_HEIGHT * lines
    style_header(ws)
    for cell in ws[1]:  # a named font: with none, LibreOffice falls back to a serif one
        cell.font = Font(name="Calibri", size=11, bold=True)
    ws.row_dimensions[1].height = _LINE_HEIGHT * max(
        _lines(title, width) for title, width in COLUMN_WIDTHS.items() if width
    )
    ws.freeze_panes = "A2"
    last_column = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last_column}{len(register.issues) + 1}"
    # Only the Issue ID column (width 0 above) takes its width from its text.
    sized = [col for col, width in enumerate(COLUMN_WIDTHS.values(), start=1) if not width]
    autosize(ws, max_width=50, columns=sized)
    for col, width in enumerate(COLUMN_WIDTHS.values(), start=1):
        if width:
            ws.column_dimensions[get_column_letter(col)].width = width
    print_landscape(ws)
    ws.page_margins.left = ws.page_margins.right = 0.3  # inches: more room for the text
    ws.oddFooter.left.text = f"{register.centre.name} ({register.centre.number}): action list"
    ws.oddFooter.right.text = "Page &P of &N"

    about = wb.create_sheet("About")
    s = register.summary
    rows: list[tuple[str, object]] = [
        ("Centre", f"{register.centre.name} ({register.centre.number})"),
        ("Results series", f"Summer {register.series.year}"),
        ("Checked as of", register.as_of),
        ("Students checked", s.students_checked),
        ("Students at risk", s.students_at_risk),
        ("Issues", s.issues),
        ("Blocking, not handled", s.blocking_unhandled),
        *((f"Issues: {name}", count) for name, count in s.by_severity.items()),
        *((f"Issues: {name}", count) for name, count in s.by_kind.items()),
        (
            "About this list",
            f"Made by ctforms check ({register.tool} {register.tool_version}) from the issue"
            " register: one row per issue. Record what you did in the Actions sheet of"
            " records.xlsx, using the Issue ID, and run ctforms check again.",
        ),
        (
            "Order",
            "Most urgent first: blocking issues not handled (overdue first, then by deadline),"
            " then warnings not handled (by deadline), then information, then the issues"
            " handled. Sort or filter by any column; the header row has filters.",
        ),
        (_OVERDUE_LABEL, "Overdue: the deadline has passed and nothing is recorded as done."),
        (_BLOCKING_LABEL, "Blocking, not handled: no result on results day unless put right."),
        ("Rows with no colour", "A warning or information not yet overdue, or an issue handled."),
    ]
    if register.series.assumed:
        rows.append(("Dates assumed (check OCR's timeline)", assumed_dates(register.series)))
    legend = {_OVERDUE_LABEL: OVERDUE_FILL, _BLOCKING_LABEL: BLOCKING_FILL}
    for r, (label, value) in enumerate(rows, start=1):
        put(about, r, 1, label).font = Font(bold=True)
        cell = put(about, r, 2, value)
        if label in legend:
            about.cell(row=r, column=1).fill = cell.fill = legend[label]
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")
        elif isinstance(value, str):
            cell.alignment = wrap
            if (lines := _lines(value, _ABOUT_WIDTH)) > 1:
                about.row_dimensions[r].height = _LINE_HEIGHT * lines
    about.column_dimensions["A"].width = max(len(label) for label, _ in rows) + 2
    about.column_dimensions["B"].width = _ABOUT_WIDTH
    about.page_setup.fitToWidth = 1  # both columns on one page wide
    about.page_setup.fitToHeight = 0
    about.sheet_properties.pageSetUpPr.fitToPage = True
    as_of = register.as_of
    return workbook_bytes(wb, dt.datetime(as_of.year, as_of.month, as_of.day))
