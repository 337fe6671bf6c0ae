"""The Checkpoint 2 checks: one module each, every one a pure function from Context to issues."""

from __future__ import annotations

from collections.abc import Callable

from ctforms.checks import (
    certification,
    combination,
    duplicates,
    entries,
    examined,
    moderated,
    ria,
    tags,
    visits,
)
from ctforms.checks.context import Context
from ctforms.checks.scope import build_scope
from ctforms.models import CheckResult, Issue

Check = Callable[[Context], tuple[CheckResult, list[Issue]]]

# In the order of OCR's checklist.
CHECKS: list[Check] = [
    certification.check,
    entries.check,
    combination.check,
    examined.check,
    moderated.check,
    visits.check,
    ria.check,
    tags.check,
    duplicates.check,
]


def run_checks(ctx: Context) -> tuple[list[CheckResult], list[Issue]]:
    build_scope(ctx)
    results: list[CheckResult] = []
    issues: list[Issue] = []
    for check in CHECKS:
        outcome, found = check(ctx)
        results.append(outcome)
        issues.extend(found)
    return results, issues
