"""The centre's own records (records.xlsx), one model per sheet."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from ctforms.models.base import CandidateNumber, Grade, QualificationCode, _Model


class VisitStatus(StrEnum):
    SCHEDULED = "Scheduled"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"


class ExpectedRow(_Model):
    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    certificating: bool
    course_start: dt.date | None = Field(
        default=None, exclude_if=lambda v: v is None, description="when the course began"
    )
    planned_completion: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the centre's planned completion, as the tracker writes ECDs: 'Summer 2025'",
    )


class VisitRow(_Model):
    row: int
    qualification_code: QualificationCode
    moderator: str = ""
    visit_date: dt.date | None = None
    visit_status: VisitStatus
    claim_submitted_on: dt.date | None = None


class ClaimRow(_Model):
    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    unit_number: int
    grade_claimed: Grade
    visit_date: dt.date | None = None


class MarkbookRow(_Model):
    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    unit_number: int
    final_grade: Grade


class TagRow(_Model):
    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    unit_number: int
    planned_assessment_date: dt.date | None = None
    tag_grade: Grade


class RiaRow(_Model):
    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    unit_number: int
    requested_on: dt.date | None = None


class DecisionRow(_Model):
    """An entry change the centre decided on (a proposed move-down, confirmed or declined)."""

    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode = Field(description="the code to move the student to")
    make_change: bool
    decided_by: str
    date: dt.date | None = None


class ActionRow(_Model):
    row: int
    issue_id: str
    action_taken: str
    date: dt.date | None = None
    ocr_reference: str = ""
    by: str = ""


class ConfirmationRow(_Model):
    """A teacher's answer on a student's estimated completion date (records.xlsx, ECD
    Confirmed), read back from the workbook ctforms made for their subject."""

    row: int
    candidate_number: CandidateNumber
    qualification_code: QualificationCode
    confirmed: bool = Field(description="Y: the Tracker's ECD is right; N: it is not")
    confirmed_by: str
    note: str = ""
    date: dt.date | None = None


class SentChange(_Model):
    """One entry change an entries file carried: the candidate, from which code (None: a new
    entry) to which."""

    candidate_number: CandidateNumber
    from_code: QualificationCode | None = None
    to_code: QualificationCode

    def words(self) -> str:
        """As the Entries Sent sheet's Changes column writes it: '0012: 05839 -> 05838'."""
        return f"{self.candidate_number}: {self.from_code or 'none'} -> {self.to_code}"


class SentFile(_Model):
    """An entries file the centre uploaded to OCR (records.xlsx, Entries Sent)."""

    row: int
    file: str = Field(description="the file's name, e.g. E6439572.X01")
    sent_on: dt.date
    sent_by: str
    changes: list[SentChange] | None = Field(
        default=None, description="what the file carried; None when not known"
    )


class Records(_Model):
    """The centre's own records. A sheet that is absent is None, so checks can say so."""

    expected: list[ExpectedRow] | None = None
    visits: list[VisitRow] | None = None
    claims: list[ClaimRow] | None = None
    markbook: list[MarkbookRow] | None = None
    tags: list[TagRow] | None = None
    ria: list[RiaRow] | None = None
    actions: list[ActionRow] | None = None
    entry_decisions: list[DecisionRow] | None = None
    entries_sent: list[SentFile] | None = None
    ecd_confirmed: list[ConfirmationRow] | None = None
    warnings: list[str] = Field(default_factory=list)
