"""Parsing single values as they appear in exports and spreadsheets. Each raises ValueError with
a message for the user; the readers add the file, row and column."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ctforms.models import (
    Assessment,
    Certification,
    CertificationStatus,
    Grade,
    SentChange,
    UnitStatus,
)
from ctforms.read.identifiers import uci_is_valid, uln_is_valid


def norm_key(text: str) -> str:
    """Header and label matching ignores case, spaces and punctuation."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?e[+-]?\d+$", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
_UNIT = re.compile(r"^(?:unit\s*|u)?0*(\d{1,3})$", re.IGNORECASE)
_CERTIFICATING = re.compile(r"^certificating\s+in\s+([a-z]+)\s+(\d{4})$", re.IGNORECASE)


def parse_date(text: str) -> dt.date:
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date: use DD/MM/YYYY, e.g. 05/06/2024")


def parse_candidate_number(text: str) -> str:
    digits = text.strip()
    if digits.endswith(".0"):  # a number cell read back by a spreadsheet
        digits = digits[:-2]
    if not digits.isdigit() or len(digits) > 4 or int(digits) == 0:
        raise ValueError(f"{text!r} is not a candidate number (4 digits, 0001-9999)")
    return digits.zfill(4)


def parse_centre_number(text: str) -> str:
    digits = text.strip()
    if not digits.isdigit() or len(digits) > 5:
        raise ValueError(f"{text!r} is not a centre number (5 digits)")
    return digits.zfill(5)


def parse_qualification_code(text: str) -> str:
    digits = text.strip()
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not digits.isdigit() or not 4 <= len(digits) <= 5:
        raise ValueError(f"{text!r} is not an OCR qualification entry code (5 digits, e.g. 05839)")
    return digits.zfill(5)


def parse_unit_number(text: str) -> int:
    cleaned = text.strip()
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    m = _UNIT.match(cleaned)
    if not m or int(m[1]) == 0:
        raise ValueError(f"{text!r} is not a unit number (e.g. 9 or 'Unit 9')")
    return int(m[1])


def parse_uln(text: str) -> str:
    if len(text) == 10 and text.isdigit() and uln_is_valid(text):
        return text  # the usual case, first: one test per candidate of a big tracker
    if _SCIENTIFIC.match(text):
        raise ValueError(
            f"ULN {text!r} was turned into a number by a spreadsheet program and its last digits"
            " are lost; download the CSV from the Progress Tracker again and do not open and save"
            " it in Excel (or import the ULN column as Text)"
        )
    # The value itself is not echoed: a ULN is personal data.
    if not text.isdigit() or len(text) != 10:
        raise ValueError(f"the ULN is not 10 digits (it has {len(text)} characters)")
    if not uln_is_valid(text):
        raise ValueError(
            "the ULN fails its check digit: a digit was mistyped; copy it again from the"
            " learner's record"
        )
    return text


def parse_uci(text: str) -> str:
    uci = text.upper()
    if _SCIENTIFIC.match(uci):
        raise ValueError(
            f"UCI {text!r} was turned into a number by a spreadsheet program; download the CSV"
            " again and do not open and save it in Excel"
        )
    if len(uci) != 13:
        raise ValueError(f"the UCI is not 13 characters (it has {len(uci)})")
    if not uci_is_valid(uci):
        raise ValueError(
            "the UCI fails its check character: a character was mistyped; copy it again"
        )
    return uci


_STATUS_LABELS: dict[str, UnitStatus] = {norm_key(s.value): s for s in UnitStatus}
_STATUS_LABELS.update(
    {
        "attemptednotachieved": UnitStatus.ATTEMPTED_NOT_ACHIEVED,
        "noclaim": UnitStatus.CLAIM_NOT_RECEIVED,
        "noentry": UnitStatus.ENTRY_NOT_RECEIVED,
    }
)


def status_parser(extra: dict[str, UnitStatus]) -> dict[str, UnitStatus]:
    labels = dict(_STATUS_LABELS)
    labels.update({norm_key(k): v for k, v in extra.items()})
    return labels


def parse_status(text: str, labels: dict[str, UnitStatus]) -> UnitStatus:
    status = labels.get(norm_key(text))
    if status is None:
        known = ", ".join(repr(s.value) for s in UnitStatus)
        raise ValueError(
            f"unknown unit status {text!r}: expected one of {known}"
            " (or map your label in centre.toml [tracker.statuses])"
        )
    return status


_GRADES: dict[str, Grade] = {g.value.lower(): g for g in Grade}
_GRADES.update(
    {
        "distinction": Grade.DISTINCTION,
        "merit": Grade.MERIT,
        "pass": Grade.PASS,
        "nearpass": Grade.NEAR_PASS,
        "unclassified": Grade.UNCLASSIFIED,
        "notachieved": Grade.NOT_ACHIEVED,
    }
)


def parse_grade(text: str) -> Grade:
    grade = _GRADES.get(norm_key(text))
    if grade is None:
        raise ValueError(f"unknown grade {text!r}: expected D, M, P, R (near pass), U or N")
    return grade


_ASSESSMENT: dict[str, Assessment] = {
    "examined": Assessment.EXAMINED,
    "exam": Assessment.EXAMINED,
    "externallyassessed": Assessment.EXAMINED,
    "moderated": Assessment.MODERATED,
    "internallyassessed": Assessment.MODERATED,
    "centreassessed": Assessment.MODERATED,
}


def parse_assessment(text: str) -> Assessment:
    kind = _ASSESSMENT.get(norm_key(text))
    if kind is None:
        raise ValueError(f"unknown unit type {text!r}: expected 'Examined' or 'Moderated'")
    return kind


def parse_certification(text: str) -> CertificationStatus:
    collapsed = " ".join(text.split())
    m = _CERTIFICATING.match(collapsed)
    if m:
        return CertificationStatus.model_construct(
            text=collapsed,
            state=Certification.CERTIFICATING,
            month=m[1].capitalize(),
            year=int(m[2]),
        )
    key = norm_key(collapsed)
    if key == "notcertificating":
        return CertificationStatus.model_construct(
            text=collapsed, state=Certification.NOT_CERTIFICATING, month=None, year=None
        )
    if key == "withdrawn":
        return CertificationStatus.model_construct(
            text=collapsed, state=Certification.WITHDRAWN, month=None, year=None
        )
    raise ValueError(
        f"unknown certification status {text!r}: expected e.g. 'Certificating in August 2024',"
        " 'Not certificating' or 'Withdrawn'"
    )


def parse_yes_no(text: str) -> bool:
    key = norm_key(text)
    if key in {"y", "yes", "true", "1"}:
        return True
    if key in {"n", "no", "false", "0"}:
        return False
    raise ValueError(f"{text!r} is not Y or N")


# An entries file's name (DOMAIN.md): data type (E entries, A amendments), centre, awarding
# body, then the sequence: E6439572.X01.
_ENTRIES_FILE = re.compile(r"^([AE])(\d{5})(\d{2})\.X(\d{2})$", re.IGNORECASE)


def parse_entries_file_name(text: str) -> str:
    """The file's name as ctforms writes it (a path before it is dropped)."""
    name = text.strip().replace("\\", "/").rsplit("/", 1)[-1]
    m = _ENTRIES_FILE.match(name)
    if m is None or int(m[4]) == 0:
        raise ValueError(
            f"{text!r} is not an entries file name: E or A, the centre number, the awarding body"
            " and the sequence, e.g. E6439572.X01"
        )
    return f"{m[1].upper()}{m[2]}{m[3]}.X{m[4]}"


def entries_file_parts(name: str) -> tuple[str, str, int]:
    """(data type, centre number, sequence) of a name parse_entries_file_name accepted."""
    m = _ENTRIES_FILE.match(name)
    assert m is not None
    return m[1].upper(), m[2], int(m[4])


_SENT_CHANGE = re.compile(r"^(\d{1,4})\s*:\s*(none|\d{4,5})\s*(?:->|>|to)\s*(\d{4,5})$", re.I)


def parse_sent_changes(text: str) -> list[SentChange]:
    """The Changes column of Entries Sent: '0012: 05839 -> 05838; 0031: none -> 05842'."""
    out: list[SentChange] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        m = _SENT_CHANGE.match(part)
        if m is None:
            raise ValueError(
                f"{part!r} is not a change: write each as 'candidate: from -> to' (from 'none'"
                " for a new entry), separated by ';', e.g. '0012: 05839 -> 05838'"
            )
        from_code = None if m[2].lower() == "none" else parse_qualification_code(m[2])
        out.append(
            SentChange(
                candidate_number=parse_candidate_number(m[1]),
                from_code=from_code,
                to_code=parse_qualification_code(m[3]),
            )
        )
    if not out:
        raise ValueError("names no change: leave it empty if you do not know what the file carried")
    return out


# An estimated completion date as the Progress Tracker writes it: 'Summer 2025'. The seasons in
# a year's order (Winter: the January series).
SEASONS = ("Winter", "Spring", "Summer", "Autumn")
_COMPLETION = re.compile(r"^([a-z]+)\s*(\d{4})$", re.IGNORECASE)
_MONTH_NAMES = tuple(calendar.month_name[m].lower() for m in range(1, 13))
_MONTHS = {name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)}


def completion_key(text: str) -> tuple[int, int] | None:
    """'Summer 2025' -> (2025, 2), so that completions compare in time; None when the text is
    not a season and a year."""
    m = _COMPLETION.match(" ".join(text.split()))
    if m is None:
        return None
    season, year = m[1].capitalize(), int(m[2])
    if season in SEASONS:
        return year, SEASONS.index(season)
    # A series' month ('June 2025') is its season; December's is the next year's winter.
    month = _MONTHS.get(season[:3].lower()) if len(season) >= 3 else None
    if month is None or not _MONTH_NAMES[month - 1].startswith(season.lower()):
        return None
    if month == 12:
        return year + 1, 0
    return year, (0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3)[month - 1]


def parse_completion(text: str) -> str:
    """A planned completion, written as the tracker writes ECDs: 'summer  2025' -> 'Summer 2025'."""
    key = completion_key(text)
    if key is None or not 2000 <= key[0] <= 2100:
        raise ValueError(
            f"{text!r} is not a completion: write the season and the year as the Progress"
            " Tracker does, e.g. 'Summer 2025'"
        )
    return f"{SEASONS[key[1]]} {key[0]}"
