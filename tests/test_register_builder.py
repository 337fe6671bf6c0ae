"""Building the register from the checks' issues: one issue per id, actions recorded in the
Actions sheet mark issues handled, issues ordered by candidate, qualification, unit and kind
(qualification-wide ones last), each student's status from their open issues, and the summary
counts."""

from __future__ import annotations

import datetime as dt

from checkkit import (
    ANA,
    AS_OF,
    IT_CERT,
    IT_EXT,
    NOT_CERTIFICATING,
    action,
    candidate,
    catalogue,
    centre,
    claim,
    expected,
    qentry,
    tracker,
    unit,
)

from ctforms.models import (
    Evidence,
    Grade,
    Issue,
    IssueKind,
    Records,
    Register,
    Severity,
    Student,
    StudentStatus,
)
from ctforms.register import (
    _dedupe,
    _issue_order,
    _mark_handled,
    _restatus,
    _summary,
    assemble,
    with_actions,
)

K = IssueKind
B, W, INF = Severity.BLOCKING, Severity.WARNING, Severity.INFO
OK, AT_RISK, CHECK = StudentStatus.OK, StudentStatus.AT_RISK, StudentStatus.CHECK


def make_issue(
    kind: IssueKind,
    severity: Severity,
    candidate_number: str | None,
    code: str | None,
    unit_number: int | None = None,
    *,
    suffix: str = "",
    handled: bool = False,
    other: str | None = None,
    summary: str = "what is wrong",
) -> Issue:
    parts = [kind.value, candidate_number or "-", code or "-", str(unit_number or "-")]
    return Issue(
        id="/".join(parts + ([suffix] if suffix else [])),
        kind=kind,
        severity=severity,
        candidate_number=candidate_number,
        qualification_code=code,
        unit_number=unit_number,
        handled=handled,
        summary=summary,
        evidence=Evidence(other_candidate_number=other),
        action="do it",
        remedy="the form",
    )


def student(number: str, code: str = IT_EXT, registered: str | None = None) -> Student:
    return Student(
        candidate_number=number,
        surname=f"Student{number}",
        forenames="Alex",
        qualification_code=code,
        registered_code=registered if registered is not None else code,
        status=OK,
    )


def _states(students: list[Student]) -> list[tuple[str, str, StudentStatus, int, int]]:
    return [
        (s.candidate_number, s.qualification_code, s.status, s.blocking, s.warnings)
        for s in students
    ]


# ---------------------------------------------------------------------------- dedupe, order


def test_dedupe_keeps_the_first_issue_of_each_id() -> None:
    first = make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5, summary="first")
    again = make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5, summary="second")
    other = make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 6)
    kept = _dedupe([first, other, again])
    assert [(i.id, i.summary) for i in kept] == [
        (f"claim-needed/0001/{IT_EXT}/5", "first"),
        (f"claim-needed/0001/{IT_EXT}/6", "what is wrong"),
    ]


def test_issue_order_candidate_code_unit_kind_then_qualification_wide() -> None:
    issues = [
        make_issue(K.CLAIM_TOO_LATE, W, None, IT_EXT, suffix="2024-06-20"),
        make_issue(K.EXAMINED_NOT_ACHIEVED, B, "0002", IT_CERT, 1),
        make_issue(K.INCORRECT_CLAIM, B, "0001", IT_EXT, 5),
        make_issue(K.VISIT_NOT_SCHEDULED, B, None, IT_EXT),
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5),
        make_issue(K.CLAIM_TOO_LATE, W, None, IT_EXT, suffix="2024-06-01"),
        make_issue(K.NOT_CERTIFICATING, B, "0001", IT_EXT),
        make_issue(K.VISIT_AFTER_DEADLINE, B, None, IT_CERT),
        make_issue(K.UNEXPECTED_CERTIFICATION, W, "0001", IT_CERT),
        make_issue(K.DUPLICATE_CANDIDATE, B, "0001", None, suffix="0003"),
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 4),
    ]
    assert [i.id for i in sorted(issues, key=_issue_order)] == [
        "duplicate-candidate/0001/-/-/0003",
        f"unexpected-certification/0001/{IT_CERT}/-",
        f"not-certificating/0001/{IT_EXT}/-",
        f"claim-needed/0001/{IT_EXT}/4",
        f"claim-needed/0001/{IT_EXT}/5",
        f"incorrect-claim/0001/{IT_EXT}/5",
        f"examined-not-achieved/0002/{IT_CERT}/1",
        f"visit-after-deadline/-/{IT_CERT}/-",
        f"visit-not-scheduled/-/{IT_EXT}/-",
        f"claim-too-late/-/{IT_EXT}/-/2024-06-01",
        f"claim-too-late/-/{IT_EXT}/-/2024-06-20",
    ]


# ---------------------------------------------------------------------------- handled


def test_actions_mark_issues_handled_by_id() -> None:
    issues = [
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5),
        make_issue(K.CLAIM_NEEDED, B, "0002", IT_EXT, 5),
    ]
    records = Records(
        actions=[
            action("claim-needed/0009/05839/5", row=2),
            action(f"  claim-needed/0002/{IT_EXT}/5 ", row=3, taken="Claimed", by="T. Teacher"),
        ]
    )
    warnings = _mark_handled(issues, records)
    assert [i.handled for i in issues] == [False, True]
    assert issues[0].handled_by is None
    handled = issues[1].handled_by
    assert handled is not None
    assert (handled.action_taken, handled.date, handled.by) == (
        "Claimed",
        dt.date(2024, 6, 1),
        "T. Teacher",
    )
    assert len(warnings) == 1
    assert "Actions row 2" in warnings[0] and "claim-needed/0009/05839/5" in warnings[0]


def test_no_actions_sheet_or_an_empty_one_changes_nothing() -> None:
    for records in (Records(actions=None), Records(actions=[])):
        issues = [make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5)]
        assert _mark_handled(issues, records) == []
        assert issues[0].handled is False


# ---------------------------------------------------------------------------- student status


def test_student_status_from_own_open_issues() -> None:
    students = [student("0001"), student("0002"), student("0003"), student("0004")]
    issues = [
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5),
        make_issue(K.EXAMINED_NOT_ENTERED, B, "0001", IT_EXT, 3),
        make_issue(K.CLAIM_TOO_LATE, W, "0001", IT_EXT),
        make_issue(K.UNEXPECTED_CERTIFICATION, W, "0002", IT_EXT),
        make_issue(K.COMBINATION_UNVERIFIABLE, INF, "0003", IT_EXT),
        make_issue(K.CLAIM_NEEDED, B, "0004", IT_EXT, 5, handled=True),
    ]
    assert _states(_restatus(students, issues)) == [
        ("0001", IT_EXT, AT_RISK, 2, 1),
        ("0002", IT_EXT, CHECK, 0, 1),
        ("0003", IT_EXT, OK, 0, 0),  # info only
        ("0004", IT_EXT, OK, 0, 0),  # handled
    ]


def test_issues_on_the_registered_code_count_and_other_codes_do_not() -> None:
    # 0001 expects the Extended Certificate but is registered for the Certificate;
    # 0002's issue is for a qualification that is not the one this student row is about.
    students = [student("0001", IT_EXT, registered=IT_CERT), student("0002", IT_EXT)]
    issues = [
        make_issue(K.EXAMINED_NOT_ACHIEVED, B, "0001", IT_CERT, 1),
        make_issue(K.EXAMINED_NOT_ACHIEVED, B, "0002", IT_CERT, 1),
    ]
    assert _states(_restatus(students, issues)) == [
        ("0001", IT_EXT, AT_RISK, 1, 0),
        ("0002", IT_EXT, OK, 0, 0),
    ]


def test_candidate_wide_and_duplicate_issues_concern_both_records() -> None:
    students = [student("0001"), student("0002"), student("0003")]
    issues = [make_issue(K.DUPLICATE_CANDIDATE, B, "0001", None, suffix="0003", other="0003")]
    assert _states(_restatus(students, issues)) == [
        ("0001", IT_EXT, AT_RISK, 1, 0),
        ("0002", IT_EXT, OK, 0, 0),
        ("0003", IT_EXT, AT_RISK, 1, 0),
    ]


def test_qualification_wide_issues_concern_every_student_of_that_qualification() -> None:
    students = [
        student("0001", IT_EXT),
        student("0002", IT_CERT),
        student("0003", IT_EXT, registered=IT_CERT),
    ]
    issues = [make_issue(K.VISIT_NOT_SCHEDULED, B, None, IT_CERT)]
    assert _states(_restatus(students, issues)) == [
        ("0001", IT_EXT, OK, 0, 0),
        ("0002", IT_CERT, AT_RISK, 1, 0),
        ("0003", IT_EXT, AT_RISK, 1, 0),
    ]


def test_a_student_whose_issues_are_all_handled_is_ok_again() -> None:
    was = student("0001").model_copy(update={"status": AT_RISK, "blocking": 1, "warnings": 1})
    issues = [
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5, handled=True),
        make_issue(K.CLAIM_TOO_LATE, W, "0001", IT_EXT, handled=True),
    ]
    assert _states(_restatus([was], issues)) == [("0001", IT_EXT, OK, 0, 0)]


def test_summary_counts() -> None:
    students = [
        student("0001").model_copy(update={"status": AT_RISK}),
        student("0001", IT_CERT).model_copy(update={"status": AT_RISK}),
        student("0002").model_copy(update={"status": CHECK}),
        student("0003"),
    ]
    issues = [
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 5),
        make_issue(K.CLAIM_NEEDED, B, "0001", IT_EXT, 6, handled=True),
        make_issue(K.EXAMINED_NOT_ACHIEVED, B, "0001", IT_CERT, 1),
        make_issue(K.UNEXPECTED_CERTIFICATION, W, "0002", IT_EXT),
        make_issue(K.COMBINATION_UNVERIFIABLE, INF, "0003", IT_EXT),
    ]
    summary = _summary(students, issues)
    assert summary.students_checked == 3
    assert summary.students_at_risk == 1
    assert summary.issues == 5
    assert summary.blocking_unhandled == 2
    assert summary.by_kind == {
        "claim-needed": 2,
        "combination-unverifiable": 1,
        "examined-not-achieved": 1,
        "unexpected-certification": 1,
    }
    assert list(summary.by_kind) == sorted(summary.by_kind)
    assert summary.by_severity == {"blocking": 3, "info": 1, "warning": 1}


# ---------------------------------------------------------------------------- assemble


NOT_CERT_ID = f"not-certificating/0003/{IT_CERT}/-"


def _register(actions: list[str] | None = None) -> Register:
    """Five Certificate students (examined units 1 and 2, mandatory; rules fully known):
    0001 fine; 0002 U on unit 1; 0003 not certificating; 0004 certificating but not expected;
    0005 expected but not in the tracker."""
    track = tracker(
        candidate("0001", qentry(IT_CERT, 1, 2)),
        candidate("0002", qentry(IT_CERT, unit(1, ANA, grade=Grade.UNCLASSIFIED), 2)),
        candidate("0003", qentry(IT_CERT, 1, 2, cert=NOT_CERTIFICATING)),
        candidate("0004", qentry(IT_CERT, 1, 2)),
    )
    records = Records(
        expected=expected(
            ("0001", IT_CERT), ("0002", IT_CERT), ("0003", IT_CERT), ("0005", IT_CERT)
        ),
        visits=[],
        claims=[claim("0008", IT_CERT, 4, Grade.PASS, row=7)],
        markbook=[],
        tags=[],
        ria=[],
        actions=[action(a, row=n) for n, a in enumerate(actions or [], start=2)],
    )
    return assemble(track, records, catalogue(), centre(), AS_OF, [])


def test_assemble_orders_issues_and_rates_students() -> None:
    register = _register()
    assert [
        (i.kind, i.candidate_number, i.qualification_code, i.unit_number) for i in register.issues
    ] == [
        (K.EXAMINED_NOT_ACHIEVED, "0002", IT_CERT, 1),
        (K.NOT_CERTIFICATING, "0003", IT_CERT, None),
        (K.UNEXPECTED_CERTIFICATION, "0004", IT_CERT, None),
        (K.NO_QUALIFICATION_ENTRY, "0005", IT_CERT, None),
    ]
    assert not any(i.handled for i in register.issues)
    assert _states(register.students) == [
        ("0001", IT_CERT, OK, 0, 0),
        ("0002", IT_CERT, AT_RISK, 1, 0),
        ("0003", IT_CERT, AT_RISK, 1, 0),
        ("0004", IT_CERT, CHECK, 0, 1),
        ("0005", IT_CERT, AT_RISK, 1, 0),
    ]
    assert register.students[4].registered_code is None
    assert register.students[4].surname == ""
    s = register.summary
    assert (s.students_checked, s.students_at_risk, s.issues, s.blocking_unhandled) == (5, 3, 4, 3)
    assert s.by_severity == {"blocking": 3, "warning": 1}
    assert register.as_of == AS_OF
    assert register.centre.number == "12345"
    assert [(c.code, c.rules) for c in register.catalogue] == [(IT_CERT, "verified")]
    assert [c.check for c in register.checks] == [
        "certification",
        "entries",
        "combination",
        "examined",
        "moderated",
        "visits",
        "ria",
        "tags",
        "duplicates",
    ]
    # A records row for a candidate the tracker does not have is a warning, not an issue.
    assert any("Claims row 7" in w and "0008" in w for w in register.warnings)


def test_assemble_marks_handled_issues_from_the_actions_sheet() -> None:
    register = _register(["no-such-issue", NOT_CERT_ID])
    handled = [i.id for i in register.issues if i.handled]
    assert handled == [NOT_CERT_ID]
    assert _states(register.students)[2] == ("0003", IT_CERT, OK, 0, 0)
    s = register.summary
    assert (s.students_at_risk, s.issues, s.blocking_unhandled) == (2, 4, 2)
    assert any("Actions row 2" in w and "no-such-issue" in w for w in register.warnings)


def test_with_actions_applies_later_actions_without_changing_the_original() -> None:
    before = _register()
    after = with_actions(before, Records(actions=[action(NOT_CERT_ID)]))
    assert [i.id for i in after.issues if i.handled] == [NOT_CERT_ID]
    assert _states(after.students)[2] == ("0003", IT_CERT, OK, 0, 0)
    assert (after.summary.students_at_risk, after.summary.blocking_unhandled) == (2, 2)
    assert not any(i.handled for i in before.issues)
    assert _states(before.students)[2] == ("0003", IT_CERT, AT_RISK, 1, 0)
