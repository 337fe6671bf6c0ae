"""The issue register (issues.json): issues, decisions, students and the register itself."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_serializer

from ctforms.models.base import (
    CandidateNumber,
    CentreNumber,
    IssueKind,
    QualificationCode,
    Severity,
    _Model,
)
from ctforms.models.centre import SeriesDates
from ctforms.models.records import SentFile


class CandidateDetails(_Model):
    surname: str
    forenames: str
    uln: str | None = None
    uci: str | None = None
    date_of_birth: dt.date | None = None


class Evidence(_Model):
    """What triggered an issue. Only the fields that apply are present in the JSON."""

    certification_status: str | None = None
    expected_code: str | None = None
    registered_code: str | None = None
    direction: Literal["top-up", "move-down"] | None = None
    move_down_code: str | None = None
    move_down_title: str | None = None
    pathway: str | None = None
    glh_taken: int | None = None
    glh_required: int | None = None
    mandatory_missing: list[int] | None = None
    missing_for_target: list[str] | None = None
    barred_found: list[int] | None = None
    unit_status: str | None = None
    unit_type: str | None = None
    unit_grade: str | None = None
    strictly_required: bool | None = None
    visit_date: dt.date | None = None
    visit_status: str | None = None
    visit_taken_place: bool | None = Field(
        default=None,
        description="whether the moderation visit had taken place by the check's date (the"
        " post-moderation forms are only for visits that have)",
    )
    moderator: str | None = None
    claim_submitted_on: dt.date | None = None
    markbook_grade: str | None = None
    claimed_unit: int | None = None
    claimed_grade: str | None = None
    correct_unit: int | None = None
    correct_grade: str | None = None
    tag_grade: str | None = None
    planned_assessment_date: dt.date | None = None
    in_tag_window: bool | None = None
    ria_requested_on: dt.date | None = None
    other_candidate_number: str | None = None
    matched_on: str | None = None
    source_rows: list[str] | None = None
    unverified: list[str] | None = Field(
        default=None, description="parts of the rules of combination that could not be checked"
    )
    students: int | None = None
    candidate_numbers: list[str] | None = None
    estimated_completion: str | None = Field(
        default=None, description="the Progress Tracker's ECD, e.g. 'Summer 2025'"
    )
    planned_completion: str | None = Field(
        default=None, description="the centre's planned completion (records.xlsx, Expected)"
    )
    course_start: dt.date | None = None
    level: int | None = None
    ecd_to_set: str | None = Field(
        default=None, description="the ECD to set in the Progress Tracker"
    )
    note: str | None = None

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler: Any) -> Any:
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class Handled(_Model):
    action_taken: str
    date: dt.date | None = None
    ocr_reference: str = ""
    by: str = ""
    recorded_in: Literal["Actions", "Entry Decisions"] = Field(
        default="Actions",
        description="the records sheet that closed the issue: an action taken, or a decision"
        " on an entry change that answers it",
    )


class Decision(_Model):
    """What the centre decided about a proposed entry change (records.xlsx, Entry Decisions),
    on the issue it decides and on each issue it answers."""

    make_change: bool
    decided_by: str
    date: dt.date | None = None
    row: int | None = Field(default=None, description="its row in the Entry Decisions sheet")
    change: Literal["move-down", "top-up", "entry change"] | None = Field(
        default=None, description="what was decided on"
    )
    code: str | None = Field(default=None, description="the qualification to move the student to")
    entries_file: str | None = Field(
        default=None,
        description="the EDI entries file the confirmed change went in, once one is made",
    )

    def said(self, where: bool = True) -> str:
        """The decision in a phrase: 'move-down to 05838 confirmed by A. Person on 12/06/2024;
        it goes in the next entries file' (or '; in E6439572.X02' once it has a file); where:
        whether to say the file."""
        on = f" on {self.date:%d/%m/%Y}" if self.date else ""
        what = f"{self.change or 'entry change'} to {self.code}" if self.code else "entry change"
        if not self.make_change:
            return f"{what} declined by {self.decided_by}{on}"
        said = f"{what} confirmed by {self.decided_by}{on}"
        if not where:
            return said
        return f"{said}; {self.where()}"

    def where(self) -> str:
        """Where a confirmed change goes: 'in E6439572.X02', or 'it goes in the next entries
        file' until the entries step names one."""
        return (
            f"in {self.entries_file}" if self.entries_file else "it goes in the next entries file"
        )


class Issue(_Model):
    id: str = Field(description="stable: the same input gives the same id")
    kind: IssueKind
    severity: Severity
    candidate_number: CandidateNumber | None
    qualification_code: QualificationCode | None
    unit_number: int | None
    handled: bool = False
    candidate: CandidateDetails | None = None
    qualification_title: str = ""
    unit_title: str = ""
    summary: str = Field(description="what is wrong, in one line")
    evidence: Evidence = Field(default_factory=Evidence)
    action: str = Field(description="what to do, in plain words (OCR's troubleshooting guidance)")
    remedy: str = Field(description="the form, email or ctforms command that does it")
    deadline: dt.date | None = None
    deadline_label: str = ""
    overdue: bool = False
    handled_by: Handled | None = None
    decision: Decision | None = Field(
        default=None, description="a proposed entry change confirmed or declined by the centre"
    )

    @model_serializer(mode="wrap")
    def _drop_no_decision(self, handler: Any) -> Any:
        # Only a proposal the centre decided on carries the key: registers stay as they were.
        data = handler(self)
        if isinstance(data, dict) and data.get("decision", 0) is None:
            del data["decision"]
        return data


class CheckStatus(StrEnum):
    PASSED = "passed"
    ISSUES = "issues"
    CANNOT_VERIFY = "cannot-verify"
    PARTIAL = "partially-verified"


class CheckResult(_Model):
    check: str
    title: str
    status: CheckStatus
    students_checked: int
    issues: int
    notes: list[str] = Field(default_factory=list)


class InputFile(_Model):
    role: Literal["tracker", "centre", "records", "catalogue"]
    name: str
    sha256: str
    size: int


class StudentStatus(StrEnum):
    OK = "ok"
    AT_RISK = "at-risk"
    CHECK = "check"


class Student(_Model):
    """A candidate expecting a result this series, for one qualification."""

    candidate_number: CandidateNumber
    surname: str
    forenames: str
    qualification_code: QualificationCode
    qualification_title: str = ""
    registered_code: QualificationCode | None = None
    status: StudentStatus
    blocking: int = 0
    warnings: int = 0
    # The term-time checkpoint's facts (absent from Checkpoint 2's registers).
    estimated_completion: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the Progress Tracker's estimated completion date (ECD), e.g. 'Summer 2025';"
        " '' when the tracker has none",
    )
    planned_completion: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the centre's plan (records.xlsx, Expected: Planned Completion, or"
        " 'Summer <year>' for Certificating = Y); None when the records have no plan",
    )
    course_start: dt.date | None = Field(
        default=None, exclude_if=lambda v: v is None, description="Expected: Course Start"
    )
    ecd_to_set: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the ECD the tracker should show when it must change (the plan), else None",
    )


class RegisterCentre(_Model):
    number: CentreNumber
    name: str
    head_of_centre: str = ""
    exams_officer: str = ""
    exams_officer_email: str = ""
    exams_officer_deputies: list[str] = Field(
        default_factory=list, description="centre.toml's [exams_officer] deputies"
    )


class CatalogueUse(_Model):
    code: QualificationCode
    title: str
    source: str
    verified: bool
    rules: Literal["verified", "partial", "illustrative", "unverified", "none"]
    rules_source: str | None = None
    minimum_glh: int | None = Field(default=None, description="used only when verified")
    not_known: list[str] = Field(
        default_factory=list, description="parts of the rules the catalogue does not know"
    )
    known: Literal["fully known", "partly known", "not known"] | None = Field(
        default=None,
        description="how much of the rules is known, as the rules page and the combination"
        " check say it (checks.rules.known_state); None in registers made before it was kept",
    )


class Summary(_Model):
    students_checked: int
    students_at_risk: int
    issues: int
    blocking_unhandled: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


Checkpoint = Literal["2", "term-time"]
CHECKPOINTS: tuple[Checkpoint, ...] = ("2", "term-time")


class Register(_Model):
    """The issue register (issues.json): the contract every later command consumes."""

    register_version: Literal[1] = 1
    checkpoint: Checkpoint = Field(
        default="2",
        # Absent for Checkpoint 2, so its registers stay as they were and old ones load.
        exclude_if=lambda v: v == "2",
        description="which declaration the check is for: '2' (Checkpoint 2, June: every"
        " student expecting a result can get one) or 'term-time' (March-April: every"
        " estimated completion date is right)",
    )
    left_out: dict[str, int] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="term-time checkpoint: entries not checked because their qualification is"
        " already certificated or withdrawn, by reason ('certificated', 'withdrawn')",
    )
    tool: str
    tool_version: str
    centre: RegisterCentre
    series: SeriesDates
    as_of: dt.date = Field(ge=dt.date(2020, 1, 1), le=dt.date(2100, 12, 31))  # as a check's date
    inputs: list[InputFile]
    catalogue: list[CatalogueUse]
    checks: list[CheckResult]
    summary: Summary
    students: list[Student]
    warnings: list[str]
    issues: list[Issue]
    entries_sent: list[SentFile] | None = Field(
        default=None,
        # Absent, not null, when there is no Entries Sent sheet: registers made before it agree.
        exclude_if=lambda v: v is None,
        description="the entries files recorded as sent by the check's date (the Entries Sent"
        " sheet; absent when the records have no such sheet), with what each carried",
    )
