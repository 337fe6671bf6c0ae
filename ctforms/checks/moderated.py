"""Required moderated units show 'Result achieved', 'Claim submitted' or 'Claim sampled', and
claims match the markbook."""

from __future__ import annotations

import datetime as dt

from ctforms.checks.context import NEVER_STARTED, Context, Expecting, result
from ctforms.checks.guidance import (
    CLAIM_NEEDED_NO_VISIT,
    GUIDANCE,
    INCORRECT_CLAIM_BEFORE_VISIT,
    MODERATED_NOT_ACHIEVED_NO_VISIT,
    Action,
    maybe_not_needed,
)
from ctforms.models import (
    Assessment,
    CheckResult,
    Evidence,
    Issue,
    IssueKind,
    MarkbookRow,
    Severity,
    UnitRecord,
    UnitStatus,
    VisitRow,
    VisitStatus,
)

TITLE = "Required moderated units"
_PROBLEMS = NEVER_STARTED | {UnitStatus.ATTEMPTED_NOT_ACHIEVED}


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    notes: list[str] = []
    markbook = {
        (m.candidate_number, m.qualification_code, m.unit_number): m
        for m in ctx.records.markbook or []
    }
    for exp in ctx.expecting:
        if exp.entry is None:
            continue
        for unit in exp.problem_units:
            number = unit.number
            if unit.status not in _PROBLEMS:
                continue
            if ctx.assessment(exp, unit) is not Assessment.MODERATED and (
                unit.status is not UnitStatus.CLAIM_NOT_RECEIVED
            ):
                continue
            if not exp.required(number):
                continue
            if unit.status in NEVER_STARTED:
                issues.append(_no_claim(ctx, exp, unit, markbook))
            elif unit.status is UnitStatus.ATTEMPTED_NOT_ACHIEVED:
                issues.append(_not_achieved(ctx, exp, unit))
    claim_issues, claim_notes = _claims_against_markbook(ctx, markbook)
    issues.extend(claim_issues)
    notes.extend(claim_notes)
    verified = True
    if ctx.records.visits is None:
        notes.append(
            "No Visits sheet: whether a visit has taken place is unknown, so units without a"
            " claim are reported as claim-needed."
        )
    if ctx.records.claims is None or ctx.records.markbook is None:
        notes.append(
            "No Claims or no Markbook sheet: claimed units and grades were not compared with the"
            " markbook (cannot verify)."
        )
        verified = bool(issues)
    return result(
        "moderated",
        TITLE,
        ctx,
        issues,
        notes,
        verified=verified,
        partial=ctx.records.visits is None,
    )


def _no_claim(
    ctx: Context,
    exp: Expecting,
    unit: UnitRecord,
    markbook: dict[tuple[str, str, int], MarkbookRow],
) -> Issue:
    assert exp.entry is not None
    code = exp.entry.code
    visits = ctx.visits_for(code)
    upcoming = [v for v in visits if not ctx.held(v)]
    mark = markbook.get((exp.candidate_number, code, unit.number))
    # A unit never started may be an optional one not needed, unless it is certainly needed.
    severity = None if exp.certainly_required(unit.number) else Severity.WARNING

    def agreeing(kind: IssueKind, action: Action | None) -> Action | None:
        if severity is None:
            return action
        return maybe_not_needed(action or GUIDANCE[kind].action)

    if upcoming or not visits:
        visit = upcoming[0] if upcoming else None
        return ctx.issue(
            IssueKind.CLAIM_NEEDED,
            candidate=exp.candidate,
            code=code,
            unit=unit,
            visit=visit,
            severity=severity,
            action=agreeing(IssueKind.CLAIM_NEEDED, None if visit else CLAIM_NEEDED_NO_VISIT),
            summary=f"Moderated unit {unit.number}: no claim; "
            + (
                f"visit on {visit.visit_date:%d/%m/%Y}"
                if visit and visit.visit_date
                else "no visit recorded"
            ),
            evidence=Evidence(
                unit_status=unit.status.value,
                visit_date=visit.visit_date if visit else None,
                visit_status=visit.visit_status.value if visit else None,
                moderator=(visit.moderator or None) if visit else None,
                markbook_grade=mark.final_grade.value if mark else None,
                source_rows=[f"tracker row {unit.row}"],
                note=None
                if visit
                else "no visit recorded for this qualification: if the visit has already taken"
                " place, the 'Candidate/unit missed from moderation claim' request applies",
            ),
        )
    visit = visits[-1]
    return ctx.issue(
        IssueKind.MISSED_FROM_CLAIM,
        candidate=exp.candidate,
        code=code,
        unit=unit,
        visit=visit,
        severity=severity,
        action=agreeing(IssueKind.MISSED_FROM_CLAIM, None),
        summary=f"Moderated unit {unit.number}: missed from the claim; the visit took place"
        + (f" on {visit.visit_date:%d/%m/%Y}" if visit.visit_date else ""),
        evidence=Evidence(
            unit_status=unit.status.value,
            visit_date=visit.visit_date,
            visit_status=visit.visit_status.value,
            visit_taken_place=True,
            moderator=visit.moderator or None,
            markbook_grade=mark.final_grade.value if mark else None,
            source_rows=[f"tracker row {unit.row}", f"Visits row {visit.row}"]
            + ([f"Markbook row {mark.row}"] if mark else []),
            note=None if mark else "no markbook grade recorded: add it to the Markbook sheet",
        ),
    )


def _not_achieved(ctx: Context, exp: Expecting, unit: UnitRecord) -> Issue:
    assert exp.entry is not None
    upcoming = [v for v in ctx.visits_for(exp.entry.code) if not ctx.held(v)]
    visit = upcoming[0] if upcoming else None
    return ctx.issue(
        IssueKind.MODERATED_NOT_ACHIEVED,
        candidate=exp.candidate,
        code=exp.entry.code,
        unit=unit,
        visit=visit,
        action=None if visit else MODERATED_NOT_ACHIEVED_NO_VISIT,
        summary=f"Moderated unit {unit.number}: U at a previous visit, not re-submitted",
        evidence=Evidence(
            unit_status=unit.status.value,
            unit_grade=unit.grade.value if unit.grade else None,
            visit_date=visit.visit_date if visit else None,
            source_rows=[f"tracker row {unit.row}"],
        ),
    )


def _claims_against_markbook(
    ctx: Context, markbook: dict[tuple[str, str, int], MarkbookRow]
) -> tuple[list[Issue], list[str]]:
    if ctx.records.claims is None or ctx.records.markbook is None:
        return [], []
    claimed = {
        (c.candidate_number, c.qualification_code, c.unit_number) for c in ctx.records.claims
    }
    issues: list[Issue] = []
    notes: list[str] = []
    for claim in sorted(ctx.records.claims, key=lambda c: c.row):
        if claim.candidate_number not in ctx.in_scope:
            continue
        key = (claim.candidate_number, claim.qualification_code, claim.unit_number)
        mark = markbook.get(key)
        if mark is not None:
            if mark.final_grade is claim.grade_claimed:
                continue
            correct_unit, correct_grade = mark.unit_number, mark.final_grade
            summary = (
                f"Unit {claim.unit_number} claimed at {claim.grade_claimed.value}; the markbook"
                f" says {mark.final_grade.value}"
            )
        else:
            unclaimed = [m for k, m in markbook.items() if k[:2] == key[:2] and k not in claimed]
            if len(unclaimed) != 1:
                notes.append(
                    f"Claims row {claim.row}: no markbook grade for candidate"
                    f" {claim.candidate_number} unit {claim.unit_number}; claim not verified."
                )
                continue
            mark = unclaimed[0]
            correct_unit, correct_grade = mark.unit_number, mark.final_grade
            summary = (
                f"Unit {claim.unit_number} claimed but the markbook has unit {mark.unit_number}"
                f" ({mark.final_grade.value}) instead"
            )
        visit = _visit_for_claim(ctx, claim.qualification_code, claim.visit_date)
        day = claim.visit_date or (visit.visit_date if visit else None)
        taken_place = _taken_place(ctx, visit, day)
        if taken_place is False:
            # Before the visit the claim can still be put right in Interchange, by two weeks
            # before the visit; the upload form is only for visits that have taken place.
            summary += f"; the visit on {day:%d/%m/%Y} is still ahead" if day else ""
        issues.append(
            ctx.issue(
                IssueKind.INCORRECT_CLAIM,
                candidate_number=claim.candidate_number,
                code=claim.qualification_code,
                unit=claim.unit_number,
                summary=summary,
                visit=_dated(visit, claim.qualification_code, day),
                action=INCORRECT_CLAIM_BEFORE_VISIT if taken_place is False else None,
                evidence=Evidence(
                    claimed_unit=claim.unit_number,
                    claimed_grade=claim.grade_claimed.value,
                    correct_unit=correct_unit,
                    correct_grade=correct_grade.value,
                    visit_date=day,
                    visit_taken_place=taken_place,
                    moderator=(visit.moderator or None) if visit else None,
                    source_rows=[f"Claims row {claim.row}", f"Markbook row {mark.row}"]
                    + ([f"Visits row {visit.row}"] if taken_place is False and visit else []),
                ),
            )
        )
    return issues, notes


def _taken_place(ctx: Context, visit: VisitRow | None, day: dt.date | None) -> bool | None:
    """Whether the visit a claim was for had taken place by the check's date; None when
    neither the claim nor the Visits sheet says when it was."""
    if visit is not None and (day is None or visit.visit_date == day):
        return ctx.held(visit)
    return day <= ctx.as_of if day is not None else None


def _dated(visit: VisitRow | None, code: str, day: dt.date | None) -> VisitRow | None:
    """The visit the deadline counts back from: the claim's own visit date where the Visits
    sheet has no row on that day."""
    if day is None or (visit is not None and visit.visit_date == day):
        return visit
    return VisitRow(
        row=0, qualification_code=code, visit_date=day, visit_status=VisitStatus.SCHEDULED
    )


def _visit_for_claim(ctx: Context, code: str, claimed_for: dt.date | None) -> VisitRow | None:
    """The visit a claim was for: the one on its date, else the last held, else the next."""
    visits = ctx.visits_for(code)
    for v in visits:
        if claimed_for is not None and v.visit_date == claimed_for:
            return v
    held = [v for v in visits if ctx.held(v)]
    if held:
        return held[-1]
    return visits[0] if visits else None
