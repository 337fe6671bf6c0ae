"""The Progress Tracker's rows: each cell parsed once per distinct text, the rows of a
candidate and of an entry gathered, and a repeated row that disagrees refused."""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from ctforms.errors import InputError
from ctforms.files.fast import construct
from ctforms.models import (
    Assessment,
    Candidate,
    CertificationStatus,
    Grade,
    QualificationEntry,
    UnitRecord,
    UnitStatus,
)
from ctforms.read import parsing
from ctforms.read.tracker_columns import FIELDS

# The longest surname or forenames taken (the forms promise 200-character names kept whole).
# Anything longer is a pasted paragraph, not a name, and would overflow the pages it is printed on.
MAX_NAME = 255
# A date of birth before 1900, or less than 10 years before the check's date, is a typing slip
# (01/01/0001, 14/03/9999): Cambridge Technicals are taken from 14. Without a check's date (the
# catalogue template), the latest date a check accepts stands in for it.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
YOUNGEST_AGE = 10
LATEST_AS_OF = dt.date(2100, 12, 31)

T = TypeVar("T")
_UNSEEN = object()  # a value not parsed yet


class Reader:
    def __init__(
        self,
        name: str,
        columns: dict[str, tuple[int, str]],
        centre: str | None,
        statuses: dict[str, UnitStatus],
        header: list[str],
        as_of: dt.date | None,
    ) -> None:
        self.name = name
        self.columns = columns
        self.centre = centre
        self.labels = parsing.status_parser(statuses)
        # Cells a row must have (trailing blank headers need none) and may have.
        self.cells = max((i + 1 for i, h in enumerate(header) if h.strip()), default=0)
        self.header_cells = len(header)
        self.dob = _dob_parser(as_of)
        self.memo: dict[str, dict[str, Any]] = {f: {} for f in FIELDS}
        self.row = 0
        self.progress: Callable[[], None] | None = None

    def fail(self, field: str, message: str) -> InputError:
        return InputError(message, file=self.name, row=self.row, column=self.columns[field][1])

    def parse(self, field: str, text: str, fn: Callable[[str], T]) -> T:
        memo = self.memo[field]
        value = memo.get(text, _UNSEEN)  # not try/except: a miss (a new ULN...) is common
        if value is _UNSEEN:
            try:
                value = fn(text)
            except ValueError as exc:
                raise self.fail(field, str(exc)) from None
            memo[text] = value
        return value  # type: ignore[no-any-return]


def read_rows(reader: Any, r: Reader, warnings: list[str]) -> tuple[dict[str, Candidate], int]:
    """Rows repeat their candidate and qualification details, so each distinct raw text of
    those parts is parsed once: a dict lookup on the raw cells is the fast path, and a row with
    the same candidate and qualification cells as the row before (the usual order, a
    candidate's rows together) skips even that."""
    cols = r.columns
    # A missing optional column reads the "" appended to every row (index -1).
    ix = {f: cols[f][0] if f in cols else -1 for f in FIELDS}
    pad = -1 in ix.values()
    cells, header_cells = r.cells, r.header_cells
    cand_keys = [
        ix[f]
        for f in (
            "centre_number",
            "candidate_number",
            "surname",
            "forenames",
            "uln",
            "uci",
            "date_of_birth",
        )
    ]
    entry_keys = [
        ix[f]
        for f in (
            "qualification_code",
            "certification_status",
            "qualification_title",
            "estimated_completion",
            "entry_date",
        )
    ]
    unit_keys = [
        ix[f]
        for f in (
            "unit_number",
            "unit_status",
            "unit_type",
            "unit_grade",
            "unit_title",
            "unit_series",
        )
    ]
    # itemgetter builds each key tuple in C: these lookups run once per row.
    cand_cells = operator.itemgetter(*cand_keys)
    entry_cells = operator.itemgetter(*entry_keys)
    both_cells = operator.itemgetter(*cand_keys, *entry_keys)
    unit_cells = operator.itemgetter(*unit_keys)
    candidates: dict[str, Candidate] = {}
    by_cand_raw: dict[tuple[str, ...], Candidate] = {}
    by_entry_raw: dict[tuple[Any, ...], QualificationEntry] = {}
    by_unit_raw: dict[tuple[str, ...], UnitCells | None] = {}
    cand_rows: dict[str, tuple[Any, ...]] = {}
    entry_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    progress = r.progress
    rows = 0
    last_raw: tuple[str, ...] = ()
    candidate: Candidate | None = None
    entry: QualificationEntry | None = None
    for row in reader:
        n = len(row)
        if n != header_cells:
            if n < cells:
                if not any(c.strip() for c in row):
                    continue
                raise InputError(
                    f"the row has {n} cells, the header has {cells}: it was cut short or lost"
                    " a comma; complete the row, or download the CSV again",
                    file=r.name,
                    row=reader.line_num,
                )
            if n > header_cells and any(c.strip() for c in row[header_cells:]):
                raise InputError(
                    f"the row has {n} cells, the header has {header_cells}: a value holds a"
                    " comma without quotes around it, which moves the cells after it; put the"
                    ' value in double quotes ("Smith, Jr") or download the CSV again',
                    file=r.name,
                    row=reader.line_num,
                )
        if pad:
            row.append("")
        line = reader.line_num
        rows += 1
        if progress is not None and rows % 25_000 == 0:
            progress()
        raw_both = both_cells(row)
        if raw_both != last_raw or entry is None:
            r.row = line
            raw = cand_cells(row)
            candidate = by_cand_raw.get(raw)
            if candidate is None:
                candidate = by_cand_raw[raw] = _candidate(r, row, ix, candidates, cand_rows)
            raw_entry = (candidate.candidate_number, entry_cells(row))
            entry = by_entry_raw.get(raw_entry)
            if entry is None:
                entry = by_entry_raw[raw_entry] = _entry(r, row, ix, candidate, entry_rows)
            last_raw = raw_both
        raw_unit = unit_cells(row)
        try:
            unit = by_unit_raw[raw_unit]
        except KeyError:
            r.row = line
            unit = by_unit_raw[raw_unit] = _unit(r, row, ix)
        if unit is None:
            continue  # a qualification-only row
        number = unit[0]
        units = entry.units
        if number in units:
            r.row = line
            assert candidate is not None
            _repeated_unit(r, candidate, entry, units[number], unit, warnings)
            continue
        units[number] = UnitRecord(*unit, line)  # UnitCells are its fields in order
    return candidates, rows


def _repeated_unit(
    r: Reader,
    candidate: Candidate,
    entry: QualificationEntry,
    existing: UnitRecord,
    unit: UnitCells,
    warnings: list[str],
) -> None:
    """A unit already read for this candidate and qualification: the same row again is read
    once (a warning), a different one is refused."""
    number = unit[0]
    if (
        existing.status,
        existing.grade,
        existing.assessment,
        existing.title,
        existing.series,
    ) == unit[1:]:
        warnings.append(
            f"{r.name}: row {r.row} repeats row {existing.row} (candidate"
            f" {candidate.candidate_number}, qualification {entry.code}, unit {number});"
            " read once"
        )
        return
    raise InputError(
        f"candidate {candidate.candidate_number}, qualification {entry.code}, unit"
        f" {number} is also on row {existing.row} with a different status or grade;"
        " keep the correct row only",
        file=r.name,
        row=r.row,
        column=r.columns["unit_status"][1],
    )


def _candidate(
    r: Reader,
    row: list[str],
    ix: dict[str, int],
    candidates: dict[str, Candidate],
    cand_rows: dict[str, tuple[Any, ...]],
) -> Candidate:
    p = r.parse
    centre = p("centre_number", row[ix["centre_number"]].strip(), parsing.parse_centre_number)
    if r.centre is not None and centre != r.centre:
        raise r.fail(
            "centre_number",
            f"centre number {centre} is not this centre's ({r.centre} in centre.toml);"
            " check you downloaded your own centre's tracker, or fix centre.toml",
        )
    r.centre = centre
    number = p(
        "candidate_number", row[ix["candidate_number"]].strip(), parsing.parse_candidate_number
    )
    surname = _name(r, "surname", row[ix["surname"]])
    forenames = _name(r, "forenames", row[ix["forenames"]])
    if not surname:
        raise r.fail("surname", "the surname is empty")
    uln_text = row[ix["uln"]].strip()
    uln = p("uln", uln_text, parsing.parse_uln) if uln_text else None
    uci_text = row[ix["uci"]].strip()
    uci = p("uci", uci_text, parsing.parse_uci) if uci_text else None
    dob_text = row[ix["date_of_birth"]].strip()
    dob = p("date_of_birth", dob_text, r.dob) if dob_text else None
    details = (surname, forenames, uln, uci, dob)
    seen = cand_rows.get(number)
    if seen is not None:
        if seen[:5] != details:
            _conflict(r, number, seen, details)
        return candidates[number]
    cand_rows[number] = (*details, r.row)
    candidate = construct(
        Candidate,
        {
            "candidate_number": number,
            "surname": surname,
            "forenames": forenames,
            "uln": uln,
            "uci": uci,
            "date_of_birth": dob,
            "entries": {},
            "first_row": r.row,
        },
    )
    candidates[number] = candidate
    return candidate


def _entry(
    r: Reader,
    row: list[str],
    ix: dict[str, int],
    candidate: Candidate,
    entry_rows: dict[tuple[str, str], tuple[Any, ...]],
) -> QualificationEntry:
    p = r.parse
    number = candidate.candidate_number
    code = p(
        "qualification_code",
        row[ix["qualification_code"]].strip(),
        parsing.parse_qualification_code,
    )
    cert_text = row[ix["certification_status"]].strip()
    if not cert_text:
        raise r.fail("certification_status", "the certification status is empty")
    cert: CertificationStatus = p("certification_status", cert_text, parsing.parse_certification)
    title = row[ix["qualification_title"]].strip()
    completion_text = row[ix["estimated_completion"]].strip()
    completion = (
        p("estimated_completion", completion_text, parsing.plausible_years)
        if completion_text
        else ""
    )
    entry_text = row[ix["entry_date"]].strip()
    entry_date = p("entry_date", entry_text, parsing.parse_plausible_date) if entry_text else None
    details = (title, cert.text, completion, entry_date)
    seen = entry_rows.get((number, code))
    if seen is not None:
        if seen[:4] != details:
            raise InputError(
                f"candidate {number}, qualification {code}: this row's qualification details"
                " (title, certification status, estimated completion, entry date) differ"
                f" from row {seen[4]}; correct one of the rows",
                file=r.name,
                row=r.row,
                column=_first_diff_column(r, seen, details),
            )
        return candidate.entries[code]
    entry_rows[(number, code)] = (*details, r.row)
    entry = construct(
        QualificationEntry,
        {
            "code": code,
            "title": title,
            "certification": cert,
            "estimated_completion": completion,
            "entry_date": entry_date,
            "units": {},
        },
    )
    candidate.entries[code] = entry
    return entry


def _name(r: Reader, field: str, cell: str) -> str:
    """The name as written, stripped; refused when it is a pasted paragraph or only invisible
    characters (which the forms would print as a blank)."""
    text = cell.strip()
    if len(text) > MAX_NAME:
        raise r.fail(
            field,
            f"the {field} is {len(text):,} characters long; the most ctforms takes is {MAX_NAME}:"
            " check the cell holds the name only",
        )
    if _CONTROL.search(text):
        # ESC or BEL inside a name would reach every paper, text file and calendar entry.
        if not any(unicodedata.category(c)[0] not in "CZ" for c in text):
            raise r.fail(
                field,
                f"the {field} {_holds(field)} only control characters, no letters; type the name"
                " again",
            )
        raise r.fail(
            field,
            f"the {field} {_holds(field)} control characters (invisible codes such as ESC or BEL)"
            " among its letters; type the name again in your MIS and download the tracker again",
        )
    if text[:1].isalpha():
        return text  # a letter first, as nearly every name: not blank, nothing hidden
    # strip() also removes some control characters (\x1c-\x1f): judge the cell as written.
    if any(unicodedata.category(c)[0] not in "CZ" for c in text):
        return text
    hidden = [c for c in cell if c not in _BLANK]
    if not hidden:
        return ""  # truly empty: the caller says so
    what = (
        "control characters"
        if all(unicodedata.category(c) == "Cc" for c in hidden)
        else "invisible characters (control, format or space characters)"
    )
    raise r.fail(field, f"the {field} {_holds(field)} only {what}, no letters; type the name again")


_BLANK = frozenset(" \t\r\n\x0b\x0c\xa0")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _dob_parser(as_of: dt.date | None) -> Callable[[str], dt.date]:
    base = as_of or LATEST_AS_OF
    try:
        latest = base.replace(year=base.year - YOUNGEST_AGE)
    except ValueError:  # 29 February in a year that has none
        latest = dt.date(base.year - YOUNGEST_AGE, 2, 28)
    too_late = (
        f"makes the student younger than {YOUNGEST_AGE} on the check's date ({as_of:%d/%m/%Y})"
        if as_of
        else f"is after {latest:%d/%m/%Y}"
    )

    def parse_dob(text: str) -> dt.date:
        """As parse_date, but the message does not repeat the date of birth (personal data)."""
        try:
            day = parsing.parse_date(text)
        except ValueError:
            raise ValueError(
                "the date of birth is not a real date in DD/MM/YYYY (or YYYY-MM-DD)"
            ) from None
        if day < EARLIEST_BIRTH:
            raise ValueError(
                "the date of birth is before 1900, a typing slip: correct it (DD/MM/YYYY)"
            )
        if day > latest:
            raise ValueError(f"the date of birth {too_late}, a typing slip: correct it")
        return day

    return parse_dob


UnitCells = tuple[int, UnitStatus, Grade | None, Assessment | None, str, str]


def _unit(r: Reader, row: list[str], ix: dict[str, int]) -> UnitCells | None:
    """(number, status, grade, assessment, title, series), or None for a qualification row."""
    p = r.parse
    unit_text = row[ix["unit_number"]].strip()
    status_text = row[ix["unit_status"]].strip()
    if not unit_text:
        if status_text:
            raise r.fail("unit_number", "the unit number is empty but a unit status is given")
        return None
    number = p("unit_number", unit_text, parsing.parse_unit_number)
    if not status_text:
        raise r.fail("unit_status", f"unit {number} has no status")
    labels = r.labels
    status: UnitStatus = p("unit_status", status_text, lambda t: parsing.parse_status(t, labels))
    type_text = row[ix["unit_type"]].strip()
    assessment: Assessment | None = (
        p("unit_type", type_text, parsing.parse_assessment) if type_text else None
    )
    grade_text = row[ix["unit_grade"]].strip()
    grade: Grade | None = p("unit_grade", grade_text, parsing.parse_grade) if grade_text else None
    title = row[ix["unit_title"]].strip()
    series_text = row[ix["unit_series"]].strip()
    series = p("unit_series", series_text, parsing.plausible_years) if series_text else ""
    return (number, status, grade, assessment, title, series)


_CAND_FIELDS = ("surname", "forenames", "uln", "uci", "date_of_birth")
_ENTRY_FIELDS = (
    "qualification_title",
    "certification_status",
    "estimated_completion",
    "entry_date",
)


def _conflict(r: Reader, number: str, seen: tuple[Any, ...], now: tuple[Any, ...]) -> None:
    field = next(f for f, a, b in zip(_CAND_FIELDS, seen, now, strict=False) if a != b)
    # Values are not echoed: they are personal data and the user can see both rows.
    raise InputError(
        f"candidate {number} has a different {field.replace('_', ' ')} here than on row"
        f" {seen[5]}; correct the rows so they agree",
        file=r.name,
        row=r.row,
        column=r.columns[field][1] if field in r.columns else field,
    )


def _first_diff_column(r: Reader, seen: tuple[Any, ...], now: tuple[Any, ...]) -> str:
    for field, a, b in zip(_ENTRY_FIELDS, seen, now, strict=False):
        if a != b:
            return r.columns[field][1] if field in r.columns else field
    return r.columns["qualification_code"][1]


def _holds(field: str) -> str:
    """The verb that agrees with a field's name: 'the surname holds', 'the forenames hold'."""
    return "hold" if field.endswith("s") else "holds"
