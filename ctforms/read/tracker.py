"""Reading the Progress Tracker download (CSV, one row per candidate per unit).

OCR does not publish the download's columns, so the default layout is ctforms' own (README),
with aliases and a centre.toml mapping for other headers. Values repeat across a candidate's
rows, so every parser is memoised: a million-row file is read in seconds.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import operator
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ctforms.errors import InputError
from ctforms.files.fast import construct
from ctforms.files.limits import TRACKER_MAX_BYTES, read_limited
from ctforms.models import (
    Assessment,
    Candidate,
    CertificationStatus,
    Grade,
    QualificationEntry,
    Tracker,
    UnitRecord,
    UnitStatus,
)
from ctforms.read import parsing
from ctforms.read.parsing import norm_key

# field -> header aliases (compared with norm_key). The first alias is the default header.
FIELDS: dict[str, tuple[str, ...]] = {
    "centre_number": ("Centre Number", "Centre No", "Centre", "Centre ID"),
    "candidate_number": ("Candidate Number", "Candidate No", "Cand No", "Candidate"),
    "uln": ("ULN", "Unique Learner Number"),
    "uci": ("UCI", "Unique Candidate Identifier"),
    "surname": ("Surname", "Last Name", "Family Name", "Legal Surname"),
    "forenames": ("Forenames", "Forename", "First Name", "First Names", "Given Names"),
    "date_of_birth": ("Date of Birth", "DOB", "Birth Date"),
    "qualification_code": ("Qualification Code", "Entry Code", "Qual Code", "Qualification"),
    "qualification_title": ("Qualification Title", "Qualification Name", "Qual Title"),
    "certification_status": ("Certification Status", "Certification"),
    "estimated_completion": ("Estimated Completion", "Estimated Completion Date"),
    "entry_date": ("Entry Date", "Registration Date", "Qualification Entry Date"),
    "unit_number": ("Unit Number", "Unit No", "Unit"),
    "unit_title": ("Unit Title", "Unit Name"),
    "unit_type": ("Unit Type", "Assessment Type", "Assessment"),
    "unit_status": ("Unit Status", "Status"),
    "unit_grade": ("Unit Grade", "Grade", "Unit Result"),
    "unit_series": ("Unit Series", "Series"),
}
REQUIRED = (
    "centre_number",
    "candidate_number",
    "surname",
    "forenames",
    "qualification_code",
    "certification_status",
    "unit_number",
    "unit_status",
)

# The longest surname or forenames taken (the forms promise 200-character names kept whole).
# Anything longer is a pasted paragraph, not a name, and would overflow the pages it is printed on.
MAX_NAME = 255
# A date of birth before 1900, or less than 10 years before the --as-of date, is a typing slip
# (01/01/0001, 14/03/9999): Cambridge Technicals are taken from 14. Without an --as-of (the
# catalogue template), the latest --as-of accepted stands in for it.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
YOUNGEST_AGE = 10
LATEST_AS_OF = dt.date(2100, 12, 31)

T = TypeVar("T")
_UNSEEN = object()  # a value not parsed yet
Progress = Callable[[float], None]  # told the fraction of the file read, now and then


def decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used. Invalid UTF-8 means a Windows-1252 export (Excel's default)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", file=name) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"byte {data[exc.start]:#04x} is not valid {encoding}; try without --encoding",
                file=name,
                row=line,
            ) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {data[exc.start]:#04x} is neither UTF-8 nor Windows-1252 text; re-export the"
            " file as CSV UTF-8 or name its encoding with --encoding",
            file=name,
            row=line,
        ) from None


def _utf16(data: bytes) -> bool:
    """A UTF-16 byte order mark, or text whose every other byte is NUL (UTF-16 without one)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:4096]
    half = len(head) // 2
    if half < 8:
        return False
    for nuls, text in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if nuls.count(0) > 0.9 * half and text.count(0) < 0.1 * half:
            return True
    return False


def _wide_encoding(encoding: str | None) -> bool:
    """--encoding utf-16 (or utf-32) was given: NUL bytes are then expected."""
    if not encoding:
        return False
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def _separator_hint(header: list[str]) -> str | None:
    """Why the header has no known column, when the file is not comma-separated."""
    text = ",".join(header)
    for sep, words in ((";", "semicolons (';')"), ("\t", "tabs")):
        if text.count(sep) >= 2 and text.count(sep) >= len(header):
            return (
                f"the file is separated by {words}, not commas (the header row reads as one"
                " column): in Excel use Save As > 'CSV UTF-8 (Comma delimited)', or download the"
                " CSV from the Progress Tracker again"
            )
    return None


def map_headers(
    header: list[str], mapping: dict[str, str], name: str
) -> dict[str, tuple[int, str]]:
    """field -> (column index, header as written). Unknown headers are ignored."""
    aliases: dict[str, str] = {}
    for field, names in FIELDS.items():
        for alias in names:
            aliases.setdefault(norm_key(alias), field)
    for alias, field in mapping.items():
        if field not in FIELDS:
            known = ", ".join(FIELDS)
            raise InputError(
                f"[tracker.columns] maps {alias!r} to {field!r}, which is not a field; use one of"
                f" {known}",
                file="centre.toml",
            )
        aliases[norm_key(alias)] = field
    found: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(header):
        field_name = aliases.get(norm_key(raw))
        if field_name is None:
            continue
        if field_name in found:
            other = found[field_name][1]
            raise InputError(
                f"columns {other!r} and {raw.strip()!r} both mean {field_name}; remove one or map"
                " them in centre.toml [tracker.columns]",
                file=name,
                row=1,
                column=raw.strip(),
            )
        found[field_name] = (index, raw.strip())
    missing = [f for f in REQUIRED if f not in found]
    if missing and (separator := _separator_hint(header)):
        raise InputError(separator, file=name, row=1)
    if missing:
        wanted = ", ".join(repr(FIELDS[f][0]) for f in missing)
        seen = ", ".join(repr(h.strip()[:40]) for h in header[:30] if h.strip())
        if len(seen) > 300:  # a file with no line breaks: never echo the whole file
            seen = seen[:300] + "..."
        hint = (
            " The header is one cell: is the file separated by ';' or tabs rather than commas,"
            " or is there a title line above the header?"
            if len(header) == 1
            else " Rename the column or map it in centre.toml [tracker.columns]."
        )
        raise InputError(
            f"required column {wanted} not found; the header row has {seen}.{hint}",
            file=name,
            row=1,
            column=FIELDS[missing[0]][0],
        )
    return found


class _Reader:
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


def read_tracker(
    path: Path,
    *,
    centre_number: str | None = None,
    mapping: dict[str, str] | None = None,
    statuses: dict[str, UnitStatus] | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
) -> Tracker:
    path = Path(path)
    try:
        data = read_limited(path, TRACKER_MAX_BYTES, "the tracker")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    return parse_tracker(
        data,
        path.name,
        centre_number=centre_number,
        mapping=mapping or {},
        statuses=statuses or {},
        encoding=encoding,
        progress=progress,
        as_of=as_of,
    )


def parse_tracker(
    data: bytes,
    name: str,
    *,
    centre_number: str | None = None,
    mapping: dict[str, str] | None = None,
    statuses: dict[str, UnitStatus] | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
) -> Tracker:
    """as_of: the date the checks are judged on, against which a date of birth must be
    plausible."""
    blank = b" \t\r\n\xef\xbb\xbf"
    # The head first: stripping a whole big file only to find it is not empty copies it.
    if not data[:4096].strip(blank) and not data.strip(blank):
        raise InputError(
            "the file is empty; download it again from the Progress Tracker (Results detailed"
            " view, Download (.csv))",
            file=name,
        )
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is an Excel workbook (.xlsx), not a CSV: use the Progress Tracker's 'Download"
            " (.csv)', or save the sheet as 'CSV UTF-8'",
            file=name,
        )
    if _utf16(data) and not _wide_encoding(encoding):
        raise InputError(
            "this is UTF-16 text (Excel's 'Unicode Text'), not CSV UTF-8: open it in Excel and"
            " use Save As > 'CSV UTF-8 (Comma delimited)', then give that file",
            file=name,
        )
    if b"\x00" in data[:65536] and not _wide_encoding(encoding):
        raise InputError(
            "this is not a text file (it holds binary data): give the CSV downloaded from the"
            " Progress Tracker",
            file=name,
        )
    # Decoded whole once, to choose the encoding and refuse a bad byte before any row is read;
    # then read through a decoding stream: a StringIO of the text would hold a copy of it at
    # four bytes a character (70 MB for a 17 MB file), and is slower to read lines from.
    if encoding is None and data.isascii():
        used = "utf-8"  # ASCII is UTF-8, and the usual case: no need to decode it all to know
    else:
        _, used = decode(data, name, encoding)
    warnings: list[str] = []
    if used == "windows-1252" and not encoding:
        warnings.append(f"{name}: not UTF-8, read as Windows-1252")
    codec = encoding or ("utf-8-sig" if used == "utf-8" else "cp1252")
    raw = io.BytesIO(data)
    buffer = io.TextIOWrapper(raw, encoding=codec, newline="")
    reader = csv.reader(buffer)
    try:
        header: list[str] | None = None
        for header in reader:
            if any(cell.strip() for cell in header):
                break
        else:
            header = None
        if header is None:
            raise InputError("the file has no header row", file=name)
        columns = map_headers(header, mapping or {}, name)
        r = _Reader(name, columns, centre_number, statuses or {}, header, as_of)
        if progress is not None:
            size = max(len(data), 1)
            r.progress = lambda: progress(raw.tell() / size)
        candidates, rows = _read_rows(reader, r, warnings)
        if progress is not None:
            progress(1.0)
    except csv.Error as exc:
        raise InputError(f"not readable as CSV ({exc})", file=name, row=reader.line_num) from None
    if not candidates or r.centre is None:
        raise InputError("the file has a header row but no data rows", file=name)
    return Tracker.model_construct(
        centre_number=r.centre,
        candidates=candidates,
        rows=rows,
        warnings=warnings,
    )


def _read_rows(reader: Any, r: _Reader, warnings: list[str]) -> tuple[dict[str, Candidate], int]:
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
    r: _Reader,
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
    r: _Reader,
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
    r: _Reader,
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


def _name(r: _Reader, field: str, cell: str) -> str:
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
                field, f"the {field} holds only control characters, no letters; type the name again"
            )
        raise r.fail(
            field,
            f"the {field} holds control characters (invisible codes such as ESC or BEL) among"
            " its letters; type the name again in your MIS and download the tracker again",
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
    raise r.fail(field, f"the {field} holds only {what}, no letters; type the name again")


_BLANK = frozenset(" \t\r\n\x0b\x0c\xa0")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _dob_parser(as_of: dt.date | None) -> Callable[[str], dt.date]:
    base = as_of or LATEST_AS_OF
    try:
        latest = base.replace(year=base.year - YOUNGEST_AGE)
    except ValueError:  # 29 February in a year that has none
        latest = dt.date(base.year - YOUNGEST_AGE, 2, 28)
    too_late = (
        f"makes the student younger than {YOUNGEST_AGE} on the --as-of date ({as_of:%d/%m/%Y})"
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


def _unit(r: _Reader, row: list[str], ix: dict[str, int]) -> UnitCells | None:
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


def _conflict(r: _Reader, number: str, seen: tuple[Any, ...], now: tuple[Any, ...]) -> None:
    field = next(f for f, a, b in zip(_CAND_FIELDS, seen, now, strict=False) if a != b)
    # Values are not echoed: they are personal data and the user can see both rows.
    raise InputError(
        f"candidate {number} has a different {field.replace('_', ' ')} here than on row"
        f" {seen[5]}; correct the rows so they agree",
        file=r.name,
        row=r.row,
        column=r.columns[field][1] if field in r.columns else field,
    )


def _first_diff_column(r: _Reader, seen: tuple[Any, ...], now: tuple[Any, ...]) -> str:
    for field, a, b in zip(_ENTRY_FIELDS, seen, now, strict=False):
        if a != b:
            return r.columns[field][1] if field in r.columns else field
    return r.columns["qualification_code"][1]
