"""The term-time checkpoint's amendments workbook: every estimated completion date (ECD) to
change in the Progress Tracker, one row a student, printable on A4."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ctforms.files.reproducible import document_time
from ctforms.files.xlsxio import autosize, print_table, put, style_header, workbook_bytes
from ctforms.models import Issue, IssueKind, Register
from ctforms.read.centre import long_date

HEADERS = [
    "Candidate Number",
    "Surname",
    "Forenames",
    "Qualification Code",
    "Qualification",
    "ECD now",
    "ECD to set",
    "Why",
    "Done (date, initials)",
]
# The blocking kinds: the ECD must change. A course-length warning is for a teacher to confirm.
MUST_CHANGE = (IssueKind.ECD_LATER_THAN_PLANNED, IssueKind.ECD_EARLIER_THAN_PLANNED)
TO_CHECK = (IssueKind.ECD_CHECK_COURSE_LENGTH,)


def _order(issue: Issue) -> tuple[str, str, str, str]:
    """As the officer works in the Progress Tracker: a qualification at a time, its students
    by name."""
    c = issue.candidate
    return (
        issue.qualification_code or "",
        (c.surname if c else "").casefold(),
        (c.forenames if c else "").casefold(),
        issue.candidate_number or "",
    )


def amendment_rows(register: Register, kinds: tuple[IssueKind, ...]) -> list[list[str]]:
    """One row per open issue of kinds: the student, the ECD now, the ECD to set, why."""
    rows = []
    for issue in sorted((i for i in register.issues if i.kind in kinds), key=_order):
        if issue.handled:
            continue
        c, e = issue.candidate, issue.evidence
        why = (
            "Later than planned: not in the results when planned"
            if issue.kind is IssueKind.ECD_LATER_THAN_PLANNED
            else "Earlier than planned: shows as at risk"
            if issue.kind is IssueKind.ECD_EARLIER_THAN_PLANNED
            else f"No plan recorded; course began {e.course_start:%d/%m/%Y}, Level {e.level}:"
            " check with the teacher first"
            if e.course_start
            else issue.summary
        )
        rows.append(
            [
                issue.candidate_number or "",
                c.surname if c else "",
                c.forenames if c else "",
                issue.qualification_code or "",
                issue.qualification_title,
                e.estimated_completion or "",
                e.ecd_to_set or "",
                why,
                "",
            ]
        )
    return rows


def amendments_bytes(register: Register) -> bytes:
    c = register.centre
    closes = register.series.term_time_declaration_closes
    assumed = (
        " (assumed: check OCR's timeline)"
        if "term_time_declaration_closes" in register.series.assumed
        else ""
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ECD amendments"
    _sheet(
        ws,
        [
            f"Estimated completion dates to amend: {c.name} ({c.number}), as of"
            f" {register.as_of:%d/%m/%Y}",
            "In the Progress Tracker, change each student's estimated completion date (ECD) to"
            " the one in 'ECD to set', then submit the term-time declaration"
            + (f" by {long_date(closes)}{assumed}." if closes else ".")
            + " In the order you meet them in the tracker: a qualification at a time, by name.",
        ],
        amendment_rows(register, MUST_CHANGE),
        "No estimated completion date must change: every one agrees with the centre's plan.",
    )
    check = wb.create_sheet("To check")
    _sheet(
        check,
        [
            "Estimated completion dates to check with the teacher (no plan recorded)",
            "The standard course length from the course start gives another date than the"
            " tracker's. Amend the date only if the teacher confirms it, and record the plan in"
            " records.xlsx (Expected, Planned Completion).",
        ],
        amendment_rows(register, TO_CHECK),
        "Nothing to check: every course start agrees with the tracker's date.",
    )
    return workbook_bytes(wb, document_time(register.as_of))


def _sheet(ws: object, heading: list[str], rows: list[list[str]], none: str) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    put(ws, 1, 1, heading[0]).font = Font(name="Calibri", bold=True, size=12)
    put(ws, 2, 1, heading[1])
    header_row = 4
    for col, title in enumerate(HEADERS, start=1):
        put(ws, header_row, col, title)
    style_header(ws, header_row)
    for r, row in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(row, start=1):
            cell = put(ws, r, col, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in (1, 4):
                cell.number_format = "@"  # candidate numbers and codes keep their zeros
    last = header_row + len(rows)
    if not rows:
        put(ws, header_row + 1, 1, none)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    autosize(ws, max_width=40)
    print_table(ws, header_row, max(last, header_row))
