"""The mid-flight TAG check: a teacher assessed grade the centre recorded for a student
expecting a result is in the tracker (the unit shows 'Result achieved'). TAGs were only allowed
for assessments planned between 1 August 2020 and 31 August 2021; outside that window the
TAG is not allowed and the issue is a warning (assess the unit normally)."""

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
    SheetCheck,
    assert_due_at_declaration,
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
PLANNED = D(2021, 3, 1)
TAGS = SheetCheck(tags.check, "tags", "Mid-flight teacher assessed grades (TAGs)")


def test_tag_in_the_tracker_passes() -> None:
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED)])
    TAGS.assert_quiet(TAGS.on_unit_4(records, RA), CheckStatus.PASSED, [])


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
    _, issues = TAGS.on_unit_1_only(Records(tags=[tag("0001", IT_EXT, 9, Grade.PASS, PLANNED)]))
    assert [(i.kind, i.unit_number, i.severity) for i in issues] == [
        (IssueKind.MISSING_TAG, 9, Severity.BLOCKING)
    ]
    assert issues[0].evidence.unit_status is None
    assert issues[0].evidence.tag_grade == "P"
    assert issues[0].summary == "TAG P for unit 9 recorded; not in the tracker"


def test_tag_for_a_qualification_the_student_is_not_entered_for() -> None:
    # 0001 has an IT entry only; the TAG names Digital Media.
    records = Records(tags=[tag("0001", DM_CERT, 4, Grade.MERIT, PLANNED)])
    _, issues = TAGS.on_unit_1_only(records)
    assert [(i.kind, i.qualification_code, i.unit_number, i.summary) for i in issues] == [
        (IssueKind.MISSING_TAG, DM_CERT, 4, "TAG M for unit 4 recorded; not in the tracker")
    ]


def test_tag_for_an_expected_student_missing_from_the_tracker() -> None:
    # 0002 is on the Expected sheet (so in scope) but has no tracker record at all.
    records = Records(
        expected=expected(("0001", IT_EXT), ("0002", IT_EXT)),
        tags=[tag("0002", IT_EXT, 4, Grade.PASS, PLANNED)],
    )
    _, issues = TAGS.on_unit_1_only(records)
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
    records = Records(
        tags=[
            tag("0002", IT_EXT, 4, Grade.PASS, PLANNED),
            tag("0009", IT_EXT, 4, Grade.PASS, PLANNED),
        ]
    )
    _, issues = TAGS.with_one_not_expecting(records)
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
    TAGS.assert_quiet(
        TAGS.on_unit_4(Records(tags=None)),
        CheckStatus.CANNOT_VERIFY,
        [
            "No TAGs sheet in records.xlsx: missing mid-flight TAGs cannot be found. If no"
            " student had assessments planned between 1 August 2020 and 31 August 2021, add an"
            " empty TAGs sheet."
        ],
    )


def test_empty_tags_sheet_passes() -> None:
    TAGS.assert_quiet(TAGS.on_unit_4(Records(tags=[])), CheckStatus.PASSED)


@AROUND_DECLARATION
def test_overdue_only_after_the_declaration_closes(as_of: dt.date, overdue: bool) -> None:
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, PLANNED)])
    _, issues = TAGS.on_unit_4(records, as_of=as_of)
    assert_due_at_declaration(issues, overdue)
