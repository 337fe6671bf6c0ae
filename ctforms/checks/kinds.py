"""The kinds of issue in words: which check raises each, and its plain label for the papers and
pages."""

from __future__ import annotations

from ctforms.models import IssueKind

K = IssueKind


# Which check (ctforms.checks module, CheckResult.check) raises each kind.
CHECK_OF_KIND: dict[IssueKind, str] = {
    K.NOT_CERTIFICATING: "certification",
    K.UNEXPECTED_CERTIFICATION: "certification",
    K.NO_QUALIFICATION_ENTRY: "entries",
    K.WRONG_SIZE_ENTRY: "entries",
    K.MANDATORY_UNIT_MISSING: "combination",
    K.GLH_SHORT: "combination",
    K.INVALID_COMBINATION: "combination",
    K.MOVE_DOWN_AVAILABLE: "combination",
    K.COMBINATION_UNVERIFIABLE: "combination",
    K.EXAMINED_NOT_ACHIEVED: "examined",
    K.EXAMINED_NOT_ENTERED: "examined",
    K.CLAIM_NEEDED: "moderated",
    K.MISSED_FROM_CLAIM: "moderated",
    K.INCORRECT_CLAIM: "moderated",
    K.MODERATED_NOT_ACHIEVED: "moderated",
    K.VISIT_NOT_SCHEDULED: "visits",
    K.VISIT_AFTER_DEADLINE: "visits",
    K.CLAIM_TOO_LATE: "visits",
    K.RIA_NOT_RECEIVED: "ria",
    K.MISSING_TAG: "tags",
    K.DUPLICATE_CANDIDATE: "duplicates",
    K.SENT_CHANGE_DECLINED: "entries",
    K.ECD_LATER_THAN_PLANNED: "completion",
    K.ECD_EARLIER_THAN_PLANNED: "completion",
    K.ECD_CHECK_COURSE_LENGTH: "completion",
    K.ECD_UNVERIFIABLE: "completion",
    K.ECD_NOT_CONFIRMED: "confirmed",
}

# Each kind in plain words, for every paper and page (the kind's code, e.g. "glh-short", stays
# in issues.json and in the issue IDs).
KIND_LABELS: dict[IssueKind, str] = {
    K.NOT_CERTIFICATING: "Not certificating",
    K.UNEXPECTED_CERTIFICATION: "Certificating unexpectedly",
    K.NO_QUALIFICATION_ENTRY: "No qualification entry",
    K.WRONG_SIZE_ENTRY: "Entered for the wrong size",
    K.MANDATORY_UNIT_MISSING: "Mandatory unit missing",
    K.GLH_SHORT: "Short of guided learning hours",
    K.INVALID_COMBINATION: "Units break the rules of combination",
    K.MOVE_DOWN_AVAILABLE: "Move-down possible",
    K.COMBINATION_UNVERIFIABLE: "Rules of combination not fully known",
    K.EXAMINED_NOT_ACHIEVED: "Exam not achieved",
    K.EXAMINED_NOT_ENTERED: "Exam not entered",
    K.CLAIM_NEEDED: "Moderation claim needed",
    K.MISSED_FROM_CLAIM: "Missed from the moderation claim",
    K.INCORRECT_CLAIM: "Wrong unit or grade claimed",
    K.MODERATED_NOT_ACHIEVED: "Moderated unit not achieved",
    K.VISIT_NOT_SCHEDULED: "Moderation visit not booked",
    K.VISIT_AFTER_DEADLINE: "Moderation visit too late",
    K.CLAIM_TOO_LATE: "Claim too late for the visit",  # sent, or planned (a later date)
    K.RIA_NOT_RECEIVED: "Reduction in assessment not received",
    K.MISSING_TAG: "Mid-flight TAG missing",
    K.DUPLICATE_CANDIDATE: "Student listed twice",
    K.SENT_CHANGE_DECLINED: "Entry change sent, now declined",
    K.ECD_LATER_THAN_PLANNED: "Completion date later than planned",
    K.ECD_EARLIER_THAN_PLANNED: "Completion date earlier than planned",
    K.ECD_CHECK_COURSE_LENGTH: "Completion date: check the course length",
    K.ECD_UNVERIFIABLE: "Completion dates cannot be checked",
    K.ECD_NOT_CONFIRMED: "Completion date not confirmed by a teacher",
}


def kind_label(kind: IssueKind | str) -> str:
    """The kind in plain words; a code (as the register's summary counts keep them) too."""
    try:
        return KIND_LABELS[IssueKind(kind)]
    except ValueError:
        return str(kind).replace("-", " ").capitalize()
