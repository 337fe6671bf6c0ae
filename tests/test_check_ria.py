"""The reduction in assessment (RIA) check: every RIA the centre recorded for a student
expecting a result shows 'RIA received' in the tracker (or the unit already has its result)."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    AROUND_DECLARATION,
    CNR,
    CS,
    DECLARATION_CLOSES,
    DM_CERT,
    IT_EXT,
    NOT_CERTIFICATING,
    RA,
    RIA,
    SheetCheck,
    assert_due_at_declaration,
    candidate,
    context,
    expected,
    qentry,
    ria,
    tracker,
    unit,
)

from ctforms.checks import ria as ria_check
from ctforms.models import CheckStatus, IssueKind, Records, RiaRow, Severity, UnitStatus

D = dt.date
REQUESTED = D(2021, 11, 3)
RIA_CHECK = SheetCheck(ria_check.check, "ria", "Reduction in assessment (2021/22)")


def _one() -> Records:
    return Records(ria=[ria("0001", IT_EXT, 4, REQUESTED, row=3)])


@pytest.mark.parametrize("status", [RIA, RA], ids=["ria-received", "result-achieved"])
def test_request_received_or_result_achieved_passes(status: UnitStatus) -> None:
    RIA_CHECK.assert_quiet(RIA_CHECK.on_unit_4(_one(), status), CheckStatus.PASSED, [])


@pytest.mark.parametrize("status", [CNR, CS], ids=["claim-not-received", "claim-submitted"])
def test_request_not_showing_in_the_tracker(status: UnitStatus) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, status, row=12))))
    outcome, issues = ria_check.check(context(track, _one()))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.RIA_NOT_RECEIVED, "0001", IT_EXT, 4)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.id == f"ria-not-received/0001/{IT_EXT}/4"
    assert issue.unit_title == "Project management"
    ev = issue.evidence
    assert ev.unit_status == status.value
    assert ev.ria_requested_on == REQUESTED
    assert ev.source_rows == ["RIA row 3", "tracker row 12"]
    assert issue.summary == f"RIA requested for unit 4; tracker shows '{status.value}'"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_request_for_a_unit_not_in_the_tracker() -> None:
    _, issues = RIA_CHECK.on_unit_1_only(Records(ria=[ria("0001", IT_EXT, 9, None, row=5)]))
    assert [(i.kind, i.candidate_number, i.unit_number) for i in issues] == [
        (IssueKind.RIA_NOT_RECEIVED, "0001", 9)
    ]
    ev = issues[0].evidence
    assert ev.unit_status is None
    assert ev.ria_requested_on is None
    assert ev.source_rows == ["RIA row 5"]
    assert issues[0].summary == "RIA requested for unit 9; not in the tracker"


def test_request_for_a_qualification_the_student_is_not_entered_for() -> None:
    # 0001 has an IT entry only; the request names Digital Media.
    _, issues = RIA_CHECK.on_unit_1_only(Records(ria=[ria("0001", DM_CERT, 4, REQUESTED, row=6)]))
    assert [(i.kind, i.qualification_code, i.unit_number, i.summary) for i in issues] == [
        (IssueKind.RIA_NOT_RECEIVED, DM_CERT, 4, "RIA requested for unit 4; not in the tracker")
    ]
    assert issues[0].evidence.source_rows == ["RIA row 6"]


def test_request_for_an_expected_student_missing_from_the_tracker() -> None:
    # 0002 is on the Expected sheet (so in scope) but has no tracker record at all.
    records = Records(
        expected=expected(("0001", IT_EXT), ("0002", IT_EXT)),
        ria=[ria("0002", IT_EXT, 4, REQUESTED, row=7)],
    )
    _, issues = RIA_CHECK.on_unit_1_only(records)
    assert [(i.kind, i.candidate_number, i.candidate, i.summary) for i in issues] == [
        (IssueKind.RIA_NOT_RECEIVED, "0002", None, "RIA requested for unit 4; not in the tracker")
    ]


def test_requests_of_students_not_expecting_a_result_are_ignored() -> None:
    records = Records(ria=[ria("0002", IT_EXT, 4, REQUESTED), ria("0009", IT_EXT, 4, None)])
    _, issues = RIA_CHECK.with_one_not_expecting(records)
    assert issues == []


def test_first_and_last_request_with_skipped_ones_between() -> None:
    # By row: 0001 missing, 0002 not expecting, 0003 received, 0004 missing.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, unit(4, CNR, row=21))),
        candidate("0002", qentry(IT_EXT, 1, unit(4, CNR), cert=NOT_CERTIFICATING)),
        candidate("0003", qentry(IT_EXT, 1, unit(4, RIA))),
        candidate("0004", qentry(IT_EXT, 1, unit(5, CS, row=41))),
    )
    rows: list[RiaRow] = [
        ria("0004", IT_EXT, 5, REQUESTED, row=5),
        ria("0002", IT_EXT, 4, REQUESTED, row=3),
        ria("0001", IT_EXT, 4, REQUESTED, row=2),
        ria("0003", IT_EXT, 4, REQUESTED, row=4),
    ]
    _, issues = ria_check.check(context(track, Records(ria=rows)))
    assert [(i.candidate_number, i.unit_number, i.evidence.source_rows) for i in issues] == [
        ("0001", 4, ["RIA row 2", "tracker row 21"]),
        ("0004", 5, ["RIA row 5", "tracker row 41"]),
    ]


def test_without_ria_sheet_cannot_verify() -> None:
    RIA_CHECK.assert_quiet(
        RIA_CHECK.on_unit_4(Records(ria=None)),
        CheckStatus.CANNOT_VERIFY,
        [
            "No RIA sheet in records.xlsx: requests for reduction in assessment cannot be"
            " matched with the tracker. If no student used it in 2021/22, add an empty RIA sheet."
        ],
    )


def test_empty_ria_sheet_passes() -> None:
    RIA_CHECK.assert_quiet(RIA_CHECK.on_unit_4(Records(ria=[])), CheckStatus.PASSED)


@AROUND_DECLARATION
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    _, issues = RIA_CHECK.on_unit_4(_one(), as_of=as_of)
    assert_due_at_declaration(issues, overdue)
