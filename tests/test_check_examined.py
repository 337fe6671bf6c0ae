"""The examined units check: a required examined unit must show 'Result achieved' or 'Entry
received'. 'Unit attempted-Not achieved' (U/N, not re-entered) and 'Entry not received' are
reported; an optional unit the combination does not need raises nothing.

The IT Extended Certificate (05839) has verified rules: mandatory 1, 2, 3 (examined) and at
least 2 units / 120 GLH from 4, 5, 6, 9 (moderated) and 8 (examined). Code 09999 is not in the
catalogue, so every unit taken counts as required."""

from __future__ import annotations

import datetime as dt

from checkkit import (
    ANA,
    AROUND_DECLARATION,
    CNR,
    CS,
    DECLARATION_CLOSES,
    ENR,
    ER,
    EX,
    IT_CERT,
    IT_EXT,
    MOD,
    RA,
    SPORT,
    SPORT_YAML,
    UNKNOWN,
    assert_due_at_declaration,
    assert_outcome,
    candidate,
    catalogue,
    context,
    expecting,
    qentry,
    tracker,
    unit,
)

from ctforms.checks import examined
from ctforms.models import CheckStatus, Grade, IssueKind, Severity, UnitRecord

D = dt.date
NOT_ACHIEVED = "attempted, not achieved, not re-entered"
RULES_NOT_KNOWN = (
    "rules of combination not fully known: every unit that may count is treated as required"
)


def test_achieved_and_entered_units_pass() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(2, ER), unit(3, ER), 4, unit(5, CS))))
    outcome, issues = examined.check(context(track, expecting("0001")))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert_outcome(outcome, "examined", "Required examined units")
    assert outcome.notes == []


def test_mandatory_unit_attempted_not_achieved() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, unit(1, ANA, grade=Grade.UNCLASSIFIED, row=7), 2, 3, 4, 5))
    )
    outcome, issues = examined.check(context(track, expecting("0001")))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ACHIEVED, "0001", IT_EXT, 1)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.id == f"examined-not-achieved/0001/{IT_EXT}/1"
    assert issue.unit_title == "Fundamentals of IT"
    assert issue.qualification_title == "Extended Certificate in IT"  # from the catalogue
    ev = issue.evidence
    assert ev.unit_status == "Unit attempted-Not achieved"
    assert ev.unit_type == "Examined"
    assert ev.unit_grade == "U"
    assert ev.strictly_required is True
    assert ev.source_rows == ["tracker row 7"]
    assert ev.note is None
    assert issue.summary == f"Examined unit 1: {NOT_ACHIEVED}"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_mandatory_unit_not_entered_is_blocking_with_verified_rules() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(2, ENR, row=3), 3, 4, 5)))
    _, issues = examined.check(context(track, expecting("0001")))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ENTERED, 2, Severity.BLOCKING)
    ]
    ev = issues[0].evidence
    assert ev.unit_status == "Entry not received"
    assert ev.unit_grade is None
    assert ev.strictly_required is True
    assert ev.source_rows == ["tracker row 3"]
    assert ev.note is None
    assert issues[0].summary == "Examined unit 2: no entry this series"


def test_optional_examined_unit_not_needed_raises_nothing() -> None:
    # 1, 2, 3 + 4 and 5 already make 360 GLH and the group: unit 8 is spare.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5, unit(8, ENR))))
    outcome, issues = examined.check(context(track, expecting("0001")))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


def test_optional_examined_unit_needed_for_the_group_is_reported() -> None:
    # 1, 2, 3 + 4 = 300 GLH, one unit of the group: unit 8 is needed.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, unit(8, ANA, grade=Grade.NOT_ACHIEVED)))
    )
    _, issues = examined.check(context(track, expecting("0001")))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ACHIEVED, 8, Severity.BLOCKING)
    ]
    assert issues[0].evidence.unit_grade == "N"
    assert issues[0].evidence.strictly_required is True


def test_moderated_units_are_not_this_checks_business() -> None:
    # Unit 4 is moderated (catalogue) and unit 9 says so in the tracker: neither is examined.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, ANA), unit(9, ENR, assessment=MOD)))
    )
    _, issues = examined.check(context(track, expecting("0001")))
    assert issues == []


def test_claim_not_received_is_not_an_examined_status() -> None:
    track = tracker(candidate("0001", qentry(UNKNOWN, unit(1, CNR, assessment=EX))))
    _, issues = examined.check(context(track, expecting("0001", code=UNKNOWN)))
    assert issues == []


def test_later_problem_units_are_seen_after_skipped_ones() -> None:
    # Units are looked at in number order: 4 (moderated) and 5 (claim not received) are skipped,
    # 8 is not; 1, 2, 3 + 4, 5 are not enough without 8 (group: 2 units in good standing).
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, ANA), unit(5, CNR), unit(8, ENR)))
    )
    _, issues = examined.check(context(track, expecting("0001")))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.EXAMINED_NOT_ENTERED, 8)]
    # Needed, though not strictly (units 4 and 5 coming good would do without it); the rules
    # are fully known, so a unit never started is still blocking.
    assert issues[0].evidence.strictly_required is False
    assert issues[0].severity is Severity.BLOCKING


def test_without_rules_a_never_started_unit_is_a_warning() -> None:
    track = tracker(
        candidate(
            "0001",
            qentry(
                UNKNOWN,
                unit(1, ANA, grade=Grade.UNCLASSIFIED, assessment=EX),
                unit(2, ENR, assessment=EX),
                unit(3, RA, assessment=EX),
            ),
        )
    )
    _, issues = examined.check(context(track, expecting("0001", code=UNKNOWN)))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ACHIEVED, 1, Severity.BLOCKING),
        (IssueKind.EXAMINED_NOT_ENTERED, 2, Severity.WARNING),
    ]
    for issue in issues:
        assert issue.qualification_code == UNKNOWN
        assert issue.qualification_title == f"Qualification {UNKNOWN}"  # the tracker's title
        assert issue.evidence.unit_type == "Examined"
        assert issue.evidence.strictly_required is None
        assert issue.evidence.note == RULES_NOT_KNOWN  # why the unit counts as required
    assert [i.summary for i in issues] == [
        f"Examined unit 1: {NOT_ACHIEVED}",
        "Examined unit 2: no entry this series",
    ]


def test_partly_verified_rules_warn_only_for_units_not_strictly_required() -> None:
    # Sport's minimum GLH is not confirmed. Unit 1 (mandatory) is needed whatever the unknowns
    # are: blocking. Unit 3 (optional) might not be: a warning. Both say why.
    track = tracker(candidate("0001", qentry(SPORT, unit(1, ENR), unit(2), unit(3, ENR))))
    _, issues = examined.check(context(track, cat=catalogue(SPORT_YAML)))
    assert [(i.kind, i.unit_number, i.severity, i.evidence.strictly_required) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ENTERED, 1, Severity.BLOCKING, True),
        (IssueKind.EXAMINED_NOT_ENTERED, 3, Severity.WARNING, False),
    ]
    assert [i.evidence.note for i in issues] == [RULES_NOT_KNOWN, RULES_NOT_KNOWN]


def test_unit_of_unknown_type_is_treated_as_examined() -> None:
    track = tracker(candidate("0001", qentry(UNKNOWN, unit(6, ANA))))
    _, issues = examined.check(context(track, expecting("0001", code=UNKNOWN)))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.EXAMINED_NOT_ACHIEVED, 6)]
    assert issues[0].evidence.unit_type is None
    assert issues[0].evidence.note == (
        "unit type unknown (no Unit Type column, not in the catalogue): treated as examined"
    )


def test_the_trackers_unit_title_is_used_when_it_has_one() -> None:
    # The tracker's title wins over the catalogue's ("Global information").
    titled = UnitRecord(number=2, status=ENR, title="Global Information (tracker)")
    track = tracker(candidate("0001", qentry(IT_EXT, 1, titled, 3, 4, 5)))
    _, issues = examined.check(context(track, expecting("0001")))
    assert [(i.unit_number, i.unit_title) for i in issues] == [(2, "Global Information (tracker)")]


def test_unit_type_from_the_catalogue_of_the_registered_size() -> None:
    # Expects the Certificate, registered for the Extended Certificate; the tracker gives no
    # unit types, the catalogue says 2 and 3 are examined. Unit 1 alone does not meet the
    # Certificate (mandatory 1 and 2), so every unit taken is needed; reported against the
    # registered code.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(2, ENR), unit(3, ENR))))
    _, issues = examined.check(context(track, expecting("0001", code=IT_CERT)))
    assert [(i.kind, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ENTERED, IT_EXT, 2),
        (IssueKind.EXAMINED_NOT_ENTERED, IT_EXT, 3),
    ]
    assert all(i.evidence.unit_type == "Examined" for i in issues)


def test_first_and_last_student_with_one_without_entry_between() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, unit(1, ANA), 2, 3, 4, 5)),
        candidate("0003", qentry(IT_EXT, 1, 2, unit(3, ENR), 4, 5)),
    )
    outcome, issues = examined.check(context(track, expecting("0001", "0002", "0003")))
    assert [(i.kind, i.candidate_number, i.unit_number) for i in issues] == [
        (IssueKind.EXAMINED_NOT_ACHIEVED, "0001", 1),
        (IssueKind.EXAMINED_NOT_ENTERED, "0003", 3),
    ]
    assert outcome.students_checked == 3


@AROUND_DECLARATION
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, unit(1, ANA), 2, 3, 4, 5)))
    _, issues = examined.check(context(track, expecting("0001"), as_of=as_of))
    assert_due_at_declaration(issues, overdue)
