"""One workbook per subject, for its head of department and teachers: the part of the check
that is theirs to do, printable on A4.

Checkpoint 2: the subject's open issues, most urgent first, with what the department must do
(markbook, claims, TAGs: the issues' actions). Term-time: the subject's students with the
Tracker's estimated completion date (ECD) and the centre's plan, and the columns a teacher
fills in (Confirmed (Y/N), Confirmed By, Note) for `ctforms records confirmations` to read
back. A hidden sheet stamps the centre, checkpoint, subject and the check's date, so a
returned workbook is known to be one of this centre's (ctforms.read.department)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, is_overdue
from ctforms.files.xlsxio import (
    DATE_FORMAT,
    TEXT_FORMAT,
    print_table,
    put,
    style_header,
    workbook_bytes,
)
from ctforms.models import Register
from ctforms.read.catalogue import Catalogue
from ctforms.read.department import (
    CANDIDATE,
    CHECKPOINT_2,
    CONFIRMED,
    CONFIRMED_BY,
    ISSUES_SHEET,
    MADE_BY,
    NOTE,
    QUALIFICATION,
    STAMP_AS_OF,
    STAMP_CENTRE,
    STAMP_CHECKPOINT,
    STAMP_MADE_BY,
    STAMP_SHEET,
    STAMP_SUBJECT,
    STUDENTS_SHEET,
    TERM_TIME,
    department_file_name,
    subject_file_part,
    subject_name,
)

HEADER_ROW = 3  # a title and a line on what to do stand above the table
# Light fills a greyscale printer still tells apart (as the action list's).
OVERDUE_FILL = PatternFill("solid", fgColor="F4B6B6")
BLOCKING_FILL = PatternFill("solid", fgColor="FCE4E4")
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells a teacher fills in

ISSUE_COLUMNS = {
    "Severity": 10,
    "Deadline": 10,
    CANDIDATE: 11,
    "Surname": 12,
    "Forenames": 11,
    QUALIFICATION: 15,
    "Unit": 5,
    "What is wrong": 25,
    "What the department must do": 30,
    "Issue ID": 16,
}
STUDENT_COLUMNS = {  # 145 units: landscape A4 at 9 pt or more (xlsxio.LANDSCAPE_WIDTH)
    CANDIDATE: 11,  # a bold header's longest word whole
    "Surname": 12,
    "Forenames": 11,
    QUALIFICATION: 15,
    "Qualification Title": 22,
    "ECD in the Tracker": 12,
    "Planned Completion": 12,
    "Course Start": 9,
    CONFIRMED: 11,
    CONFIRMED_BY: 13,
    NOTE: 17,
}
LAST_ROW = 2000  # the drop-downs reach this far (a subject never has more students)


@dataclass
class SubjectGroup:
    """A subject's qualifications in this check: its name (the catalogue's, or the
    qualification's title when the catalogue does not know it) and file-name form."""

    name: str
    part: str
    codes: set[str] = field(default_factory=set)


def subjects(register: Register, catalogue: Catalogue) -> list[SubjectGroup]:
    """The subjects of the register's students (and of its issues), by file-name form: a
    subject offered at two levels is one department, so one list."""
    titles: dict[str, str] = {}
    for s in register.students:
        titles.setdefault(s.qualification_code, s.qualification_title)
        if s.registered_code:
            titles.setdefault(s.registered_code, "")
    for i in register.issues:
        if i.qualification_code:
            titles.setdefault(i.qualification_code, i.qualification_title)
    groups: dict[str, SubjectGroup] = {}
    for code, title in sorted(titles.items()):
        entry = catalogue.get(code)
        name = subject_name(entry.subject.name if entry else None, title, code)
        part = subject_file_part(name)
        groups.setdefault(part, SubjectGroup(name, part)).codes.add(code)
    return [groups[p] for p in sorted(groups)]


def department_workbooks(
    register: Register, catalogue: Catalogue, checkpoint: str = CHECKPOINT_2
) -> dict[str, bytes]:
    """{file name: .xlsx bytes}, one per subject; the bytes depend only on the register."""
    as_of = register.as_of
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    made: dict[str, bytes] = {}
    for group in subjects(register, catalogue):
        wb = Workbook()
        ws = wb.active
        if checkpoint == TERM_TIME:
            _students(ws, register, group)
        else:
            _issues(ws, register, group)
        _stamp(wb, register, group, checkpoint)
        name = department_file_name(register.centre.number, group.part, checkpoint)
        made[name] = workbook_bytes(wb, stamp)
    return made


def _title(ws: Worksheet, register: Register, group: SubjectGroup, what: str, how: str) -> None:
    centre = f"{register.centre.name} ({register.centre.number})"
    put(ws, 1, 1, f"{group.name}: {what}").font = Font(name="Calibri", bold=True, size=13)
    put(ws, 2, 1, f"{centre}, checked as of {register.as_of:%d/%m/%Y}. {how}")
    ws.oddFooter.center.text = f"{centre}: {group.name}, page &P of &N"


def _header(ws: Worksheet, columns: dict[str, int]) -> None:
    for col, (title, width) in enumerate(columns.items(), start=1):
        put(ws, HEADER_ROW, col, title)
        ws.column_dimensions[get_column_letter(col)].width = width
    style_header(ws, HEADER_ROW)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate


def _issues(ws: Worksheet, register: Register, group: SubjectGroup) -> None:
    ws.title = ISSUES_SHEET
    issues = by_urgency(
        i for i in register.issues if i.qualification_code in group.codes and not i.handled
    )
    how = (
        "The subject's open issues, most urgent first, with what the department must do"
        " (markbook, claims, TAGs). Rows in dark pink are overdue, in light pink blocking: no"
        " result on results day unless put right. Tell the exams officer what was done, with"
        " the Issue ID."
        if issues
        else "No open issues for this subject: nothing for the department to do."
    )
    _title(ws, register, group, "what the department must do for Checkpoint 2", how)
    _header(ws, ISSUE_COLUMNS)
    row = HEADER_ROW
    for issue in issues:
        row += 1
        cand = issue.candidate
        values: list[object] = [
            issue.severity.value,
            issue.deadline,
            issue.candidate_number or "all students",
            cand.surname if cand else "",
            cand.forenames if cand else "",
            issue.qualification_code or "",
            issue.unit_number,
            f"{kind_label(issue.kind)}: {issue.summary}",
            issue.action,
            issue.id,
        ]
        fill = (
            OVERDUE_FILL
            if is_overdue(issue)
            else BLOCKING_FILL
            if issue.severity.value == "blocking"
            else None
        )
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if fill is not None:
                cell.fill = fill
    print_table(ws, HEADER_ROW, row, first_row=HEADER_ROW)


def _students(ws: Worksheet, register: Register, group: SubjectGroup) -> None:
    ws.title = STUDENTS_SHEET
    students = sorted(
        (s for s in register.students if s.qualification_code in group.codes),
        key=lambda s: (
            s.qualification_code,
            s.surname.casefold(),
            s.forenames.casefold(),
            s.candidate_number,
        ),
    )
    how = (
        "Check each student's estimated completion date (ECD) in the Progress Tracker against"
        " when they will really finish. Put Y in Confirmed (Y/N) when it is right, N when it is"
        " not (say when they will finish in the Note), and your name in Confirmed By; then"
        " return this workbook to the exams officer as it is."
    )
    _title(ws, register, group, "estimated completion dates to confirm", how)
    _header(ws, STUDENT_COLUMNS)
    titles = list(STUDENT_COLUMNS)
    answer_cols = [titles.index(t) + 1 for t in (CONFIRMED, CONFIRMED_BY, NOTE)]
    row = HEADER_ROW
    for s in students:
        row += 1
        values: list[object] = [
            s.candidate_number,
            s.surname,
            s.forenames,
            s.qualification_code,
            s.qualification_title,
            s.estimated_completion or "",
            s.planned_completion or "",
            s.course_start,
        ]
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
        for col in answer_cols:
            cell = ws.cell(row=row, column=col)
            cell.fill = ANSWER_FILL
            cell.number_format = TEXT_FORMAT
    last = max(row, HEADER_ROW + 1)
    confirmed = get_column_letter(answer_cols[0])
    dv = DataValidation(
        type="list",
        formula1='"Y,N"',
        allow_blank=True,
        showDropDown=False,  # the XML attribute means "hide the arrow"
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=CONFIRMED,
        error="Put Y if the estimated completion date is right, N if it is not.",
    )
    dv.add(f"{confirmed}{HEADER_ROW + 1}:{confirmed}{min(LAST_ROW, last)}")
    ws.add_data_validation(dv)
    print_table(ws, HEADER_ROW, row, first_row=HEADER_ROW)


def _stamp(wb: Workbook, register: Register, group: SubjectGroup, checkpoint: str) -> None:
    ws = wb.create_sheet(STAMP_SHEET)
    ws.sheet_state = "hidden"
    rows: Iterable[tuple[str, str]] = [
        (STAMP_MADE_BY, MADE_BY),
        (STAMP_CENTRE, register.centre.number),
        (STAMP_CHECKPOINT, checkpoint),
        (STAMP_SUBJECT, group.name),
        (STAMP_AS_OF, register.as_of.isoformat()),
    ]
    for r, (label, value) in enumerate(rows, start=1):
        put(ws, r, 1, label)
        put(ws, r, 2, value).alignment = Alignment(horizontal="left")
