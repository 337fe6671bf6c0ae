"""The blank centre records workbook (records.xlsx) that teachers fill in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ctforms.records import SHEETS
from ctforms.xlsxio import autosize, put, style_header, workbook_bytes

ROWS = 2000  # drop-downs cover this many data rows
GRADES = ["D", "M", "P", "R", "U", "N"]
VISIT_STATUSES = ["Scheduled", "Completed", "Cancelled"]

PURPOSE = {
    "Expected": "Every student expecting a result this summer, and for which qualification (Y),"
    " or entered but not expecting one (N).",
    "Visits": "Each moderation visit per qualification: moderator, date, status, and when the"
    " claim went in.",
    "Claims": "What was claimed in Interchange for each student and unit, with the grade.",
    "Markbook": "The final grade in your markbook for each moderated unit.",
    "TAGs": "Mid-flight teacher assessed grades (assessment planned 1 Aug 2020 - 31 Aug 2021).",
    "RIA": "Reduction in assessment requests (2021/22) you made, per unit.",
    "Actions": "What you did about an issue. Paste the Issue ID from ctforms' report; the issue"
    " then shows as handled.",
}

INSTRUCTIONS = [
    "ctforms centre records",
    "",
    "Fill in the sheets you have records for. Every sheet is optional: a check that needs a"
    " missing sheet reports 'cannot verify' instead of passing.",
    "Keep the header row (row 1) of each sheet as it is; add one row per record below it.",
    "Dates: a real Excel date, or text as DD/MM/YYYY (e.g. 20/06/2024).",
    "Candidate numbers are 4 digits and qualification codes 5 digits; the columns are text so"
    " leading zeros stay.",
    "Grades: D, M, P, R (near pass), U, N.",
    "",
]


def records_template_bytes(
    qualification_codes: Sequence[tuple[str, str]], timestamp: dt.datetime
) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    lines = [*INSTRUCTIONS, *(f"{name}: {text}" for name, text in PURPOSE.items())]
    for i, line in enumerate(lines, start=1):
        put(info, i, 1, line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 110

    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"
    for i, (code, title) in enumerate(qualification_codes, start=1):
        put(lists, i, 1, code)
        put(lists, i, 2, title)
    code_range = f"Lists!$A$1:$A${max(1, len(qualification_codes))}"

    for sheet, (_model, _attr, columns) in SHEETS.items():
        ws = wb.create_sheet(sheet)
        for col, (title, field, _parse, _required) in enumerate(columns, start=1):
            put(ws, 1, col, title)
            letter = get_column_letter(col)
            cells = f"{letter}2:{letter}{ROWS + 1}"
            if field in {"candidate_number", "qualification_code", "issue_id"}:
                for row in range(2, 52):  # text format so Excel keeps leading zeros
                    ws.cell(row=row, column=col).number_format = "@"
            if field in {
                "visit_date",
                "claim_submitted_on",
                "planned_assessment_date",
                "requested_on",
                "date",
            }:
                for row in range(2, 52):
                    ws.cell(row=row, column=col).number_format = "DD/MM/YYYY"
            formula = None
            if field == "qualification_code":
                formula = code_range  # stored without "=" as in Excel's own XML
            elif field in {"grade_claimed", "final_grade", "tag_grade"}:
                formula = '"' + ",".join(GRADES) + '"'
            elif field == "certificating":
                formula = '"Y,N"'
            elif field == "visit_status":
                formula = '"' + ",".join(VISIT_STATUSES) + '"'
            if formula:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True)
                dv.error = f"Choose a value from the list for {title}."
                dv.errorTitle = title
                dv.add(cells)
                ws.add_data_validation(dv)
        style_header(ws)
        ws.freeze_panes = "A2"
        autosize(ws, min_width=14)
    wb.move_sheet("Lists", offset=len(wb.sheetnames))
    return workbook_bytes(wb, timestamp)
