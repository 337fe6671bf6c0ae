"""The paperwork ctforms writes for a centre: each form's OCR request type and issue kind, and
the name of every file. One light module: the guidance names the files in every action without
loading the producers (and their spreadsheet library)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ctforms.models import Issue, IssueKind, Register


def checkpoint_name(register: Register) -> str:
    """'Checkpoint 2' or 'Term-time checkpoint': which declaration the register is for."""
    return "Term-time checkpoint" if register.checkpoint == "term-time" else "Checkpoint 2"


def listing_file_name(centre: str) -> str:
    """The Interchange listing written beside the EDI file (always, even with no changes)."""
    return f"{centre}-entries-listing.xlsx"


GRADES = ["D", "M", "P", "R", "U", "N"]


@dataclass(frozen=True)
class Form:
    name: str  # the CLI name
    title: str  # OCR's request type
    kind: IssueKind
    filename: str
    reason: str
    include: Callable[[Issue], bool] = lambda issue: True

    def carries(self, issue: Issue) -> bool:
        """Whether the form has a row for this issue: one of its kind, without a recorded
        action, and eligible (include). The one rule for the form, its Head of Centre
        declaration and the files an issue names."""
        return issue.kind is self.kind and not issue.handled and self.include(issue)


def _visit_taken_place(issue: Issue) -> bool:
    """The post-moderation requests are for visits that have taken place (OCR: "Do not submit
    the online form if the visit has not yet taken place"); before it, the claim is put right
    in Interchange. Unknown (no visit date anywhere) stays on the form, as the register says."""
    return issue.evidence.visit_taken_place is not False


FORMS: dict[str, Form] = {
    "missed-claim": Form(
        "missed-claim",
        "Cambridge Technicals: Candidate/unit missed from moderation claim",
        IssueKind.MISSED_FROM_CLAIM,
        "missed-from-moderation-claim.xlsx",
        "Unit missed from the moderation claim; the visit has taken place",
        _visit_taken_place,
    ),
    "incorrect-claim": Form(
        "incorrect-claim",
        "Cambridge Technicals: Incorrect unit/grade claimed at moderation",
        IssueKind.INCORRECT_CLAIM,
        "incorrect-unit-grade-claimed.xlsx",
        "Unit or grade claimed differs from the centre's markbook",
        _visit_taken_place,
    ),
    "missing-tag": Form(
        "missing-tag",
        "Cambridge Technicals: Missing mid-flight teacher assessed grade (TAG) from June 2021",
        IssueKind.MISSING_TAG,
        "missing-mid-flight-tag.xlsx",
        "TAG for an assessment planned 1 Aug 2020 - 31 Aug 2021 missing from OCR's records",
        # A TAG outside the window is not allowed at all: it does not go on the form.
        lambda issue: issue.evidence.in_tag_window is not False,
    ),
}


def form_file_name(centre: str, name: str) -> str:
    """The file a form is written to: the one name every output and action uses."""
    return f"{centre}-{FORMS[name].filename}"


def hoc_declaration_file_name(centre: str) -> str:
    """The Head of Centre declaration written beside the missing-TAG form."""
    return f"{centre}-missing-tag-hoc-declaration.docx"


# The issues the entries listing (and the EDI file it names) is made for.
ENTRY_KINDS = frozenset(
    {IssueKind.WRONG_SIZE_ENTRY, IssueKind.NO_QUALIFICATION_ENTRY, IssueKind.MOVE_DOWN_AVAILABLE}
)


def done_by_action(issue: Issue) -> bool:
    """Whether an action is recorded against the issue (the Actions sheet). An issue closed
    only by a decision (Entry Decisions) is not done: a confirmed change still has to be made,
    so it stays in the entries file."""
    return issue.handled and (issue.handled_by is None or issue.handled_by.recorded_in == "Actions")


def awaits_entry(issue: Issue) -> bool:
    """A confirmed entry change not yet recorded as made: its issue is closed by the decision,
    and the Actions sheet (or the page's "Mark this issue handled") still records the upload."""
    d = issue.decision
    return (
        issue.kind in (IssueKind.MOVE_DOWN_AVAILABLE, IssueKind.WRONG_SIZE_ENTRY)
        and d is not None
        and d.make_change
        and not done_by_action(issue)
    )


def in_listing(issue: Issue) -> bool:
    """Whether the entries listing says something of this issue: a change without a recorded
    action (confirmed, called for by the records, or proposed and not yet decided), or a
    change declined (listed as declined, not in the file). Mirrors
    produce.entries.plan_changes."""
    if issue.kind not in ENTRY_KINDS or issue.candidate_number is None:
        return False
    declined = issue.decision is not None and not issue.decision.make_change
    return declined or not done_by_action(issue)


def files_for(issue: Issue, centre: str) -> list[str]:
    """The files a run makes from this register that carry this issue: the form with its row
    (and, for a missing TAG, the Head of Centre declaration), or the entries listing. A TAG
    outside the window, a claim to correct before its visit, or an issue already handled, is
    on no form, so no form is named.
    Answered for the register the files were made from (a run's issues.json)."""
    names = [form_file_name(centre, name) for name, form in FORMS.items() if form.carries(issue)]
    if FORMS["missing-tag"].carries(issue):
        names.append(hoc_declaration_file_name(centre))
    if in_listing(issue):
        names.append(listing_file_name(centre))
    return names


def ecd_amendments_file_name(centre: str) -> str:
    """The term-time checkpoint's list of estimated completion dates to amend."""
    return f"{centre}-ecd-amendments.xlsx"


def term_time_pack_file_name(centre: str) -> str:
    """The term-time declaration's evidence pack."""
    return f"{centre}-term-time-declaration-evidence-pack.pdf"
