"""Reduction in assessment: every pending request shows 'RIA received'."""

from __future__ import annotations

from ctforms.checks.context import Context, result
from ctforms.models import CheckResult, Evidence, Issue, IssueKind, UnitStatus

TITLE = "Reduction in assessment (2021/22)"
_DONE = (UnitStatus.RIA_RECEIVED, UnitStatus.RESULT_ACHIEVED)


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    if ctx.records.ria is None:
        return result(
            "ria",
            TITLE,
            ctx,
            [],
            [
                "No RIA sheet in records.xlsx: requests for reduction in assessment cannot be"
                " matched with the tracker. If no student used it in 2021/22, add an empty RIA"
                " sheet."
            ],
            verified=False,
        )
    issues: list[Issue] = []
    for req in sorted(ctx.records.ria, key=lambda r: r.row):
        if req.candidate_number not in ctx.in_scope:
            continue
        unit = ctx.tracker_unit(req.candidate_number, req.qualification_code, req.unit_number)
        if unit is not None and unit.status in _DONE:
            continue
        shown = f"tracker shows '{unit.status.value}'" if unit else "not in the tracker"
        issues.append(
            ctx.issue(
                IssueKind.RIA_NOT_RECEIVED,
                candidate_number=req.candidate_number,
                code=req.qualification_code,
                unit=unit or req.unit_number,
                summary=f"RIA requested for unit {req.unit_number}; {shown}",
                evidence=Evidence(
                    unit_status=unit.status.value if unit else None,
                    ria_requested_on=req.requested_on,
                    source_rows=[f"RIA row {req.row}"]
                    + ([f"tracker row {unit.row}"] if unit else []),
                ),
            )
        )
    return result("ria", TITLE, ctx, issues)
