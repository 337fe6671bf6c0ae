"""The ground of every contract: the shared base model, the number types and the enums."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

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
