"""The checks of both checkpoints: one module each, a pure function from Context to issues."""

from __future__ import annotations

from collections.abc import Callable

from ctforms.checks import (
    certification,
    combination,
    completion,
    confirmed,
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


# The term-time checkpoint (March-April): estimated completion dates only.
TERM_TIME_CHECKS: list[Check] = [completion.check, confirmed.check]


def run_checks(ctx: Context) -> tuple[list[CheckResult], list[Issue]]:
    if ctx.checkpoint == "term-time":
        completion.build_term_scope(ctx)
        checks = TERM_TIME_CHECKS
    else:
        build_scope(ctx)
        checks = CHECKS
    results: list[CheckResult] = []
    issues: list[Issue] = []
    for check in checks:
        outcome, found = check(ctx)
        results.append(outcome)
        issues.extend(found)
    return results, issues
