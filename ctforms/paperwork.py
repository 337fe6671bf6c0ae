"""The paperwork ctforms writes for a centre: each form's OCR request type and issue kind, and
the name of every file. One light module: the guidance names the files in every action without
loading the producers (and their spreadsheet library)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ctforms.models import Issue, IssueKind


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


FORMS: dict[str, Form] = {
    "missed-claim": Form(
        "missed-claim",
        "Cambridge Technicals: Candidate/unit missed from moderation claim",
        IssueKind.MISSED_FROM_CLAIM,
        "missed-from-moderation-claim.xlsx",
        "Unit missed from the moderation claim; the visit has taken place",
    ),
    "incorrect-claim": Form(
        "incorrect-claim",
        "Cambridge Technicals: Incorrect unit/grade claimed at moderation",
        IssueKind.INCORRECT_CLAIM,
        "incorrect-unit-grade-claimed.xlsx",
        "Unit or grade claimed differs from the centre's markbook",
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
