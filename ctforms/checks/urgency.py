"""The order a person reads issues in: most urgent first.

Unhandled blocking issues (overdue first, then by deadline), then unhandled warnings, then
unhandled info, then the handled ones; ties by candidate number and issue id, so the order is
the same every time. Only human-facing outputs use it: the register keeps its own order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeAlias

from ctforms.models import Issue, Severity

_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}

UrgencyKey: TypeAlias = tuple[bool, int, bool, bool, dt.date, str, str]


def is_overdue(issue: Issue) -> bool:
    """Overdue and still to do: a handled issue is no longer overdue."""
    return issue.overdue and not issue.handled


def urgency_key(issue: Issue) -> UrgencyKey:
    return (
        issue.handled,
        _RANK[issue.severity],
        not is_overdue(issue),
        issue.deadline is None,  # no deadline: after every dated issue of its group
        issue.deadline or dt.date.max,
        issue.candidate_number or "",  # qualification-wide issues before a tie's students
        issue.id,
    )


def by_urgency(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=urgency_key)


def who(issue: Issue, *, upper_surname: bool = False) -> str:
    """The candidate number with the name beside it, or whose issue it is when no one's."""
    if issue.candidate_number is None:
        code = issue.qualification_code
        return f"all students of {code}" if code else "the centre"
    c = issue.candidate
    if c is None:
        return f"{issue.candidate_number} (not in the tracker)"
    surname = c.surname.upper() if upper_surname else c.surname
    name = f"{surname}, {c.forenames}".strip(", ")
    return f"{issue.candidate_number} {name}".strip()
