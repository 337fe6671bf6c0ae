"""The golden register held against facts written by hand from the demo's design.

These tables come from fixtures/make_demo.py's scenarios (what each invented student was made
to show) and the demo rules workbook, NOT from the program's output. If the golden register
changes, change the fact here first, from the design, and only then regenerate the golden file
(python tests/regen_golden.py --write).
"""

from __future__ import annotations

import datetime as dt

from conftest import GOLDEN

from ctforms.models import Register, StudentStatus
from ctforms.paperwork import FORMS

# Candidate -> the issues raised for them: (kind, unit or None). Worked from the scenarios:
# IT Extended Certificate 05839 = mandatory 1, 2, 3 + 2 optional units/120 GLH, 360 GLH; the
# clean set is 1 (90), 2 (90), 3 (60), 9 (60), 12 (60) = 360.
CANDIDATE_FACTS: dict[str, set[tuple[str, int | None]]] = {
    # same name and date of birth as 0064 (whose record has no ULN)
    "0007": {("duplicate-candidate", None)},
    # unit 2 U in June 2023, not re-entered
    "0009": {("examined-not-achieved", 2)},
    # unit 3 never entered
    "0010": {("examined-not-entered", 3)},
    # unit 9 has no claim; the IT visit (20/06) is ahead of 10/06
    "0011": {("claim-needed", 9)},
    # 1, 2, 3, 9 = 300 < 360; 1 and 2 achieved meet the Certificate 05838 (mandatory 1, 2)
    "0012": {("glh-short", None), ("move-down-available", None)},
    # 1, 2, 4, 9, 12 = 360 without mandatory unit 3; only unit 1 achieved: no move-down
    "0013": {("mandatory-unit-missing", 3)},
    # expects 05839, entered for 05838 (top-up)
    "0014": {("wrong-size-entry", None)},
    # claimed unit 12, the markbook has unit 17; the IT visit (20/06) is ahead of 10/06, so
    # the claim is corrected in Interchange, not on the upload form
    "0015": {("incorrect-claim", 12)},
    # same ULN as 0047
    "0016": {("duplicate-candidate", None)},
    # TAGs not in the tracker: unit 4 (May 2021, in the window) and unit 8 (Nov 2021, outside)
    "0017": {("missing-tag", 4), ("missing-tag", 8)},
    # certificating, but the Expected sheet says N
    "0026": {("unexpected-certification", None)},
    # unit 14 not claimed; the Business visit took place on 22/05
    "0032": {("missed-from-claim", 14)},
    # unit 5 claimed D, the markbook says M
    "0033": {("incorrect-claim", 5)},
    # tracker says Not certificating
    "0034": {("not-certificating", None)},
    # tracker says August 2025 (handled in the Actions sheet)
    "0035": {("not-certificating", None)},
    # expects 05835, entered for 05836 (move-down)
    "0036": {("wrong-size-entry", None)},
    # RIA requested for units 4 and 14; unit 4 shows Claim submitted, 14 RIA received
    "0037": {("ria-not-received", 4)},
    # unit 4 U at the last visit, not re-submitted
    "0043": {("moderated-not-achieved", 4)},
    # units 16 and 22 barred together (Marketing pathway, 660 GLH)
    "0044": {("invalid-combination", None)},
    # 05843: units 1 (90) and 3 (60) = 150 < 180, found from GLH alone (no Rules entered)
    "0065": {("glh-short", None)},
    # Digital Media unit 3 has no claim; the DM visit (03/07) is ahead
    "0051": {("claim-needed", 3)},
    # expects 05839 too, entered only for Business
    "0063": {("no-qualification-entry", None)},
    # on the Expected sheet, not in the tracker (left)
    "0099": {("no-qualification-entry", None)},
}

# Issues about a qualification as a whole: (code, kind).
QUALIFICATION_FACTS = {
    ("05843", "visit-after-deadline"),  # Digital Media visit on 03/07, after 30 June
    ("05843", "claim-too-late"),  # its claim is planned for 25/06 (after 10/06), 8 days before
    ("05847", "visit-not-scheduled"),  # the Applied Science visit was cancelled
    ("05843", "combination-unverifiable"),  # GLH entered, Rules not: partly known
    ("05847", "combination-unverifiable"),  # nothing entered for Applied Science
}

# How much of each code's rules the demo's rules.xlsx makes known (README, "Your rules of
# combination"): IT and Business entered in full; Digital Media GLH only; Applied Science nothing.
RULES_KNOWN = {
    "05835": "fully known",
    "05836": "fully known",
    "05838": "fully known",
    "05839": "fully known",
    "05843": "partly known",
    "05847": "not known",
}

# Students with nothing to do: every student of 05839, 05838, 05835 and 05836 not named above
# (0047 and 0064 are the other sides of the duplicate pairs; 0064 does not expect a result).
CLEAN = {
    *(f"{n:04d}" for n in (1, 2, 3, 4, 5, 6, 8, 18, 19, 20, 21, 22)),  # IT Ext Cert
    *(f"{n:04d}" for n in (23, 24, 25, 60)),  # IT Certificate
    *(f"{n:04d}" for n in (27, 28, 29, 30, 31, 38, 39, 57, 58, 62)),  # Business Ext Cert
    *(f"{n:04d}" for n in (40, 41, 42, 45, 46, 48, 59)),  # Business Foundation Diploma
    *(f"{n:04d}" for n in (55, 56, 61)),  # IT Ext Cert
    "0035",  # its one issue is handled (Actions sheet)
}
# At risk although no issue names them alone: the qualification-wide issues of 05843 (a visit
# after the deadline is blocking) and 05847 (no visit), and the other side of a duplicate pair.
AT_RISK_BY_QUALIFICATION = {"0049", "0050", "0052", "0053", "0054", "0047"}


# The post-moderation upload forms carry only visits that have taken place by 10/06: the
# Business visit of 22/05 (0032 missed, 0033 claimed wrongly), not the IT visit of 20/06 (0015).
FORM_FACTS = {
    "missed-claim": {"missed-from-claim/0032/05835/14"},
    "incorrect-claim": {"incorrect-claim/0033/05835/5"},
}
# Before the IT visit on Thursday 20/06, 0015's claim is put right two weeks before it.
BEFORE_VISIT_DEADLINE = dt.date(2024, 6, 6)


def _golden() -> Register:
    return Register.model_validate_json((GOLDEN / "demo-register.json").read_text("utf-8"))


def test_every_student_issue_is_a_hand_written_fact() -> None:
    got: dict[str, set[tuple[str, int | None]]] = {}
    for issue in _golden().issues:
        if issue.candidate_number is not None:
            got.setdefault(issue.candidate_number, set()).add((issue.kind.value, issue.unit_number))
    assert got == CANDIDATE_FACTS


def test_every_qualification_issue_is_a_hand_written_fact() -> None:
    got = {
        (i.qualification_code, i.kind.value) for i in _golden().issues if i.candidate_number is None
    }
    assert got == QUALIFICATION_FACTS


def test_clean_students_are_exactly_the_hand_written_ones() -> None:
    statuses = {s.candidate_number: s.status for s in _golden().students}
    assert {n for n, s in statuses.items() if s is StudentStatus.OK} == CLEAN
    assert CLEAN & set(CANDIDATE_FACTS) == {"0035"}


def test_students_at_risk_are_those_with_blocking_facts() -> None:
    statuses = {s.candidate_number: s.status for s in _golden().students}
    at_risk = {n for n, s in statuses.items() if s is StudentStatus.AT_RISK}
    # Blocking by design: all the facts above except the warnings (a duplicate by name and date
    # of birth only, unexpected certification) and the handled 0035. A duplicate by ULN is
    # blocking; 0099 expects a result, so is a student of the register though not in the tracker.
    warning_only = {"0007", "0026", "0035"}
    assert at_risk == (set(CANDIDATE_FACTS) - warning_only) | AT_RISK_BY_QUALIFICATION


def test_the_handled_issue_is_the_one_with_an_action() -> None:
    handled = [i.id for i in _golden().issues if i.handled]
    assert handled == ["not-certificating/0035/05835/-"]


def test_how_much_of_each_codes_rules_is_known_is_the_hand_written_fact() -> None:
    register = _golden()
    assert {c.code: c.known for c in register.catalogue} == RULES_KNOWN
    said = {
        i.qualification_code: i.summary.split(":")[0].removeprefix(
            f"Rules of combination for {i.qualification_code} "
        )
        for i in register.issues
        if i.kind.value == "combination-unverifiable"
    }
    assert said == {code: s for code, s in RULES_KNOWN.items() if s != "fully known"}


def test_the_upload_forms_carry_only_visits_that_have_taken_place() -> None:
    register = _golden()
    for name, ids in FORM_FACTS.items():
        assert {i.id for i in register.issues if FORMS[name].carries(i)} == ids, name
    ahead = next(i for i in register.issues if i.id == "incorrect-claim/0015/05839/12")
    assert ahead.deadline == BEFORE_VISIT_DEADLINE
    assert "Correct the claim in Interchange" in ahead.action


def test_a_claim_dated_after_the_check_is_planned() -> None:
    (late,) = [i for i in _golden().issues if i.kind.value == "claim-too-late"]
    assert late.summary.startswith("The claim planned for 25/06/2024 would be 8 days before")
