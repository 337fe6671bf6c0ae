"""Mid-flight teacher assessed grades (TAGs) recorded by the centre are in the tracker."""

from __future__ import annotations

from ctforms.checks.context import Context, result
from ctforms.checks.guidance import TAG_DATE_UNKNOWN, TAG_OUTSIDE_WINDOW, Action
from ctforms.models import CheckResult, Evidence, Issue, IssueKind, Severity, UnitStatus
from ctforms.read.centre import TAG_WINDOW

TITLE = "Mid-flight teacher assessed grades (TAGs)"
WINDOW = TAG_WINDOW  # TAGs were only for assessments planned in this window (OCR's guidance)
_FROM, _TO = (f"{d.day} {d:%B %Y}" for d in WINDOW)


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    if ctx.records.tags is None:
        return result(
            "tags",
            TITLE,
            ctx,
            [],
            [
                "No TAGs sheet in records.xlsx: missing mid-flight TAGs cannot be found. If no"
                f" student had assessments planned between {_FROM} and {_TO}, add an empty TAGs"
                " sheet."
            ],
            verified=False,
        )
    issues: list[Issue] = []
    for tag in sorted(ctx.records.tags, key=lambda t: t.row):
        if tag.candidate_number not in ctx.in_scope:
            continue
        unit = ctx.tracker_unit(tag.candidate_number, tag.qualification_code, tag.unit_number)
        if unit is not None and unit.status is UnitStatus.RESULT_ACHIEVED:
            continue
        planned = tag.planned_assessment_date
        in_window = None if planned is None else WINDOW[0] <= planned <= WINDOW[1]
        note = None
        severity = None
        action: Action | None = None
        if in_window is False:
            severity = Severity.WARNING
            action = TAG_OUTSIDE_WINDOW
            note = (
                f"planned assessment date is outside {_FROM} - {_TO}: a TAG is not allowed;"
                " the unit must be assessed normally"
            )
        elif in_window is None:
            action = TAG_DATE_UNKNOWN
            note = f"no planned assessment date: check it was between {_FROM} and {_TO}"
        shown = f"tracker shows '{unit.status.value}'" if unit else "not in the tracker"
        issues.append(
            ctx.issue(
                IssueKind.MISSING_TAG,
                candidate_number=tag.candidate_number,
                code=tag.qualification_code,
                unit=unit or tag.unit_number,
                severity=severity,
                action=action,
                summary=f"TAG {tag.tag_grade.value} for unit {tag.unit_number} recorded; {shown}",
                evidence=Evidence(
                    tag_grade=tag.tag_grade.value,
                    planned_assessment_date=planned,
                    in_tag_window=in_window,
                    unit_status=unit.status.value if unit else None,
                    source_rows=[f"TAGs row {tag.row}"],
                    note=note,
                ),
            )
        )
    return result("tags", TITLE, ctx, issues)
