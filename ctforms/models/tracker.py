"""The Progress Tracker: its rows and the candidates, entries and units read from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import Field

from ctforms.models.base import (
    Assessment,
    CandidateNumber,
    CentreNumber,
    Certification,
    Grade,
    QualificationCode,
    UnitStatus,
    _Model,
)


class TrackerRow(_Model):
    """One row of the Progress Tracker download in ctforms' default layout, after validation."""

    centre_number: CentreNumber
    candidate_number: CandidateNumber
    uln: str | None = None
    uci: str | None = None
    surname: str
    forenames: str
    date_of_birth: dt.date | None = None
    qualification_code: QualificationCode
    qualification_title: str = ""
    certification_status: str
    estimated_completion: str = ""
    entry_date: dt.date | None = None
    unit_number: int | None = None
    unit_title: str = ""
    unit_type: Assessment | None = None
    unit_status: UnitStatus | None = None
    unit_grade: Grade | None = None
    unit_series: str = ""


@dataclass(slots=True)
class UnitRecord:
    """One unit of one qualification entry, as the tracker shows it.

    A slotted dataclass rather than a BaseModel: the reader makes one per tracker row (a million
    for a big file) and a BaseModel costs several microseconds each to build. pydantic still
    validates it wherever it appears inside a model, and `ctforms schema unit-record` prints
    its schema.
    """

    number: int
    status: UnitStatus
    grade: Grade | None = None
    assessment: Assessment | None = None
    title: str = ""
    series: str = ""
    row: int = 0  # line of the tracker file the unit came from


class CertificationStatus(_Model):
    text: str
    state: Certification
    month: str | None = None
    year: int | None = None


class QualificationEntry(_Model):
    code: QualificationCode
    title: str = ""
    certification: CertificationStatus
    estimated_completion: str = ""
    entry_date: dt.date | None = None
    units: dict[int, UnitRecord] = Field(default_factory=dict)


class Candidate(_Model):
    candidate_number: CandidateNumber
    surname: str
    forenames: str
    uln: str | None = None
    uci: str | None = None
    date_of_birth: dt.date | None = None
    entries: dict[QualificationCode, QualificationEntry] = Field(default_factory=dict)
    first_row: int = 0


class Tracker(_Model):
    centre_number: CentreNumber
    candidates: dict[CandidateNumber, Candidate]
    rows: int
    warnings: list[str] = Field(default_factory=list)
