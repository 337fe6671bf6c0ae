"""Rules of combination and GLH, judged on the units each student is taking.

Whatever part of a qualification's rules is known is checked for every student; what is not
known is said once per qualification (one combination-unverifiable line naming the students),
not once per student.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ctforms.checks import guidance, rules
from ctforms.checks.context import Context, Expecting, result
from ctforms.models import CheckResult, Evidence, Issue, IssueKind
from ctforms.words import count

TITLE = "Rules of combination and GLH"
_LISTED = 10  # candidate numbers named in the one-line summary; all are in the evidence
# Where to find the workbook is said once (in the first note), not for every code.
HOW_TO_ENTER = (
    "in the rules workbook (download it from the Rules of combination page, or make it with"
    " 'ctforms catalogue template') and checked again"
)
AGAIN_TO_ENTER = "in the rules workbook and checked again"


@dataclass
class _Unknown:
    """What could not be checked for one qualification, and for whom."""

    parts: list[str] = field(default_factory=list)  # in the order first met
    candidates: list[str] = field(default_factory=list)

    def add(self, candidate: str, parts: list[str]) -> None:
        self.candidates.append(candidate)
        self.parts += [p for p in parts if p not in self.parts]


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    unknown: dict[str, _Unknown] = {}
    illustrative: set[str] = set()
    for exp in ctx.expecting:
        if exp.entry is None:
            continue
        code = exp.expected_code
        combo = exp.combination  # None exactly when the code is not in the catalogue
        if combo is None:
            gap = unknown.setdefault(code, _Unknown())
            gap.add(exp.candidate_number, ["the qualification itself (it is not in the catalogue)"])
            continue
        assert exp.catalogue is not None  # a judgement needs the catalogue's entry
        rules_used = exp.catalogue.qualification.rules
        if rules_used is not None and rules_used.illustrative:
            illustrative.add(code)
        if combo.unverified:
            unknown.setdefault(code, _Unknown()).add(exp.candidate_number, combo.unverified)
        issues.extend(_verdicts(ctx, exp, combo))
    for code in sorted(unknown):
        issues.append(_unverifiable(ctx, code, unknown[code]))
    notes = [_note(ctx, code, unknown[code], n == 0) for n, code in enumerate(sorted(unknown))]
    if illustrative:
        notes.append(
            "Rules used for " + ", ".join(sorted(illustrative)) + " are illustrative (made up"
            " for the demo or for training), not OCR's."
        )
    # What is not known is an issue of its own (one line per code), so never a silent pass.
    return result("combination", TITLE, ctx, issues, notes)


def _verdicts(ctx: Context, exp: Expecting, combo: rules.Combination) -> list[Issue]:
    """The certain failures for one student, and a move-down where one is possible."""
    assert exp.catalogue is not None
    code, qual = exp.expected_code, exp.catalogue.qualification
    issues: list[Issue] = []
    if combo.outcome not in rules.FAILED and not combo.glh_short:
        return issues  # most students: nothing failed, no evidence to build
    base = Evidence(
        pathway=combo.pathway,
        glh_taken=combo.glh_taken,
        glh_required=combo.glh_required,
        unverified=combo.unverified or None,
    )
    drop: list[list[int]] = []
    if combo.outcome is rules.Outcome.INVALID_COMBINATION:
        drop = rules.drop_to_meet(qual, exp.units, exp.catalogue.units)
    # A move-down is looked for only while the registered size is out of reach; the advice to
    # add units names it only where the catalogue has a smaller size the achieved units meet.
    down = ctx.move_down(exp) if combo.outcome in rules.FAILED and not drop else None
    advice = down.advice if down is not None else guidance.Smaller()

    def todo(kind: IssueKind) -> guidance.Action:
        return guidance.with_smaller(kind, advice, proposal=bool(down and down.proposed))

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
                    action=todo(IssueKind.MANDATORY_UNIT_MISSING),
                )
            )
    if combo.glh_short:
        # Said even beside a missing mandatory unit: adding that unit may not be enough.
        uncounted = combo.not_permitted
        issues.append(
            ctx.issue(
                IssueKind.GLH_SHORT,
                candidate=exp.candidate,
                code=code,
                summary=f"Units taken add up to {combo.glh_taken} GLH;"
                f" {qual.size or code} needs {combo.glh_required}",
                evidence=base.model_copy(
                    update={
                        "note": f"{rules.units_text(uncounted)} not in the rules for {code}:"
                        " no GLH counted for them"
                        if uncounted
                        else None
                    }
                ),
                action=todo(IssueKind.GLH_SHORT),
            )
        )
    if combo.outcome is rules.Outcome.INVALID_COMBINATION:
        ways = " or ".join(rules.units_text(d) for d in drop)
        notes = combo.groups_short + ([f"dropping {ways} would meet the rules"] if drop else [])
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
                        "note": "; ".join(notes) or None,
                    }
                ),
            )
        )
    if down is None:
        return issues  # not failed, or the registered size is within reach: no move-down
    achieved = exp.achieved
    smaller = down.proposed
    if smaller is not None:
        issues.append(
            ctx.issue(
                IssueKind.MOVE_DOWN_AVAILABLE,
                candidate=exp.candidate,
                code=code,
                summary=f"{qual.size or code} cannot be met with the units taken; the achieved"
                f" units already meet {smaller.code} ({smaller.size})",
                evidence=Evidence(
                    registered_code=exp.registered_code,
                    move_down_code=smaller.code,
                    move_down_title=smaller.title,
                    direction="move-down",
                ),
            )
        )
    elif down.possible:
        # Not proposed: the smaller size's rules are not fully known. Say what to check.
        other = down.possible[0]
        done = ", ".join(map(str, achieved)) or "none"
        hint = (
            f"a move-down to {other.code} ({other.size or 'a smaller size'}) may be possible:"
            f" its rules are not fully known"
            f" ({'; '.join(rules.not_known(other, exp.catalogue.units))}); check"
            f" in the centre handbook whether the achieved units ({done}) meet them"
        )
        first = issues[0]
        note = f"{first.evidence.note}; {hint}" if first.evidence.note else hint
        issues[0] = first.model_copy(
            update={"evidence": first.evidence.model_copy(update={"note": note})}
        )
    return issues


def _checked(ctx: Context, code: str) -> bool:
    """Whether some part of the qualification's rules was checked: "partly known" in the one
    definition (rules.known_state) the register and the rules page use too."""
    entry = ctx.catalogue.get(code)
    return entry is not None and (
        rules.known_state(entry.qualification, entry.units) != "not known"
    )


def _unverifiable(ctx: Context, code: str, gap: _Unknown) -> Issue:
    n = len(gap.candidates)
    students = count(n, "student")
    what = "partly known" if _checked(ctx, code) else "not known"
    numbers = sorted(gap.candidates)
    listed = ", ".join(numbers[:_LISTED]) + (f" and {n - _LISTED} more" if n > _LISTED else "")
    return ctx.issue(
        IssueKind.COMBINATION_UNVERIFIABLE,
        code=code,
        summary=f"Rules of combination for {code} {what}: {students} to check by hand"
        f" ({listed}); not known: {'; '.join(gap.parts)}",
        evidence=Evidence(
            unverified=list(gap.parts),
            students=n,
            candidate_numbers=numbers,
            note=_source(ctx, code),
        ),
    )


def _source(ctx: Context, code: str) -> str:
    entry = ctx.catalogue.get(code)
    if entry is None:
        return f"{code} is not in the catalogue; add it in the rules workbook"
    q = entry.qualification
    rules_source = q.rules.source if q.rules is not None else "none"
    return f"catalogue: {q.source}; rules: {rules_source} (from {entry.origin})"


def _note(ctx: Context, code: str, gap: _Unknown, first: bool) -> str:
    students = count(len(gap.candidates), "student")
    if _checked(ctx, code):
        lead = (
            f"The rules of combination for {code} are only partly known: what is known was"
            f" checked, but {students} must still be checked by hand against the centre"
            " handbook for what is not"
        )
    else:
        lead = (
            f"The rules of combination for {code} are not known: {students} must be checked"
            " by hand against the centre handbook"
        )
    how = HOW_TO_ENTER if first else AGAIN_TO_ENTER
    return f"{lead} ({'; '.join(gap.parts)}), unless the rules are entered {how}."
