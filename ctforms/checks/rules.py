"""Rules of combination: pure judgements on a qualification and a student's units.

A unit set satisfies a qualification when, for the base rules and at least one pathway (if the
qualification has pathways), every mandatory unit is in it, every optional group has enough units
and hours, no barred set has two members in it, and the permitted units reach the minimum GLH.

Whatever part is known is used: a minimum GLH and unit GLH alone give a GLH check; known
mandatory units give a mandatory check. Only verified rules and a confirmed minimum GLH count;
what is not known is reported as such ("partly verified", "cannot verify"), never a pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ctforms.models import GOOD_STATUSES, OptionalGroup, Qualification, Rules, Unit, UnitStatus
from ctforms.words import count, plural


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    MANDATORY_MISSING = "mandatory-missing"
    GLH_SHORT = "glh-short"
    INVALID_COMBINATION = "invalid-combination"
    PARTLY_VERIFIED = "partly-verified"
    CANNOT_VERIFY = "cannot-verify"


FAILED = frozenset({Outcome.MANDATORY_MISSING, Outcome.GLH_SHORT, Outcome.INVALID_COMBINATION})


class Combination(BaseModel):
    """How a student's units fare against a qualification.

    A failing outcome is certain: it holds whatever the parts not known turn out to be.
    `unverified` names those parts; when it is not empty and nothing failed, the outcome is
    PARTLY_VERIFIED (or CANNOT_VERIFY when nothing at all could be checked).

    Frozen because evaluate() hands the same instance to every student with the same units and
    statuses: treat its lists as read-only too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Outcome
    pathway: str | None = Field(
        default=None, description="the pathway judged (best fit); None when there are none"
    )
    glh_taken: int = Field(description="known GLH of the student's permitted units, any status")
    glh_required: int | None
    glh_short: int = Field(default=0, description="GLH certainly lacking, whatever else fails")
    mandatory_missing: list[int] = Field(default_factory=list)
    groups_short: list[str] = Field(default_factory=list)
    barred_found: list[int] = Field(default_factory=list)
    not_permitted: list[int] = Field(default_factory=list)
    unknown_units: list[int] = Field(default_factory=list)
    required: list[int] = Field(default_factory=list)
    strictly_required: list[int] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)
    reason: str


def usable(qual: Qualification) -> Rules | None:
    """The qualification's rules if they can be relied on, else None."""
    return qual.rules if qual.rules is not None and qual.rules.verified else None


def minimum_glh(qual: Qualification) -> int | None:
    """The minimum GLH if it can be relied on (an inferred figure is not)."""
    return qual.glh if qual.verified else None


def _and(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def units_text(numbers: Sequence[int]) -> str:
    """'unit 4' or 'units 4, 5 and 9'."""
    return f"{plural(len(numbers), 'unit')} {_and(numbers)}"


_units = units_text


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
            parts.append(f"{self.units} of {count(self.min_units, 'unit')}")
        if self.min_glh:
            parts.append(f"{self.glh} of {self.min_glh} GLH")
        return f"{self.name}: " + ", ".join(parts)

    def lacking(self) -> str:
        parts = []
        if self.units < self.min_units:
            more = self.min_units - self.units
            parts.append(f"{count(more, 'more unit')}")
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
    glh_unknown: bool = False  # pessimistic only: the GLH total cannot be confirmed

    @property
    def ok(self) -> bool:
        return not (
            self.mandatory_missing
            or self.glh_short
            or self.groups_short
            or self.barred
            or self.glh_unknown
        )


@dataclass(frozen=True, slots=True)
class _Variant:
    """The base rules merged with one pathway: what a student must meet if they follow it."""

    name: str | None
    mandatory: tuple[int, ...]
    groups: tuple[OptionalGroup, ...]
    allowed: frozenset[int]


_NO_RULES = Rules(verified=True, source="")


class _Engine:
    """One qualification's rules over one unit list, with its judgements memoised.

    What is not known is judged twice: optimistically (every unit whose rule is not known is
    allowed and counts in every group; a unit or minimum of unknown GLH cannot fall short) and
    pessimistically (such a unit counts for nothing; an unknown figure is never enough). A
    failure even when optimistic is certain; a pass even when pessimistic is certain; anything
    between is "partly verified".

    A centre's students repeat a few unit combinations, so memoising by unit set makes
    100,000 students cost little more than the distinct combinations among them.
    """

    _LIMIT = 100_000  # memo entries kept before starting afresh: bounds memory on odd inputs

    def __init__(
        self, qual: Qualification, rules: Rules | None, unit_info: Mapping[int, Unit]
    ) -> None:
        self.qual = qual
        self.known = rules is not None
        rules = rules or _NO_RULES
        self.min_glh = minimum_glh(qual)
        self.unit_info = unit_info
        self.glh = {n: u.glh for n, u in unit_info.items()}
        # Units whose rule is not known: None stands for every unit (no rules at all).
        self.unknown: frozenset[int] | None = frozenset(rules.unknown) if self.known else None
        self.open = self.known and not rules.complete  # units not named may be allowed
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
        self._judged: dict[tuple[frozenset[int], bool], _Judgement] = {}
        self._evaluated: dict[tuple[frozenset[int], frozenset[int]], Combination] = {}

    def uncertain(self, units: frozenset[int]) -> frozenset[int]:
        """The units of this set whose place in the rules is not known."""
        if self.unknown is None:
            return units
        if self.open:
            return (units - self.permitted) | (units & self.unknown)
        return units & self.unknown

    def _short(
        self, group: OptionalGroup, units: frozenset[int], extra: frozenset[int], hopeful: bool
    ) -> _Short | None:
        members = (units & frozenset(group.units)) | extra
        hours = sorted((self.glh.get(u) or 0 for u in members), reverse=True)
        unknown_hours = hopeful and any(self.glh.get(u) is None for u in members)
        if group.max_units is not None:
            # Units beyond the maximum may be taken but do not count; the student is credited
            # with the largest ones.
            hours = hours[: group.max_units]
        count, glh = len(hours), sum(hours)
        if count >= group.min_units and (glh >= group.min_glh or unknown_hours):
            return None
        return _Short(group.name, count, group.min_units, glh, group.min_glh)

    def judge(self, units: frozenset[int], hopeful: bool = False) -> _Judgement:
        """The best-fitting pathway for this unit set; `hopeful` gives the unknowns the benefit
        of the doubt (optimistic), otherwise none (pessimistic)."""
        key = (units, hopeful)
        found = self._judged.get(key)
        if found is not None:
            return found
        barred = tuple(sorted({u for b in self.barred if len(b & units) > 1 for u in b & units}))
        extra = self.uncertain(units) if hopeful else frozenset[int]()
        best: _Judgement | None = None
        for v in self.variants:
            counted = units & (v.allowed | extra)
            glh = sum(self.glh.get(u) or 0 for u in counted)
            unknown_hours = any(self.glh.get(u) is None for u in counted)
            if self.min_glh is None or (hopeful and unknown_hours):
                short = 0
            else:
                short = max(0, self.min_glh - glh)
            j = _Judgement(
                pathway=v.name,
                mandatory_missing=tuple(u for u in v.mandatory if u not in units),
                glh=glh,
                glh_short=short,
                groups_short=tuple(
                    s for g in v.groups if (s := self._short(g, units, extra, hopeful))
                ),
                barred=barred,
                glh_unknown=not hopeful and self.min_glh is None,
            )
            # Strictly better only, so ties go to the pathway listed first.
            if best is None or _rank(j) < _rank(best):
                best = j
        assert best is not None  # there is always at least one variant
        if len(self._judged) >= self._LIMIT:
            self._judged.clear()
        self._judged[key] = best
        return best

    def certain(self, units: frozenset[int]) -> bool:
        """These units meet the rules whatever the unknowns turn out to be."""
        return self.known and self.judge(units).ok

    def without_barred(self, taken: frozenset[int]) -> list[list[int]]:
        """The smallest sets of units to drop so that no barred set is broken and the rest
        meet the rules; none when dropping cannot help."""
        clashes = [sorted(b & taken) for b in self.barred if len(b & taken) > 1]
        if not clashes:
            return []
        found: list[list[int]] = []
        for keep in itertools.product(*clashes):
            dropped = frozenset[int]().union(*clashes) - frozenset(keep)
            if self.certain(taken - dropped):
                found.append(sorted(dropped))
        if not found:
            return []
        fewest = min(len(d) for d in found)
        return sorted({tuple(d): d for d in found if len(d) == fewest}.values())

    def possible(self, units: frozenset[int]) -> bool:
        """These units may meet the rules: nothing known rules them out."""
        return self.judge(units, hopeful=True).ok

    def evaluate(self, taken: frozenset[int], good: frozenset[int]) -> Combination:
        key = (taken, good)
        found = self._evaluated.get(key)
        if found is None:
            if len(self._evaluated) >= self._LIMIT:
                self._evaluated.clear()
            found = self._evaluated[key] = self._combination(taken, good)
        return found

    def unverified(self, taken: frozenset[int]) -> list[str]:
        """The parts of the rules not known that bear on this unit set, in plain words."""
        parts: list[str] = []
        if not self.known:
            parts.append("which units are mandatory or optional")
        elif doubtful := sorted(self.uncertain(taken)):
            parts.append(f"the rule for {_units(doubtful)} (no Rule given)")
        if self.min_glh is None:
            given = f" ({self.qual.glh} is not confirmed)" if self.qual.glh else ""
            parts.append(f"the minimum GLH{given}")
        counted = taken & (self.permitted | self.uncertain(taken))
        no_hours = sorted(u for u in counted if self.glh.get(u) is None)
        known_hours = sum(self.glh.get(u) or 0 for u in counted)
        short = self.min_glh is not None and known_hours < self.min_glh
        if no_hours and (short or self.judge(taken).groups_short):
            parts.append(f"the GLH of {_units(no_hours)}")
        return parts

    def _combination(self, taken: frozenset[int], good: frozenset[int]) -> Combination:
        hopeful = self.judge(taken, hopeful=True)
        unverified: list[str] = []
        if not hopeful.ok:
            j = hopeful  # fails even with the benefit of the doubt: certain
            outcome, reason = _verdict(j, self.min_glh)
            if not self.certain(taken):
                unverified = self.unverified(taken)
        elif self.certain(taken):
            j = self.judge(taken)
            outcome, reason = Outcome.SATISFIED, "rules of combination and GLH met"
        else:
            j = hopeful
            unverified = self.unverified(taken) or ["part of the rules"]  # never empty
            outcome = (
                Outcome.CANNOT_VERIFY
                if not self.known and self.min_glh is None
                else Outcome.PARTLY_VERIFIED
            )
            reason = "not known: " + "; ".join(unverified)
        if self.certain(good):
            # The units in good standing already suffice: the others are spare.
            required = sorted(u for u in good if not self.certain(good - {u}))
        else:
            # Some of the units in trouble must come good, and any that may count might be it.
            required = sorted(taken & (self.permitted | self.uncertain(taken)))
        return Combination(
            outcome=outcome,
            pathway=j.pathway,
            glh_taken=j.glh,
            glh_required=self.min_glh,
            glh_short=j.glh_short,  # 0 unless failing: a passing judgement is never short
            mandatory_missing=list(j.mandatory_missing),
            groups_short=[s.describe() for s in j.groups_short],
            barred_found=list(j.barred),
            not_permitted=sorted(taken - self.permitted - self.uncertain(taken)),
            unknown_units=sorted(u for u in taken if u not in self.unit_info),
            required=required,
            # Kept within `required`: a unit the rules do not allow is never needed, even when
            # the taken set fails without it (it fails with it too). Strict means certain:
            # even with the benefit of the doubt, the units taken fail without it.
            strictly_required=[u for u in required if not self.possible(taken - {u})],
            unverified=unverified,
            reason=reason,
        )


def _rank(j: _Judgement) -> tuple[int, int, int]:
    return len(j.mandatory_missing), j.glh_short, len(j.groups_short)


def _verdict(j: _Judgement, glh_required: int | None) -> tuple[Outcome, str]:
    # A fragment, not a capitalised sentence: the combination check quotes it after a colon.
    if j.mandatory_missing:
        n = len(j.mandatory_missing)
        where = f" (pathway {j.pathway})" if j.pathway else ""
        verb = plural(n, "is", "are")
        return (
            Outcome.MANDATORY_MISSING,
            f"mandatory {_units(j.mandatory_missing)}{where} {verb} not being taken",
        )
    if j.glh_short:
        return Outcome.GLH_SHORT, f"{j.glh} GLH taken, {glh_required} needed"
    bits = [s.describe() for s in j.groups_short]
    if j.barred:
        bits.append(f"units {_and(j.barred)} may not be combined")
    return Outcome.INVALID_COMBINATION, "; ".join(bits)


# Keyed on identities, so two catalogues (or tests) reusing a code never share judgements; each
# engine holds its objects, so their ids cannot be recycled meanwhile.
_ENGINES: dict[tuple[int, int], _Engine] = {}
_ENGINE_LIMIT = 1_000


def clear_caches() -> None:
    """Forget every memoised judgement (tests start each from nothing)."""
    _ENGINES.clear()


def _engine(qual: Qualification, unit_info: Mapping[int, Unit]) -> _Engine:
    key = (id(qual), id(unit_info))
    engine = _ENGINES.get(key)
    if engine is None:
        if len(_ENGINES) >= _ENGINE_LIMIT:
            _ENGINES.clear()
        engine = _ENGINES[key] = _Engine(qual, usable(qual), unit_info)
    return engine


def satisfies(qual: Qualification, units: Collection[int], unit_info: Mapping[int, Unit]) -> bool:
    """Whether these units certainly meet the qualification (False when that is not known)."""
    return _engine(qual, unit_info).certain(frozenset(units))


def drop_to_meet(
    qual: Qualification, units: Collection[int], unit_info: Mapping[int, Unit]
) -> list[list[int]]:
    """The ways of dropping units (one of a barred pair) that leave a set meeting the rules."""
    return _engine(qual, unit_info).without_barred(frozenset(units))


def may_satisfy(qual: Qualification, units: Collection[int], unit_info: Mapping[int, Unit]) -> bool:
    """Whether nothing known about the qualification rules these units out."""
    return _engine(qual, unit_info).possible(frozenset(units))


def not_known(qual: Qualification, unit_info: Mapping[int, Unit]) -> list[str]:
    """What the catalogue does not know about a qualification's rules, whoever takes it."""
    engine = _engine(qual, unit_info)
    parts = []
    if not engine.known:
        parts.append("which units are mandatory or optional")
    elif engine.unknown:
        parts.append(f"the rule for {_units(sorted(engine.unknown))}")
    if engine.open:
        parts.append("which other units are allowed")
    if engine.min_glh is None:
        parts.append("the minimum GLH")
    if no_hours := sorted(n for n, h in engine.glh.items() if h is None):
        parts.append(f"the GLH of {_units(no_hours)}")
    return parts


KnownState = Literal["fully known", "partly known", "not known"]


def known_state(qual: Qualification, unit_info: Mapping[int, Unit]) -> KnownState:
    """How much of a qualification's rules the catalogue knows; the one definition every
    output uses (the register's catalogue section, the combination check's words, the rules
    page):

    - fully known: nothing is missing (not_known is empty): every student is fully checked;
    - partly known: something can be checked for a student: verified rules (the mandatory
      check, groups, barred units), or a confirmed minimum GLH with the GLH of some units
      (the GLH check of a student taking those units);
    - not known: nothing a student could be checked against."""
    if not not_known(qual, unit_info):
        return "fully known"
    engine = _engine(qual, unit_info)
    hours = engine.min_glh is not None and any(h is not None for h in engine.glh.values())
    return "partly known" if engine.known or hours else "not known"


def evaluate(
    qual: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> Combination:
    """Judge the units a student is taking (whatever their status) against a qualification."""
    good = frozenset(u for u, s in statuses.items() if s in GOOD_STATUSES)
    return _engine(qual, unit_info).evaluate(frozenset(statuses), good)


def _smaller(registered: Qualification, siblings: Sequence[Qualification]) -> list[Qualification]:
    """Strictly smaller sizes, largest first (only sizes whose GLH is on record)."""
    if registered.glh is None:
        return []
    sized = [(q.glh, q) for q in siblings if q.glh is not None and q.code != registered.code]
    return [q for glh, q in sorted(sized, key=lambda s: (-s[0], s[1].code)) if glh < registered.glh]


def smaller_sizes(
    registered: Qualification, siblings: Sequence[Qualification]
) -> list[Qualification]:
    """The catalogue's sizes smaller than the registered one, largest first."""
    return _smaller(registered, siblings)


def move_down(
    registered: Qualification,
    siblings: Sequence[Qualification],
    achieved: Collection[int],
    unit_info: Mapping[int, Unit],
) -> Qualification | None:
    """The largest smaller size whose rules, fully known, the achieved units already meet."""
    done = frozenset(achieved)
    return next((q for q in _smaller(registered, siblings) if satisfies(q, done, unit_info)), None)


def move_down_possible(
    registered: Qualification,
    siblings: Sequence[Qualification],
    achieved: Collection[int],
    unit_info: Mapping[int, Unit],
) -> list[Qualification]:
    """Smaller sizes the achieved units may meet, though their rules are not fully known."""
    done = frozenset(achieved)
    return [
        q
        for q in _smaller(registered, siblings)
        if not satisfies(q, done, unit_info) and may_satisfy(q, done, unit_info)
    ]


def top_up_missing(
    target: Qualification, statuses: Mapping[int, UnitStatus], unit_info: Mapping[int, Unit]
) -> list[str]:
    """What the units taken (any status) certainly still lack for the target, in plain words;
    what is not known about the target's rules is said last."""
    engine = _engine(target, unit_info)
    taken = frozenset(statuses)
    j = engine.judge(taken, hopeful=True)
    missing = [f"unit {u} (mandatory)" for u in j.mandatory_missing]
    missing += [s.lacking() for s in j.groups_short]
    if j.glh_short:
        missing.append(f"{j.glh_short} more GLH overall")
    if j.barred:
        missing.append(f"units {_and(j.barred)} are barred together")
    if not engine.certain(taken) and (parts := engine.unverified(taken)):
        missing.append(f"cannot verify for {target.code}: " + "; ".join(parts))
    return missing
