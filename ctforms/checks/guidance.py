"""What to do about each kind of issue, in plain words, after OCR's Checkpoint 2 troubleshooting
guidance (seeds/001). One place, so every output says the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from ctforms.checks.action import BEFORE_CLOSE, BEFORE_LAST_VISIT, BEFORE_VISIT, Guidance

# Re-exported: the checks, the producers, the pages and the tests import these from here.
from ctforms.checks.action import BEFORE_OPEN as BEFORE_OPEN
from ctforms.checks.action import BEFORE_TERM_TIME as BEFORE_TERM_TIME
from ctforms.checks.action import DATE_KEYS as DATE_KEYS
from ctforms.checks.action import VQ_EMAIL as VQ_EMAIL
from ctforms.checks.action import Action as Action
from ctforms.checks.action import fields as fields
from ctforms.checks.kinds import CHECK_OF_KIND as CHECK_OF_KIND
from ctforms.checks.kinds import KIND_LABELS as KIND_LABELS
from ctforms.checks.kinds import kind_label as kind_label
from ctforms.models import IssueKind, Severity


def _act(text: str, remedy: str, when: tuple[str, str]) -> Action:
    return Action(text, remedy, *when)


K = IssueKind
B, W = Severity.BLOCKING, Severity.WARNING
_FILE_REMEDY = "upload {%s} to the Missing and incomplete results form"
# The texts name files, never the commands that make them: the same words serve the command
# line, the web page and the papers (whoever reads them may use only one of them).
_VQ_TEAM = "OCR's vocational processing team by email ({vq_email})"
_ENTRIES_FILE = "the entries listing {entries_listing_file} and the EDI entries file it names"
_RULES_WORKBOOK = (
    "the rules workbook (download it from the Rules of combination page, or make it with"
    " 'ctforms catalogue template')"
)

# A confirmed change recorded as sent and declined since: an amendment file cannot undo it.
SENT_DECLINED_TEXT = (
    "The change is already with OCR: a later entries file cannot undo it, because OCR accepts"
    " amendment files that add candidates or entries only. If the entry should stay as it was,"
    " email {{vq_email}} (OCR's vocational processing team) with the centre number, the"
    " candidate's number and name, and {undo}; then record what you did in the Actions sheet."
    " If the change was right after all, record Y again in Entry Decisions."
)
SENT_DECLINED_REMEDY = "email {vq_email} to undo the change, or record Y again in Entry Decisions"

GUIDANCE: dict[IssueKind, Guidance] = {
    K.NOT_CERTIFICATING: Guidance(
        B,
        _act(
            "The student is expected to get a result this summer but the tracker does not show"
            " them as certificating. Email {vq_email} with the candidate's details so OCR"
            " updates the certification status.",
            "email {vq_email}",
            BEFORE_CLOSE,
        ),
    ),
    K.UNEXPECTED_CERTIFICATION: Guidance(
        W,
        _act(
            "The tracker shows the student as certificating this summer but your Expected sheet"
            " does not. If they can no longer complete this summer, email {vq_email} so OCR"
            " changes their status; otherwise correct the Expected sheet.",
            "email {vq_email} or correct the Expected sheet",
            BEFORE_CLOSE,
        ),
    ),
    K.NO_QUALIFICATION_ENTRY: Guidance(
        B,
        _act(
            "The student has no entry (registration) for the qualification they expect. Make"
            f" the entry via EDI or Interchange using {_ENTRIES_FILE}, wait a day, and check the"
            " student appears in the tracker against it. {entries_shown}",
            "make the entry: see {entries_listing_file}",
            BEFORE_OPEN,
        ),
    ),
    K.WRONG_SIZE_ENTRY: Guidance(
        B,
        _act(
            "The student is entered for a different size of the qualification than expected."
            f" Make the top-up or move-down entry (the summary says which) using {_ENTRIES_FILE},"
            " and check the tracker shows the new qualification. The EDI file adds the new entry"
            " only (OCR takes no change or withdrawal of an existing entry by EDI): withdraw the"
            " old entry through the Progress Tracker (qualification withdrawals), or ask"
            f" {_VQ_TEAM} to change it. If the result is urgent, also use the Missing and"
            " incomplete results form ('Qualification entry (registration) change').",
            "make the entry: see {entries_listing_file}",
            BEFORE_OPEN,
        ),
    ),
    K.MANDATORY_UNIT_MISSING: Guidance(
        B,
        _act(
            # The check says, for each student, whether a move-down can help (with_smaller).
            "A mandatory unit of the qualification is not being taken. Enter or claim the unit.",
            "enter or claim the unit",
            BEFORE_CLOSE,
        ),
    ),
    K.GLH_SHORT: Guidance(
        B,
        _act(
            "The units the student is taking do not add up to the qualification's minimum"
            " guided learning hours. Enter or claim the missing units.",
            "enter or claim more units",
            BEFORE_CLOSE,
        ),
    ),
    K.INVALID_COMBINATION: Guidance(
        B,
        _act(
            "The student has enough guided learning hours but the combination of units breaks"
            " the rules of combination. Contact OCR's special requirements team at {sr_email}.",
            "email {sr_email}",
            BEFORE_CLOSE,
        ),
    ),
    K.MOVE_DOWN_AVAILABLE: Guidance(
        W,
        _act(
            "The units the student is taking cannot meet the registered size, but the units"
            " already achieved meet the rules of a smaller size. If the student cannot take or"
            " complete what is missing in time, a move-down entry lets them still get a result."
            " Decide with the student and the head of department and record the decision on the"
            " Decisions page or in the Entry Decisions sheet of records.xlsx (Y to make the"
            " change, or N, and who decided): only a confirmed move-down goes into the EDI"
            f" entries file. Then make the entry using {_ENTRIES_FILE}; the EDI file adds the"
            " new entry only, so withdraw the old one through the Progress Tracker"
            f" (qualification withdrawals), or ask {_VQ_TEAM} to change it.",
            "decide and record it (Decisions page or Entry Decisions sheet); then see"
            " {entries_listing_file}",
            BEFORE_OPEN,
        ),
    ),
    K.COMBINATION_UNVERIFIABLE: Guidance(
        W,
        _act(
            # Said so that it fits whether the rules are partly known or not known at all.
            "The rules of combination of this qualification are not fully known to ctforms, so"
            " the students listed could not be fully checked. Check them by hand against the"
            " centre handbook or OCR's qualifications calculator, or enter the rules in"
            f" {_RULES_WORKBOOK} and check again with it.",
            "check by hand, or enter the rules in the rules workbook",
            BEFORE_CLOSE,
        ),
    ),
    K.EXAMINED_NOT_ACHIEVED: Guidance(
        B,
        _act(
            "The examined unit was attempted and not achieved (U or N) and has not been"
            " re-entered. Re-enter the student for the unit.",
            "re-enter the unit",
            BEFORE_CLOSE,
        ),
    ),
    K.EXAMINED_NOT_ENTERED: Guidance(
        B,
        _act(
            "The examined unit has no entry for this series. Make the entry (late entry fees may"
            " apply). If the student misses the exam for an acceptable reason, apply for special"
            " consideration by {special_consideration_closes}.",
            "unit entry via EDI or Interchange",
            BEFORE_CLOSE,
        ),
    ),
    K.CLAIM_NEEDED: Guidance(
        B,
        _act(
            "The moderated unit has no claim and the moderation visit is still ahead. Submit a"
            " claim in Interchange at least two weeks before the visit and tell your moderator.",
            "moderation claim in Interchange",
            BEFORE_VISIT,
        ),
    ),
    K.MISSED_FROM_CLAIM: Guidance(
        B,
        _act(
            "The moderated unit was missed from the claim and the visit has taken place. Upload"
            " {missed_claim_file}, the spreadsheet made for this request, with the Missing and"
            " incomplete results form ({mir_form}), request type 'Candidate/unit missed from"
            " moderation claim'.",
            _FILE_REMEDY % "missed_claim_file",
            BEFORE_CLOSE,
        ),
    ),
    K.INCORRECT_CLAIM: Guidance(
        B,
        _act(
            "The unit or grade claimed does not match the markbook. Upload"
            " {incorrect_claim_file}, the spreadsheet made for this request, with the Missing"
            " and incomplete results form ({mir_form}), request type 'Incorrect unit/grade"
            " claimed at moderation'.",
            _FILE_REMEDY % "incorrect_claim_file",
            BEFORE_CLOSE,
        ),
    ),
    K.MODERATED_NOT_ACHIEVED: Guidance(
        B,
        _act(
            "The moderated unit was given U at a previous visit and has not been re-submitted."
            " Include it in the claim for the next visit, at least two weeks before it.",
            "moderation claim in Interchange",
            BEFORE_VISIT,
        ),
    ),
    K.VISIT_NOT_SCHEDULED: Guidance(
        B,
        _act(
            "No final moderation visit is scheduled for this qualification. Book one with your"
            " moderator by {final_visit_booked_by}, to take place by"
            " {final_moderation_deadline}.",
            "contact your moderator",
            ("final_visit_booked_by", "the last day to book the final moderation visit"),
        ),
    ),
    K.VISIT_AFTER_DEADLINE: Guidance(
        B,
        _act(
            "The final moderation visit is after the final moderation deadline"
            " ({final_moderation_deadline}), so the units may not be available by results day."
            " Ask your moderator to bring the visit forward.",
            "contact your moderator",
            ("final_moderation_deadline", "the final moderation deadline"),
        ),
    ),
    K.CLAIM_TOO_LATE: Guidance(
        W,
        _act(
            "The claim went in less than two weeks before the visit. Check with your moderator"
            " that the visit can still sample these units; claims after"
            " {claims_recommended_by} leave little time to resolve problems.",
            "contact your moderator",
            BEFORE_VISIT,
        ),
    ),
    K.RIA_NOT_RECEIVED: Guidance(
        B,
        _act(
            "A reduction in assessment request is recorded but the unit does not show 'RIA"
            " received'. Submit or correct the request in the Reduction in assessment area of"
            " Interchange, then use the Missing and incomplete results form ({mir_form}) if the"
            " result is urgent.",
            "Interchange: Reduction in assessment",
            BEFORE_CLOSE,
        ),
    ),
    K.MISSING_TAG: Guidance(
        B,
        _act(
            "A mid-flight teacher assessed grade is recorded but is not in the tracker. Make a"
            " late request with the Missing and incomplete results form ({mir_form}), uploading"
            " {missing_tag_file}, the TAG spreadsheet, and {hoc_declaration_file}, the Head of"
            " Centre declaration, once signed.",
            "upload {missing_tag_file} and {hoc_declaration_file}",
            BEFORE_CLOSE,
        ),
    ),
    K.DUPLICATE_CANDIDATE: Guidance(
        B,
        _act(
            "The same student appears under two candidate numbers, so their units are split."
            " Ask OCR to merge the records with the Missing and incomplete results form"
            " ({mir_form}), 'Merge duplicate candidate numbers/records'.",
            "Missing and incomplete results form (merge request)",
            BEFORE_CLOSE,
        ),
    ),
    K.SENT_CHANGE_DECLINED: Guidance(
        B,
        _act(
            SENT_DECLINED_TEXT.format(undo="ask for the entry to be put back as it was"),
            SENT_DECLINED_REMEDY,
            BEFORE_OPEN,
        ),
    ),
    # The term-time checkpoint (seeds: Summer 2024 timeline). The checks pass each issue its
    # own action naming the dates (ecd_action); these are the kinds' general words.
    K.ECD_LATER_THAN_PLANNED: Guidance(
        B,
        _act(
            "The Progress Tracker's estimated completion date is later than the centre plans:"
            " the student will not be in the results when planned unless it is amended. Amend"
            " it in the Progress Tracker (the amendments workbook {ecd_amendments_file} lists"
            " it), then submit the term-time declaration.",
            "amend the estimated completion date in the Progress Tracker",
            BEFORE_TERM_TIME,
        ),
    ),
    K.ECD_EARLIER_THAN_PLANNED: Guidance(
        B,
        _act(
            "The Progress Tracker's estimated completion date is earlier than the centre plans:"
            " the student will show as at risk and be declared wrongly. Amend it in the Progress"
            " Tracker (the amendments workbook {ecd_amendments_file} lists it), then submit the"
            " term-time declaration.",
            "amend the estimated completion date in the Progress Tracker",
            BEFORE_TERM_TIME,
        ),
    ),
    K.ECD_CHECK_COURSE_LENGTH: Guidance(
        W,
        _act(
            "No planned completion is recorded, and the standard course length from the course"
            " start (Level 2: one year, Level 3: two years) gives another estimated completion"
            " date than the Progress Tracker's: often a student registered after the course"
            " began. Check with the teacher when the student will finish; amend the date in the"
            " Progress Tracker if it is wrong, and record the plan in records.xlsx (Expected,"
            " Planned Completion).",
            "check with the teacher; amend the date in the Progress Tracker if it is wrong",
            BEFORE_TERM_TIME,
        ),
    ),
    K.ECD_UNVERIFIABLE: Guidance(
        W,
        _act(
            "ctforms cannot check these students' estimated completion dates: records.xlsx"
            " (Expected) gives neither a Planned Completion nor a Course Start for them. Add"
            " one for each student and check again, or check the dates with the teachers"
            " yourself before you declare.",
            "add Planned Completion or Course Start in records.xlsx (Expected)",
            BEFORE_TERM_TIME,
        ),
    ),
    K.ECD_NOT_CONFIRMED: Guidance(
        W,
        _act(
            "No teacher has yet confirmed these students' estimated completion dates. Send the"
            " subject's list (the workbook whose name ends -ecd-check.xlsx, in this check's"
            " folder) to its head of department; when it comes back with Confirmed (Y/N) and"
            " Confirmed By filled in, record it (Decisions page, or 'ctforms records"
            " confirmations') and check again.",
            "send the subject's list to its head of department; record it when it comes back",
            BEFORE_TERM_TIME,
        ),
    ),
}

# Actions for evidence that calls for something other than the kind's usual action.
TAG_OUTSIDE_WINDOW = _act(
    "The TAG recorded is for an assessment planned outside the mid-flight TAG window"
    " ({tag_window}), so a TAG is not allowed and OCR cannot accept one. The unit must be"
    " assessed normally: enter the student for it, or include it in a moderation claim, and"
    " correct the TAGs sheet if the date is wrong.",
    "assess the unit normally (unit entry or moderation claim); no TAG form",
    BEFORE_CLOSE,
)
TAG_DATE_UNKNOWN = _act(
    "A mid-flight teacher assessed grade is recorded but is not in the tracker, and no planned"
    " assessment date is recorded. First check the assessment was planned within {tag_window}"
    " and add the date to the TAGs sheet. If it was, make a late request with the Missing and"
    " incomplete results form ({mir_form}), uploading {missing_tag_file} and"
    " {hoc_declaration_file} (signed by the Head of Centre); if not, a TAG is not allowed"
    " and the unit must be assessed normally.",
    "check the planned date; then upload {missing_tag_file} and {hoc_declaration_file}",
    BEFORE_CLOSE,
)
CLAIM_NEEDED_NO_VISIT = _act(
    "The moderated unit has no claim and no moderation visit is recorded for this"
    " qualification. If a visit has already taken place, the unit was missed from its claim:"
    " record the visit in the Visits sheet and check again (then the 'Candidate/unit missed"
    " from moderation claim' request applies). Otherwise book the final visit with your"
    " moderator, to take place by {final_moderation_deadline}, and submit a claim in Interchange"
    " at least two weeks before it.",
    "book the visit; moderation claim in Interchange",
    BEFORE_LAST_VISIT,
)
CLAIM_LATE_VISIT_HELD = _act(
    "The claim went in less than two weeks before a visit that has now taken place. Check with"
    " your moderator that every unit claimed was moderated; a student or unit left out needs"
    " the 'Candidate/unit missed from moderation claim' request, uploading {missed_claim_file}"
    " (made when a check finds a unit missed from the claim).",
    "check with your moderator; missed units: upload {missed_claim_file}",
    BEFORE_CLOSE,
)
INCORRECT_CLAIM_BEFORE_VISIT = _act(
    "The unit or grade claimed does not match the markbook, and the moderation visit has not"
    " taken place yet. Correct the claim in Interchange (a new claim with the right unit and"
    " grade) at least two weeks before the visit, and tell your moderator. The Missing and"
    " incomplete results request is only for visits that have taken place, so no upload form"
    " is made for this.",
    "correct the claim in Interchange before the visit",
    BEFORE_VISIT,
)
CLAIM_PLANNED_LATE = _act(
    "The claim is planned for less than two weeks before the visit. Submit it in Interchange"
    " at least two weeks before the visit; if it cannot go in by then, tell your moderator:"
    " claims after {claims_recommended_by} leave little time to resolve problems.",
    "submit the claim in Interchange two weeks before the visit",
    BEFORE_VISIT,
)
MODERATED_NOT_ACHIEVED_NO_VISIT = _act(
    "The moderated unit was given U at a previous visit and has not been re-submitted, and no"
    " visit ahead is recorded. Book a visit with your moderator, to take place by"
    " {final_moderation_deadline}, and include the unit in its claim at least two weeks before"
    " it.",
    "book a visit; moderation claim in Interchange",
    BEFORE_LAST_VISIT,
)


@dataclass(frozen=True)
class Smaller:
    """What a move-down could do for one student, from the catalogue: the smaller size their
    achieved units already meet (proposed), else one they may meet though its rules are not
    fully known (possible), else none; any: whether the catalogue has a smaller size at all.
    A size is its code and its name: ("05838", "Certificate")."""

    proposed: tuple[str, str] | None = None
    possible: tuple[str, str] | None = None
    any: bool = False
    declined: str | None = None  # the centre decided against the move-down: Decision.said()


# What the student must do to meet the size they are entered for, by kind (with_smaller).
_MUST: dict[IssueKind, str] = {
    K.GLH_SHORT: "complete them",
    K.MANDATORY_UNIT_MISSING: "complete it",
    K.EXAMINED_NOT_ACHIEVED: "retake and pass it",
}


# The kinds with_smaller words, so also those whose action says a move-down was declined.
DECLINED_KINDS = frozenset(_MUST)


def _literal(text: str) -> str:
    """Catalogue text put into a template: its braces kept as they are."""
    return text.replace("{", "{{").replace("}", "}}")


def _cannot(who: str, must: str) -> str:
    """What else can be done when no move-down helps."""
    return (
        f"{who} cannot {must} in time, they cannot certificate this series: email {{vq_email}}"
        " so OCR changes their certification status."
    )


def with_smaller(kind: IssueKind, smaller: Smaller, proposal: bool = False) -> Action:
    """The action for a unit or GLH shortfall that names a move-down only where the catalogue
    has a smaller size the student's achieved units meet (or may meet); otherwise it says what
    else can be done. proposal: a move-down issue stands beside this one (say so)."""
    usual = GUIDANCE[kind].action
    lead, must, remedy = usual.text, _MUST[kind], usual.remedy
    if smaller.declined:
        said = _literal(smaller.declined)
        text = (
            f"{lead} Entry Decisions: {said}, so the student stays entered for this size. "
            + _cannot("If the student", must)
        )
        remedy = f"{remedy}; if that cannot be done in time, email {{vq_email}} ({said})"
    elif smaller.proposed:
        code, size = (_literal(x) for x in smaller.proposed)
        see = " (see the move-down issue)" if proposal else ""
        text = (
            f"{lead} If the student cannot {must} in time, a move-down to {code} ({size}) lets them"
            f" still get a result: their achieved units already meet its rules{see}."
        )
        remedy = f"{remedy} (or move down to {code})"
    elif smaller.possible:
        code, size = (_literal(x) for x in smaller.possible)
        text = (
            f"{lead} If the student cannot {must} in time, a move-down to {code} ({size}) may be"
            " possible: its rules are not fully known, so check in the centre handbook whether"
            " the achieved units meet them. " + _cannot("If not, and the student", must)
        )
        remedy = f"{remedy} (or check a move-down to {code})"
    else:
        why = (
            "the units already achieved do not meet any smaller size in the catalogue"
            if smaller.any
            else "there is no smaller size of this qualification in the catalogue"
        )
        text = f"{lead} A move-down cannot help: {why}. " + _cannot("If the student", must)
        remedy = f"{remedy}; if that cannot be done in time, email {{vq_email}}"
    return Action(text, remedy, usual.deadline, usual.deadline_label)


def maybe_not_needed(action: Action) -> Action:
    """The action for a unit that may be an optional one the student does not need (the rules
    of combination are not fully known): check that first."""
    return Action(
        "The rules of combination are not fully known, so this may be an optional unit the"
        " student does not need: check the centre handbook first, and act only if it is needed. "
        + action.text,
        "if needed: " + action.remedy,
        action.deadline,
        action.deadline_label,
    )
