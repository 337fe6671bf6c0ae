"""What a catalogue may say and still be believed: one place for the rules that a YAML catalogue
and a rules workbook must both meet. Each rule answers with what is wrong and what to do, or
None; each reader says where (a YAML path, or a sheet, row and column).

A figure past these is a typing slip, and the checks would act on it: a unit of 10^15 GLH
passes every student's minimum, a Minimum GLH of 10^18 fails them all. The bounds are data
(ctforms/data/ocr-sizes.yaml), with their sources."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from ctforms.files.limits import load_yaml
from ctforms.models import OptionalGroup
from ctforms.read.parsing import norm_key
from ctforms.words import plural

BOUNDS_FILE = "ocr-sizes.yaml"


@dataclass(frozen=True)
class Bounds:
    # (suite, level) -> size (norm_key) -> (name, GLH), for the suites and levels a source gives
    sizes: dict[tuple[int, int], dict[str, tuple[str, int]]]
    other_names: dict[str, str]  # size names taken for other suites and levels (norm_key -> name)
    qualification: tuple[int, int]  # Minimum GLH, where the sizes are not known
    unit: tuple[int, int]  # a unit's GLH


@functools.cache
def bounds() -> Bounds:
    text = resources.files("ctforms.data").joinpath(BOUNDS_FILE).read_text("utf-8")
    data = load_yaml(text, BOUNDS_FILE)
    sizes = {
        (int(entry["suite"]), int(entry["level"])): {
            norm_key(name): (str(name), int(glh)) for name, glh in entry["glh"].items()
        }
        for entry in data["sizes"]
    }
    names = {k: name for table in sizes.values() for k, (name, _) in table.items()}
    names.update({norm_key(n): str(n) for n in data["other_size_names"]})
    q, u = data["qualification_glh"], data["unit_glh"]
    return Bounds(sizes, names, (int(q["min"]), int(q["max"])), (int(u["min"]), int(u["max"])))


def _or_list(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def unit_glh(glh: int) -> str | None:
    low, high = bounds().unit
    if low <= glh <= high:
        return None
    return (
        f"{glh:,} GLH is not what a Cambridge Technicals unit can be (units are tens of hours:"
        f" {low} to {high}); enter the unit's GLH from the centre handbook"
    )


def _size_key(size: str) -> str:
    """'Diploma (Marketing)', a pathway's size named so, is a Diploma."""
    return norm_key(_PATHWAY.sub("", size))


_PATHWAY = re.compile(r"\s*\([^()]*\)\s*$")


def size_name(size: str, suite: int, level: int) -> str | None:
    """A size the suite does not have ('Mega Diploma')."""
    table = bounds().sizes.get((suite, level))
    known = (
        {k: name for k, (name, _) in table.items()} if table is not None else bounds().other_names
    )
    if not size or _size_key(size) in known:
        return None
    return (
        f"{(size if len(size) <= 40 else size[:39] + '…')!r} is not a size of the Cambridge"
        f" Technicals (Level {level}, suite {suite}):"
        f" use {_or_list(list(known.values()))}"
    )


def qualification_glh(glh: int, size: str, suite: int, level: int) -> str | None:
    """A Minimum GLH that disagrees with its size, or that no size has."""
    table = bounds().sizes.get((suite, level))
    if table is None:
        low, high = bounds().qualification
        if low <= glh <= high:
            return None
        return (
            f"{glh:,} GLH is not the size of any Cambridge Technical qualification ({low:,} to"
            f" {high:,}); enter the Minimum GLH from the centre handbook"
        )
    named = table.get(_size_key(size)) if size else None
    if named is not None:
        name, expected = named
        if glh == expected:
            return None
        return (
            f"{_article(name)} {name} is {expected:,} GLH, not {glh:,}: correct the Minimum"
            " GLH, or the Size"
        )
    if glh in {g for _, g in table.values()}:
        return None
    sizes = [f"{name} {g:,}" for name, g in table.values()]
    return (
        f"{glh:,} GLH is not the size of any Level {level} Cambridge Technical (suite {suite}:"
        f" {_or_list(sizes)}); enter the Minimum GLH from the centre handbook"
    )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _all(numbers: Sequence[int]) -> str:
    return "both" if len(numbers) == 2 else "all"


def _units(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return f"{plural(len(words), 'unit')} {_or_list(words).replace(' or ', ' and ')}"


def barred(
    units: Sequence[int], mandatory: Sequence[int], pathways: Mapping[str, Sequence[int]]
) -> str | None:
    """Units barred together (at most one may be taken) of which one is mandatory: every
    student must take it, so the others could never be taken, or no student can pass."""
    must = [n for n in units if n in set(mandatory)]
    if len(must) > 1:
        return (
            f"{_units(must)} are {_all(must)} mandatory, so no student can take them and keep"
            " to 'at most one of these': check this row and the units' Rule"
        )
    if must:
        others = [n for n in units if n != must[0]]
        return (
            f"unit {must[0]} is mandatory, so {_units(others)} barred with it could never be"
            " taken: check this row and the units' Rule (a unit the qualification does not"
            " allow: delete its row on sheet 'Units')"
        )
    for name, pathway_must in pathways.items():
        both = [n for n in units if n in set(pathway_must)]
        if len(both) > 1:
            return (
                f"{_units(both)} are {_all(both)} mandatory in pathway {name!r}, so no student"
                " of it can take them and keep to 'at most one of these': check this row and the"
                " units' Rule"
            )
    return None


def group(g: OptionalGroup, glh: Mapping[int, int | None]) -> str | None:
    """A group minimum that no choice of its units can meet (units of unknown GLH: not judged)."""
    count = len(g.units) if g.max_units is None else min(len(g.units), g.max_units)
    if g.min_units > len(g.units):
        return (
            f"group {g.name!r} asks for {g.min_units} units but has only {len(g.units)}: check"
            " Min Units, and the group's units"
        )
    if g.max_units is not None and g.max_units < g.min_units:
        return f"group {g.name!r}: Max Units ({g.max_units}) is below Min Units ({g.min_units})"
    hours = [glh.get(n) for n in g.units]
    if not g.min_glh or any(h is None for h in hours):
        return None
    best = sum(sorted((h for h in hours if h is not None), reverse=True)[:count])
    if best >= g.min_glh:
        return None
    limit = f" (at most {g.max_units} of them count)" if g.max_units is not None else ""
    return (
        f"group {g.name!r} asks for {g.min_glh:,} GLH, but its units give at most {best:,}"
        f"{limit}: no student could meet it; check Min GLH and the units' GLH"
    )
