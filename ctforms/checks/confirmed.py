"""The term-time checkpoint: has a teacher confirmed each student's estimated completion date?

OCR asks teachers to check their subject's dates; their answers come back in the list a run
makes for each subject and are recorded in records.xlsx (ECD Confirmed). A student with no
answer Y is a warning until one is recorded (a row dated after the check's date is not used:
read.records' as-of rule).

One warning per qualification, listing the students, rather than one per student: before the
lists come back every student of the centre is unconfirmed, and thousands of lines would bury
the issues that need an amendment. A student a teacher answered N (the date is wrong) is one
warning of their own, with the teacher's note: that is a finding about that student.
"""

from __future__ import annotations

from collections import defaultdict

from ctforms.checks.context import Context, result
from ctforms.checks.guidance import BEFORE_TERM_TIME, Action
from ctforms.models import CheckResult, ConfirmationRow, Evidence, Issue, IssueKind
from ctforms.read.department import (
    TERM_TIME,
    department_file_name,
    subject_file_part,
    subject_name,
)
from ctforms.words import count, plural


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    answers: dict[tuple[str, str], ConfirmationRow] = {}
    for row in ctx.records.ecd_confirmed or []:
        answers[row.candidate_number, row.qualification_code] = row  # the last row wins
    waiting: dict[str, list[str]] = defaultdict(list)
    issues: list[Issue] = []
    centre = ctx.centre.centre.number
    for exp in ctx.expecting:
        got = answers.get((exp.candidate_number, exp.expected_code))
        if got is not None and got.confirmed:
            continue
        if got is None:
            waiting[exp.expected_code].append(exp.candidate_number)
            continue
        note = f" ({got.note})" if got.note else ""
        on = f" on {got.date:%d/%m/%Y}" if got.date else ""
        issues.append(
            ctx.issue(
                IssueKind.ECD_NOT_CONFIRMED,
                candidate=exp.candidate,
                candidate_number=exp.candidate_number,
                code=exp.expected_code,
                summary=f"{got.confirmed_by} answered N{on}: the estimated completion date is"
                f" not right{note}",
                evidence=Evidence(
                    estimated_completion=_ecd(exp.entry.estimated_completion if exp.entry else ""),
                    note=f"records.xlsx, ECD Confirmed row {got.row}",
                ),
                action=Action(
                    f"{got.confirmed_by} says the estimated completion date in the Progress"
                    f" Tracker is not right{note}. Ask when the student will finish, record it"
                    " in records.xlsx (Expected, Planned Completion) and amend the date in the"
                    " Progress Tracker; when it is right, record the teacher's Y and check"
                    " again.",
                    "record the plan, amend the date in the Progress Tracker",
                    *BEFORE_TERM_TIME,
                ),
            )
        )
    for code, numbers in sorted(waiting.items()):
        entry = ctx.catalogue.get(code)
        title = entry.qualification.title if entry else ""
        subject = subject_name(entry.subject.name if entry else None, title, code)
        file = department_file_name(centre, subject_file_part(subject), TERM_TIME)
        n = len(numbers)
        issues.append(
            ctx.issue(
                IssueKind.ECD_NOT_CONFIRMED,
                code=code,
                summary=f"{count(n, 'student')}' estimated completion {plural(n, 'date')}"
                " not yet confirmed by a teacher",
                evidence=Evidence(students=n, candidate_numbers=sorted(numbers)),
                action=Action(
                    f"No teacher has yet confirmed these students' estimated completion dates."
                    f" Send {file} (in this check's folder) to the head of department for"
                    f" {subject}; when it comes back with Confirmed (Y/N) and Confirmed By filled"
                    " in, record it (Decisions page, or 'ctforms records confirmations') and"
                    " check again.",
                    f"send {file} to the head of department; record it when it comes back",
                    *BEFORE_TERM_TIME,
                ),
            )
        )
    confirmed = sum(
        1
        for exp in ctx.expecting
        if (got := answers.get((exp.candidate_number, exp.expected_code))) and got.confirmed
    )
    notes = [
        f"{confirmed} of {len(ctx.expecting)} estimated completion dates confirmed by a teacher"
    ]
    return result(
        "confirmed", "Estimated completion dates confirmed by teachers", ctx, issues, notes
    )


def _ecd(text: str) -> str:
    return " ".join(text.split())
