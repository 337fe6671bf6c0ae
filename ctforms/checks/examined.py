"""Required examined units show 'Result achieved' or 'Entry received'."""

from __future__ import annotations

from ctforms.checks.context import NEVER_STARTED, Context, result
from ctforms.checks.guidance import GUIDANCE, maybe_not_needed, with_smaller
from ctforms.models import Assessment, CheckResult, Evidence, Issue, IssueKind, Severity, UnitStatus

TITLE = "Required examined units"


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    for exp in ctx.expecting:
        if exp.entry is None:
            continue
        unverified = exp.combination is None or bool(exp.combination.unverified)
        for unit in exp.problem_units:
            number = unit.number
            if unit.status not in (
                UnitStatus.ATTEMPTED_NOT_ACHIEVED,
                UnitStatus.ENTRY_NOT_RECEIVED,
            ):
                continue
            assessment = ctx.assessment(exp, unit)
            if assessment is Assessment.MODERATED or not exp.required(number):
                continue
            note = None
            if assessment is None:
                note = (
                    "unit type unknown (no Unit Type column, not in the catalogue):"
                    " treated as examined"
                )
            kind = (
                IssueKind.EXAMINED_NOT_ACHIEVED
                if unit.status is UnitStatus.ATTEMPTED_NOT_ACHIEVED
                else IssueKind.EXAMINED_NOT_ENTERED
            )
            # Where the rules are not fully known, a unit never started may be an optional one
            # not needed, unless it is needed whatever the unknowns turn out to be.
            severity = (
                Severity.WARNING
                if unit.status in NEVER_STARTED and not exp.certainly_required(number)
                else None
            )
            what = (
                "attempted, not achieved, not re-entered"
                if kind is IssueKind.EXAMINED_NOT_ACHIEVED
                else "no entry this series"
            )
            action = GUIDANCE[kind].action
            if kind is IssueKind.EXAMINED_NOT_ACHIEVED:
                # A move-down is named only where the catalogue has a size it could be.
                action = with_smaller(kind, ctx.move_down(exp).advice)
            issues.append(
                ctx.issue(
                    kind,
                    candidate=exp.candidate,
                    code=exp.entry.code,
                    unit=unit,
                    severity=severity,
                    action=maybe_not_needed(action) if severity else action,
                    summary=f"Examined unit {number}: {what}",
                    evidence=Evidence(
                        unit_status=unit.status.value,
                        unit_type=assessment.value if assessment else None,
                        unit_grade=unit.grade.value if unit.grade else None,
                        strictly_required=(
                            number in exp.combination.strictly_required if exp.combination else None
                        ),
                        source_rows=[f"tracker row {unit.row}"],
                        note=note
                        or (
                            "rules of combination not fully known: every unit that may count"
                            " is treated as required"
                            if unverified
                            else None
                        ),
                    ),
                )
            )
    return result("examined", TITLE, ctx, issues)
