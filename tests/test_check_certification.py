"""The certification status check: every student the centre expects a result for shows as
certificating this series (August 2024 here), and nobody else does."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    DM_CERT,
    IT_CERT,
    IT_EXT,
    NOT_CERTIFICATING,
    UNKNOWN,
    WITHDRAWN,
    candidate,
    certificating,
    context,
    expected,
    qentry,
    tracker,
)

from ctforms.checks import certification
from ctforms.models import CertificationStatus, CheckStatus, IssueKind, Records, Severity

D = dt.date
# SERIES_2024 gives Sunday 23 June: the deadline is the Friday before.
DECLARATION_CLOSES = D(2024, 6, 21)


def test_expected_and_certificating_this_series_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3)))
    outcome, issues = certification.check(
        context(track, Records(expected=expected(("0001", IT_EXT))))
    )
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "certification",
        "Certification status",
        1,
        0,
    )
    assert outcome.notes == []


@pytest.mark.parametrize(
    "cert",
    [NOT_CERTIFICATING, WITHDRAWN, certificating(2025), certificating(2023)],
    ids=["not-certificating", "withdrawn", "next-year", "last-year"],
)
def test_expected_but_not_certificating_this_series(cert: CertificationStatus) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, cert=cert)))
    outcome, issues = certification.check(
        context(track, Records(expected=expected(("0001", IT_EXT))))
    )
    assert [(i.kind, i.candidate_number, i.qualification_code) for i in issues] == [
        (IssueKind.NOT_CERTIFICATING, "0001", IT_EXT)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.unit_number is None
    assert issue.evidence.certification_status == cert.text
    assert issue.summary == (
        f"Expected to certificate in August 2024 but the tracker says '{cert.text}'"
    )
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.id == f"not-certificating/0001/{IT_EXT}/-"
    assert issue.candidate is not None and issue.candidate.surname == "Student0001"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_not_certificating_is_reported_against_the_registered_size() -> None:
    # Expects the Extended Certificate, registered for the Certificate, which is not
    # certificating: the status to correct is the registered entry's.
    track = tracker(candidate("0001", qentry(IT_CERT, 1, 2, cert=NOT_CERTIFICATING)))
    _, issues = certification.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.NOT_CERTIFICATING, IT_CERT)
    ]


def test_certificating_but_not_on_the_expected_sheet() -> None:
    # 0002 certificates, but the Expected sheet only names 0001.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0002", qentry(IT_EXT, 1)),
    )
    outcome, issues = certification.check(
        context(track, Records(expected=expected(("0001", IT_EXT))))
    )
    assert [(i.kind, i.candidate_number, i.qualification_code) for i in issues] == [
        (IssueKind.UNEXPECTED_CERTIFICATION, "0002", IT_EXT)
    ]
    issue = issues[0]
    assert issue.severity is Severity.WARNING
    assert issue.evidence.certification_status == "Certificating in August 2024"
    assert issue.summary == (
        "Shows 'Certificating in August 2024' but the Expected sheet does not expect a result"
    )
    assert issue.deadline == DECLARATION_CLOSES
    assert outcome.status is CheckStatus.ISSUES
    assert outcome.students_checked == 2


def test_expected_sheet_saying_no_while_the_tracker_certificates() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1)))
    _, issues = certification.check(
        context(track, Records(expected=expected(("0001", IT_EXT, False))))
    )
    assert [(i.kind, i.candidate_number) for i in issues] == [
        (IssueKind.UNEXPECTED_CERTIFICATION, "0001")
    ]


def test_expected_rows_after_a_no_are_still_expected() -> None:
    # 0001's row says no; 0002's, after it, says yes and 0002 is not certificating.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)),
        candidate("0002", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)),
    )
    records = Records(expected=expected(("0001", IT_EXT, False), ("0002", IT_EXT)))
    outcome, issues = certification.check(context(track, records))
    assert [(i.kind, i.candidate_number) for i in issues] == [(IssueKind.NOT_CERTIFICATING, "0002")]
    assert outcome.students_checked == 1


def test_every_entry_of_a_student_is_looked_at_after_one_not_certificating() -> None:
    # 0001's Digital Media entry (first) is not certificating; the IT one after it is, and
    # the Expected sheet does not expect it.
    track = tracker(
        candidate("0001", qentry(DM_CERT, 1, cert=NOT_CERTIFICATING), qentry(IT_EXT, 1)),
    )
    _, issues = certification.check(context(track, Records(expected=[])))
    assert [(i.kind, i.candidate_number, i.qualification_code) for i in issues] == [
        (IssueKind.UNEXPECTED_CERTIFICATION, "0001", IT_EXT)
    ]


def test_expected_sheet_saying_no_and_not_certificating_is_fine() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)))
    outcome, issues = certification.check(
        context(track, Records(expected=expected(("0001", IT_EXT, False))))
    )
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert outcome.students_checked == 0


def test_certificating_next_year_and_not_expected_is_not_this_series() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, cert=certificating(2025))))
    outcome, issues = certification.check(context(track, Records(expected=[])))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


def test_no_entry_is_left_to_the_entries_check() -> None:
    # 0002 is expected but not in the tracker, 0003 has another (unknown) qualification only.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0003", qentry(UNKNOWN, 1, cert=NOT_CERTIFICATING)),
    )
    records = Records(expected=expected(("0001", IT_EXT), ("0002", IT_EXT), ("0003", IT_EXT)))
    outcome, issues = certification.check(context(track, records))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert outcome.students_checked == 3


def test_first_and_last_student_with_one_without_entry_between() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)),
        candidate("0002"),
        candidate("0003", qentry(IT_EXT, 1)),
        candidate("0004", qentry(IT_EXT, 1, cert=WITHDRAWN)),
        candidate("0005", qentry(IT_CERT, 1)),
    )
    records = Records(
        expected=expected(("0004", IT_EXT), ("0003", IT_EXT), ("0002", IT_EXT), ("0001", IT_EXT))
    )
    _, issues = certification.check(context(track, records))
    assert [(i.kind, i.candidate_number) for i in issues] == [
        (IssueKind.NOT_CERTIFICATING, "0001"),
        (IssueKind.NOT_CERTIFICATING, "0004"),
        (IssueKind.UNEXPECTED_CERTIFICATION, "0005"),
    ]


def test_without_expected_sheet_the_tracker_decides_and_the_check_is_partial() -> None:
    # No Expected sheet: the certificating students are in scope, nobody can be unexpected,
    # and a student not certificating cannot be found.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0002", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)),
    )
    outcome, issues = certification.check(context(track, Records(expected=None)))
    assert issues == []
    assert outcome.status is CheckStatus.PARTIAL
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "certification",
        "Certification status",
        1,
        0,
    )
    assert outcome.notes == [
        "No Expected sheet in records.xlsx: the students expecting a result were taken to be"
        " those the tracker shows as 'Certificating in August 2024'. A student missing from"
        " that status cannot be found without the Expected sheet."
    ]


def test_empty_expected_sheet_makes_every_certificating_student_unexpected() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0002", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)),
        candidate("0003", qentry(IT_CERT, 1)),
    )
    outcome, issues = certification.check(context(track, Records(expected=[])))
    assert [(i.kind, i.candidate_number) for i in issues] == [
        (IssueKind.UNEXPECTED_CERTIFICATION, "0001"),
        (IssueKind.UNEXPECTED_CERTIFICATION, "0003"),
    ]
    assert outcome.status is CheckStatus.ISSUES
    assert outcome.notes == []


def test_empty_expected_sheet_and_nobody_certificating_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)))
    outcome, issues = certification.check(context(track, Records(expected=[])))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 20), False), (D(2024, 6, 21), False), (D(2024, 6, 22), True)],
)
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, cert=NOT_CERTIFICATING)))
    ctx = context(track, Records(expected=expected(("0001", IT_EXT))), as_of=as_of)
    _, issues = certification.check(ctx)
    assert [(i.deadline, i.overdue) for i in issues] == [(DECLARATION_CLOSES, overdue)]
