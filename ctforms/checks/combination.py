"""Rules of combination and GLH, judged on the units each student is taking."""

from __future__ import annotations

from ctforms import rules
from ctforms.checks.context import Context, result
from ctforms.models import (
    PASSING_GRADES,
    CheckResult,
    Evidence,
    Issue,
    IssueKind,
    UnitStatus,
)

TITLE = "Rules of combination and GLH"


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    unverifiable: set[str] = set()
    illustrative: set[str] = set()
    for exp in ctx.expecting:
        if exp.entry is None:
            continue
        code = exp.expected_code
        cat = exp.catalogue
        if cat is None or exp.combination is None:
            unverifiable.add(code)
            issues.append(
                ctx.issue(
                    IssueKind.COMBINATION_UNVERIFIABLE,
                    candidate=exp.candidate,
                    code=code,
                    summary=f"{code} is not in the catalogue: units and GLH not checked",
                    evidence=Evidence(note="add the qualification with --catalogue FILE"),
                )
            )
            continue
        combo = exp.combination
        qual = cat.qualification
        if qual.rules is not None and qual.rules.illustrative:
            illustrative.add(code)
        if combo.outcome is rules.Outcome.CANNOT_VERIFY:
            unverifiable.add(code)
            issues.append(
                ctx.issue(
                    IssueKind.COMBINATION_UNVERIFIABLE,
                    candidate=exp.candidate,
                    code=code,
                    summary=f"No verified rules of combination for {code}: units and GLH not"
                    " checked",
                    evidence=Evidence(note=f"catalogue source: {qual.source}"),
                )
            )
            continue
        base = Evidence(
            pathway=combo.pathway,
            glh_taken=combo.glh_taken,
            glh_required=combo.glh_required,
        )
        if combo.outcome is rules.Outcome.MANDATORY_MISSING:
            for unit in combo.mandatory_missing:
                issues.append(
                    ctx.issue(
                        IssueKind.MANDATORY_UNIT_MISSING,
                        candidate=exp.candidate,
                        code=code,
                        unit=unit,
                        summary=f"Mandatory unit {unit} is not being taken",
                        evidence=base.model_copy(update={"mandatory_missing": [unit]}),
                    )
                )
        elif combo.outcome is rules.Outcome.GLH_SHORT:
            issues.append(
                ctx.issue(
                    IssueKind.GLH_SHORT,
                    candidate=exp.candidate,
                    code=code,
                    summary=f"Units taken add up to {combo.glh_taken} GLH; {qual.size} needs"
                    f" {combo.glh_required}",
                    evidence=base,
                )
            )
        elif combo.outcome is rules.Outcome.INVALID_COMBINATION:
            issues.append(
                ctx.issue(
                    IssueKind.INVALID_COMBINATION,
                    candidate=exp.candidate,
                    code=code,
                    summary=f"Enough GLH ({combo.glh_taken}) but the units break the rules:"
                    f" {combo.reason}",
                    evidence=base.model_copy(
                        update={
                            "barred_found": combo.barred_found or None,
                            "note": "; ".join(combo.groups_short) or None,
                        }
                    ),
                )
            )
        if combo.outcome is not rules.Outcome.SATISFIED:
            achieved = [
                n
                for n, u in exp.units.items()
                if u.status is UnitStatus.RESULT_ACHIEVED
                and (u.grade is None or u.grade in PASSING_GRADES)
            ]
            smaller = rules.move_down(qual, ctx.catalogue.siblings(code), achieved, cat.units)
            if smaller is not None:
                issues.append(
                    ctx.issue(
                        IssueKind.MOVE_DOWN_AVAILABLE,
                        candidate=exp.candidate,
                        code=code,
                        summary=f"{qual.size} cannot be achieved; achieved units already meet"
                        f" {smaller.code} ({smaller.size})",
                        evidence=Evidence(
                            registered_code=exp.registered_code,
                            move_down_code=smaller.code,
                            move_down_title=smaller.title,
                            direction="move-down",
                        ),
                    )
                )
    notes = []
    if unverifiable:
        notes.append(
            "No verified rules of combination for "
            + ", ".join(sorted(unverifiable))
            + ": they must be checked by hand."
        )
    if illustrative:
        notes.append(
            "Rules used for " + ", ".join(sorted(illustrative)) + " are illustrative (demo"
            " catalogue), not OCR's."
        )
    return result("combination", TITLE, ctx, issues, notes, partial=bool(unverifiable))
