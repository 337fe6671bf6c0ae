"""The register as an action list a head of department can filter (one row per issue)."""

from __future__ import annotations

import datetime as dt

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, is_overdue
from ctforms.files.fast import without_gc
from ctforms.files.xlsxstream import (
    LINE_HEIGHT,
    Book,
    Style,
    safe_cell_text,
    wrapped_lines,
)
from ctforms.models import Issue, Register, Severity
from ctforms.read.centre import assumed_dates

# What a person reads, first and all that prints (issue 19): how bad and when, who, the
# qualification and unit, what is wrong, what to do and with which form or file, in widths that
# fit a landscape A4 page with the text at 9 pt or more on paper. Then the columns kept for
# reading on screen and filtering, outside the print area: the titles, overdue (on paper the
# row's colour says it), what was done, the kind and the Issue ID (for the Actions sheet).
ISSUE_ID = "Issue ID (for the Actions sheet)"
COLUMN_WIDTHS = {
    "Severity": 9,
    "Deadline": 11,
    "Candidate Number": 10,
    "Surname": 13,
    "Forenames": 13,
    "Qualification Code": 12,
    "Unit Number": 8,
    "Summary": 22,
    "Action": 36,
    "Remedy": 19,
    "Qualification Title": 20,
    "Unit Title": 18,
    "Overdue": 8,
    "Handled": 8,
    "What was done": 13,
    "OCR Reference": 10,
    "Kind": 12,
    ISSUE_ID: 0,  # as wide as the longest id: an id is never wrapped
}
PRINTED = list(COLUMN_WIDTHS).index("Remedy") + 1  # columns A to J print
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
HEADER_FILL = "DDEBF7"
BLOCKING_FILL = "FCE4E4"
OVERDUE_FILL = "F4B6B6"
_OVERDUE_LABEL = "Rows in dark pink"
_BLOCKING_LABEL = "Rows in light pink"
_ABOUT_WIDTH = 70
# The Issue ID column is as wide as its longest id (and its title), within these.
_ID_WIDTHS = (8, 50)


def _row(issue: Issue) -> list[object]:
    cand = issue.candidate
    done = issue.handled_by
    return [
        issue.severity.value,
        issue.deadline,
        issue.candidate_number or "",
        cand.surname if cand else "",
        cand.forenames if cand else "",
        issue.qualification_code or "",
        issue.unit_number,
        issue.summary,
        issue.action,
        issue.remedy,
        issue.qualification_title,
        issue.unit_title,
        # Same rule as the report and pack: a handled issue is no longer overdue.
        "Y" if is_overdue(issue) else "N",
        "Y" if issue.handled else "N",
        done.action_taken if done else "",
        done.ocr_reference if done else "",
        kind_label(issue.kind),
        issue.id,
    ]


def _lines(text: str, width: int) -> int:
    return wrapped_lines(text, width)


def _fill(issue: Issue) -> str | None:
    if is_overdue(issue):
        return OVERDUE_FILL
    if issue.severity is Severity.BLOCKING and not issue.handled:
        return BLOCKING_FILL
    return None


@without_gc
def action_list_bytes(register: Register) -> bytes:
    """The action list .xlsx: sheet "Actions" (one row per issue, most urgent first,
    filterable) and "About" (what the list is, what the colours mean).

    Every text goes in as text (never a formula); the bytes depend only on the register.
    Written as XML directly (ctforms.files.xlsxstream): openpyxl took ten times as long.
    """
    book = Book()
    centre = f"{register.centre.name} ({register.centre.number})"
    ws = book.sheet(
        "Actions",
        list(COLUMN_WIDTHS.values()),
        freeze_header=True,
        filters=True,
        landscape=True,
        side_margin=0.3,  # inches: more room for the text
        # On every printed page: which check (a deadline before it is overdue).
        footer=f"{centre}: action list, checked as of {register.as_of:%d/%m/%Y}",
        page_numbers=True,
        print_columns=PRINTED,
    )
    header = book.style(Style(bold=True, fill=HEADER_FILL, wrap=True, vertical="top"))
    ws.append(
        COLUMNS,
        [header] * len(COLUMNS),
        LINE_HEIGHT * max(_lines(title, width) for title, width in COLUMN_WIDTHS.items() if width),
    )
    wrapped = [title in _WRAP for title in COLUMNS]
    # Style ids by fill: one per column, and the Deadline column's as a date.
    by_fill: dict[str | None, tuple[list[int], int]] = {}
    deadline = COLUMNS.index("Deadline")
    widths = list(COLUMN_WIDTHS.values())
    wrap_widths = [(col, widths[col]) for col, wraps in enumerate(wrapped) if wraps]
    longest_id = len(COLUMNS[-1])
    wraps: dict[tuple[str, int], int] = {}
    for issue in by_urgency(register.issues):
        fill = _fill(issue)
        styles = by_fill.get(fill)
        if styles is None:
            styles = by_fill[fill] = (
                # All at the left: a date or a unit number right-aligned runs into the text
                # of the next column on paper.
                [
                    book.style(Style(fill=fill, wrap=w, vertical="top", horizontal="left"))
                    for w in wrapped
                ],
                book.style(Style(fill=fill, date=True, vertical="top", horizontal="left")),
            )
        row = _row(issue)
        ids = styles[0]
        if row[deadline] is not None:
            ids = list(ids)
            ids[deadline] = styles[1]
        # Spreadsheet programs do not all grow a row for wrapped text: say how tall it is.
        lines = 1
        for col, width in wrap_widths:
            value = row[col]
            if isinstance(value, str) and len(value) > width:  # shorter: one line anyway
                found = wraps.get((value, width))
                if found is None:  # most texts recur (the same action for every student)
                    found = wraps[value, width] = _lines(safe_cell_text(value), width)
                lines = max(lines, found)
        ws.append(row, ids, LINE_HEIGHT * lines if lines > 1 else None)
        longest_id = max(longest_id, len(safe_cell_text(issue.id)))
    low, high = _ID_WIDTHS
    ws.widths[-1] = max(low, min(high, longest_id + 2))

    s = register.summary
    rows: list[tuple[str, object]] = [
        ("Centre", centre),
        ("Results series", f"Summer {register.series.year}"),
        ("Checked as of", register.as_of),
        ("Students checked", s.students_checked),
        ("Students at risk", s.students_at_risk),
        ("Issues", s.issues),
        ("Blocking, not handled", s.blocking_unhandled),
        *((f"Issues: {name}", count) for name, count in s.by_severity.items()),
        *((f"Issues: {kind_label(name)}", count) for name, count in s.by_kind.items()),
        (
            "About this list",
            f"Made by {register.tool} {register.tool_version} from the issue register: one row"
            " per issue. Record what you did against the Issue ID, on the Decisions page or in"
            " the Actions sheet of records.xlsx, and check again: the issue then shows as"
            " handled.",
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
    about = book.sheet("About", [max(len(label) for label, _ in rows) + 2, _ABOUT_WIDTH])
    for label, value in rows:
        fill = legend.get(label)
        height = None
        if isinstance(value, dt.date):
            style = Style(fill=fill, date=True, vertical="top", horizontal="left")
        elif isinstance(value, str):
            style = Style(fill=fill, wrap=True, vertical="top")
            if (lines := _lines(safe_cell_text(value), _ABOUT_WIDTH)) > 1:
                height = LINE_HEIGHT * lines
        else:  # a count: beside its label, not at the far side of the wide column
            style = Style(fill=fill, vertical="top", horizontal="left")
        label_style = Style(bold=True, fill=fill, vertical="top")
        about.append([label, value], [book.style(label_style), book.style(style)], height)
    as_of = register.as_of
    return book.bytes(dt.datetime(as_of.year, as_of.month, as_of.day))
