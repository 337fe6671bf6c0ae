"""The duplicate candidate check: one student under two candidate numbers (same ULN, or same
name and date of birth) has their units split and needs a merge request. A ULN match is
certain (blocking); a name and birthday match could be two people (warning). Names are compared
ignoring case, spacing and accents."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import IT_EXT, candidate, context, qentry, tracker

from ctforms.checks import duplicates
from ctforms.models import CheckStatus, IssueKind, Severity

D = dt.date
# SERIES_2024 gives Sunday 23 June: the deadline is the Friday before.
DECLARATION_CLOSES = D(2024, 6, 21)
ULN = "9276308686"
OTHER_ULN = "1000000004"
DOB = D(2006, 5, 17)


def test_distinct_candidates_pass() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1), uln=ULN, surname="Khan", dob=DOB),
        candidate("0002", qentry(IT_EXT, 1), uln=OTHER_ULN, surname="Jones", dob=DOB),
    )
    outcome, issues = duplicates.check(context(track))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "duplicates",
        "Duplicate candidate records",
        2,
        0,
    )
    assert outcome.notes == []


def test_same_uln_under_two_numbers() -> None:
    track = tracker(
        candidate("0007", qentry(IT_EXT, 1), uln=ULN, surname="Khan", forenames="Ayesha"),
        candidate("0003", uln=ULN, surname="Smith", forenames="Jo"),
    )
    outcome, issues = duplicates.check(context(track))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.DUPLICATE_CANDIDATE, "0003", None, None)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.id == "duplicate-candidate/0003/-/-/0007"
    assert issue.candidate is not None
    assert (issue.candidate.surname, issue.candidate.uln) == ("Smith", ULN)
    assert issue.evidence.other_candidate_number == "0007"
    assert issue.evidence.matched_on == "ULN"
    assert issue.summary == "Same ULN as candidate 0007"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_same_name_and_date_of_birth_under_two_numbers() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1), surname="Khan", forenames="Ayesha", dob=DOB),
        candidate("0002", surname="Khan", forenames="Ayesha", dob=DOB),
    )
    _, issues = duplicates.check(context(track))
    assert [(i.kind, i.candidate_number, i.severity) for i in issues] == [
        (IssueKind.DUPLICATE_CANDIDATE, "0001", Severity.WARNING)
    ]
    ev = issues[0].evidence
    assert (ev.other_candidate_number, ev.matched_on) == ("0002", "name and date of birth")
    assert issues[0].summary == "Same name and date of birth as candidate 0002"


def test_names_match_ignoring_case_spacing_and_accents() -> None:
    track = tracker(
        candidate("0001", surname="O'Brien", forenames="Zoë  Anne", dob=DOB),
        candidate("0002", surname="  o'BRIEN ", forenames="zoe anne", dob=DOB),
    )
    _, issues = duplicates.check(context(track))
    assert [
        (i.candidate_number, i.evidence.other_candidate_number, i.severity) for i in issues
    ] == [("0001", "0002", Severity.WARNING)]


@pytest.mark.parametrize(
    ("surname", "forenames", "dob"),
    [
        ("Khan", "Ayesha", D(2006, 5, 18)),
        ("Khan", "Aisha", DOB),
        ("Ayesha", "Khan", DOB),
        ("Khan", "Ayesha", None),
    ],
    ids=["another-birthday", "another-forename", "names-swapped", "no-birthday"],
)
def test_near_misses_are_not_duplicates(surname: str, forenames: str, dob: dt.date | None) -> None:
    first = candidate("0001", surname="Khan", forenames="Ayesha", dob=DOB)
    other = candidate("0002", surname=surname, forenames=forenames, dob=dob)
    _, issues = duplicates.check(context(tracker(first, other)))
    assert issues == []


def test_two_without_birthday_and_same_name_are_not_matched() -> None:
    track = tracker(
        candidate("0001", surname="Khan", forenames="Ayesha"),
        candidate("0002", surname="Khan", forenames="Ayesha"),
    )
    _, issues = duplicates.check(context(track))
    assert issues == []


def test_uln_and_name_both_matching_is_one_uln_issue() -> None:
    track = tracker(
        candidate("0001", surname="Khan", forenames="Ayesha", uln=ULN, dob=DOB),
        candidate("0002", surname="Khan", forenames="Ayesha", uln=ULN, dob=DOB),
    )
    _, issues = duplicates.check(context(track))
    assert [(i.candidate_number, i.evidence.matched_on, i.severity) for i in issues] == [
        ("0001", "ULN", Severity.BLOCKING)
    ]


def test_same_name_but_different_ulns_is_still_a_name_match() -> None:
    # Two ULNs could be one student registered twice: flagged for checking, as a warning.
    track = tracker(
        candidate("0001", surname="Khan", forenames="Ayesha", uln=ULN, dob=DOB),
        candidate("0002", surname="Khan", forenames="Ayesha", uln=OTHER_ULN, dob=DOB),
    )
    _, issues = duplicates.check(context(track))
    assert [(i.evidence.matched_on, i.severity) for i in issues] == [
        ("name and date of birth", Severity.WARNING)
    ]


def test_three_records_of_one_student_pair_with_the_lowest_number() -> None:
    track = tracker(
        candidate("0009", uln=ULN),
        candidate("0004", uln=ULN),
        candidate("0006", uln=ULN),
    )
    _, issues = duplicates.check(context(track))
    assert [(i.candidate_number, i.evidence.other_candidate_number) for i in issues] == [
        ("0004", "0006"),
        ("0004", "0009"),
    ]


def test_first_and_last_candidates_with_a_distinct_one_between() -> None:
    track = tracker(
        candidate("0001", surname="Khan", forenames="Ayesha", dob=DOB),
        candidate("0002", surname="Jones", forenames="Sam", dob=DOB, uln=OTHER_ULN),
        candidate("0003", surname="KHAN", forenames="ayesha", dob=DOB),
        candidate("0004", uln=ULN),
        candidate("0005", uln=ULN),
    )
    _, issues = duplicates.check(context(track))
    assert [(i.candidate_number, i.evidence.other_candidate_number) for i in issues] == [
        ("0001", "0003"),
        ("0004", "0005"),
    ]


def test_candidates_not_expecting_a_result_are_checked_too() -> None:
    # Neither record certificates this series: the split is still worth merging.
    track = tracker(candidate("0001", uln=ULN), candidate("0002", uln=ULN))
    outcome, issues = duplicates.check(context(track))
    assert [i.candidate_number for i in issues] == ["0001"]
    assert outcome.students_checked == 0


def test_different_non_latin_names_with_the_same_birthday_are_not_duplicates() -> None:
    track = tracker(
        candidate("0001", surname="王", forenames="伟", dob=DOB),
        candidate("0002", surname="李", forenames="芳", dob=DOB),
    )
    _, issues = duplicates.check(context(track))
    assert issues == []


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 20), False), (D(2024, 6, 21), False), (D(2024, 6, 22), True)],
)
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    track = tracker(candidate("0001", uln=ULN), candidate("0002", uln=ULN))
    _, issues = duplicates.check(context(track, as_of=as_of))
    assert [(i.deadline, i.overdue) for i in issues] == [(DECLARATION_CLOSES, overdue)]
