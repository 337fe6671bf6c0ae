"""Which files carry an issue: paperwork.files_for names exactly the files whose rows hold it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from conftest import DEMO, GOLDEN, invoke

from ctforms.models import Decision, Handled, IssueKind, Register
from ctforms.paperwork import (
    FORMS,
    files_for,
    form_file_name,
    hoc_declaration_file_name,
    listing_file_name,
)
from ctforms.produce.forms import rows_for

REGISTER = GOLDEN / "demo-register.json"
CENTRE = "64395"


def _register() -> Register:
    return Register.model_validate_json(REGISTER.read_text("utf-8"))


def _form_rows(path: Path) -> set[tuple[str, int]]:
    """(candidate, unit) of every row of a filled form (header row 8, then a row each)."""
    ws = openpyxl.load_workbook(path)["Request"]
    header = [c.value for c in ws[8]]
    unit = next(i for i, title in enumerate(header) if title in ("Unit Number", "Unit Claimed"))
    return {(row[1], row[unit]) for row in ws.iter_rows(min_row=9, values_only=True) if row[1]}


def _listing_text(path: Path) -> str:
    ws = openpyxl.load_workbook(path)["Entries"]
    return "\n".join(
        " ".join(str(v) for v in row if v is not None) for row in ws.iter_rows(values_only=True)
    )


def test_every_file_an_issue_names_carries_it_and_no_other_does(tmp_path: Path) -> None:
    for form in FORMS:
        assert invoke("forms", form, REGISTER, "-o", tmp_path).exit_code == 0
    made = invoke("entries", REGISTER, "-o", tmp_path, "--catalogue", DEMO / "rules.xlsx")
    assert made.exit_code == 0, made.output
    register = _register()
    rows = {
        form_file_name(CENTRE, name): _form_rows(tmp_path / form_file_name(CENTRE, name))
        for name in FORMS
    }
    declaration = zipfile.ZipFile(tmp_path / hoc_declaration_file_name(CENTRE)).read(
        "word/document.xml"
    )
    listing = _listing_text(tmp_path / listing_file_name(CENTRE))
    named: dict[str, set[tuple[str, int]]] = {name: set() for name in rows}
    for issue in register.issues:
        files = files_for(issue, CENTRE)
        for name in files:
            if name in rows:
                key = (issue.candidate_number or "", issue.unit_number or 0)
                assert key in rows[name], (issue.id, name)
                named[name].add(key)
            elif name == hoc_declaration_file_name(CENTRE):
                assert issue.candidate_number and issue.candidate_number.encode() in declaration
            else:
                assert name == listing_file_name(CENTRE), name
                assert issue.id in listing or (
                    issue.candidate_number and issue.candidate_number in listing
                ), issue.id
    # ... and every row of every form is named by the issue it is for.
    assert named == rows


def test_a_tag_outside_the_window_names_no_form() -> None:
    """0017 unit 8: a TAG is not allowed, so neither the TAG form nor the declaration has it."""
    register = _register()
    tags = {i.unit_number: i for i in register.issues if i.kind is IssueKind.MISSING_TAG}
    assert tags[8].candidate_number == "0017" and tags[8].evidence.in_tag_window is False
    assert files_for(tags[8], CENTRE) == []
    assert files_for(tags[4], CENTRE) == [
        form_file_name(CENTRE, "missing-tag"),
        hoc_declaration_file_name(CENTRE),
    ]


def test_a_claim_to_correct_before_its_visit_names_no_form() -> None:
    """0015: the IT visit (20/06) is ahead of 10/06: the claim is corrected in Interchange."""
    register = _register()
    claim = next(i for i in register.issues if i.id == "incorrect-claim/0015/05839/12")
    assert claim.evidence.visit_taken_place is False
    assert files_for(claim, CENTRE) == []
    assert claim not in rows_for(register, FORMS["incorrect-claim"])[0]


def test_files_follow_the_forms_rows_when_an_issue_is_handled() -> None:
    register = _register()
    claim = next(i for i in register.issues if i.id == "incorrect-claim/0033/05835/5")
    assert files_for(claim, CENTRE) == [form_file_name(CENTRE, "incorrect-claim")]
    claim.handled = True
    claim.handled_by = Handled(action_taken="Sent")
    assert files_for(claim, CENTRE) == []
    assert claim not in rows_for(register, FORMS["incorrect-claim"])[0]


def test_a_declined_move_down_is_still_said_in_the_listing() -> None:
    register = _register()
    move = next(i for i in register.issues if i.kind is IssueKind.MOVE_DOWN_AVAILABLE)
    assert files_for(move, CENTRE) == [listing_file_name(CENTRE)]
    move.decision = Decision(make_change=False, decided_by="A. Head")
    move.handled = True
    assert files_for(move, CENTRE) == [listing_file_name(CENTRE)]
    move.decision = Decision(make_change=True, decided_by="A. Head")
    assert files_for(move, CENTRE) == []  # handled another way: not in the file
