"""The qualification entry check: every student on the Expected sheet is entered for the
qualification they expect, and for the right size of it (else a top-up or move-down entry)."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    CATALOGUE_YAML,
    DM_CERT,
    IT_CERT,
    IT_EXT,
    UNKNOWN,
    candidate,
    catalogue,
    context,
    expected,
    qentry,
    tracker,
)

from ctforms.checks import entries
from ctforms.models import CheckStatus, IssueKind, Records, Severity

D = dt.date
# SERIES_2024 gives Saturday 15 June: the deadline is the Friday before.
DECLARATION_OPENS = D(2024, 6, 14)
TITLE = "Qualification entries (registrations)"

# Business: one size whose size and minimum GLH are not on record, a Diploma, and another
# size of the same GLH as the Diploma.
BUSINESS_YAML = (
    CATALOGUE_YAML
    + """
  - id: bs
    name: Business
    suite: 2016
    level: 3
    source: test
    verified: true
    units:
      - {number: 1, title: The business environment, glh: 60, assessment: Examined}
    qualifications:
      - {code: "05870", title: Business (size unknown), source: test, verified: false}
      - {code: "05871", title: Diploma in Business, size: Diploma, glh: 720, source: test,
         verified: true}
      - {code: "05872", title: Diploma in Business (Marketing), size: Diploma (Marketing),
         glh: 720, source: test, verified: true}
"""
)


def test_entered_for_the_expected_qualification_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3)))
    outcome, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "entries",
        TITLE,
        1,
        0,
    )
    assert outcome.notes == []


def test_candidate_not_in_the_tracker_has_no_entry() -> None:
    outcome, issues = entries.check(
        context(tracker(), Records(expected=expected(("0007", IT_EXT))))
    )
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.NO_QUALIFICATION_ENTRY, "0007", IT_EXT, None)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.candidate is None
    assert issue.evidence.expected_code == IT_EXT
    assert issue.evidence.registered_code is None
    assert issue.evidence.note == "The candidate is not in the tracker at all."
    assert issue.summary == f"No entry for {IT_EXT}, the qualification the student expects"
    assert issue.deadline == DECLARATION_OPENS
    assert issue.id == f"no-qualification-entry/0007/{IT_EXT}/-"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_a_student_listed_twice_is_reported_once_and_the_rows_after_are_read() -> None:
    records = Records(expected=expected(("0007", IT_EXT), ("0007", IT_EXT), ("0008", IT_EXT)))
    outcome, issues = entries.check(context(tracker(), records))
    assert [(i.kind, i.candidate_number) for i in issues] == [
        (IssueKind.NO_QUALIFICATION_ENTRY, "0007"),
        (IssueKind.NO_QUALIFICATION_ENTRY, "0008"),
    ]
    assert (outcome.students_checked, outcome.issues) == (2, 2)


def test_entry_for_another_subject_is_no_entry() -> None:
    # Digital Media is not another size of IT: the IT qualification has no entry.
    track = tracker(candidate("0001", qentry(DM_CERT, 1)))
    _, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert [(i.kind, i.candidate_number, i.qualification_code) for i in issues] == [
        (IssueKind.NO_QUALIFICATION_ENTRY, "0001", IT_EXT)
    ]
    issue = issues[0]
    assert issue.candidate is not None and issue.candidate.surname == "Student0001"
    assert issue.evidence.note == f"The tracker shows entries for {DM_CERT} only."


def test_entries_for_other_subjects_are_all_listed() -> None:
    track = tracker(candidate("0001", qentry(DM_CERT, 1), qentry(UNKNOWN, 1)))
    _, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert [(i.kind, i.evidence.note) for i in issues] == [
        (
            IssueKind.NO_QUALIFICATION_ENTRY,
            f"The tracker shows entries for {DM_CERT}, {UNKNOWN} only.",
        )
    ]


def test_candidate_with_no_entry_at_all() -> None:
    track = tracker(candidate("0001"))
    _, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert [(i.kind, i.candidate_number, i.evidence.note) for i in issues] == [
        (
            IssueKind.NO_QUALIFICATION_ENTRY,
            "0001",
            "The candidate has no qualification entry in the tracker.",
        )
    ]


def test_expected_code_unknown_to_the_catalogue_and_not_entered() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1)))
    _, issues = entries.check(context(track, Records(expected=expected(("0001", UNKNOWN)))))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.NO_QUALIFICATION_ENTRY, UNKNOWN)
    ]
    assert issues[0].evidence.expected_code == UNKNOWN
    # Not in the catalogue: the IT entry might be another size of it, and the note says so.
    assert issues[0].evidence.note == (
        f"The tracker shows entries for {IT_EXT} only; {UNKNOWN} is not in the catalogue,"
        " so ctforms cannot tell whether one of them is another size of it."
    )


def test_registered_for_a_smaller_size_needs_a_top_up() -> None:
    # Expects the Extended Certificate (360 GLH), registered for the Certificate (180).
    track = tracker(candidate("0001", qentry(IT_CERT, 1, 2)))
    outcome, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert [(i.kind, i.candidate_number, i.qualification_code) for i in issues] == [
        (IssueKind.WRONG_SIZE_ENTRY, "0001", IT_EXT)
    ]
    ev = issues[0].evidence
    assert (ev.expected_code, ev.registered_code, ev.direction) == (IT_EXT, IT_CERT, "top-up")
    # Units 1 and 2 alone cannot make the Extended Certificate.
    assert ev.missing_for_target == [
        "unit 3 (mandatory)",
        "options: 2 more units / 120 more GLH",
        "180 more GLH overall",
    ]
    assert issues[0].summary == (
        f"Entered for {IT_CERT} (Certificate) but expects {IT_EXT} (Extended Certificate):"
        " top-up entry needed"
    )
    assert issues[0].severity is Severity.BLOCKING
    assert issues[0].deadline == DECLARATION_OPENS
    assert outcome.status is CheckStatus.ISSUES


def test_registered_for_a_larger_size_needs_a_move_down() -> None:
    # Expects the Certificate, registered for the Extended Certificate; units 1 and 2 achieved
    # already meet the Certificate's rules, so nothing is missing for it.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2)))
    _, issues = entries.check(context(track, Records(expected=expected(("0001", IT_CERT)))))
    assert [(i.kind, i.qualification_code) for i in issues] == [
        (IssueKind.WRONG_SIZE_ENTRY, IT_CERT)
    ]
    ev = issues[0].evidence
    assert (ev.expected_code, ev.registered_code, ev.direction) == (IT_CERT, IT_EXT, "move-down")
    assert ev.missing_for_target is None
    assert issues[0].summary == (
        f"Entered for {IT_EXT} (Extended Certificate) but expects {IT_CERT} (Certificate):"
        " move-down entry needed"
    )


def test_wrong_size_of_the_same_glh_is_not_a_top_up() -> None:
    # Only a larger expected size is a top-up; equal GLH is the other way.
    track = tracker(candidate("0001", qentry("05872", 1)))
    ctx = context(
        track, Records(expected=expected(("0001", "05871"))), cat=catalogue(BUSINESS_YAML)
    )
    _, issues = entries.check(ctx)
    assert [(i.kind, i.evidence.direction, i.summary) for i in issues] == [
        (
            IssueKind.WRONG_SIZE_ENTRY,
            "move-down",
            "Entered for 05872 (Diploma (Marketing)) but expects 05871 (Diploma):"
            " move-down entry needed",
        )
    ]


def test_wrong_size_with_a_size_and_glh_not_on_record() -> None:
    # 05870's size and GLH are unknown: neither the direction nor the size can be named.
    track = tracker(candidate("0001", qentry("05870", 1)))
    ctx = context(
        track, Records(expected=expected(("0001", "05871"))), cat=catalogue(BUSINESS_YAML)
    )
    _, issues = entries.check(ctx)
    assert [(i.kind, i.qualification_code, i.evidence.direction) for i in issues] == [
        (IssueKind.WRONG_SIZE_ENTRY, "05871", None)
    ]
    assert issues[0].summary == (
        "Entered for 05870 (size not known) but expects 05871 (Diploma):"
        " top-up or move-down entry needed"
    )


def test_students_only_certificating_in_the_tracker_are_not_checked_here() -> None:
    # 0002 is not on the Expected sheet: the certification check reports it, not this one.
    track = tracker(candidate("0001", qentry(IT_EXT, 1)), candidate("0002", qentry(IT_CERT, 1)))
    outcome, issues = entries.check(context(track, Records(expected=expected(("0001", IT_EXT)))))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert outcome.students_checked == 2


def test_first_and_last_student_with_others_between() -> None:
    # 0001 fine, 0002 only in the tracker, 0003 no entry, 0004 fine, 0005 wrong size:
    # every kind of skip sits between two students with an issue or at the ends.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0002", qentry(IT_EXT, 1)),
        candidate("0004", qentry(IT_EXT, 1)),
        candidate("0005", qentry(IT_CERT, 1)),
        candidate("0006", qentry(IT_EXT, 1)),
    )
    records = Records(
        expected=expected(
            ("0001", IT_EXT),
            ("0003", IT_EXT),
            ("0004", IT_EXT),
            ("0005", IT_EXT),
            ("0006", IT_EXT),
            ("0007", IT_CERT),
        )
    )
    _, issues = entries.check(context(track, records))
    assert [(i.kind, i.candidate_number) for i in issues] == [
        (IssueKind.NO_QUALIFICATION_ENTRY, "0003"),
        (IssueKind.WRONG_SIZE_ENTRY, "0005"),
        (IssueKind.NO_QUALIFICATION_ENTRY, "0007"),
    ]


def test_without_expected_sheet_cannot_verify() -> None:
    track = tracker(candidate("0001", qentry(IT_CERT, 1)))
    outcome, issues = entries.check(context(track, Records(expected=None)))
    assert issues == []
    assert outcome.status is CheckStatus.CANNOT_VERIFY
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "entries",
        TITLE,
        1,
        0,
    )
    assert outcome.notes == [
        "No Expected sheet in records.xlsx: cannot tell whether students are entered for the"
        " qualification (and size) they expect."
    ]


def test_empty_expected_sheet_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_CERT, 1)))
    outcome, issues = entries.check(context(track, Records(expected=[])))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 13), False), (D(2024, 6, 14), False), (D(2024, 6, 15), True)],
)
def test_overdue_only_after_the_declaration_opens(as_of: dt.date, overdue: bool) -> None:
    ctx = context(tracker(), Records(expected=expected(("0001", IT_EXT))), as_of=as_of)
    _, issues = entries.check(ctx)
    assert [(i.deadline, i.overdue) for i in issues] == [(DECLARATION_OPENS, overdue)]
