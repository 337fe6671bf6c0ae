"""The moderation visits check: each qualification with moderated units has a final visit
scheduled, on or before the final moderation deadline (30 June 2024), with the claim submitted
at least 14 days before each visit. Issues here belong to a qualification, not a student."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    DM_CERT,
    EX,
    IT_CERT,
    IT_EXT,
    MOD,
    NOT_CERTIFICATING,
    UNKNOWN,
    candidate,
    context,
    expected,
    qentry,
    tracker,
    unit,
    visit,
)

from ctforms.checks import visits
from ctforms.checks.context import Context
from ctforms.models import (
    CheckStatus,
    IssueKind,
    Records,
    Severity,
    Tracker,
    VisitRow,
    VisitStatus,
)

D = dt.date
AS_OF = D(2024, 6, 10)
FINAL_DEADLINE = D(2024, 6, 30)  # a Sunday: as a deadline, Friday 28 June
BOOKED_BY = D(2024, 5, 15)
COMPLETED, CANCELLED = VisitStatus.COMPLETED, VisitStatus.CANCELLED


def _it_student() -> Tracker:
    """One IT Extended Certificate student with moderated units 4 and 5 (catalogue types)."""
    return tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)))


def _ctx(visit_rows: list[VisitRow] | None, *, as_of: dt.date = AS_OF) -> Context:
    return context(_it_student(), Records(visits=visit_rows), as_of=as_of)


def test_visit_before_the_deadline_with_an_early_claim_passes() -> None:
    outcome, issues = visits.check(_ctx([visit(IT_EXT, D(2024, 6, 20), claim_on=D(2024, 6, 1))]))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "visits",
        "Final moderation visits",
        1,
        0,
    )
    assert outcome.notes == []


# ---------------------------------------------------------------------------- not scheduled


def test_no_visit_for_a_moderated_qualification() -> None:
    outcome, issues = visits.check(_ctx([]))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.VISIT_NOT_SCHEDULED, None, IT_EXT, None)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.candidate is None
    assert issue.deadline == BOOKED_BY
    assert issue.overdue is True
    assert issue.id == f"visit-not-scheduled/-/{IT_EXT}/-"
    assert issue.summary == f"No final moderation visit scheduled for {IT_EXT}"
    assert issue.evidence.note == "no Scheduled or Completed visit in the Visits sheet"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_a_cancelled_visit_does_not_count() -> None:
    _, issues = visits.check(_ctx([visit(IT_EXT, D(2024, 6, 20), CANCELLED)]))
    assert [i.kind for i in issues] == [IssueKind.VISIT_NOT_SCHEDULED]


def test_a_visit_for_another_size_of_the_subject_counts() -> None:
    _, issues = visits.check(_ctx([visit(IT_CERT, D(2024, 6, 20))]))
    assert issues == []


def test_a_visit_for_another_subject_does_not_count() -> None:
    _, issues = visits.check(_ctx([visit(DM_CERT, D(2024, 6, 20))]))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.VISIT_NOT_SCHEDULED, IT_EXT)
    ]


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 5, 14), False), (D(2024, 5, 15), False), (D(2024, 5, 16), True)],
)
def test_visit_not_scheduled_overdue_after_the_booking_date(as_of: dt.date, overdue: bool) -> None:
    _, issues = visits.check(_ctx([], as_of=as_of))
    assert [(i.deadline, i.overdue) for i in issues] == [(BOOKED_BY, overdue)]


def test_only_moderated_qualifications_of_expecting_students_need_a_visit() -> None:
    # 0001 IT (moderated units), 0002 expected but not in the tracker, 0003 IT again,
    # 0004 Digital Media (moderated unit 4), 0005 an unknown code with examined units only,
    # 0006 not certificating (not expecting a result) with a moderated unit.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("0003", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("0004", qentry(DM_CERT, 1, 2, 4)),
        candidate("0005", qentry(UNKNOWN, unit(1, assessment=EX), unit(2))),
        candidate("0006", qentry(UNKNOWN, unit(3, assessment=MOD), cert=NOT_CERTIFICATING)),
    )
    records = Records(
        expected=expected(("0001", IT_EXT), ("0002", IT_EXT), ("0003", IT_EXT), ("0004", DM_CERT)),
        visits=[],
    )
    _, issues = visits.check(context(track, records))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.VISIT_NOT_SCHEDULED, IT_EXT),
        (IssueKind.VISIT_NOT_SCHEDULED, DM_CERT),
    ]


def test_examined_only_qualification_needs_no_visit() -> None:
    track = tracker(candidate("0001", qentry(IT_CERT, 1, 2, 3)))
    outcome, issues = visits.check(context(track, Records(visits=[])))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


# ---------------------------------------------------------------------------- sheet missing


def test_without_visits_sheet_cannot_verify_a_moderated_qualification() -> None:
    outcome, issues = visits.check(_ctx(None))
    assert issues == []
    assert outcome.status is CheckStatus.CANNOT_VERIFY
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "visits",
        "Final moderation visits",
        1,
        0,
    )
    assert outcome.notes == [
        "No Visits sheet in records.xlsx: cannot verify that final moderation visits are"
        f" scheduled for {IT_EXT}."
    ]


def test_without_visits_sheet_every_moderated_qualification_is_named() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("0002", qentry(DM_CERT, 1, 2, 4)),
    )
    outcome, _ = visits.check(context(track, Records(visits=None)))
    assert outcome.notes == [
        "No Visits sheet in records.xlsx: cannot verify that final moderation visits are"
        f" scheduled for {IT_EXT}, {DM_CERT}."
    ]


def test_without_visits_sheet_and_nothing_moderated_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_CERT, 1, 2)))
    outcome, issues = visits.check(context(track, Records(visits=None)))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert outcome.notes == [
        "No Visits sheet in records.xlsx: cannot verify that final moderation visits are"
        " scheduled for the moderated qualifications."
    ]


# ---------------------------------------------------------------------------- after the deadline


@pytest.mark.parametrize(
    ("day", "late"),
    [(D(2024, 6, 29), False), (D(2024, 6, 30), False), (D(2024, 7, 1), True)],
)
def test_final_visit_after_the_final_moderation_deadline(day: dt.date, late: bool) -> None:
    _, issues = visits.check(_ctx([visit(IT_EXT, day, moderator="Ms Mod", row=5)]))
    if not late:
        assert issues == []
        return
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.VISIT_AFTER_DEADLINE, None, IT_EXT, None)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == D(2024, 6, 28)
    assert issue.overdue is False
    ev = issue.evidence
    assert (ev.visit_date, ev.visit_status, ev.moderator) == (day, "Scheduled", "Ms Mod")
    assert ev.source_rows == ["Visits row 5"]
    assert issue.summary == (
        "Final visit on 01/07/2024 is after the final moderation deadline (30/06/2024)"
    )


def test_only_the_final_visit_is_held_to_the_deadline() -> None:
    rows = [
        visit(IT_EXT, D(2024, 7, 5), row=3),
        visit(IT_EXT, D(2024, 3, 1), COMPLETED, row=2),
    ]
    _, issues = visits.check(_ctx(rows))
    assert [(i.kind, i.evidence.visit_date) for i in issues] == [
        (IssueKind.VISIT_AFTER_DEADLINE, D(2024, 7, 5))
    ]


def test_late_visit_then_claim_check_for_the_next_qualification() -> None:
    # IT's final visit is late; Digital Media's claim went in 10 days ahead: both reported.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("0002", qentry(DM_CERT, 1, 2, 4)),
    )
    rows = [
        visit(IT_EXT, D(2024, 7, 2), row=2),
        visit(DM_CERT, D(2024, 6, 20), claim_on=D(2024, 6, 10), row=3),
    ]
    _, issues = visits.check(context(track, Records(visits=rows)))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.VISIT_AFTER_DEADLINE, IT_EXT),
        (IssueKind.CLAIM_TOO_LATE, DM_CERT),
    ]


# ---------------------------------------------------------------------------- claim too late


@pytest.mark.parametrize(
    ("claim_on", "late"),
    [
        (D(2024, 6, 5), False),  # 15 days before
        (D(2024, 6, 6), False),  # exactly 14 days before
        (D(2024, 6, 7), True),  # 13 days before
        (D(2024, 6, 21), True),  # after the visit
    ],
)
def test_claim_at_least_14_days_before_the_visit(claim_on: dt.date, late: bool) -> None:
    rows = [visit(IT_EXT, D(2024, 6, 20), claim_on=claim_on, moderator="Ms Mod", row=4)]
    _, issues = visits.check(_ctx(rows))
    if not late:
        assert issues == []
        return
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.CLAIM_TOO_LATE, None, IT_EXT, None)
    ]
    issue = issues[0]
    assert issue.severity is Severity.WARNING
    assert issue.deadline == D(2024, 6, 6)
    assert issue.id == f"claim-too-late/-/{IT_EXT}/-/2024-06-20"
    ev = issue.evidence
    assert (ev.visit_date, ev.claim_submitted_on, ev.moderator) == (
        D(2024, 6, 20),
        claim_on,
        "Ms Mod",
    )
    assert ev.source_rows == ["Visits row 4"]


def test_claim_too_late_says_how_many_days_ahead_it_went_in() -> None:
    rows = [visit(IT_EXT, D(2024, 6, 20), claim_on=D(2024, 6, 7))]
    _, issues = visits.check(_ctx(rows))
    assert [i.summary for i in issues] == [
        "Claim submitted 13 days before the visit on 20/06/2024 (claims are due at least 14"
        " days before a visit)"
    ]


@pytest.mark.parametrize(
    ("claim_on", "when"),
    [
        (D(2024, 6, 21), "1 day after"),
        (D(2024, 6, 25), "5 days after"),
        (D(2024, 6, 20), "on the day of"),
        (D(2024, 6, 19), "1 day before"),
    ],
)
def test_claim_submitted_after_the_visit_is_not_said_to_be_before_it(
    claim_on: dt.date, when: str
) -> None:
    rows = [visit(IT_EXT, D(2024, 6, 20), claim_on=claim_on)]
    _, issues = visits.check(_ctx(rows, as_of=claim_on))  # submitted by the check's date
    assert [i.summary for i in issues] == [
        f"Claim submitted {when} the visit on 20/06/2024 (claims are due at least 14 days"
        " before a visit)"
    ]


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        (D(2024, 6, 4), ": submit it by 05/06/2024"),  # two weeks before the visit
        (D(2024, 6, 5), ": submit it by 05/06/2024"),  # the deadline is the check's date
        (D(2024, 6, 10), ": two weeks before was 05/06/2024: submit it as soon as you can"),
    ],
)
def test_a_claim_dated_after_the_check_is_planned_not_done(as_of: dt.date, said: str) -> None:
    """Issue 17, item 6: a claim dated after the check's date has not gone in yet."""
    rows = [visit(IT_EXT, D(2024, 6, 19), claim_on=D(2024, 6, 12))]
    (issue,) = visits.check(_ctx(rows, as_of=as_of))[1]
    assert issue.summary == (
        "The claim planned for 12/06/2024 would be 7 days before the visit on 19/06/2024"
        f"{said} (claims are due at least 14 days before a visit)"
    )
    assert issue.action.startswith("The claim is planned for less than two weeks before")
    assert "went in" not in issue.action
    assert issue.deadline == D(2024, 6, 5)


def test_every_visit_is_checked_for_a_late_claim() -> None:
    rows = [
        visit(IT_EXT, D(2024, 3, 10), COMPLETED, claim_on=D(2024, 3, 1), row=2),
        visit(IT_EXT, D(2024, 4, 10), COMPLETED, claim_on=None, row=3),
        visit(IT_EXT, None, claim_on=D(2024, 6, 1), row=4),
        visit(IT_EXT, D(2024, 6, 20), claim_on=D(2024, 6, 15), row=5),
    ]
    _, issues = visits.check(_ctx(rows))
    assert [(i.kind, i.evidence.visit_date) for i in issues] == [
        (IssueKind.CLAIM_TOO_LATE, D(2024, 3, 10)),
        (IssueKind.CLAIM_TOO_LATE, D(2024, 6, 20)),
    ]


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 5), False), (D(2024, 6, 6), False), (D(2024, 6, 7), True)],
)
def test_claim_too_late_overdue_from_two_weeks_before(as_of: dt.date, overdue: bool) -> None:
    rows = [visit(IT_EXT, D(2024, 6, 20), claim_on=D(2024, 6, 7))]
    _, issues = visits.check(_ctx(rows, as_of=as_of))
    assert [(i.deadline, i.overdue) for i in issues] == [(D(2024, 6, 6), overdue)]


def test_a_late_claim_for_a_visit_already_held_asks_what_can_still_be_done() -> None:
    # Claim on 10/05 for a visit held on 12/05 (before as_of 10/06): the two weeks can no
    # longer be met, so the action is to check every unit was moderated, by the declaration.
    rows = [visit(IT_EXT, D(2024, 5, 12), COMPLETED, claim_on=D(2024, 5, 10))]
    (issue,) = visits.check(_ctx(rows))[1]
    assert issue.kind is IssueKind.CLAIM_TOO_LATE
    assert issue.action.startswith(
        "The claim went in less than two weeks before a visit that has now taken place."
    )
    assert "12345-missed-from-moderation-claim.xlsx" in issue.action
    assert issue.deadline == D(2024, 6, 21)  # the declaration closes (a Friday)
    assert not issue.overdue
    # A visit still ahead keeps the usual action and its two-weeks-before deadline.
    rows = [visit(IT_EXT, D(2024, 6, 20), claim_on=D(2024, 6, 7))]
    (issue,) = visits.check(_ctx(rows))[1]
    assert issue.action.startswith("The claim went in less than two weeks before the visit.")
    assert issue.deadline == D(2024, 6, 6)
