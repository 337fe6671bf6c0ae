"""Final moderation visits: scheduled, before the final deadline, claims two weeks ahead."""

from __future__ import annotations

import datetime as dt

from ctforms.checks.context import Context, result
from ctforms.checks.guidance import CLAIM_LATE_VISIT_HELD, CLAIM_PLANNED_LATE
from ctforms.models import Assessment, CheckResult, Evidence, Issue, IssueKind, VisitRow
from ctforms.words import count

TITLE = "Final moderation visits"


def moderated_codes(ctx: Context) -> list[str]:
    """Registered codes of expecting students that include moderated units."""
    codes: set[str] = set()
    for exp in ctx.expecting:
        if exp.entry is None or exp.entry.code in codes:
            continue
        if any(ctx.assessment(exp, u) is Assessment.MODERATED for u in exp.units.values()):
            codes.add(exp.entry.code)
    return sorted(codes)


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    codes = moderated_codes(ctx)
    if ctx.records.visits is None:
        return result(
            "visits",
            TITLE,
            ctx,
            [],
            [
                "No Visits sheet in records.xlsx: cannot verify that final moderation visits"
                f" are scheduled for {', '.join(codes) or 'the moderated qualifications'}."
            ],
            verified=not codes,
        )
    issues: list[Issue] = []
    deadline = ctx.centre.series.final_moderation_deadline
    for code in codes:
        visits = ctx.visits_for(code)
        if not visits:
            issues.append(
                ctx.issue(
                    IssueKind.VISIT_NOT_SCHEDULED,
                    code=code,
                    summary=f"No final moderation visit scheduled for {code}",
                    evidence=Evidence(note="no Scheduled or Completed visit in the Visits sheet"),
                )
            )
            continue
        final = visits[-1]
        if final.visit_date is not None and final.visit_date > deadline:
            issues.append(
                ctx.issue(
                    IssueKind.VISIT_AFTER_DEADLINE,
                    code=code,
                    visit=final,
                    summary=f"Final visit on {final.visit_date:%d/%m/%Y} is after the final"
                    f" moderation deadline ({deadline:%d/%m/%Y})",
                    evidence=Evidence(
                        visit_date=final.visit_date,
                        visit_status=final.visit_status.value,
                        moderator=final.moderator or None,
                        source_rows=[f"Visits row {final.row}"],
                    ),
                )
            )
        for visit in visits:
            if visit.claim_submitted_on is None or visit.visit_date is None:
                continue
            if visit.visit_date - visit.claim_submitted_on < dt.timedelta(days=14):
                days = (visit.visit_date - visit.claim_submitted_on).days
                when = (
                    f"{count(days, 'day')} before"
                    if days > 0
                    else "on the day of"
                    if days == 0
                    else f"{count(-days, 'day')} after"
                )
                # A claim dated after the check's date is planned, not done (read_records
                # refuses one for a visit already held): said in the future tense.
                planned = visit.claim_submitted_on > ctx.as_of
                issues.append(
                    ctx.issue(
                        IssueKind.CLAIM_TOO_LATE,
                        code=code,
                        visit=visit,
                        # Once the visit is over, "before the visit" cannot be met any more.
                        action=CLAIM_LATE_VISIT_HELD
                        if ctx.held(visit)
                        else CLAIM_PLANNED_LATE
                        if planned
                        else None,
                        id_suffix=visit.visit_date.isoformat(),
                        summary=_planned(ctx, visit, when)
                        if planned
                        else f"Claim submitted {when} the visit on"
                        f" {visit.visit_date:%d/%m/%Y} (claims are due at least 14 days before a"
                        " visit)",
                        evidence=Evidence(
                            visit_date=visit.visit_date,
                            claim_submitted_on=visit.claim_submitted_on,
                            moderator=visit.moderator or None,
                            source_rows=[f"Visits row {visit.row}"],
                        ),
                    )
                )
    return result("visits", TITLE, ctx, issues)


def _planned(ctx: Context, visit: VisitRow, when: str) -> str:
    """'The claim planned for 25/06/2024 would be 8 days before the visit on 03/07/2024:
    submit it by 19/06/2024 (claims are due at least 14 days before a visit)'."""
    assert visit.claim_submitted_on is not None and visit.visit_date is not None
    by = ctx.deadline("visit-14", visit)
    step = (
        f"submit it by {by:%d/%m/%Y}"
        if by >= ctx.as_of
        else f"two weeks before was {by:%d/%m/%Y}: submit it as soon as you can"
    )
    return (
        f"The claim planned for {visit.claim_submitted_on:%d/%m/%Y} would be {when} the visit"
        f" on {visit.visit_date:%d/%m/%Y}: {step} (claims are due at least 14 days before a visit)"
    )
