"""Recording an officer's decision in the centre's records workbook, in the very sheets and
columns read/records.py reads, so the next check (from the CLI or the page) agrees.

The workbook is the centre's own: every other sheet and cell is kept. A value is checked the way
the reader parses it, the new workbook is read back before it replaces the old one, and it is
written whole (temporary file, then rename) and owner-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctforms.errors import InputError
from ctforms.files.limits import SHEET_MAX_COLUMNS, check_xlsx, openpyxl_errors
from ctforms.files.lock import writing
from ctforms.files.output import check_writable, publish, staged_folder, write_bytes
from ctforms.files.xlsxio import DATE_FORMAT, TEXT_FORMAT, put, workbook_bytes
from ctforms.models import SentFile
from ctforms.people import real_name
from ctforms.produce.record_values import (
    cell_date,
    cell_name,
    cell_text,
    parsed_cell,
    parsed_quietly,
)
from ctforms.read import parsing
from ctforms.read.catalogue import load_catalogue
from ctforms.read.department import STUDENTS_SHEET, Returned, read_returned
from ctforms.read.parsing import norm_key
from ctforms.read.records import ECD_CONFIRMED, ENTRIES_SENT, SHEETS, read_records
from ctforms.read.tracker import MAX_NAME

DECISIONS = "Entry Decisions"
ACTIONS = "Actions"
SENT = ENTRIES_SENT
# A cell holds 32,767 characters; the Changes of one file stay well within it.
MAX_CHANGES = 30000

# The longest text each kind of cell takes: a name as the tracker takes it; an action is a
# sentence or two, not a pasted letter; an OCR reference or issue id is a short code.
MAX_ACTION = 1000
MAX_REFERENCE = 100
MAX_ISSUE_ID = 200

_ISSUE_ID = re.compile(r"^[a-z][a-z0-9-]*(?:/[^\s/]+)+$")


def record_entry_decision(
    records: Path,
    *,
    candidate_number: str,
    qualification_code: str,
    make_change: bool,
    decided_by: str,
    date: dt.date,
) -> None:
    """Record the centre's decision on a proposed entry change (qualification_code: the code
    to move the candidate to) in the Entry Decisions sheet. The sheet is a ledger: a decision
    on another day is a new row (a check dated before it still reads the earlier one); one on
    the same day replaces that day's row for the same candidate and code (a correction)."""
    records = Path(records)
    number = parsed_cell(parsing.parse_candidate_number, candidate_number, records, DECISIONS, 0)
    code = parsed_cell(parsing.parse_qualification_code, qualification_code, records, DECISIONS, 1)
    row = {
        "candidate_number": number,
        "qualification_code": code,
        "make_change": "Y" if make_change else "N",
        "decided_by": cell_name(decided_by, records, DECISIONS, "Decided By"),
        "date": (day := cell_date(date, records, DECISIONS)),
    }

    def same(values: dict[str, Any]) -> bool:
        return (
            parsed_quietly(parsing.parse_candidate_number, values.get("candidate_number")) == number
            and parsed_quietly(parsing.parse_qualification_code, values.get("qualification_code"))
            == code
            and _same_day(values.get("date"), day)
        )

    _record(records, DECISIONS, row, same, date)


def record_action(
    records: Path,
    *,
    issue_id: str,
    action_taken: str,
    date: dt.date,
    by: str,
    ocr_reference: str | None = None,
) -> None:
    """Record what was done about an issue in the Actions sheet (the issue then shows as
    handled): a new row, or, on the same day, in place of that day's row for the issue (a
    ledger, as the Entry Decisions sheet)."""
    records = Path(records)
    ident = cell_text(issue_id, records, ACTIONS, "Issue ID", MAX_ISSUE_ID)
    if not _ISSUE_ID.match(ident) or not ident.isascii():
        raise InputError(
            f"{ident!r} is not an issue id (e.g. move-down-available/0012/05839/-); copy it from"
            " the issue register: the report, issues.json or the action list",
            file=records,
            sheet=ACTIONS,
            column="Issue ID",
        )
    row = {
        "issue_id": ident,
        "action_taken": cell_text(
            action_taken, records, ACTIONS, "Action Taken", MAX_ACTION, fields=("action",)
        ),
        "date": (day := cell_date(date, records, ACTIONS)),
        "ocr_reference": cell_text(
            ocr_reference or "", records, ACTIONS, "OCR Reference", MAX_REFERENCE, required=False
        ),
        "by": cell_name(by, records, ACTIONS, "By"),
    }

    def same(values: dict[str, Any]) -> bool:
        # The reader matches an action to its issue by the id, stripped.
        return str(values.get("issue_id") or "").strip() == ident and _same_day(
            values.get("date"), day
        )

    _record(records, ACTIONS, row, same, date)


def record_sent(
    records: Path,
    *,
    file: str | Path,
    sent_on: dt.date,
    sent_by: str,
    look_in: Sequence[Path] = (),
) -> SentFile:
    """Record in the Entries Sent sheet that an entries file was uploaded to OCR, replacing an
    earlier row for the same file. file: the file itself (its path), or its name, looked for
    in look_in (the folders of the checks that made it); the row then says what it carried, so
    later checks leave those changes out without needing the file. A name found nowhere is
    recorded without its changes (the checks then look for it in their own folders)."""
    from ctforms.files.limits import EDI_MAX_BYTES, read_limited
    from ctforms.produce import edi

    records = Path(records)
    given = Path(file)
    try:
        name = parsing.parse_entries_file_name(str(file))
    except ValueError as exc:
        raise InputError(str(exc), file=records, sheet=SENT, column="File") from None
    found = (
        given
        if given.is_file()
        else next((folder / name for folder in look_in if (folder / name).is_file()), None)
    )
    if found is None and given.name != str(file).strip():
        raise InputError(
            f"{str(file).strip()} was not found; give the path of the entries file you uploaded,"
            " or just its name",
            file=records,
            sheet=SENT,
            column="File",
        )
    changes = (
        edi.changes_in(read_limited(found, EDI_MAX_BYTES, "the entries file"), found.name)
        if found is not None
        else None
    )
    words = "; ".join(c.words() for c in changes) if changes else ""
    if len(words) > MAX_CHANGES:
        raise InputError(
            f"the file carries {len(changes or [])} changes, more than one cell can list; record"
            " it by name only",
            file=records,
            sheet=SENT,
            column="Changes",
        )
    row = {
        "file": name,
        "sent_on": cell_date(sent_on, records, SENT, "Sent On"),
        "sent_by": cell_name(sent_by, records, SENT, "Sent By"),
        "changes": words,
    }

    def same(values: dict[str, Any]) -> bool:
        return parsed_quietly(parsing.parse_entries_file_name, values.get("file")) == name

    _record(records, SENT, row, same, sent_on)
    return SentFile(row=0, file=name, sent_on=sent_on, sent_by=row["sent_by"], changes=changes)


@dataclass(frozen=True)
class Confirmations:
    """What `records confirmations` recorded: each returned workbook with its answers."""

    returned: list[Returned]
    confirmed: int  # rows with Y
    not_confirmed: int  # rows with N


def record_confirmations(
    records: Path,
    returned: Sequence[Path],
    *,
    centre_number: str,
    date: dt.date,
    names: Sequence[str] = (),
) -> Confirmations:
    """Record the teachers' answers in returned term-time department lists (ctforms.read.
    department: each refused unless ctforms made it for centre_number's term-time check) in
    the ECD Confirmed sheet, one row per student and qualification, replacing an earlier row
    for the same pair. All the workbooks are read before anything is written: one refused,
    none recorded. names: the names the files were given (the page's uploads), for the words."""
    records = Path(records)
    read: list[Returned] = []
    for i, path in enumerate(returned):
        try:
            read.append(read_returned(Path(path), centre_number))
        except InputError as exc:
            if i < len(names) and exc.file is not None:  # the name the user knows it by
                raise InputError(
                    exc.detail, file=names[i], sheet=exc.sheet, row=exc.row, column=exc.column
                ) from None
            raise
    day = cell_date(date, records, ECD_CONFIRMED)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for i, got in enumerate(read):
        shown = names[i] if i < len(names) else got.name
        if day < got.as_of:
            raise InputError(
                f"the list was made by the check of {got.as_of:%d/%m/%Y}; answers on it cannot"
                f" be dated {day:%d/%m/%Y}, before it: give the day they were returned",
                file=shown,
            )
        for a in got.answers:
            pair = (a.candidate_number, a.qualification_code)
            if pair in seen and seen[pair] != shown:
                raise InputError(
                    f"candidate {pair[0]}, qualification {pair[1]} is answered in {seen[pair]}"
                    " too; record one of them",
                    file=shown,
                    sheet=STUDENTS_SHEET,
                    row=a.row,
                    column="Candidate Number",
                )
            seen[pair] = shown
            by = _answer(shown, a.row, "Confirmed By", a.confirmed_by, MAX_NAME)
            real_name(
                by,
                f"{shown}, sheet {STUDENTS_SHEET!r}, row {a.row}, column 'Confirmed By'",
                "the teacher who checked it puts their own name",
            )
            note = _answer(shown, a.row, "Note", a.note, MAX_ACTION)
            rows.append(
                {
                    "candidate_number": a.candidate_number,
                    "qualification_code": a.qualification_code,
                    "confirmed": "Y" if a.confirmed else "N",
                    "confirmed_by": by,
                    "note": note,
                    "date": day,
                }
            )
    if not rows:
        shown = ", ".join(names or [r.name for r in read])
        raise InputError(
            f"{shown}: no row has Confirmed (Y/N) filled in, so there is nothing to record;"
            " ask the department to fill in Confirmed (Y/N) and Confirmed By, and return it"
        )

    def key(values: dict[str, Any]) -> Hashable:
        number = parsed_quietly(parsing.parse_candidate_number, values.get("candidate_number"))
        code = parsed_quietly(parsing.parse_qualification_code, values.get("qualification_code"))
        return (number, code) if number and code else None

    _record_keyed(records, ECD_CONFIRMED, rows, key, day)
    yes = sum(1 for r in rows if r["confirmed"] == "Y")
    return Confirmations(read, yes, len(rows) - yes)


def _answer(file: str, row: int, column: str, value: str, limit: int) -> str:
    """A teacher's text as records.xlsx takes it, refused in the returned list's terms."""
    try:
        return cell_text(value, Path(file), STUDENTS_SHEET, column, limit, required=False)
    except InputError as exc:
        raise InputError(
            exc.detail, file=file, sheet=STUDENTS_SHEET, row=row, column=column
        ) from None


# ---------------------------------------------------------------------------- the workbook


@dataclass
class _Book:
    data: bytes  # the workbook as read (or the blank template)
    digest: str | None  # the file's hash as read; None when it did not exist


def _open(records: Path) -> _Book:
    """The centre's workbook as bytes, after the checks the reader makes; the blank template
    if there is no workbook yet."""
    check_writable(records, force=True)  # a folder, a link or a device is refused
    if not records.exists():
        from ctforms.produce.records_template import blank_records_bytes

        return _Book(blank_records_bytes(load_catalogue().codes()), None)
    check_xlsx(records)  # size, zip bombs, encryption: before openpyxl sees it
    data = records.read_bytes()
    # A workbook the reader refuses now would still be refused after the new row: say so
    # first, naming its sheet, row and column, and leave it as it is.
    read_records(records)
    return _Book(data, hashlib.sha256(data).hexdigest())


def _same_day(value: Any, day: dt.date) -> bool:
    """Whether a cell's date (a real date, or text the reader takes) is day."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value == day
    return (
        parsed_quietly(lambda text: parsing.parse_date(text).isoformat(), value) == day.isoformat()
    )


def _record(
    records: Path,
    sheet: str,
    values: dict[str, Any],
    same: Callable[[dict[str, Any]], bool],
    date: dt.date,
) -> None:
    # One writer at a time: a run, the page or another decision never writes it meanwhile.
    with writing(records, f"recording in {records}"):
        _record_held(records, sheet, values, same, date)


def _record_held(
    records: Path,
    sheet: str,
    values: dict[str, Any],
    same: Callable[[dict[str, Any]], bool],
    date: dt.date,
) -> None:
    import openpyxl

    book = _open(records)
    with openpyxl_errors(records):
        wb = openpyxl.load_workbook(io.BytesIO(book.data))
        _refuse_formulas(wb, records)
        ws = _sheet(wb, sheet)
        columns = _columns(ws, sheet, values)
        # The cells that exist, read without ws.cell(), which would make every one it visits.
        cells = {at: cell.value for at, cell in ws._cells.items() if _filled(cell.value)}
        rows = sorted({r for r, c in cells if r > 1 and c <= SHEET_MAX_COLUMNS})
        matches = [r for r in rows if same({f: cells.get((r, c)) for f, c in columns.items()})]
        last = rows[-1] if rows else 1
        target = matches[0] if matches else last + 1
        for r in matches[1:]:
            # A same-day copy would stand beside this one: one row a day for a key.
            for c in columns.values():
                ws.cell(row=r, column=c).value = None
        for field, value in values.items():
            cell = put(ws, target, columns[field], value if value != "" else None)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str) and value:
                cell.number_format = TEXT_FORMAT  # "0012" and "05838" keep their zeros
        _repeat_headers(wb)
        data = workbook_bytes(wb, dt.datetime(date.year, date.month, date.day), edited=True)
    _replace(records, data, book)


def _record_keyed(
    records: Path,
    sheet: str,
    rows: Sequence[dict[str, Any]],
    key: Callable[[dict[str, Any]], Hashable],
    date: dt.date,
) -> None:
    """Record many rows in one sheet in one write, each replacing the earlier rows with its
    key (key: of a row's values, as written or as found in the sheet; None matches nothing)."""
    import openpyxl

    with writing(records, f"recording in {records}"):
        book = _open(records)
        with openpyxl_errors(records):
            wb = openpyxl.load_workbook(io.BytesIO(book.data))
            _refuse_formulas(wb, records)
            ws = _sheet(wb, sheet)
            columns = _columns(ws, sheet, rows[0])
            cells = {at: cell.value for at, cell in ws._cells.items() if _filled(cell.value)}
            used = sorted({r for r, c in cells if r > 1 and c <= SHEET_MAX_COLUMNS})
            found: dict[Hashable, list[int]] = {}
            for r in used:
                k = key({f: cells.get((r, c)) for f, c in columns.items()})
                if k is not None:
                    found.setdefault(k, []).append(r)
            last = used[-1] if used else 1
            for values in rows:
                matches = found.get(key(values), [])
                if matches:
                    target = matches[0]
                else:
                    last += 1
                    target = last
                for r in matches[1:]:
                    # The reader lets the last row for a key win: a later copy would undo it.
                    for c in columns.values():
                        ws.cell(row=r, column=c).value = None
                found[key(values)] = [target]
                for field, value in values.items():
                    cell = put(ws, target, columns[field], value if value != "" else None)
                    if isinstance(value, dt.date):
                        cell.number_format = DATE_FORMAT
                    elif isinstance(value, str) and value:
                        cell.number_format = TEXT_FORMAT
            _repeat_headers(wb)
            data = workbook_bytes(wb, dt.datetime(date.year, date.month, date.day), edited=True)
        _replace(records, data, book)


def _refuse_formulas(wb: Any, records: Path) -> None:
    """A formula in a cell the reader reads: openpyxl would write it back without the value
    the spreadsheet saved for it, and the reader refuses a formula with no value. Said now,
    in the centre's terms, before anything is written."""
    from openpyxl.utils import get_column_letter

    for ws in wb.worksheets:
        sheet = next((s for s in SHEETS if norm_key(s) == norm_key(ws.title)), None)
        if sheet is None:
            continue
        titles = [norm_key(title) for title, *_ in SHEETS[sheet][2]]
        for (r, c), cell in sorted(ws._cells.items()):
            if r == 1 or c > SHEET_MAX_COLUMNS or cell.data_type != "f":
                continue
            head = ws._cells.get((1, c))
            key = norm_key(str(head.value)) if head is not None and head.value else ""
            if key and any(key == t or key.startswith(t[:12]) for t in titles):
                raise InputError(
                    f"{get_column_letter(c)}{r} holds a formula; ctforms would save the workbook"
                    " without the value worked out for it: enter the value itself, not a"
                    " formula, then record this again",
                    file=records,
                    sheet=ws.title,
                    row=r,
                    column=str(head.value) if head is not None else None,
                )


def _repeat_headers(wb: Any) -> None:
    """The record sheets print with their header row (row 1) on every page, unless the centre
    chose rows of its own (the rest of A4 printing: workbook_bytes)."""
    record_sheets = {norm_key(name) for name in SHEETS}
    for ws in wb.worksheets:
        if ws.print_title_rows is None and norm_key(ws.title) in record_sheets:
            ws.print_title_rows = "1:1"


def _sheet(wb: Any, sheet: str) -> Any:
    """The sheet the reader would read (names matched ignoring case and spacing), or a new one
    as the records template has it, before any hidden sheet at the end (the template's Lists)."""
    for ws in wb.worksheets:
        if norm_key(ws.title) == norm_key(sheet):
            return ws
    from ctforms.produce.records_template import add_sheet

    index = len(wb.worksheets)
    while index > 0 and wb.worksheets[index - 1].sheet_state != "visible":
        index -= 1
    return add_sheet(wb, sheet, index=index)


def _columns(ws: Any, sheet: str, values: dict[str, Any]) -> dict[str, int]:
    """The column of each field, found in row 1 the way the reader finds it; an optional
    column the sheet lacks is added after its last header."""
    header = {
        norm_key(str(cell.value)): c
        for (r, c), cell in sorted(ws._cells.items())
        if r == 1 and c <= SHEET_MAX_COLUMNS and _filled(cell.value)
    }
    found: dict[str, int] = {}
    end = max(header.values(), default=0)
    for title, field, _parse, _required in SHEETS[sheet][2]:
        key = norm_key(title)
        column = header.get(key) or next(
            (c for k, c in header.items() if k.startswith(key[:12])), None
        )
        if column is None:
            # The reader refused the workbook already if a required column were missing.
            end += 1
            column = end
            put(ws, 1, column, title)
        found[field] = column
    return {field: found[field] for field in values}


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _replace(records: Path, data: bytes, book: _Book) -> None:
    """Read the new workbook back as the next check will, then put it in place in one rename;
    refused if someone else changed the file meanwhile (their change would be lost)."""
    with staged_folder(records.parent) as stage:
        staged = stage / records.name
        write_bytes(staged, data)
        read_records(staged)
        now = hashlib.sha256(records.read_bytes()).hexdigest() if records.exists() else None
        if now != book.digest:
            raise InputError(
                "the workbook changed while the decision was being recorded (is it open"
                " elsewhere?); nothing was written: record it again",
                file=records,
            )
        publish(stage, records.parent, [records.name])
