"""Rules of combination: pure judgements on a qualification and a student's units.

A unit set satisfies a qualification when, for the base rules and at least one pathway (if the
qualification has pathways), every mandatory unit is in it, every optional group has enough units
and hours, no barred set has two members in it, and the permitted units reach the minimum GLH.
Only verified rules are used: anything else is "cannot verify", never a pass.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ctforms.models import GOOD_STATUSES, OptionalGroup, Qualification, Rules, Unit, UnitStatus


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    MANDATORY_MISSING = "mandatory-missing"
    GLH_SHORT = "glh-short"
    INVALID_COMBINATION = "invalid-combination"
    CANNOT_VERIFY = "cannot-verify"


class Combination(BaseModel):
    """How a student's units fare against a qualification.

    Frozen because evaluate() hands the same instance to every student with the same units and
    statuses: treat its lists as read-only too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Outcome
    pathway: str | None = Field(
        default=None, description="the pathway judged (best fit); None when there are none"
    )
    glh_taken: int = Field(description="GLH of the student's permitted units, any status")
    glh_required: int
    mandatory_missing: list[int] = Field(default_factory=list)
    groups_short: list[str] = Field(default_factory=list)
    barred_found: list[int] = Field(default_factory=list)
    not_permitted: list[int] = Field(default_factory=list)
    unknown_units: list[int] = Field(default_factory=list)
    required: list[int] = Field(default_factory=list)
    strictly_required: list[int] = Field(default_factory=list)
    reason: str


def usable(qual: Qualification) -> Rules | None:
    """The qualification's rules if they can be relied on, else None."""
    return qual.rules if qual.rules is not None and qual.rules.verified else None


def _and(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True, slots=True)
class _Short:
    """An optional group a unit set does not meet."""

    name: str
    units: int
    min_units: int
    glh: int
    min_glh: int

    def describe(self) -> str:
        parts = []
        if self.min_units:
            parts.append(f"{self.units} of {self.min_units} units")
        if self.min_glh:
            parts.append(f"{self.glh} of {self.min_glh} GLH")
        return f"{self.name}: " + ", ".join(parts)

    def lacking(self) -> str:
        parts = []
        if self.units < self.min_units:
            more = self.min_units - self.units
            parts.append(f"{more} more unit{'' if more == 1 else 's'}")
        if self.glh < self.min_glh:
            parts.append(f"{self.min_glh - self.glh} more GLH")
        return f"{self.name}: " + " / ".join(parts)


@dataclass(frozen=True, slots=True)
class _Judgement:
    """How one unit set fares against the best-fitting pathway (or the base rules alone)."""

    pathway: str | None
    mandatory_missing: tuple[int, ...]
    glh: int
    glh_short: int
    groups_short: tuple[_Short, ...]
    barred: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return not (self.mandatory_missing or self.glh_short or self.groups_short or self.barred)


@dataclass(frozen=True, slots=True)
class _Variant:
    """The base rules merged with one pathway: what a student must meet if they follow it."""

    name: str | None
    mandatory: tuple[int, ...]
    groups: tuple[OptionalGroup, ...]
    allowed: frozenset[int]


class _Engine:
    """One qualification's rules over one unit list, with its judgements memoised.

    A centre's students repeat a few unit combinations, so memoising by unit set makes
    100,000 students cost little more than the distinct combinations among them.
    """

    _LIMIT = 100_000  # memo entries kept before starting afresh: bounds memory on odd inputs

    def __init__(self, qual: Qualification, rules: Rules, unit_info: Mapping[int, Unit]) -> None:
        self.qual = qual
        self.rules = rules
        self.unit_info = unit_info
        self.glh = {n: u.glh for n, u in unit_info.items()}
        pathways: list[tuple[str | None, list[int], list[OptionalGroup]]] = [
            (p.name, p.mandatory, p.groups) for p in rules.pathways
        ] or [(None, [], [])]
        self.variants: list[_Variant] = []
        for name, mandatory, groups in pathways:
            all_groups = (*rules.groups, *groups)
            must = tuple(dict.fromkeys([*rules.mandatory, *mandatory]))
            allowed = frozenset(must).union(*(g.units for g in all_groups))
            self.variants.append(_Variant(name, must, all_groups, allowed))
        self.permitted = frozenset[int]().union(*(v.allowed for v in self.variants))
        self.barred = [frozenset(b) for b in rules.barred]
        self._judged: dict[frozenset[int], _Judgement] = {}
        self._evaluated: dict[tuple[frozenset[int], frozenset[int]], Combination] = {}

    def _short(self, group: OptionalGroup, units: frozenset[int]) -> _Short | None:
        hours = sorted((self.glh.get(u, 0) for u in group.units if u in units), reverse=True)
        if group.max_units is not None:
            # Units beyond the maximum may be taken but do not count; the student is credited
            # with the largest ones.
            hours = hours[: group.max_units]
        count, glh = len(hours), sum(hours)
        if count >= group.min_units and glh >= group.min_glh:
            return None
        return _Short(group.name, count, group.min_units, glh, group.min_glh)

    def judge(self, units: frozenset[int]) -> _Judgement:
        found = self._judged.get(units)
        if found is not None:
            return found
        barred = tuple(sorted({u for b in self.barred if len(b & units) > 1 for u in b & units}))
        best: _Judgement | None = None
        for v in self.variants:
            glh = sum(self.glh.get(u, 0) for u in units & v.allowed)
            j = _Judgement(
                pathway=v.name,
                mandatory_missing=tuple(u for u in v.mandatory if u not in units),
                glh=glh,
                glh_short=max(0, self.qual.glh - glh),
                groups_short=tuple(s for g in v.groups if (s := self._short(g, units))),
                barred=barred,
            )
            # Strictly better only, so ties go to the pathway listed first.
            if best is None or _rank(j) < _rank(best):
                best = j
        assert best is not None  # there is always at least one variant
        if len(self._judged) >= self._LIMIT:
            self._judged.clear()
        self._judged[units] = best
        return best

    def ok(self, units: frozenset[int]) -> bool:
        return self.judge(units).ok

    def evaluate(self, taken: frozenset[int], good: frozenset[int]) -> Combination:
        key = (taken, good)
        found = self._evaluated.get(key)
        if found is None:
            if len(self._evaluated) >= self._LIMIT:
                self._evaluated.clear()
            found = self._evaluated[key] = self._combination(taken, good)
        return found

    def _combination(self, taken: frozenset[int], good: frozenset[int]) -> Combination:
        j = self.judge(taken)
        outcome, reason = _verdict(j, self.qual.glh)
        if self.ok(good):
            # The units in good standing already suffice: the others are spare.
            required = sorted(u for u in good if not self.ok(good - {u}))
        else:
            # Some of the units in trouble must come good, and any permitted one might be it.
            required = sorted(taken & self.permitted)
        return Combination(
            outcome=outcome,
            pathway=j.pathway,
            glh_taken=j.glh,
            glh_required=self.qual.glh,
            mandatory_missing=list(j.mandatory_missing),
            groups_short=[s.describe() for s in j.groups_short],
            barred_found=list(j.barred),
            not_permitted=sorted(taken - self.permitted),
            unknown_units=sorted(u for u in taken if u not in self.unit_info),
            required=required,
            # Kept within `required`: a unit the rules do not allow is never needed, even when
            # the taken set fails without it (it fails with it too).
            strictly_required=[u for u in required if not self.ok(taken - {u})],
            reason=reason,
        )


def _rank(j: _Judgement) -> tuple[int, int, int]:
    return len(j.mandatory_missing), j.glh_short, len(j.groups_short)


def _verdict(j: _Judgement, glh_required: int) -> tuple[Outcome, str]:
    # A fragment, not a capitalised sentence: the combination check quotes it after a colon.
    if j.mandatory_missing:
        n = len(j.mandatory_missing)
        where = f" (pathway {j.pathway})" if j.pathway else ""
        units = f"unit{'' if n == 1 else 's'} {_and(j.mandatory_missing)}"
        verb = "is" if n == 1 else "are"
        return Outcome.MANDATORY_MISSING, f"mandatory {units}{where} {verb} not being taken"
    if j.glh_short:
        return Outcome.GLH_SHORT, f"{j.glh} GLH taken, {glh_required} needed"
    if j.groups_short or j.barred:
        bits = [s.describe() for s in j.groups_short]
        if j.barred:
            bits.append(f"units {_and(j.barred)} may not be combined")
        return Outcome.INVALID_COMBINATION, "; ".join(bits)
    return Outcome.SATISFIED, "rules of combination and GLH met"


# Keyed on identities as well as the code, so two catalogues (or tests) reusing a code never
# share judgements; each engine holds its objects, so their ids cannot be recycled meanwhile.
_ENGINES: dict[tuple[str, int, int, int], _Engine] = {}
_ENGINE_LIMIT = 1_000


def _engine(qual: Qualification, unit_info: Mapping[int, Unit]) -> _Engine | None:
    rules = usable(qual)
    if rules is None:
        return None
    key = (qual.code, id(qual), id(rules), id(unit_info))
    engine = _ENGINES.get(key)
    if engine is None:
        if len(_ENGINES) >= _ENGINE_LIMIT:
            _ENGINES.clear()
        engine = _ENGINES[key] = _Engine(qual, rules, unit_info)
    return engine


def satisfies(qual: Qualification, units: Collection[int], unit_info: Mapping[int, Unit]) -> bool:
    """Whether these units meet the qualification's verified rules (False without them)."""
    engine = _engine(qual, unit_info)
    return engine is not None and engine.ok(frozenset(units))


def evaluate(
    qual: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> Combination:
    """Judge the units a student is taking (whatever their status) against a qualification."""
    taken = frozenset(statuses)
    engine = _engine(qual, unit_info)
    if engine is None:
        return Combination(
            outcome=Outcome.CANNOT_VERIFY,
            # Without rules nothing can be ruled out: every unit counts and may be needed.
            glh_taken=sum(unit_info[u].glh for u in taken if u in unit_info),
            glh_required=qual.glh,
            unknown_units=sorted(u for u in taken if u not in unit_info),
            required=sorted(taken),
            reason=f"no verified rules of combination for {qual.code}",
        )
    good = frozenset(u for u, s in statuses.items() if s in GOOD_STATUSES)
    return engine.evaluate(taken, good)


def move_down(
    registered: Qualification,
    siblings: Sequence[Qualification],
    achieved: Collection[int],
    unit_info: Mapping[int, Unit],
) -> Qualification | None:
    """The largest smaller size whose verified rules the achieved units already meet."""
    done = frozenset(achieved)
    smaller = sorted(
        (q for q in siblings if q.code != registered.code and q.glh < registered.glh),
        key=lambda q: (-q.glh, q.code),
    )
    return next((q for q in smaller if satisfies(q, done, unit_info)), None)


def top_up_missing(
    target: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> list[str]:
    """What the units taken (any status) still lack for the target, in plain words."""
    engine = _engine(target, unit_info)
    if engine is None:
        return [f"cannot verify: no verified rules for {target.code}"]
    j = engine.judge(frozenset(statuses))
    missing = [f"unit {u} (mandatory)" for u in j.mandatory_missing]
    missing += [s.lacking() for s in j.groups_short]
    if j.glh_short:
        missing.append(f"{j.glh_short} more GLH overall")
    if j.barred:
        missing.append(f"units {_and(j.barred)} are barred together")
    return missing
