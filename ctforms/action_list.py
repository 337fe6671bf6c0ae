"""The register as an action list a head of department can filter (one row per issue)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment

from ctforms.models import Register
from ctforms.xlsxio import autosize, put, style_header, workbook_bytes

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
_WRAP = {"Summary", "Action", "Remedy", "What was done"}


def action_list_bytes(register: Register) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Actions"
    for col, title in enumerate(COLUMNS, start=1):
        put(ws, 1, col, title)
    for r, issue in enumerate(register.issues, start=2):
        cand = issue.candidate
        done = issue.handled_by
        values: list[object] = [
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
            "Y" if issue.overdue and not issue.handled else "N",
            done.action_taken if done else "",
            done.ocr_reference if done else "",
        ]
        for col, value in enumerate(values, start=1):
            cell = put(ws, r, col, value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            if COLUMNS[col - 1] in _WRAP:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    style_header(ws)
    ws.freeze_panes = "A2"
    last = max(1, len(register.issues) + 1)
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(COLUMNS)).column_letter}{last}"
    autosize(ws, max_width=50)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"

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
        ("Made by", f"ctforms {register.tool_version} (ctforms check): one row per issue."),
    ]
    if register.series.assumed:
        rows.append(("Dates assumed", ", ".join(register.series.assumed)))
    for r, (label, value) in enumerate(rows, start=1):
        put(about, r, 1, label)
        cell = put(about, r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "DD/MM/YYYY"
    autosize(about, max_width=80)
    as_of = register.as_of
    return workbook_bytes(wb, dt.datetime(as_of.year, as_of.month, as_of.day))
