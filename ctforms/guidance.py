"""What to do about each kind of issue, in plain words, after OCR's Checkpoint 2 troubleshooting
guidance (seeds/001). One place, so every output says the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from ctforms.models import IssueKind, Severity

VQ_EMAIL = "vqprocessing@ocr.org.uk"
SR_EMAIL = "srteam@ocr.org.uk"
MIR_FORM = "Interchange > Post-results > Missing and incomplete results"


@dataclass(frozen=True)
class Guidance:
    severity: Severity
    action: str
    remedy: str
    deadline: str  # a SeriesDates field, or "visit-14" for two weeks before the visit
    deadline_label: str


K = IssueKind
B, W = Severity.BLOCKING, Severity.WARNING

GUIDANCE: dict[IssueKind, Guidance] = {
    K.NOT_CERTIFICATING: Guidance(
        B,
        "The student is expected to get a result this summer but the tracker does not show them"
        f" as certificating. Email {VQ_EMAIL} with the candidate's details so OCR updates the"
        " certification status.",
        f"email {VQ_EMAIL}",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.UNEXPECTED_CERTIFICATION: Guidance(
        W,
        "The tracker shows the student as certificating this summer but your Expected sheet does"
        " not. If they can no longer complete this summer, email"
        f" {VQ_EMAIL} so OCR changes their status; otherwise correct the Expected sheet.",
        f"email {VQ_EMAIL} or correct records.xlsx",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.NO_QUALIFICATION_ENTRY: Guidance(
        B,
        "The student has no entry (registration) for the qualification they expect. Make the"
        " entry via EDI or Interchange, wait a day, and check the student appears in the tracker"
        f" against it. If the entry was made after 1 September 2021 and still does not show,"
        f" email {VQ_EMAIL}.",
        "entry via EDI or Interchange (ctforms entries)",
        "declaration_opens",
        "so it shows in the tracker before the declaration",
    ),
    K.WRONG_SIZE_ENTRY: Guidance(
        B,
        "The student is entered for a different size of the qualification than expected. Make a"
        " top-up or move-down entry via EDI or Interchange and check the tracker shows the new"
        " qualification. If the result is urgent, also use the Missing and incomplete results"
        " form ('Qualification entry (registration) change').",
        "ctforms entries; Missing and incomplete results form",
        "declaration_opens",
        "so it shows in the tracker before the declaration",
    ),
    K.MANDATORY_UNIT_MISSING: Guidance(
        B,
        "A mandatory unit of the qualification is not being taken. Enter or claim the unit; if"
        " the student cannot complete it, consider moving them down to a smaller size whose"
        " rules their achieved units already meet.",
        "unit entry or claim; ctforms entries for a move-down",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.GLH_SHORT: Guidance(
        B,
        "The units the student is taking do not add up to the qualification's minimum guided"
        " learning hours. Add the missing units, or move the student down to a smaller size if"
        " their achieved units already meet its rules.",
        "unit entries or claims; ctforms entries for a move-down",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.INVALID_COMBINATION: Guidance(
        B,
        "The student has enough guided learning hours but the combination of units breaks the"
        f" rules of combination. Contact OCR's special requirements team at {SR_EMAIL}.",
        f"email {SR_EMAIL}",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.MOVE_DOWN_AVAILABLE: Guidance(
        W,
        "The units the student is taking cannot meet the registered size, but the units already"
        " achieved meet the rules of a smaller size. If the student cannot take or complete what"
        " is missing in time, a move-down entry lets them still get a result: decide with the"
        " student and the head of department, then make the entry.",
        "ctforms entries (move-down entry via EDI or Interchange)",
        "declaration_opens",
        "so it shows in the tracker before the declaration",
    ),
    K.COMBINATION_UNVERIFIABLE: Guidance(
        W,
        "Part of this qualification's rules of combination is not known to ctforms, so the"
        " students listed could not be fully checked. Check them by hand against the centre"
        " handbook or OCR's qualifications calculator, or enter the rules in the rules workbook"
        " (ctforms catalogue template) and check again with --catalogue rules.xlsx.",
        "check by hand, or enter the rules: ctforms catalogue template",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.EXAMINED_NOT_ACHIEVED: Guidance(
        B,
        "A required examined unit was attempted and not achieved (U or N) and has not been"
        " re-entered. Re-enter the student for the unit, or move them down to a smaller size if"
        " their achieved units meet its rules.",
        "unit re-entry; ctforms entries for a move-down",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.EXAMINED_NOT_ENTERED: Guidance(
        B,
        "A required examined unit has no entry for this series. Make the entry (late entry fees"
        " may apply). If the student misses the exam for an acceptable reason, apply for special"
        " consideration before the window closes.",
        "unit entry via EDI or Interchange",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.CLAIM_NEEDED: Guidance(
        B,
        "A required moderated unit has no claim and the moderation visit is still ahead. Submit"
        " a claim in Interchange at least two weeks before the visit and tell your moderator.",
        "moderation claim in Interchange",
        "visit-14",
        "two weeks before the moderation visit",
    ),
    K.MISSED_FROM_CLAIM: Guidance(
        B,
        "A required moderated unit was missed from the claim and the visit has taken place."
        f" Submit a Missing and incomplete results request ({MIR_FORM}) with the 'Candidate/unit"
        " missed from moderation claim' spreadsheet.",
        "ctforms forms missed-claim",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.INCORRECT_CLAIM: Guidance(
        B,
        "The unit or grade claimed does not match the markbook. Submit a Missing and incomplete"
        f" results request ({MIR_FORM}) with the 'Incorrect unit/grade claimed at moderation'"
        " spreadsheet.",
        "ctforms forms incorrect-claim",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.MODERATED_NOT_ACHIEVED: Guidance(
        B,
        "A required moderated unit was given U at a previous visit and has not been"
        " re-submitted. Include it in the claim for the next visit, at least two weeks before.",
        "moderation claim in Interchange",
        "visit-14",
        "two weeks before the moderation visit",
    ),
    K.VISIT_NOT_SCHEDULED: Guidance(
        B,
        "No final moderation visit is scheduled for this qualification. Arrange one with your"
        " moderator to take place by 30 June.",
        "contact your moderator",
        "final_visit_booked_by",
        "final visit booked by",
    ),
    K.VISIT_AFTER_DEADLINE: Guidance(
        B,
        "The final moderation visit is after the final moderation deadline, so the units may"
        " not be available by results day. Ask your moderator to bring the visit forward.",
        "contact your moderator",
        "final_moderation_deadline",
        "final moderation deadline",
    ),
    K.CLAIM_TOO_LATE: Guidance(
        W,
        "The claim went in less than two weeks before the visit. Check with your moderator that"
        " the visit can still sample these units; claims after mid-June leave little time to"
        " resolve problems.",
        "contact your moderator",
        "visit-14",
        "two weeks before the moderation visit",
    ),
    K.RIA_NOT_RECEIVED: Guidance(
        B,
        "A reduction in assessment request is recorded but the unit does not show 'RIA"
        " received'. Submit or correct the request in the Reduction in assessment area of"
        f" Interchange, then use the Missing and incomplete results form ({MIR_FORM}) if the"
        " result is urgent.",
        "Interchange: Reduction in assessment",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.MISSING_TAG: Guidance(
        B,
        "A mid-flight teacher assessed grade is recorded but is not in the tracker. Make a late"
        f" request with the Missing and incomplete results form ({MIR_FORM}), uploading the TAG"
        " spreadsheet and the Head of Centre declaration.",
        "ctforms forms missing-tag",
        "declaration_closes",
        "before the declaration closes",
    ),
    K.DUPLICATE_CANDIDATE: Guidance(
        B,
        "The same student appears under two candidate numbers, so their units are split. Ask"
        f" OCR to merge the records with the Missing and incomplete results form ({MIR_FORM}),"
        " 'Merge duplicate candidate numbers/records'.",
        "Missing and incomplete results form (merge request)",
        "declaration_closes",
        "before the declaration closes",
    ),
}


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
}
