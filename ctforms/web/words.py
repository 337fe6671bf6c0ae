"""The words the pages use: what each output is for and where it goes. (Which files carry an
issue, and the issue kinds in plain words, come from the library: paperwork.files_for and
checks.guidance.kind_label, the same as the papers use.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ctforms.paperwork import FORMS, form_file_name, hoc_declaration_file_name, listing_file_name
from ctforms.read.department import department_file_pattern

INTERCHANGE = "Interchange"
CENTRE_FILES = "the centre's files"


@dataclass(frozen=True)
class Output:
    name: str
    what: str  # one line: what it is for
    goes: str  # where it goes: Interchange or the centre's files
    caveat: str = ""  # what to confirm before relying on it


FORM_CAVEAT = (
    "Its columns are ctforms' own design: check them against OCR's current form before you"
    " upload it."
)
EDI_CAVEAT = (
    "Some of its record positions are ctforms' assumption (the full JCQ layout is not public;"
    " the entries listing's 'Record layout' sheet says which): confirm them with your MIS"
    " supplier before you upload it, or key the entries into Interchange from the listing. It"
    " adds new entries only: the listing says what to send OCR another way."
)
PACK_GOES = (
    "The centre's files: kept as the evidence for the declaration you make in the Progress Tracker"
)


def describe_output(name: str, centre: str) -> Output:
    """One line on what an output of a run is for and where it goes."""
    known = {
        "issues.txt": ("Every issue, most urgent first, as plain text to read", CENTRE_FILES),
        "issues.json": (
            "Every issue of this check in the form ctforms reads back (for the Results,"
            " Decisions and Sign-off pages); you need not open it",
            CENTRE_FILES,
        ),
        "actions.xlsx": (
            "The action list to filter in Excel and share with heads of department",
            CENTRE_FILES,
        ),
        "deadlines.ics": (
            "Every deadline as a calendar event, to import into a calendar",
            CENTRE_FILES,
        ),
        form_file_name(centre, "missed-claim"): (
            "Upload with the Missing and incomplete results form: 'Candidate/unit missed from"
            " moderation claim'",
            INTERCHANGE,
        ),
        form_file_name(centre, "incorrect-claim"): (
            "Upload with the Missing and incomplete results form: 'Incorrect unit/grade claimed"
            " at moderation'",
            INTERCHANGE,
        ),
        form_file_name(centre, "missing-tag"): (
            "Upload with the Missing and incomplete results form: missing mid-flight TAG",
            INTERCHANGE,
        ),
        hoc_declaration_file_name(centre): (
            "The Head of Centre's declaration to sign and upload with the missing TAG form",
            INTERCHANGE,
        ),
        listing_file_name(centre): (
            "The entry changes to make, one per line, the entries file they are in, and what"
            " OCR does not take by EDI with the way to send it",
            INTERCHANGE,
        ),
        f"{centre}-declaration-evidence-pack.pdf": (
            "The evidence pack: what was checked and found, for review (not yet signed off; the"
            " Sign-off page makes the signed copy)",
            PACK_GOES,
        ),
        f"{centre}-term-time-declaration-evidence-pack.pdf": (
            "The term-time evidence pack: every estimated completion date checked and the"
            " amendments, for review (not yet signed off; the Sign-off page makes the signed"
            " copy)",
            PACK_GOES,
        ),
        f"{centre}-ecd-amendments.xlsx": (
            "The estimated completion dates to amend, one row a student, with the date to set"
            " (and, on its second sheet, those to check with the teacher)",
            "the Progress Tracker",
        ),
        f"{centre}-submission-archive.zip": (
            "Every file of this check with a list of fingerprints, to keep and to show nothing"
            " changed",
            CENTRE_FILES,
        ),
    }
    forms = {form_file_name(centre, form) for form in FORMS}
    if name in known:
        what, goes = known[name]
        return Output(name, what, goes, FORM_CAVEAT if name in forms else "")
    if re.fullmatch(r"[EA]\d{7}\.X\d\d", name):
        # The data type letter says which file of the series it is, and what to do with it.
        from ctforms.produce.edi import load_layout

        what = load_layout().file_types[name[0]].what_to_do
        return Output(name, f"{what} (EDI file, new entries only)", INTERCHANGE, EDI_CAVEAT)
    if department_file_pattern(centre).fullmatch(name):
        if name.endswith("-ecd-check.xlsx"):
            return Output(
                name,
                "One subject's students with their estimated completion dates, for its head of"
                " department: the teachers fill in Confirmed (Y/N) and Confirmed By and return"
                " it; record it on the Decisions page",
                "The head of department, and back to you",
            )
        return Output(
            name,
            "One subject's open issues with what the department must do (markbook, claims,"
            " TAGs), for its head of department to print or filter",
            "The head of department",
        )
    if name.endswith("-declaration-signed-off.pdf"):
        return Output(
            name,
            "The signed-off evidence pack, made on the Sign-off page after the check (so not in"
            " its archive)",
            PACK_GOES,
        )
    return Output(name, "Made by this check", CENTRE_FILES)
