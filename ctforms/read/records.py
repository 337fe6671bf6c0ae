"""Reading records.xlsx, the centre's own records. Every sheet is optional; an absent sheet is
None so the checks that need it can report "cannot verify"."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ctforms.errors import InputError
from ctforms.files.limits import open_xlsx, sheet_rows
from ctforms.models import (
    ActionRow,
    ClaimRow,
    ConfirmationRow,
    DecisionRow,
    ExpectedRow,
    MarkbookRow,
    Records,
    RiaRow,
    SentFile,
    TagRow,
    VisitRow,
    VisitStatus,
)
from ctforms.read import parsing
from ctforms.read.parsing import norm_key, plausible_date
from ctforms.read.sheets import Formulas, formulas_warning, pick_sheets

Parser = Callable[[str], Any]
RowT = TypeVar("RowT", DecisionRow, ActionRow)


def _visit_status(text: str) -> VisitStatus:
    for status in VisitStatus:
        if norm_key(text) == norm_key(status.value):
            return status
    raise ValueError(f"{text!r} is not a visit status: use Scheduled, Completed or Cancelled")


ENTRIES_SENT = "Entries Sent"
# What teachers confirmed of their students' estimated completion dates (`records
# confirmations`, from the workbooks a run makes for each subject).
ECD_CONFIRMED = "ECD Confirmed"

# sheet -> (model, records field, [(header, field, parser, required)])
SHEETS: dict[str, tuple[type[BaseModel], str, list[tuple[str, str, Parser, bool]]]] = {
    "Expected": (
        ExpectedRow,
        "expected",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Certificating (Y/N)", "certificating", parsing.parse_yes_no, True),
            # The centre's plan, for the term-time checkpoint's estimated completion dates.
            ("Course Start", "course_start", parsing.parse_date, False),
            ("Planned Completion", "planned_completion", parsing.parse_completion, False),
        ],
    ),
    "Visits": (
        VisitRow,
        "visits",
        [
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Moderator", "moderator", str, False),
            ("Visit Date", "visit_date", parsing.parse_date, True),
            ("Visit Status", "visit_status", _visit_status, True),
            ("Claim Submitted On", "claim_submitted_on", parsing.parse_date, False),
        ],
    ),
    "Claims": (
        ClaimRow,
        "claims",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Unit Number", "unit_number", parsing.parse_unit_number, True),
            ("Grade Claimed", "grade_claimed", parsing.parse_grade, True),
            ("Visit Date", "visit_date", parsing.parse_date, False),
        ],
    ),
    "Markbook": (
        MarkbookRow,
        "markbook",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Unit Number", "unit_number", parsing.parse_unit_number, True),
            ("Final Grade", "final_grade", parsing.parse_grade, True),
        ],
    ),
    "TAGs": (
        TagRow,
        "tags",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Unit Number", "unit_number", parsing.parse_unit_number, True),
            ("Planned Assessment Date", "planned_assessment_date", parsing.parse_date, False),
            ("TAG Grade", "tag_grade", parsing.parse_grade, True),
        ],
    ),
    "RIA": (
        RiaRow,
        "ria",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Unit Number", "unit_number", parsing.parse_unit_number, True),
            ("Requested On", "requested_on", parsing.parse_date, False),
        ],
    ),
    "Entry Decisions": (
        DecisionRow,
        "entry_decisions",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Make the Change (Y/N)", "make_change", parsing.parse_yes_no, True),
            ("Decided By", "decided_by", str, True),
            ("Date", "date", parsing.parse_date, False),
        ],
    ),
    "Actions": (
        ActionRow,
        "actions",
        [
            ("Issue ID", "issue_id", str, True),
            ("Action Taken", "action_taken", str, True),
            ("Date", "date", parsing.parse_date, False),
            ("OCR Reference", "ocr_reference", str, False),
            ("By", "by", str, False),
        ],
    ),
    ENTRIES_SENT: (
        SentFile,
        "entries_sent",
        [
            ("File", "file", parsing.parse_entries_file_name, True),
            ("Sent On", "sent_on", parsing.parse_date, True),
            ("Sent By", "sent_by", str, True),
            # What the file carried, written by `records sent` from the file itself.
            ("Changes", "changes", parsing.parse_sent_changes, False),
        ],
    ),
    ECD_CONFIRMED: (
        ConfirmationRow,
        "ecd_confirmed",
        [
            ("Candidate Number", "candidate_number", parsing.parse_candidate_number, True),
            ("Qualification Code", "qualification_code", parsing.parse_qualification_code, True),
            ("Confirmed (Y/N)", "confirmed", parsing.parse_yes_no, True),
            ("Confirmed By", "confirmed_by", str, True),
            ("Note", "note", str, False),
            ("Date", "date", parsing.parse_date, False),
        ],
    ),
}
# The sheets that record what the centre did, each with the column that dates a row. A row
# dated after the check's date had not happened then: that check leaves it out and
# says so once per sheet, and a check dated on or after it uses it. A sheet of such records
# is one more line here (its sheet in SHEETS, its field here).
DATED_SHEETS: dict[str, str] = {
    "Entry Decisions": "date",
    "Actions": "date",
    "Entries Sent": "sent_on",
    ECD_CONFIRMED: "date",
}
_DATE_FIELDS = {
    "course_start",
    "visit_date",
    "claim_submitted_on",
    "planned_assessment_date",
    "requested_on",
    "date",
    "sent_on",
}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# An empty RIA, TAGs or Actions sheet is a real answer ("none"); empty Expected, Visits,
# Claims or Markbook sheets are a template nobody has filled in.
_EMPTY_MEANS_NONE = {
    "ria",
    "tags",
    "actions",
    "entry_decisions",
    "entries_sent",
    "ecd_confirmed",
}
_IGNORED = {"instructions", "lists"}


def open_workbook(path: Path) -> Any:
    """A workbook opened to read values, or one clear error for anything that is not one."""
    return open_xlsx(path)


def read_records(path: Path, as_of: dt.date | None = None) -> Records:
    """as_of: the date the checks are judged on: a row of a dated sheet (DATED_SHEETS) after
    it is left out, with a warning; a claim submitted after it for a visit held is refused.
    Without as_of (the pages and commands that write or list records), every row is read."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found (make one with 'ctforms records template')", file=path)
    wb = open_workbook(path)
    try:
        # Two sheets named alike, or a near miss of a missing one ('Visit'), are refused.
        picked = pick_sheets(wb, list(SHEETS), path, ignored=_IGNORED)
        by_key = {norm_key(ws.title): ws for ws in wb.worksheets}
        found: dict[str, Any] = {}
        warnings: list[str] = []
        formulas: list[Formulas] = []
        for sheet, (model, attr, columns) in SHEETS.items():
            ws = picked.get(sheet)
            if ws is None:
                continue
            rows = _read_sheet(ws, path, model, columns, formulas)
            if attr == "expected":
                _refuse_contradictions(rows, path.name, ws.title)
            if attr == "visits" and as_of is not None:
                _refuse_future_claims(rows, path.name, ws.title, as_of)
                warnings += _visits_not_yet_held(rows, path.name, ws.title, as_of)
            if sheet in DATED_SHEETS and as_of is not None:
                rows, said = _known_by(rows, sheet, path.name, ws.title, as_of)
                warnings += said
            if rows or attr in _EMPTY_MEANS_NONE:
                found[attr] = rows
            else:
                # A blank template sheet is "not filled in yet", not "nobody" or "no visits".
                warnings.append(
                    f"{path.name}: sheet {sheet!r} has no rows: treated as not given (checks that"
                    " need it say 'cannot verify')"
                )
        unknown = sorted(
            ws.title
            for key, ws in by_key.items()
            if key not in {norm_key(s) for s in SHEETS} and key not in _IGNORED
        )
        if unknown:
            warnings.append(
                f"{path.name}: sheet(s) {', '.join(map(repr, unknown))} not read; the sheets"
                f" ctforms reads are {', '.join(SHEETS)}"
            )
        warnings += formulas_warning(path.name, formulas)
    finally:
        wb.close()
    return Records(**found, warnings=warnings)


def _read_sheet(
    ws: Any,
    path: Path,
    model: type[BaseModel],
    columns: list[tuple[str, str, Parser, bool]],
    formulas: list[Formulas] | None = None,
) -> list[Any]:
    name = path.name
    cells_with_formulas = Formulas(ws, path)
    if formulas is not None:
        formulas.append(cells_with_formulas)
    rows = sheet_rows(ws, path)
    first = next(rows, None)
    if first is None:
        return []
    header: tuple[Any, ...] = first[1]
    if first[0] != 1:  # the header is row 1; a blank row 1 means no header
        rows, header = itertools.chain([first], rows), ()
    index = {norm_key(_cell_text(h)): i for i, h in enumerate(header) if _cell_text(h)}
    where: dict[str, int] = {}
    for title, field, _, required in columns:
        i = index.get(norm_key(title))
        if i is None:
            # "Certificating (Y/N)" may be written "Certificating"
            i = next((v for k, v in index.items() if k.startswith(norm_key(title)[:12])), None)
        if i is None:
            if required:
                raise InputError(
                    f"required column {title!r} not found in the header row (row 1);"
                    " 'ctforms records template' shows the expected headers",
                    file=name,
                    sheet=ws.title,
                    row=1,
                    column=title,
                )
            continue
        where[field] = i
    # Formulas are looked at in the columns read: (name, what to enter instead) by index.
    read = {
        where[field]: (title, "the date" if field in _DATE_FIELDS else "the value itself")
        for title, field, _, _ in columns
        if field in where
    }
    out: list[Any] = []
    for rownum, values in rows:
        if all(_cell_text(v) == "" for v in values):
            continue
        data: dict[str, Any] = {"row": rownum}
        for title, field, parse, required in columns:
            i = where.get(field)
            raw = values[i] if i is not None and i < len(values) else None
            if cells_with_formulas.cells and i is not None:
                # A formula with no saved value reads as a blank: say it is a formula.
                cells_with_formulas.check(rownum, i, title, raw, read[i][1])
            if field in _DATE_FIELDS and isinstance(raw, dt.date):
                day = raw.date() if isinstance(raw, dt.datetime) else raw
                data[field] = _plausible(day, name, ws.title, rownum, title)
                continue
            text = _cell_text(raw)
            if not text:
                if required:
                    raise InputError(
                        f"{title} is empty", file=name, sheet=ws.title, row=rownum, column=title
                    )
                continue
            try:
                data[field] = parse(text)
            except ValueError as exc:
                raise InputError(
                    str(exc), file=name, sheet=ws.title, row=rownum, column=title
                ) from None
            if field in _DATE_FIELDS:
                _plausible(data[field], name, ws.title, rownum, title)
        out.append(model.model_validate(data))
    cells_with_formulas.check_rest(read, 1 if header else 0)
    return out


def _plausible(day: dt.date, name: str, sheet: str, row: int, column: str) -> dt.date:
    """01/01/0001 or 14/03/9999 is a typing slip, not a visit or a claim."""
    try:
        return plausible_date(day)
    except ValueError as exc:
        raise InputError(str(exc), file=name, sheet=sheet, row=row, column=column) from None


def _refuse_contradictions(rows: list[Any], name: str, sheet: str) -> None:
    """The same student and qualification marked both Y and N: the checks cannot guess."""
    seen: dict[tuple[str, str], Any] = {}
    for row in rows:
        key = (row.candidate_number, row.qualification_code)
        first = seen.setdefault(key, row)
        if first.certificating != row.certificating:
            raise InputError(
                f"candidate {key[0]}, qualification {key[1]} is also on row {first.row} with"
                " the other answer; keep one row",
                file=name,
                sheet=sheet,
                row=row.row,
                column="Certificating (Y/N)",
            )
        for field, title in (
            ("planned_completion", "Planned Completion"),
            ("course_start", "Course Start"),
        ):
            mine, theirs = getattr(row, field), getattr(first, field)
            if mine is not None and theirs is not None and mine != theirs:
                raise InputError(
                    f"candidate {key[0]}, qualification {key[1]} is also on row {first.row} with"
                    f" another {title}; keep one row",
                    file=name,
                    sheet=sheet,
                    row=row.row,
                    column=title,
                )


def _known_by(
    rows: list[Any], sheet: str, name: str, title: str, as_of: dt.date
) -> tuple[list[Any], list[str]]:
    """The rows of a dated sheet (DATED_SHEETS) known by as_of, and one warning naming those
    dated after it (an undated row is used: nothing says it is later)."""
    field = DATED_SHEETS[sheet]
    known: list[Any] = []
    later: list[Any] = []
    for r in rows:
        day = getattr(r, field)
        (later if day is not None and day > as_of else known).append(r)
    if not later:
        return rows, []
    if len(later) == 1:
        (row,) = later
        day = getattr(row, field)
        warning = (
            f"{name} {title} row {row.row} is dated {day:%d/%m/%Y}, after the check's date"
            f" ({as_of:%d/%m/%Y}): not used by this check (a check dated on or after"
            f" {day:%d/%m/%Y} uses it)"
        )
    else:
        each = [f"{r.row} ({getattr(r, field):%d/%m/%Y})" for r in later]
        warning = (
            f"{name} {title} rows {', '.join(each[:-1])} and {each[-1]} are dated after the"
            f" check's date ({as_of:%d/%m/%Y}): not used by this check (a check dated on or"
            " after a row's date uses that row)"
        )
    return known, [warning]


def _visits_not_yet_held(rows: list[Any], name: str, sheet: str, as_of: dt.date) -> list[str]:
    """A visit marked Completed but dated after the check's date had not taken place by then:
    the checks treat it as not yet held (checks.context.Context.held), and say so."""
    return [
        f"{name} {sheet} row {row.row}: marked Completed but dated {row.visit_date:%d/%m/%Y},"
        f" after the check's date ({as_of:%d/%m/%Y}): treated as not yet held; correct its"
        " status or its date, or check the date the check is judged on"
        for row in rows
        if row.visit_status is VisitStatus.COMPLETED
        and row.visit_date is not None
        and row.visit_date > as_of
    ]


def in_date_order(rows: Sequence[RowT]) -> list[RowT]:
    """Rows of a dated sheet in the order they happened (date, then row; an undated row counts
    as earliest): where several rows speak of one thing, the last of these is what stands."""
    return sorted(rows, key=lambda r: (getattr(r, "date", None) or dt.date.min, r.row))


def record_dates(records: Records) -> list[dt.date]:
    """The dates of the rows of the dated sheets (DATED_SHEETS), to find the date a check
    needs to use them all."""
    return [
        day
        for sheet, field in DATED_SHEETS.items()
        for row in getattr(records, SHEETS[sheet][1]) or []
        if (day := getattr(row, field)) is not None
    ]


def _refuse_future_claims(rows: list[Any], name: str, sheet: str, as_of: dt.date) -> None:
    """A claim recorded as submitted after the date the checks are judged on, for a visit that
    has taken place (dated on or before the check's date, or Completed with no date) or was
    cancelled, cannot be a record of fact: the date is mistyped or the check's date is wrong.
    For a visit still ahead (dated after the check's date, even if marked Completed:
    _visits_not_yet_held), a later date is the planned submission, and the visit check judges
    it as such."""
    for row in rows:
        claim = row.claim_submitted_on
        if claim is None or claim <= as_of:
            continue
        ahead = row.visit_status is not VisitStatus.CANCELLED and (
            row.visit_date > as_of
            if row.visit_date is not None
            else row.visit_status is VisitStatus.SCHEDULED
        )
        if not ahead:
            raise InputError(
                f"the claim was submitted on {claim:%d/%m/%Y}, after the check's date"
                f" ({as_of:%d/%m/%Y}), for a visit that is {row.visit_status.value.lower()}"
                f"{'' if row.visit_status is VisitStatus.CANCELLED else ' or held'}; correct the"
                " date, or check the date the check is judged on",
                fields=("as_of",),
                file=name,
                sheet=sheet,
                row=row.row,
                column="Claim Submitted On",
            )


def unknown_expected(records: Records, known: Callable[[str], bool], name: str) -> list[str]:
    """Warnings for Expected rows whose qualification code the catalogue does not know: the
    checks can say little about such a student, and the code may be mistyped."""
    warnings: list[str] = []
    for row in records.expected or []:
        if not known(row.qualification_code):
            warnings.append(
                f"{name} Expected row {row.row}: qualification {row.qualification_code} is not"
                " in the catalogue; check the code, or add the"
                " qualification in the rules workbook (from the Rules of combination page, or"
                " 'ctforms catalogue template')"
            )
    return warnings
