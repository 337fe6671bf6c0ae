"""The contracts between ctforms' parts: every input, the catalogue and the issue register.

Readers validate raw text and build these; checks read them; producers consume the register.
`ctforms schema` publishes the JSON Schema of each model listed in MODELS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

CentreNumber = str  # 5 digits, validated by the readers
CandidateNumber = str  # 4 digits, leading zeros kept
QualificationCode = str  # 5-digit OCR entry code, e.g. "05839"


class _Model(BaseModel):
    # defer_build: a model is made ready at its first use, so a command pays only for its own.
    model_config = ConfigDict(extra="forbid", frozen=False, defer_build=True)


# ---------------------------------------------------------------------------- enums


class UnitStatus(StrEnum):
    """Unit statuses of the Progress Tracker (OCR's guidance), plus ctforms' label for no claim."""

    RESULT_ACHIEVED = "Result achieved"
    ENTRY_RECEIVED = "Entry received"
    ENTRY_NOT_RECEIVED = "Entry not received"
    ATTEMPTED_NOT_ACHIEVED = "Unit attempted-Not achieved"
    CLAIM_SUBMITTED = "Claim submitted"
    CLAIM_SAMPLED = "Claim sampled"
    RIA_RECEIVED = "RIA received"
    CLAIM_NOT_RECEIVED = "Claim not received"


# A unit in one of these states will count towards the qualification if nothing goes wrong.
GOOD_STATUSES = frozenset(
    {
        UnitStatus.RESULT_ACHIEVED,
        UnitStatus.ENTRY_RECEIVED,
        UnitStatus.CLAIM_SUBMITTED,
        UnitStatus.CLAIM_SAMPLED,
        UnitStatus.RIA_RECEIVED,
    }
)


class Grade(StrEnum):
    DISTINCTION = "D"
    MERIT = "M"
    PASS = "P"
    NEAR_PASS = "R"
    UNCLASSIFIED = "U"
    NOT_ACHIEVED = "N"


PASSING_GRADES = frozenset({Grade.DISTINCTION, Grade.MERIT, Grade.PASS, Grade.NEAR_PASS})


class Assessment(StrEnum):
    EXAMINED = "Examined"
    MODERATED = "Moderated"


class Certification(StrEnum):
    CERTIFICATING = "certificating"
    NOT_CERTIFICATING = "not-certificating"
    WITHDRAWN = "withdrawn"


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


class IssueKind(StrEnum):
    """The `kind` of an issue. The names are part of the register's contract (DESIGN.md)."""

    NOT_CERTIFICATING = "not-certificating"
    UNEXPECTED_CERTIFICATION = "unexpected-certification"
    NO_QUALIFICATION_ENTRY = "no-qualification-entry"
    WRONG_SIZE_ENTRY = "wrong-size-entry"
    MANDATORY_UNIT_MISSING = "mandatory-unit-missing"
    GLH_SHORT = "glh-short"
    INVALID_COMBINATION = "invalid-combination"
    MOVE_DOWN_AVAILABLE = "move-down-available"
    COMBINATION_UNVERIFIABLE = "combination-unverifiable"
    EXAMINED_NOT_ACHIEVED = "examined-not-achieved"
    EXAMINED_NOT_ENTERED = "examined-not-entered"
    CLAIM_NEEDED = "claim-needed"
    MISSED_FROM_CLAIM = "missed-from-claim"
    INCORRECT_CLAIM = "incorrect-claim"
    MODERATED_NOT_ACHIEVED = "moderated-not-achieved"
    VISIT_NOT_SCHEDULED = "visit-not-scheduled"
    VISIT_AFTER_DEADLINE = "visit-after-deadline"
    CLAIM_TOO_LATE = "claim-too-late"
    RIA_NOT_RECEIVED = "ria-not-received"
    MISSING_TAG = "missing-tag"
    DUPLICATE_CANDIDATE = "duplicate-candidate"
    SENT_CHANGE_DECLINED = "sent-change-declined"
    # The term-time checkpoint: each student's estimated completion date (ECD).
    ECD_LATER_THAN_PLANNED = "ecd-later-than-planned"
    ECD_EARLIER_THAN_PLANNED = "ecd-earlier-than-planned"
    ECD_CHECK_COURSE_LENGTH = "ecd-check-course-length"
    ECD_UNVERIFIABLE = "ecd-unverifiable"
    # A student whose ECD no teacher has confirmed (records.xlsx, ECD Confirmed).
    ECD_NOT_CONFIRMED = "ecd-not-confirmed"


# ---------------------------------------------------------------------------- centre profile


class CentreDetails(_Model):
    number: CentreNumber = Field(pattern=r"^\d{5}$", description="5-digit OCR centre number")
    name: str = Field(min_length=1)
    head_of_centre: str = ""


class ExamsOfficer(_Model):
    name: str = ""
    email: str = ""
    deputies: list[str] = Field(
        default_factory=list,
        description="others the centre allows to sign off the evidence pack in the officer's"
        " absence (they too need the Exams Officer role in My Cambridge)",
    )


class SeriesDates(_Model):
    """The series' key dates. Only 2023's are OCR's; other years repeat them and are flagged."""

    year: int = Field(ge=2020, le=2100, description="summer in which results are expected")
    declaration_opens: dt.date
    declaration_closes: dt.date
    final_visit_booked_by: dt.date
    claims_recommended_by: dt.date
    final_moderation_deadline: dt.date
    special_consideration_closes: dt.date
    tracker_frozen_from: dt.date
    term_time_declaration_closes: dt.date | None = Field(
        default=None,
        # Absent from Checkpoint 2's registers unless centre.toml gives it: they stay as before.
        exclude_if=lambda v: v is None,
        description="the term-time checkpoint's declaration closes (estimated completion"
        " dates); when not given, 30 April of the results year, moved to a working day, assumed",
    )
    assumed: list[str] = Field(
        default_factory=list,
        description="dates neither in centre.toml nor published for this year: check them",
    )


class TrackerSettings(_Model):
    columns: dict[str, str] = Field(
        default_factory=dict, description="export header -> ctforms field name"
    )
    statuses: dict[str, UnitStatus] = Field(
        default_factory=dict, description="extra unit-status labels -> ctforms status"
    )


class SigningSettings(_Model):
    """The centre's key pair: `ctforms run` signs each archive's manifest with it."""

    key: str = Field(
        min_length=1, description="private key (PEM), relative to centre.toml's folder"
    )
    cert: str = Field(
        min_length=1, description="its certificate (PEM), relative to centre.toml's folder"
    )


class CentreProfile(_Model):
    centre: CentreDetails
    exams_officer: ExamsOfficer = Field(default_factory=ExamsOfficer)
    series: SeriesDates
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    signing: SigningSettings | None = None


# ---------------------------------------------------------------------------- tracker


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


# ---------------------------------------------------------------------------- records.xlsx


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


# ---------------------------------------------------------------------------- catalogue


class Unit(_Model):
    number: int = Field(ge=1)
    title: str = ""
    glh: int | None = Field(default=None, gt=0, description="None when not known")
    assessment: Assessment | None = Field(
        default=None, description="None when not confirmed: the tracker's Unit Type is used"
    )


class OptionalGroup(_Model):
    """Choose from `units`: at least `min_units` of them and at least `min_glh` hours."""

    name: str = "optional"
    units: list[int] = Field(min_length=1)
    min_units: int = Field(default=0, ge=0)
    min_glh: int = Field(default=0, ge=0)
    max_units: int | None = Field(default=None, ge=1)


class Pathway(_Model):
    name: str
    mandatory: list[int] = Field(default_factory=list)
    groups: list[OptionalGroup] = Field(default_factory=list)


class Rules(_Model):
    """Rules of combination. A student must satisfy the base rules and one pathway (if any)."""

    verified: bool = Field(description="checked against OCR's specification or the centre's")
    illustrative: bool = Field(
        default=False, description="made up for demonstration: not OCR's rules"
    )
    source: str
    mandatory: list[int] = Field(default_factory=list)
    groups: list[OptionalGroup] = Field(default_factory=list)
    pathways: list[Pathway] = Field(default_factory=list)
    barred: list[list[int]] = Field(
        default_factory=list, description="sets of units of which at most one may be taken"
    )
    unknown: list[int] = Field(
        default_factory=list,
        description="units listed for the qualification whose rule (mandatory or optional) is"
        " not known; every mandatory unit is taken to be listed in `mandatory`",
    )
    complete: bool = Field(
        default=True,
        description="false when only part of the rules is known: a unit not named here may be"
        " allowed too (its place is not known)",
    )


class Qualification(_Model):
    code: QualificationCode = Field(pattern=r"^\d{5}$")
    title: str
    size: str = ""
    glh: int | None = Field(
        default=None, gt=0, description="minimum GLH for the qualification; None when not known"
    )
    source: str
    verified: bool = Field(description="title, size and minimum GLH confirmed (not inferred)")
    rules: Rules | None = None


class Subject(_Model):
    """Qualifications of one subject, level and suite share their units (move-down/top-up)."""

    id: str
    name: str
    suite: Literal[2012, 2016]
    level: int = Field(ge=1, le=3)
    source: str
    verified: bool
    units: list[Unit] = Field(default_factory=list)
    qualifications: list[Qualification]


class CatalogueFile(_Model):
    catalogue_version: Literal[1] = 1
    subjects: list[Subject]


# ---------------------------------------------------------------------------- the register


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
    as_of: dt.date = Field(ge=dt.date(2020, 1, 1), le=dt.date(2100, 12, 31))  # as --as-of
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


# ---------------------------------------------------------------------------- for the pages


class Proposal(_Model):
    """An entry change ctforms found possible and the centre decides on (today a move-down:
    the achieved units already meet a smaller size), with what the records decided so far."""

    candidate_number: str
    surname: str = ""
    forenames: str = ""
    name: str = Field(description="'Surname, Forenames'; empty when not in the tracker")
    qualification_code: str = Field(description="the code the candidate is entered for")
    qualification_title: str = ""
    proposed_code: str
    proposed_title: str = ""
    kind: Literal["move-down", "top-up"]
    why: str = Field(description="one plain sentence")
    issue_id: str
    decision: bool | None = Field(
        description="the Entry Decisions sheet: True make the change, False not, None undecided"
    )
    decided_by: str | None = None
    decided_on: dt.date | None = None
    handled: bool = Field(default=False, description="an Actions row names the issue")

    @property
    def note(self) -> str:
        """The proposal in one line, as `ctforms entries` and the listing say it."""
        who = f"{self.candidate_number} {self.name}" if self.name else self.candidate_number
        move = f"{self.kind} {self.qualification_code} -> {self.proposed_code}"
        if self.decision is False:
            on = f" on {self.decided_on:%d/%m/%Y}" if self.decided_on else ""
            return f"{who}: {move}: declined by {self.decided_by}{on}; not in the file"
        return (
            f"{who}: {move}: proposed, not in the file until confirmed (on the Decisions page,"
            f" or in records.xlsx, sheet Entry Decisions: {self.candidate_number},"
            f" {self.proposed_code}, Y, your name)"
        )


class RulesKnowledge(_Model):
    """What is known of one qualification's rules, for a page: its state in a word and the
    plain lines `ctforms catalogue check` prints."""

    code: str
    title: str = ""
    state: Literal["fully known", "partly known", "not known"]
    lines: list[str] = Field(default_factory=list)
    students: int = Field(
        default=0,
        description="students expecting a result for it: the pack's Summary by qualification"
        " and the Results page count them so",
    )
    entered_expecting_another: int = Field(
        default=0,
        description="students entered for it who expect another size of the subject (a top-up"
        " or move-down is due): counted under the size they expect, not in students",
    )
    in_catalogue: bool = True


# name -> model; each has a JSON Schema through pydantic.TypeAdapter.
MODELS: dict[str, type[Any]] = {
    "centre": CentreProfile,
    "tracker-row": TrackerRow,
    "candidate": Candidate,
    "qualification-entry": QualificationEntry,
    "unit-record": UnitRecord,
    "records": Records,
    "expected": ExpectedRow,
    "visit": VisitRow,
    "claim": ClaimRow,
    "markbook": MarkbookRow,
    "tag": TagRow,
    "ria": RiaRow,
    "action": ActionRow,
    "entry-decision": DecisionRow,
    "entries-sent": SentFile,
    "catalogue": CatalogueFile,
    "issue": Issue,
    "register": Register,
    "proposal": Proposal,
    "rules-knowledge": RulesKnowledge,
}
