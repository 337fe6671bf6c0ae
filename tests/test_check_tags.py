"""The mid-flight TAG check: a teacher assessed grade the centre recorded for a student
expecting a result is in the tracker (the unit shows 'Result achieved'). TAGs were only allowed
for assessments planned between 1 August 2020 and 31 August 2021; outside that window the
TAG is not allowed and the issue is a warning (assess the unit normally)."""

from __future__ import annotations

import datetime as dt

import pytest
from checkkit import (
    CNR,
    CS,
    DM_CERT,
    IT_EXT,
    NOT_CERTIFICATING,
    RA,
    candidate,
    context,
    expected,
    qentry,
    tag,
    tracker,
    unit,
)

from ctforms.checks import tags
from ctforms.models import CheckStatus, Grade, IssueKind, Records, Severity, TagRow

D = dt.date
# SERIES_2024 gives Sunday 23 June: the deadline is the Friday before.
DECLARATION_CLOSES = D(2024, 6, 21)
PLANNED = D(2021, 3, 1)


def test_tag_in_the_tracker_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, RA))))
    outcome, issues = tags.check(
        context(track, Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED)]))
    )
    assert issues == []
    assert outcome.status is CheckStatus.PASSED
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "tags",
        "Mid-flight teacher assessed grades (TAGs)",
        1,
        0,
    )
    assert outcome.notes == []


def test_tag_missing_from_the_tracker() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CNR, row=8))))
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED, row=3)])
    outcome, issues = tags.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in issues] == [
        (IssueKind.MISSING_TAG, "0001", IT_EXT, 4)
    ]
    issue = issues[0]
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.id == f"missing-tag/0001/{IT_EXT}/4"
    ev = issue.evidence
    assert ev.tag_grade == "M"
    assert ev.planned_assessment_date == PLANNED
    assert ev.in_tag_window is True
    assert ev.unit_status == "Claim not received"
    assert ev.source_rows == ["TAGs row 3"]
    assert ev.note is None
    assert issue.summary == "TAG M for unit 4 recorded; tracker shows 'Claim not received'"
    assert outcome.status is CheckStatus.ISSUES and outcome.issues == 1


def test_tag_for_a_unit_not_in_the_tracker() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1)))
    records = Records(tags=[tag("0001", IT_EXT, 9, Grade.PASS, PLANNED)])
    _, issues = tags.check(context(track, records))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.MISSING_TAG, 9, Severity.BLOCKING)
    ]
    assert issues[0].evidence.unit_status is None
    assert issues[0].evidence.tag_grade == "P"
    assert issues[0].summary == "TAG P for unit 9 recorded; not in the tracker"


def test_tag_for_a_qualification_the_student_is_not_entered_for() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1)))
    records = Records(tags=[tag("0001", DM_CERT, 4, Grade.MERIT, PLANNED)])
    _, issues = tags.check(context(track, records))
    assert [(i.kind, i.qualification_code, i.unit_number, i.summary) for i in issues] == [
        (IssueKind.MISSING_TAG, DM_CERT, 4, "TAG M for unit 4 recorded; not in the tracker")
    ]


def test_tag_for_an_expected_student_missing_from_the_tracker() -> None:
    # 0002 is on the Expected sheet (so in scope) but has no tracker record at all.
    track = tracker(candidate("0001", qentry(IT_EXT, 1)))
    records = Records(
        expected=expected(("0001", IT_EXT), ("0002", IT_EXT)),
        tags=[tag("0002", IT_EXT, 4, Grade.PASS, PLANNED)],
    )
    _, issues = tags.check(context(track, records))
    assert [(i.kind, i.candidate_number, i.candidate, i.summary) for i in issues] == [
        (IssueKind.MISSING_TAG, "0002", None, "TAG P for unit 4 recorded; not in the tracker")
    ]


@pytest.mark.parametrize(
    ("planned", "inside"),
    [
        (D(2020, 7, 31), False),
        (D(2020, 8, 1), True),
        (D(2021, 8, 31), True),
        (D(2021, 9, 1), False),
    ],
)
def test_tag_window_is_1_august_2020_to_31_august_2021(planned: dt.date, inside: bool) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CS))))
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.DISTINCTION, planned)])
    _, issues = tags.check(context(track, records))
    assert [(i.kind, i.unit_number) for i in issues] == [(IssueKind.MISSING_TAG, 4)]
    ev = issues[0].evidence
    assert ev.in_tag_window is inside
    assert ev.planned_assessment_date == planned
    assert issues[0].severity is (Severity.BLOCKING if inside else Severity.WARNING)
    # Outside the window: a note saying a TAG is not allowed.
    assert ev.note == (
        None
        if inside
        else "planned assessment date is outside 1 August 2020 - 31 August 2021: a TAG is"
        " not allowed; the unit must be assessed normally"
    )


def test_tag_without_a_planned_date_is_blocking_with_a_note() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CS))))
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.PASS, None)])
    _, issues = tags.check(context(track, records))
    assert [(i.kind, i.severity) for i in issues] == [(IssueKind.MISSING_TAG, Severity.BLOCKING)]
    ev = issues[0].evidence
    assert ev.in_tag_window is None
    assert ev.planned_assessment_date is None
    assert ev.note == (
        "no planned assessment date: check it was between 1 August 2020 and 31 August 2021"
    )


def test_tags_of_students_not_expecting_a_result_are_ignored() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1)),
        candidate("0002", qentry(IT_EXT, 1, unit(4, CNR), cert=NOT_CERTIFICATING)),
    )
    records = Records(
        tags=[
            tag("0002", IT_EXT, 4, Grade.PASS, PLANNED),
            tag("0009", IT_EXT, 4, Grade.PASS, PLANNED),
        ]
    )
    _, issues = tags.check(context(track, records))
    assert issues == []


def test_first_and_last_tag_with_skipped_ones_between() -> None:
    # By row: 0001 missing, 0002 not expecting, 0003 in the tracker, 0004 missing.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, unit(4, CNR))),
        candidate("0002", qentry(IT_EXT, 1, unit(4, CNR), cert=NOT_CERTIFICATING)),
        candidate("0003", qentry(IT_EXT, 1, unit(4, RA))),
        candidate("0004", qentry(IT_EXT, 1, unit(5, CS))),
    )
    rows: list[TagRow] = [
        tag("0004", IT_EXT, 5, Grade.PASS, PLANNED, row=5),
        tag("0003", IT_EXT, 4, Grade.PASS, PLANNED, row=4),
        tag("0002", IT_EXT, 4, Grade.PASS, PLANNED, row=3),
        tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED, row=2),
    ]
    _, issues = tags.check(context(track, Records(tags=rows)))
    assert [(i.candidate_number, i.unit_number, i.evidence.source_rows) for i in issues] == [
        ("0001", 4, ["TAGs row 2"]),
        ("0004", 5, ["TAGs row 5"]),
    ]


def test_without_tags_sheet_cannot_verify() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CNR))))
    outcome, issues = tags.check(context(track, Records(tags=None)))
    assert issues == []
    assert outcome.status is CheckStatus.CANNOT_VERIFY
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        "tags",
        "Mid-flight teacher assessed grades (TAGs)",
        1,
        0,
    )
    assert outcome.notes == [
        "No TAGs sheet in records.xlsx: missing mid-flight TAGs cannot be found. If no student"
        " had assessments planned between 1 August 2020 and 31 August 2021, add an empty TAGs"
        " sheet."
    ]


def test_empty_tags_sheet_passes() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CNR))))
    outcome, issues = tags.check(context(track, Records(tags=[])))
    assert issues == []
    assert outcome.status is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 20), False), (D(2024, 6, 21), False), (D(2024, 6, 22), True)],
)
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CNR))))
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED)])
    _, issues = tags.check(context(track, records, as_of=as_of))
    assert [(i.deadline, i.overdue) for i in issues] == [(DECLARATION_CLOSES, overdue)]
