"""Rules of combination: pure judgements on a qualification and a student's units.

A student satisfies a qualification when, for the base rules and at least one pathway (if the
qualification has pathways), every mandatory unit is taken, every optional group has enough units
and hours, no barred set has two members taken, and the permitted units reach the minimum GLH.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from ctforms.models import GOOD_STATUSES, OptionalGroup, Qualification, Rules, Unit, UnitStatus


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    MANDATORY_MISSING = "mandatory-missing"
    GLH_SHORT = "glh-short"
    INVALID_COMBINATION = "invalid-combination"
    CANNOT_VERIFY = "cannot-verify"


class Combination(BaseModel):
    outcome: Outcome
    pathway: str | None = None
    glh_taken: int = 0
    glh_required: int = 0
    mandatory_missing: list[int] = []
    groups_short: list[str] = []
    barred_found: list[int] = []
    not_permitted: list[int] = []
    unknown_units: list[int] = []
    required: list[int] = []
    strictly_required: list[int] = []
    reason: str = ""


@dataclass(frozen=True)
class _Judgement:
    """How one unit set fares against one pathway (or the base rules alone)."""

    pathway: str | None
    mandatory_missing: tuple[int, ...]
    glh: int
    glh_short: int
    groups_short: tuple[str, ...]
    barred: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return not (self.mandatory_missing or self.glh_short or self.groups_short or self.barred)

    def rank(self) -> tuple[int, int, int, int]:
        return (
            len(self.mandatory_missing),
            self.glh_short,
            len(self.groups_short),
            len(self.barred),
        )


def usable(qual: Qualification) -> Rules | None:
    """Only verified rules are used: anything else is 'cannot verify', never a pass."""
    return qual.rules if qual.rules is not None and qual.rules.verified else None


def _variants(rules: Rules) -> list[tuple[str | None, list[int], list[OptionalGroup]]]:
    if not rules.pathways:
        return [(None, list(rules.mandatory), list(rules.groups))]
    return [
        (p.name, [*rules.mandatory, *p.mandatory], [*rules.groups, *p.groups])
        for p in rules.pathways
    ]


def permitted(rules: Rules) -> frozenset[int]:
    units: set[int] = set(rules.mandatory)
    for _, mandatory, groups in _variants(rules):
        units.update(mandatory)
        for g in groups:
            units.update(g.units)
    return frozenset(units)


def _group_shortfall(group: OptionalGroup, units: frozenset[int], glh: Mapping[int, int]) -> str:
    chosen = sorted(u for u in group.units if u in units)
    if group.max_units is not None:
        chosen = chosen[: group.max_units]
    count = len(chosen)
    hours = sum(glh.get(u, 0) for u in chosen)
    if count >= group.min_units and hours >= group.min_glh:
        return ""
    parts = []
    if group.min_units:
        parts.append(f"{count} of {group.min_units} units")
    if group.min_glh:
        parts.append(f"{hours} of {group.min_glh} GLH")
    return f"{group.name}: " + ", ".join(parts)


def _judge(
    qual: Qualification, rules: Rules, units: frozenset[int], glh: Mapping[int, int]
) -> _Judgement:
    best: _Judgement | None = None
    for name, mandatory, groups in _variants(rules):
        allowed = set(mandatory)
        for g in groups:
            allowed.update(g.units)
        hours = sum(glh.get(u, 0) for u in units if u in allowed)
        shortfalls = tuple(s for g in groups if (s := _group_shortfall(g, units, glh)))
        barred = tuple(
            sorted({u for b in rules.barred if len(set(b) & units) > 1 for u in set(b) & units})
        )
        j = _Judgement(
            pathway=name,
            mandatory_missing=tuple(u for u in mandatory if u not in units),
            glh=hours,
            glh_short=max(0, qual.glh - hours),
            groups_short=shortfalls,
            barred=barred,
        )
        if best is None or j.rank() < best.rank():
            best = j
    assert best is not None
    return best


# Judgements depend only on the qualification's code and the unit set: a centre's students
# repeat the same few combinations, so memoising makes 100,000 students cheap.
# The entry keeps the Rules object itself so a recycled id() can never match stale rules.
_CACHE: dict[tuple[str, int, frozenset[int]], tuple[Rules, _Judgement]] = {}


def _cached_judge(
    qual: Qualification, rules: Rules, units: frozenset[int], glh: Mapping[int, int]
) -> _Judgement:
    key = (qual.code, id(rules), units)
    found = _CACHE.get(key)
    if found is None or found[0] is not rules:
        if len(_CACHE) > 200_000:
            _CACHE.clear()
        found = _CACHE[key] = (rules, _judge(qual, rules, units, glh))
    return found[1]


def _glh(unit_info: Mapping[int, Unit]) -> dict[int, int]:
    return {n: u.glh for n, u in unit_info.items()}


def satisfies(qual: Qualification, units: Collection[int], unit_info: Mapping[int, Unit]) -> bool:
    rules = usable(qual)
    if rules is None:
        return False
    return _cached_judge(qual, rules, frozenset(units), _glh(unit_info)).ok


def evaluate(
    qual: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> Combination:
    """Judge the units a student is taking (whatever their status) against a qualification."""
    taken = frozenset(statuses)
    good = frozenset(u for u, s in statuses.items() if s in GOOD_STATUSES)
    key = (qual.code, id(qual), taken, good)
    found = _EVALUATED.get(key)
    if found is None or found[0] is not qual:
        if len(_EVALUATED) > 200_000:
            _EVALUATED.clear()
        found = _EVALUATED[key] = (qual, _evaluate(qual, taken, good, unit_info))
    return found[1]


# The result depends only on which units are taken and which are in good standing, and
# students share a few such patterns. Results are shared: treat a Combination as read-only.
_EVALUATED: dict[tuple[str, int, frozenset[int], frozenset[int]], tuple[Qualification, Combination]]
_EVALUATED = {}


def _evaluate(
    qual: Qualification, taken: frozenset[int], good: frozenset[int], unit_info: Mapping[int, Unit]
) -> Combination:
    rules = usable(qual)
    if rules is None:
        return Combination(
            outcome=Outcome.CANNOT_VERIFY,
            glh_required=qual.glh,
            required=sorted(taken),
            reason=f"no verified rules of combination for {qual.code}",
        )
    glh = _glh(unit_info)
    allowed = permitted(rules)
    j = _cached_judge(qual, rules, taken, glh)
    if j.mandatory_missing:
        outcome = Outcome.MANDATORY_MISSING
        reason = "mandatory unit(s) " + ", ".join(map(str, j.mandatory_missing)) + " not taken"
    elif j.glh_short:
        outcome = Outcome.GLH_SHORT
        reason = f"{j.glh} GLH taken, {qual.glh} needed"
    elif j.groups_short or j.barred:
        outcome = Outcome.INVALID_COMBINATION
        bits = list(j.groups_short)
        if j.barred:
            bits.append("units " + " and ".join(map(str, j.barred)) + " may not be combined")
        reason = "; ".join(bits)
    else:
        outcome = Outcome.SATISFIED
        reason = "rules of combination and GLH met"
    strictly = sorted(u for u in taken if not _cached_judge(qual, rules, taken - {u}, glh).ok)
    if _cached_judge(qual, rules, good, glh).ok:
        # The units in good standing already meet the rules: the others are optional extras.
        required = sorted(u for u in good if not _cached_judge(qual, rules, good - {u}, glh).ok)
    else:
        required = sorted(u for u in taken if u in allowed)
    return Combination(
        outcome=outcome,
        pathway=j.pathway,
        glh_taken=j.glh,
        glh_required=qual.glh,
        mandatory_missing=list(j.mandatory_missing),
        groups_short=list(j.groups_short),
        barred_found=list(j.barred),
        not_permitted=sorted(taken - allowed),
        unknown_units=sorted(u for u in taken if u not in unit_info),
        required=required,
        strictly_required=strictly if outcome is Outcome.SATISFIED else [],
        reason=reason,
    )


def move_down(
    registered: Qualification,
    siblings: Sequence[Qualification],
    achieved: Collection[int],
    unit_info: Mapping[int, Unit],
) -> Qualification | None:
    """The largest smaller size whose rules the achieved units already meet."""
    done = frozenset(achieved)
    smaller = sorted(
        (q for q in siblings if q.code != registered.code and q.glh < registered.glh),
        key=lambda q: (-q.glh, q.code),
    )
    for q in smaller:
        if satisfies(q, done, unit_info):
            return q
    return None


def top_up_missing(
    target: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> list[str]:
    """What the units taken still lack for the target size, in plain words."""
    rules = usable(target)
    if rules is None:
        return [f"cannot verify: no verified rules for {target.code}"]
    j = _cached_judge(target, rules, frozenset(statuses), _glh(unit_info))
    missing = [f"unit {u} (mandatory)" for u in j.mandatory_missing]
    missing += list(j.groups_short)
    if j.glh_short:
        missing.append(f"{j.glh_short} more GLH overall")
    if j.barred:
        missing.append("units " + " and ".join(map(str, j.barred)) + " are barred together")
    return missing
