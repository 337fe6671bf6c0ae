"""The workbook a run makes for each subject's head of department, read back when it is
returned: its layout (shared with ctforms.produce.department, which writes it) and the
teachers' answers on their students' estimated completion dates.

A returned workbook is taken only when ctforms made it for this centre's term-time check: its
hidden sheet stamps the centre number, the checkpoint, the subject and the check's date, and a
stranger's file, another centre's or a Checkpoint 2 list is refused in words naming the file,
sheet, row and column."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctforms.errors import InputError
from ctforms.files.limits import check_xlsx, open_xlsx, sheet_rows
from ctforms.read import parsing
from ctforms.read.parsing import norm_key

STAMP_SHEET = "ctforms"  # hidden: what the workbook is, for reading it back
STUDENTS_SHEET = "Students"  # the term-time list: one row per student and qualification
ISSUES_SHEET = "Issues"  # the Checkpoint 2 list: one row per open issue
MADE_BY = "ctforms department list"
# The stamp's rows: label in column A, value in column B (all text).
STAMP_MADE_BY = "Made by"
STAMP_CENTRE = "Centre Number"
STAMP_CHECKPOINT = "Checkpoint"
STAMP_SUBJECT = "Subject"
STAMP_AS_OF = "Checked as of"
TERM_TIME = "term-time"
CHECKPOINT_2 = "2"

CONFIRMED = "Confirmed (Y/N)"
CONFIRMED_BY = "Confirmed By"
NOTE = "Note"
CANDIDATE = "Candidate Number"
QUALIFICATION = "Qualification Code"
# The columns read back (the others are for the teacher to read).
READ_BACK = (CANDIDATE, QUALIFICATION, CONFIRMED, CONFIRMED_BY, NOTE)
HEADER_ROWS = 10  # the header row is within the first rows (a title may stand above it)
MAX_NOTE = 1000
MAX_BY = 100

FILE_SUFFIX = {CHECKPOINT_2: "department-actions", TERM_TIME: "ecd-check"}


def subject_file_part(name: str) -> str:
    """A subject's name as it goes in a file name: lower case letters and digits joined by
    hyphens, accents dropped ('Health & Social Care' -> 'health-social-care'); 'subject' when
    nothing is left."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    part = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return part[:60].strip("-") or "subject"


def subject_name(catalogue_subject: str | None, title: str, code: str) -> str:
    """The subject a qualification's list is for: the catalogue's subject name, else the
    qualification's title, else its code."""
    return catalogue_subject or title or f"Qualification {code}"


def department_file_name(centre: str, subject: str, checkpoint: str) -> str:
    """'{centre}-{subject}-department-actions.xlsx' (Checkpoint 2) or
    '{centre}-{subject}-ecd-check.xlsx' (term-time); subject: subject_file_part's form."""
    return f"{centre}-{subject}-{FILE_SUFFIX[checkpoint]}.xlsx"


def department_file_pattern(centre: str) -> re.Pattern[str]:
    """The names department_file_name gives, for any subject and either checkpoint."""
    suffixes = "|".join(map(re.escape, FILE_SUFFIX.values()))
    return re.compile(rf"^{re.escape(centre)}-[a-z0-9]+(?:-[a-z0-9]+)*-(?:{suffixes})\.xlsx$")


@dataclass(frozen=True)
class Answer:
    """One student's row a teacher filled in."""

    row: int
    candidate_number: str
    qualification_code: str
    confirmed: bool
    confirmed_by: str
    note: str


@dataclass(frozen=True)
class Returned:
    """A returned term-time workbook: what it was made for, and the rows filled in."""

    name: str
    subject: str
    as_of: dt.date
    answers: list[Answer]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _stranger(name: str, why: str, centre: str) -> InputError:
    return InputError(
        f"{why}: it is not a subject's list ctforms made for this centre. Return the workbook"
        f" the term-time check made for the department ({_example(centre)} in the check's"
        " folder), with Confirmed (Y/N) and Confirmed By filled in",
        file=name,
    )


def _example(centre: str) -> str:
    return department_file_name(centre, "SUBJECT", TERM_TIME)


def read_returned(path: Path, centre_number: str) -> Returned:
    """The answers in a returned term-time workbook, refused unless ctforms made it for
    centre_number's term-time check: every filled row checked as records.xlsx would check it."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("file not found", file=path)
    check_xlsx(path)
    wb = open_xlsx(path)
    try:
        by_key = {norm_key(ws.title): ws for ws in wb.worksheets}
        stamp_ws = by_key.get(norm_key(STAMP_SHEET))
        if stamp_ws is None:
            raise _stranger(name, f"it has no {STAMP_SHEET!r} sheet", centre_number)
        stamp = {
            norm_key(_cell(values[0])): _cell(values[1]) if len(values) > 1 else ""
            for _, values in sheet_rows(stamp_ws, path)
            if values
        }
        if stamp.get(norm_key(STAMP_MADE_BY)) != MADE_BY:
            raise _stranger(
                name, f"its {STAMP_SHEET!r} sheet does not say ctforms made it", centre_number
            )
        centre = stamp.get(norm_key(STAMP_CENTRE), "")
        subject = stamp.get(norm_key(STAMP_SUBJECT), "")
        if centre != centre_number:
            raise InputError(
                f"it was made for centre {centre or '(none)'}, not this centre ({centre_number}):"
                " record only the lists this centre's checks made",
                file=name,
                sheet=STAMP_SHEET,
                column=STAMP_CENTRE,
            )
        checkpoint = stamp.get(norm_key(STAMP_CHECKPOINT), "")
        if checkpoint != TERM_TIME:
            raise InputError(
                f"it is the Checkpoint 2 list of {subject or 'a subject'}: it has no answers to"
                " record (its issues are recorded as done on the Decisions page or with"
                f" 'ctforms records handled'). Return the term-time check's list"
                f" ({_example(centre_number)})",
                file=name,
                sheet=STAMP_SHEET,
                column=STAMP_CHECKPOINT,
            )
        try:
            as_of = dt.date.fromisoformat(stamp.get(norm_key(STAMP_AS_OF), ""))
        except ValueError:
            raise _stranger(
                name, f"its {STAMP_SHEET!r} sheet gives no date of the check", centre_number
            ) from None
        ws = by_key.get(norm_key(STUDENTS_SHEET))
        if ws is None:
            raise InputError(
                f"it has no {STUDENTS_SHEET!r} sheet (was it renamed or deleted?); return the"
                " workbook as the check made it",
                file=name,
                sheet=STUDENTS_SHEET,
            )
        answers = _answers(ws, path)
    finally:
        wb.close()
    return Returned(name, subject, as_of, answers)


def _answers(ws: Any, path: Path) -> list[Answer]:
    name, sheet = path.name, ws.title
    rows = sheet_rows(ws, path)
    where: dict[str, int] = {}
    for number, values in rows:
        index = {norm_key(_cell(v)): i for i, v in enumerate(values) if _cell(v)}
        if norm_key(CANDIDATE) in index:
            missing = [t for t in READ_BACK if norm_key(t) not in index]
            if missing:
                raise InputError(
                    f"column {missing[0]!r} is not in the header row; return the workbook with"
                    " its columns as the check made them",
                    file=name,
                    sheet=sheet,
                    row=number,
                    column=missing[0],
                )
            where = {t: index[norm_key(t)] for t in READ_BACK}
            break
        if number >= HEADER_ROWS:
            break
    if not where:
        raise InputError(
            f"no header row with {CANDIDATE!r} in its first {HEADER_ROWS} rows; return the"
            " workbook as the check made it",
            file=name,
            sheet=sheet,
        )
    answers: list[Answer] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in rows:

        def text(title: str, values: tuple[Any, ...] = values) -> str:
            i = where[title]
            return _cell(values[i]) if i < len(values) else ""

        # A line break typed in a cell (Alt+Enter) is a space: a teacher's note is one line.
        said, by, note = (" ".join(text(t).split()) for t in (CONFIRMED, CONFIRMED_BY, NOTE))
        if not (said or by or note):
            continue  # not answered (yet): nothing to record

        def refuse(why: str, column: str, number: int = number) -> InputError:
            return InputError(why, file=name, sheet=sheet, row=number, column=column)

        try:
            candidate = parsing.parse_candidate_number(text(CANDIDATE))
        except ValueError as exc:
            raise refuse(str(exc), CANDIDATE) from None
        try:
            code = parsing.parse_qualification_code(text(QUALIFICATION))
        except ValueError as exc:
            raise refuse(str(exc), QUALIFICATION) from None
        if not said:
            raise refuse(
                "Confirmed (Y/N) is empty but the row has an answer; put Y if the estimated"
                " completion date is right, N if it is not",
                CONFIRMED,
            )
        try:
            confirmed = parsing.parse_yes_no(said)
        except ValueError:
            raise refuse(
                f"{said!r} is not Y or N; put Y if the estimated completion date is right, N"
                " if it is not",
                CONFIRMED,
            ) from None
        if not by:
            raise refuse(
                "Confirmed By is empty; the teacher who checked it puts their name", CONFIRMED_BY
            )
        if len(by) > MAX_BY:
            raise refuse(f"{len(by):,} characters long; give a name", CONFIRMED_BY)
        if len(note) > MAX_NOTE:
            raise refuse(
                f"{len(note):,} characters long; the most ctforms records is {MAX_NOTE:,}", NOTE
            )
        key = (candidate, code)
        if key in seen:
            raise refuse(
                f"candidate {candidate}, qualification {code} is answered on row {seen[key]}"
                " too; keep one row",
                CANDIDATE,
            )
        seen[key] = number
        answers.append(Answer(number, candidate, code, confirmed, by, note))
    return answers
