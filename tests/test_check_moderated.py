"""The moderated units check: a required moderated unit must show 'Result achieved', 'Claim
submitted' or 'Claim sampled'. Without a claim it needs one before the visit (claim-needed) or,
once the visit has taken place, the missed-from-claim form; a U not re-submitted is
moderated-not-achieved; and every claim must match the markbook (incorrect-claim).

The IT Extended Certificate (05839) has verified rules: mandatory 1, 2, 3 (examined) and at
least 2 units / 120 GLH from 4, 5, 6, 9 (moderated) and 8. A student with 1, 2, 3, 4 in good
standing needs unit 5. Code 09999 is not in the catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    ANA,
    CNR,
    CS,
    CSA,
    DECLARATION_CLOSES,
    ENR,
    EX,
    IT_CERT,
    IT_EXT,
    MOD,
    NOT_CERTIFICATING,
    SPORT,
    SPORT_YAML,
    UNKNOWN,
    assert_outcome,
    candidate,
    catalogue,
    claim,
    context,
    expecting,
    mark,
    qentry,
    tracker,
    unit,
    visit,
)

from ctforms.checks import moderated
from ctforms.models import (
    CheckStatus,
    ClaimRow,
    Grade,
    IssueKind,
    MarkbookRow,
    Records,
    Severity,
    UnitRecord,
    VisitRow,
    VisitStatus,
)

D = dt.date
AS_OF = D(2024, 6, 10)
# 30 June less two weeks is Sunday 16 June: the claim deadline with no visit is the Friday before
FINAL_MINUS_14 = D(2024, 6, 14)
TITLE = "Required moderated units"
NO_VISIT_NOTE = (
    "no visit recorded for this qualification: if the visit has already taken place, the"
    " 'Candidate/unit missed from moderation claim' request applies"
)
NO_MARK_NOTE = "no markbook grade recorded: add it to the Markbook sheet"
NO_VISITS_SHEET = (
    "No Visits sheet: whether a visit has taken place is unknown, so units without a claim are"
    " reported as claim-needed."
)
NO_CLAIMS_OR_MARKBOOK = (
    "No Claims or no Markbook sheet: claimed units and grades were not compared with the"
    " markbook (cannot verify)."
)

SCHEDULED, COMPLETED, CANCELLED = (
    VisitStatus.SCHEDULED,
    VisitStatus.COMPLETED,
    VisitStatus.CANCELLED,
)


def _needs_5(status: UnitRecord | None = None) -> list[UnitRecord | int]:
    """1, 2, 3 and 4 in good standing; unit 5 (by default 'Claim not received', row 9)."""
    return [1, 2, 3, unit(4, CS), status or unit(5, CNR, row=9)]


# ---------------------------------------------------------------------------- no claim


def test_claim_needed_before_a_visit_still_ahead() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting(
        "0001",
        visits=[visit(IT_EXT, D(2024, 6, 20), moderator="Ms Mod", row=4)],
        claims=[],
        markbook=[mark("0001", IT_EXT, 5, Grade.MERIT, row=6)],
    )
    outcome, issues = moderated.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, "0001", IT_EXT, 5)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == D(2024, 6, 6)  # two weeks before the visit
    assert issue.overdue is True
    assert issue.unit_title == "Networking"
    ev = issue.evidence
    assert ev.unit_status == "Claim not received"
    assert ev.visit_date == D(2024, 6, 20)
    assert ev.visit_status == "Scheduled"
    assert ev.moderator == "Ms Mod"
    assert ev.markbook_grade == "M"
    assert ev.source_rows == ["tracker row 9"]
    assert ev.note is None
    assert issue.summary == "Moderated unit 5: no claim; visit on 20/06/2024"
    assert outcome.status is CheckStatus.ISSUES
    assert_outcome(outcome, "moderated", TITLE, issues=1)
    assert outcome.notes == []


@pytest.mark.parametrize("visits", [[], None], ids=["empty-visits", "no-visits-sheet"])
def test_claim_needed_when_no_visit_is_recorded(visits: list[VisitRow] | None) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5(unit(5, ENR, assessment=MOD)))))
    _, issues = moderated.check(context(track, expecting("0001", visits=visits)))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.CLAIM_NEEDED, 5)]
    ev = issues[0].evidence
    assert ev.unit_status == "Entry not received"
    assert (ev.visit_date, ev.visit_status, ev.moderator, ev.markbook_grade) == (
        None,
        None,
        None,
        None,
    )
    assert ev.note == NO_VISIT_NOTE  # points to the missed-from-claim form
    assert issues[0].summary == "Moderated unit 5: no claim; no visit recorded"
    assert issues[0].deadline == FINAL_MINUS_14
    # The action agrees: no visit to count back from, so book one (or record the one held).
    assert "no moderation visit is recorded" in issues[0].action
    assert issues[0].deadline_label == "two weeks before the final moderation deadline"


def test_a_cancelled_visit_is_no_visit() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 5), CANCELLED)])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.deadline) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, None, FINAL_MINUS_14)
    ]


def test_missed_from_claim_once_the_visit_took_place() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting(
        "0001",
        visits=[visit(IT_EXT, D(2024, 6, 5), COMPLETED, moderator="Ms Mod", row=3)],
        claims=[],
        markbook=[mark("0001", IT_EXT, 5, Grade.DISTINCTION, row=8)],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.MISSED_FROM_CLAIM, "0001", IT_EXT, 5)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.overdue is False
    ev = issue.evidence
    assert ev.visit_date == D(2024, 6, 5)
    assert ev.visit_status == "Completed"
    assert ev.moderator == "Ms Mod"
    assert ev.markbook_grade == "D"
    assert ev.source_rows == ["tracker row 9", "Visits row 3", "Markbook row 8"]
    assert ev.note is None
    assert (
        issue.summary
        == "Moderated unit 5: missed from the claim; the visit took place on 05/06/2024"
    )


def test_missed_from_claim_without_a_markbook_grade_says_so() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 5), COMPLETED, row=3)])
    _, issues = moderated.check(context(track, records))
    assert [i.kind for i in issues] == [IssueKind.MISSED_FROM_CLAIM]
    ev = issues[0].evidence
    assert ev.markbook_grade is None
    assert ev.source_rows == ["tracker row 9", "Visits row 3"]
    assert ev.note == NO_MARK_NOTE


def test_missed_from_claim_after_a_completed_visit_with_no_date() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, None, COMPLETED, row=3)])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.evidence.visit_status) for i in issues] == [
        (IssueKind.MISSED_FROM_CLAIM, None, "Completed")
    ]
    assert issues[0].summary == "Moderated unit 5: missed from the claim; the visit took place"


@pytest.mark.parametrize(
    ("as_of", "kind", "deadline"),
    [
        (D(2024, 6, 9), IssueKind.CLAIM_NEEDED, D(2024, 5, 27)),  # the day before the visit
        (D(2024, 6, 10), IssueKind.MISSED_FROM_CLAIM, DECLARATION_CLOSES),  # the day of it
        (D(2024, 6, 11), IssueKind.MISSED_FROM_CLAIM, DECLARATION_CLOSES),
    ],
)
def test_a_scheduled_visit_counts_as_held_from_its_day(
    as_of: dt.date, kind: IssueKind, deadline: dt.date
) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 10), SCHEDULED)])
    _, issues = moderated.check(context(track, records, as_of=as_of))
    assert [(i.kind, i.evidence.visit_date, i.deadline) for i in issues] == [
        (kind, D(2024, 6, 10), deadline)
    ]


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        # Marked Completed but dated after the check's date: not held by then (issue 17,
        # item 5; read_records warns of the contradiction).
        (D(2024, 6, 20), IssueKind.CLAIM_NEEDED),
        (D(2024, 6, 10), IssueKind.MISSED_FROM_CLAIM),
        (None, IssueKind.MISSED_FROM_CLAIM),  # undated: its status is all there is
    ],
)
def test_a_completed_visit_is_held_from_its_date(day: dt.date | None, kind: IssueKind) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, day, COMPLETED)])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_status) for i in issues] == [(kind, "Completed")]


def test_the_next_visit_ahead_is_the_one_to_claim_for() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting(
        "0001",
        visits=[
            visit(IT_EXT, D(2024, 6, 28), row=4),
            visit(IT_EXT, D(2024, 3, 1), COMPLETED, row=2),
            visit(IT_EXT, D(2024, 6, 24), row=3),
        ],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.deadline) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, D(2024, 6, 24), D(2024, 6, 10))
    ]
    assert issues[0].overdue is False  # the deadline is as_of itself


def test_missed_from_claim_names_the_last_visit_held() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting(
        "0001",
        visits=[
            visit(IT_EXT, D(2024, 6, 1), COMPLETED, row=3),
            visit(IT_EXT, D(2024, 3, 1), COMPLETED, row=2),
        ],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date) for i in issues] == [
        (IssueKind.MISSED_FROM_CLAIM, D(2024, 6, 1))
    ]
    assert issues[0].evidence.source_rows == ["tracker row 9", "Visits row 3"]


def test_a_visit_recorded_for_another_size_of_the_subject_counts() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_CERT, D(2024, 6, 5), COMPLETED)])
    _, issues = moderated.check(context(track, records))
    assert [i.kind for i in issues] == [IssueKind.MISSED_FROM_CLAIM]


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 5), False), (D(2024, 6, 6), False), (D(2024, 6, 7), True)],
)
def test_claim_needed_overdue_two_weeks_before_the_visit(as_of: dt.date, overdue: bool) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 20))])
    _, issues = moderated.check(context(track, records, as_of=as_of))
    assert [(i.kind, i.deadline, i.overdue) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, D(2024, 6, 6), overdue)
    ]


def test_claimed_and_sampled_units_pass() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, CS), unit(5, CSA))))
    outcome, issues = moderated.check(
        context(track, expecting("0001", visits=[], claims=[], markbook=[]))
    )
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


def test_a_moderated_unit_after_a_skipped_examined_one_is_seen() -> None:
    # Units in number order: 3 (examined, not entered) is not this check's; 5 is, and with 3
    # and 5 both out of good standing nothing is spare.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, unit(3, ENR), unit(4, CS), unit(5, CNR)))
    )
    _, issues = moderated.check(context(track, expecting("0001", visits=[])))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.CLAIM_NEEDED, 5)]


def test_a_required_unit_after_one_the_rules_do_not_allow_is_seen() -> None:
    # Unit 7 (moderated per the tracker) is not part of the Extended Certificate, so never
    # required; unit 9 after it is needed for the group.
    track = tracker(
        candidate(
            "0001",
            qentry(IT_EXT, 1, 2, 3, unit(4, CS), unit(7, CNR, assessment=MOD), unit(9, CNR)),
        )
    )
    _, issues = moderated.check(context(track, expecting("0001", visits=[])))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.CLAIM_NEEDED, 9)]


def test_optional_moderated_unit_not_needed_raises_nothing() -> None:
    # 1, 2, 3, 4, 5 meet the rules: unit 6 with no claim is spare.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5, unit(6, CNR))))
    _, issues = moderated.check(context(track, expecting("0001", visits=[])))
    assert issues == []


def test_examined_units_are_not_this_checks_business() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(2, ANA), unit(3, ENR), 4, 5)))
    _, issues = moderated.check(context(track, expecting("0001", visits=[])))
    assert issues == []


# ---------------------------------------------------------------------------- not achieved


def test_moderated_unit_not_achieved_and_not_resubmitted() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, ANA, grade=Grade.UNCLASSIFIED, row=5), 5))
    )
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 20))])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.unit_number) for i in issues] == [
        (IssueKind.MODERATED_NOT_ACHIEVED, "0001", 4)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == D(2024, 6, 6)
    ev = issue.evidence
    assert (ev.unit_status, ev.unit_grade) == ("Unit attempted-Not achieved", "U")
    assert ev.visit_date == D(2024, 6, 20)
    assert ev.source_rows == ["tracker row 5"]
    assert issue.summary == "Moderated unit 4: U at a previous visit, not re-submitted"


def test_moderated_unit_not_achieved_with_no_visit_ahead() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, ANA), 5)))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 1), COMPLETED)])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.deadline) for i in issues] == [
        (IssueKind.MODERATED_NOT_ACHIEVED, None, FINAL_MINUS_14)
    ]


# ---------------------------------------------------------------------------- no rules


def test_without_rules_never_started_units_are_warnings_and_a_u_is_blocking() -> None:
    track = tracker(
        candidate(
            "0001",
            qentry(
                UNKNOWN,
                unit(1, CNR),  # no unit type: 'Claim not received' is a moderated status
                unit(2, ENR, assessment=MOD),
                unit(3, ANA, assessment=MOD),
                unit(4, ENR),  # no unit type, not a claim status: left to the examined check
                unit(5, ANA, assessment=EX),
            ),
        )
    )
    records = expecting("0001", code=UNKNOWN, visits=[visit(UNKNOWN, D(2024, 6, 20))])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, 1, Severity.WARNING),
        (IssueKind.CLAIM_NEEDED, 2, Severity.WARNING),
        (IssueKind.MODERATED_NOT_ACHIEVED, 3, Severity.BLOCKING),
    ]
    assert all(i.qualification_code == UNKNOWN for i in issues)


def test_without_rules_missed_from_claim_is_a_warning() -> None:
    track = tracker(candidate("0001", qentry(UNKNOWN, unit(1, CNR))))
    records = expecting("0001", code=UNKNOWN, visits=[visit(UNKNOWN, D(2024, 6, 1), COMPLETED)])
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.severity) for i in issues] == [
        (IssueKind.MISSED_FROM_CLAIM, Severity.WARNING)
    ]


def test_partly_verified_rules_warn_only_for_units_not_strictly_required() -> None:
    # Sport's minimum GLH is not confirmed. Unit 2 (mandatory) is needed whatever the unknowns
    # are: blocking. Unit 4 (optional) might not be: a warning.
    track = tracker(candidate("0001", qentry(SPORT, unit(1), unit(2, CNR), unit(3), unit(4, CNR))))
    records = Records(visits=[visit(SPORT, D(2024, 6, 20))])
    _, issues = moderated.check(context(track, records, cat=catalogue(SPORT_YAML)))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, 2, Severity.BLOCKING),
        (IssueKind.CLAIM_NEEDED, 4, Severity.WARNING),
    ]


def test_verified_rules_block_for_a_unit_needed_but_not_strictly() -> None:
    # Two of 4, 5 and 6 are needed and none is claimed: no one of them is strictly required,
    # but the rules are fully known, so each is blocking.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, CNR), unit(5, CNR), unit(6, CNR)))
    )
    _, issues = moderated.check(context(track, expecting("0001", visits=[])))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, 4, Severity.BLOCKING),
        (IssueKind.CLAIM_NEEDED, 5, Severity.BLOCKING),
        (IssueKind.CLAIM_NEEDED, 6, Severity.BLOCKING),
    ]


# ---------------------------------------------------------------------------- claims vs markbook


def _claimed() -> list[UnitRecord | int]:
    return [1, 2, 3, unit(4, CS), unit(5, CS)]


def test_claimed_grade_differs_from_the_markbook() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[
            visit(IT_EXT, D(2024, 3, 1), COMPLETED, moderator="Mr March", row=2),
            visit(IT_EXT, D(2024, 6, 5), COMPLETED, moderator="Ms June", row=3),
        ],
        claims=[claim("0001", IT_EXT, 4, Grade.MERIT, visit_date=D(2024, 3, 1), row=3)],
        markbook=[
            mark("0001", IT_EXT, 4, Grade.DISTINCTION, row=5),
            mark("0001", IT_EXT, 5, Grade.PASS, row=6),
        ],
    )
    outcome, issues = moderated.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.INCORRECT_CLAIM, "0001", IT_EXT, 4)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    ev = issue.evidence
    assert (ev.claimed_unit, ev.claimed_grade) == (4, "M")
    assert (ev.correct_unit, ev.correct_grade) == (4, "D")
    assert ev.visit_date == D(2024, 3, 1)
    assert ev.moderator == "Mr March"  # the visit on the claim's date, not the last one
    assert ev.source_rows == ["Claims row 3", "Markbook row 5"]
    assert issue.summary == "Unit 4 claimed at M; the markbook says D"
    assert outcome.status is CheckStatus.ISSUES


def test_incorrect_claim_names_the_visit_on_the_claims_date_even_if_not_the_first() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[
            visit(IT_EXT, D(2024, 3, 1), COMPLETED, moderator="Mr March", row=2),
            visit(IT_EXT, D(2024, 6, 5), COMPLETED, moderator="Ms June", row=3),
            visit(IT_EXT, D(2024, 6, 20), moderator="Mr Next", row=4),
        ],
        claims=[claim("0001", IT_EXT, 4, Grade.MERIT, visit_date=D(2024, 6, 20))],
        markbook=[mark("0001", IT_EXT, 4, Grade.PASS)],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.evidence.moderator) for i in issues] == [
        (IssueKind.INCORRECT_CLAIM, D(2024, 6, 20), "Mr Next")
    ]


def test_incorrect_claim_without_a_date_names_the_last_of_several_visits_held() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[
            visit(IT_EXT, D(2024, 3, 1), COMPLETED, moderator="Mr March", row=2),
            visit(IT_EXT, D(2024, 6, 5), COMPLETED, moderator="Ms June", row=3),
            visit(IT_EXT, D(2024, 6, 20), moderator="Mr Next", row=4),
        ],
        claims=[claim("0001", IT_EXT, 4, Grade.MERIT)],
        markbook=[mark("0001", IT_EXT, 4, Grade.PASS)],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.evidence.moderator) for i in issues] == [
        (IssueKind.INCORRECT_CLAIM, D(2024, 6, 5), "Ms June")
    ]


def test_claim_matching_the_markbook_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[visit(IT_EXT, D(2024, 6, 5), COMPLETED)],
        claims=[claim("0001", IT_EXT, 4, Grade.MERIT)],
        markbook=[mark("0001", IT_EXT, 4, Grade.MERIT)],
    )
    outcome, issues = moderated.check(context(track, records))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


def test_wrong_unit_claimed() -> None:
    # Unit 5 claimed, but the markbook has no unit 5 and one unit nobody claimed: unit 4.
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[visit(IT_EXT, D(2024, 6, 5), COMPLETED, moderator="Ms June")],
        claims=[claim("0001", IT_EXT, 5, Grade.MERIT, row=4)],
        markbook=[mark("0001", IT_EXT, 4, Grade.PASS, row=7)],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.INCORRECT_CLAIM, 5)]
    ev = issues[0].evidence
    assert (ev.claimed_unit, ev.claimed_grade, ev.correct_unit, ev.correct_grade) == (
        5,
        "M",
        4,
        "P",
    )
    # No date on the claim: the last visit held.
    assert (ev.visit_date, ev.moderator) == (D(2024, 6, 5), "Ms June")
    assert ev.source_rows == ["Claims row 4", "Markbook row 7"]
    assert issues[0].summary == "Unit 5 claimed but the markbook has unit 4 (P) instead"


def test_claim_with_no_date_and_no_visit_held_takes_the_next_visit() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[visit(IT_EXT, D(2024, 6, 20), moderator="Ms Next")],
        claims=[claim("0001", IT_EXT, 4, Grade.PASS)],
        markbook=[mark("0001", IT_EXT, 4, Grade.MERIT)],
    )
    _, issues = moderated.check(context(track, records))
    assert [(i.kind, i.evidence.visit_date, i.evidence.moderator) for i in issues] == [
        (IssueKind.INCORRECT_CLAIM, D(2024, 6, 20), "Ms Next")
    ]


def test_claim_with_two_candidate_units_in_the_markbook_is_not_guessed() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting(
        "0001",
        visits=[],
        claims=[claim("0001", IT_EXT, 6, Grade.MERIT, row=5)],
        markbook=[mark("0001", IT_EXT, 4, Grade.PASS), mark("0001", IT_EXT, 5, Grade.PASS)],
    )
    outcome, issues = moderated.check(context(track, records))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert outcome.notes == [
        "Claims row 5: no markbook grade for candidate 0001 unit 6; claim not verified."
    ]


def test_claims_of_students_not_expecting_a_result_are_ignored() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, *_claimed())),
        candidate("0002", qentry(IT_EXT, *_claimed(), cert=NOT_CERTIFICATING)),
    )
    records = expecting(
        "0001",
        visits=[],
        claims=[claim("0002", IT_EXT, 4, Grade.MERIT)],
        markbook=[mark("0002", IT_EXT, 4, Grade.PASS)],
    )
    _, issues = moderated.check(context(track, records))
    assert issues == []


def test_every_claim_row_is_compared_after_skipped_ones() -> None:
    # Claims rows in order: wrong grade, matching, not in scope, not verifiable, wrong grade.
    track = tracker(
        candidate("0001", qentry(IT_EXT, *_claimed())),
        candidate("0002", qentry(IT_EXT, *_claimed(), cert=NOT_CERTIFICATING)),
        candidate("0003", qentry(IT_EXT, *_claimed())),
    )
    records = expecting(
        "0001",
        "0003",
        visits=[],
        claims=[
            claim("0003", IT_EXT, 5, Grade.PASS, row=6),
            claim("0001", IT_EXT, 4, Grade.PASS, row=2),
            claim("0001", IT_EXT, 5, Grade.PASS, row=3),
            claim("0002", IT_EXT, 4, Grade.PASS, row=4),
            claim("0003", IT_EXT, 6, Grade.PASS, row=5),
        ],
        markbook=[
            mark("0001", IT_EXT, 4, Grade.MERIT),
            mark("0001", IT_EXT, 5, Grade.PASS),
            mark("0002", IT_EXT, 4, Grade.MERIT),
            mark("0003", IT_EXT, 4, Grade.MERIT),
            mark("0003", IT_EXT, 5, Grade.DISTINCTION),
            mark("0003", IT_EXT, 9, Grade.PASS),  # with 4: two unclaimed, so unit 6 is unverified
        ],
    )
    _, issues = moderated.check(context(track, records))
    assert [
        (i.kind, i.candidate_number, i.unit_number, i.evidence.correct_grade) for i in issues
    ] == [
        (IssueKind.INCORRECT_CLAIM, "0001", 4, "M"),
        (IssueKind.INCORRECT_CLAIM, "0003", 5, "D"),
    ]


# ---------------------------------------------------------------------------- scope and status


def test_first_and_last_student_with_one_without_entry_between() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, *_needs_5())),
        candidate("0003", qentry(IT_EXT, *_needs_5())),
    )
    records = expecting(
        "0001",
        "0002",
        "0003",
        visits=[visit(IT_EXT, D(2024, 6, 20))],
        claims=[
            claim("0001", IT_EXT, 4, Grade.PASS, row=2),
            claim("0003", IT_EXT, 4, Grade.PASS, row=3),
        ],
        markbook=[
            mark("0001", IT_EXT, 4, Grade.MERIT, row=2),
            mark("0003", IT_EXT, 4, Grade.MERIT, row=3),
        ],
    )
    outcome, issues = moderated.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.unit_number) for i in issues] == [
        (IssueKind.CLAIM_NEEDED, "0001", 5),
        (IssueKind.CLAIM_NEEDED, "0003", 5),
        (IssueKind.INCORRECT_CLAIM, "0001", 4),
        (IssueKind.INCORRECT_CLAIM, "0003", 4),
    ]
    assert outcome.students_checked == 3


@pytest.mark.parametrize(
    ("visits", "claims", "markbook", "status", "notes"),
    [
        (None, None, None, CheckStatus.CANNOT_VERIFY, [NO_VISITS_SHEET, NO_CLAIMS_OR_MARKBOOK]),
        ([], [], [], CheckStatus.PASSED, []),
        (None, [], [], CheckStatus.PARTIAL, [NO_VISITS_SHEET]),
        ([], None, [], CheckStatus.CANNOT_VERIFY, [NO_CLAIMS_OR_MARKBOOK]),
        ([], [], None, CheckStatus.CANNOT_VERIFY, [NO_CLAIMS_OR_MARKBOOK]),
    ],
    ids=["no-sheets", "empty-sheets", "no-visits", "no-claims", "no-markbook"],
)
def test_status_without_issues_by_sheets_given(
    visits: list[VisitRow] | None,
    claims: list[ClaimRow] | None,
    markbook: list[MarkbookRow] | None,
    status: CheckStatus,
    notes: list[str],
) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_claimed())))
    records = expecting("0001", visits=visits, claims=claims, markbook=markbook)
    outcome, issues = moderated.check(context(track, records))
    assert issues == []
    assert outcome.status is status
    assert outcome.notes == notes
    assert_outcome(outcome, "moderated", TITLE)


def test_issues_found_without_the_claims_sheet_still_report_issues() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, *_needs_5())))
    records = expecting("0001", visits=[visit(IT_EXT, D(2024, 6, 20))])
    outcome, issues = moderated.check(context(track, records))
    assert len(issues) == 1
    assert outcome.status is CheckStatus.ISSUES
