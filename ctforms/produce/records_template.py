"""The blank centre records workbook (records.xlsx) that teachers fill in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ctforms.files.output import write_bytes
from ctforms.files.reproducible import TEMPLATE_TIME
from ctforms.files.xlsxio import (
    DATE_FORMAT,
    TEXT_FORMAT,
    autosize,
    print_landscape,
    put,
    style_header,
    text_lines,
    workbook_bytes,
)
from ctforms.models import Grade, VisitStatus
from ctforms.read.parsing import parse_date
from ctforms.read.records import SHEETS  # the reader's sheet names and headers: one contract

LAST_ROW = 2000  # drop-downs cover rows 2..LAST_ROW
LISTS = "Lists"
GRADES = [g.value for g in Grade]
VISIT_STATUSES = [s.value for s in VisitStatus]
# Planned Completion's drop-down: written as the Progress Tracker writes ECDs. A fixed span, so
# the template is the same file every year; any season and year is accepted (a warning only).
COMPLETIONS = [f"Summer {year}" for year in range(2024, 2036)]

# Fields whose column is text so Excel keeps leading zeros ("0123", "05839").
_TEXT_FIELDS = {
    "candidate_number",
    "qualification_code",
    "issue_id",
    "ocr_reference",
    "file",
    "changes",
    "confirmed_by",
    "note",
}

PURPOSE = {
    "Expected": "Every student expecting a result this summer, and for which qualification (Y),"
    " or entered but not expecting one (N). For the term-time checkpoint (estimated completion"
    " dates) add, where you know them, Course Start (the date the course began) and Planned"
    " Completion (when the student will finish, as the Progress Tracker writes it: 'Summer"
    " 2025'); Y alone means this summer. Example: 0012, 05839, N, 04/09/2023, Summer 2025.",
    "Visits": "Each moderation visit per qualification: moderator, date, status (Scheduled,"
    " Completed or Cancelled), and when the claim went in.",
    "Claims": "What was claimed in Interchange for each student and unit, with the grade.",
    "Markbook": "The final grade in your markbook for each moderated unit.",
    "TAGs": "Mid-flight teacher assessed grades (assessment planned 1 Aug 2020 - 31 Aug 2021).",
    "RIA": "Reduction in assessment requests (2021/22) you made, per unit.",
    "Entry Decisions": "Your decision on an entry change (a move-down ctforms found possible,"
    " or the top-up or move-down a wrong-size entry calls for): the candidate, the code to move"
    " them to, Y to make the change or N to keep the entry, and who decided. A proposed"
    " move-down goes into the EDI entries file only when marked Y, and a change marked N stays"
    " out. A change marked Y answers the issues it resolves: they show as decided, no longer"
    " blocking. (The Decisions page of ctforms in your browser writes this sheet for you.)",
    "Actions": "What you did about an issue. The Issue ID is the one the issue has in the"
    " results (issues.txt, the action list actions.xlsx, the evidence pack); the issue then"
    " shows as handled. (The Decisions page writes this sheet for you.)",
    "Entries Sent": "Each entries file you uploaded to OCR: its name (e.g. E6439572.X01), the"
    " day you sent it and who sent it. The next check then names its file after it (an"
    " amendment file, e.g. A6439572.X02) and leaves out the changes already sent. Changes is"
    " what the file carried ('0012: 05839 -> 05838; ...'): 'ctforms records sent' with the"
    " file, or 'I have uploaded this file' on the Files page, fills it in for you; left empty,"
    " the check looks for the file in its output folder.",
    "ECD Confirmed": "What a teacher confirmed of a student's estimated completion date (ECD) in"
    " the Progress Tracker: Y when it is right, N when it is not, who confirmed it, a note and"
    " the day. 'ctforms records confirmations' (or the Decisions page) fills it in from the"
    " workbook a term-time check makes for each subject, once its head of department returns"
    " it; until a teacher has confirmed a student's ECD, the term-time check warns"
    " (ecd-not-confirmed).",
}

INSTRUCTIONS = [
    "ctforms centre records",
    "",
    "Fill in the sheets you have records for. Every sheet is optional: a check that needs a"
    " missing or empty sheet reports 'cannot verify' instead of passing.",
    "Keep the header row (row 1) of each sheet as it is; add one row per record below it.",
    "Dates: a real Excel date, or text as DD/MM/YYYY (e.g. 20/06/2024).",
    "Candidate numbers are 4 digits and qualification codes 5 digits (e.g. 05839); those columns"
    " are text so leading zeros stay.",
    "Grades: D, M, P, R (near pass), U, N.",
    "",
    "What each sheet is for:",
]


def _validation(
    ws: Worksheet, column: int, title: str, formula: str, *, strict: bool = True
) -> None:
    letter = get_column_letter(column)
    # showDropDown=False *shows* the arrow (the XML attribute means "suppress"); openpyxl's
    # default showErrorMessage=False would let any value through silently.
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=title,
        error=f"Choose a value from the list for {title}.",
    )
    dv.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.add_data_validation(dv)


def _instructions(wb: Workbook, codes: Sequence[tuple[str, str]]) -> None:
    ws = wb.active
    ws.title = "Instructions"
    lines = [*INSTRUCTIONS, *(f"{name}: {text}" for name, text in PURPOSE.items())]
    if codes:
        lines += ["", "Qualification codes in the drop-downs:"]
        lines += [f"{code}  {title}" for code, title in codes]
    text_lines(ws, lines)


def add_sheet(
    wb: Workbook, sheet: str, code_range: str | None = None, index: int | None = None
) -> Worksheet:
    """One record sheet as the template has it: the reader's headers in row 1, text and date
    columns, drop-downs (qualification codes from code_range, when given)."""
    _model, _attr, columns = SHEETS[sheet]
    ws = wb.create_sheet(sheet, index)
    for col, (title, field, parse, _required) in enumerate(columns, start=1):
        put(ws, 1, col, title)
        # A column style, not styled empty cells: Excel applies it to whatever is typed in
        # any row, and the sheet stays one row long for the reader.
        dim = ws.column_dimensions[get_column_letter(col)]
        if field in _TEXT_FIELDS:
            dim.number_format = TEXT_FORMAT
        elif parse is parse_date:  # the columns the reader reads as dates
            dim.number_format = DATE_FORMAT
        if field == "qualification_code" and code_range:
            # Only a warning: a centre may have a qualification the catalogue lacks.
            _validation(ws, col, title, code_range, strict=False)
        elif field in {"grade_claimed", "final_grade", "tag_grade"}:
            _validation(ws, col, title, '"' + ",".join(GRADES) + '"')
        elif field in {"certificating", "make_change", "confirmed"}:
            _validation(ws, col, title, '"Y,N"')
        elif field == "visit_status":
            _validation(ws, col, title, '"' + ",".join(VISIT_STATUSES) + '"')
        elif field == "planned_completion":
            # Only a warning: 'Spring 2025' or a later summer is a plan too.
            _validation(ws, col, title, '"' + ",".join(COMPLETIONS) + '"', strict=False)
    style_header(ws)
    ws.freeze_panes = "A2"
    autosize(ws, min_width=14)
    print_landscape(ws)  # the header row on every printed page
    return ws


def records_template_bytes(
    qualification_codes: Sequence[tuple[str, str]], timestamp: dt.datetime
) -> bytes:
    """The blank records.xlsx: Instructions, one sheet per record kind, hidden Lists last.

    qualification_codes: (entry code, title) pairs for the qualification-code drop-downs.
    """
    wb = Workbook()
    _instructions(wb, qualification_codes)

    # A list validation's inline values are capped at 255 characters, so the codes live on a
    # hidden sheet (made last) and the drop-downs refer to that range.
    code_range = f"{LISTS}!$A$1:$A${len(qualification_codes)}"

    for sheet in SHEETS:
        add_sheet(wb, sheet, code_range if qualification_codes else None)
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    for row, (code, title) in enumerate(qualification_codes, start=1):
        put(lists, row, 1, code)
        put(lists, row, 2, title)
    return workbook_bytes(wb, timestamp)


def blank_records_bytes(qualification_codes: Sequence[tuple[str, str]]) -> bytes:
    """The blank records.xlsx as `ctforms records template` and `init` write it: the same
    bytes every time."""
    return records_template_bytes(qualification_codes, TEMPLATE_TIME)


def write_records_template(
    path: Path,
    qualification_codes: Sequence[tuple[str, str]],
    timestamp: dt.datetime,
    force: bool = False,
) -> None:
    """Write the blank records workbook to `path` atomically; an existing file only if force."""
    write_bytes(path, records_template_bytes(qualification_codes, timestamp), force=force)
