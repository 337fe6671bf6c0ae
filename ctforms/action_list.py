"""The register as an action list a head of department can filter (one row per issue)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ctforms.models import Issue, Register
from ctforms.xlsxio import (
    DATE_FORMAT,
    autosize,
    print_landscape,
    put,
    style_header,
    workbook_bytes,
)

COLUMNS = [
    "Issue ID",
    "Severity",
    "Kind",
    "Handled",
    "Candidate Number",
    "Surname",
    "Forenames",
    "Qualification Code",
    "Qualification Title",
    "Unit Number",
    "Unit Title",
    "Summary",
    "Action",
    "Remedy",
    "Deadline",
    "Overdue",
    "What was done",
    "OCR Reference",
]
# Long free text: a fixed width and wrapped, rather than one very wide line.
_WRAP = {"Qualification Title", "Unit Title", "Summary", "Action", "Remedy", "What was done"}
_WRAP_WIDTH = 45


def _row(issue: Issue) -> list[object]:
    cand = issue.candidate
    done = issue.handled_by
    return [
        issue.id,
        issue.severity.value,
        issue.kind.value,
        "Y" if issue.handled else "N",
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
        issue.deadline,
        # Same rule as the report and pack: a handled issue is no longer overdue.
        "Y" if issue.overdue and not issue.handled else "N",
        done.action_taken if done else "",
        done.ocr_reference if done else "",
    ]


def action_list_bytes(register: Register) -> bytes:
    """The action list .xlsx: sheet "Actions" (one row per issue, filterable) and "About".

    Every text goes in as text (never a formula); the bytes depend only on the register.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Actions"
    for col, title in enumerate(COLUMNS, start=1):
        put(ws, 1, col, title)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, issue in enumerate(register.issues, start=2):
        for col, value in enumerate(_row(issue), start=1):
            cell = put(ws, r, col, value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if COLUMNS[col - 1] in _WRAP:
                cell.alignment = wrap
    style_header(ws)
    ws.freeze_panes = "A2"
    last_column = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last_column}{len(register.issues) + 1}"
    autosize(ws, max_width=50)
    for col, title in enumerate(COLUMNS, start=1):
        if title in _WRAP:
            ws.column_dimensions[get_column_letter(col)].width = _WRAP_WIDTH
    print_landscape(ws)

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
    ]
    if register.series.assumed:
        rows.append(("Dates assumed (check OCR's timeline)", ", ".join(register.series.assumed)))
    for r, (label, value) in enumerate(rows, start=1):
        put(about, r, 1, label).font = Font(bold=True)
        cell = put(about, r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")
        elif isinstance(value, str):
            cell.alignment = wrap
    autosize(about, max_width=80)
    as_of = register.as_of
    return workbook_bytes(wb, dt.datetime(as_of.year, as_of.month, as_of.day))
