"""The qualification catalogue: the shipped YAML plus any centre files that add or override."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ctforms.errors import InputError
from ctforms.files.limits import YAML_MAX_BYTES, load_yaml, read_text_limited
from ctforms.models import CatalogueFile, Qualification, Subject, Unit
from ctforms.read import plausible

SHIPPED = "ocr-cambridge-technicals.yaml"


@dataclass(frozen=True)
class Entry:
    """A qualification with the subject it belongs to and the file that defined it."""

    qualification: Qualification
    subject: Subject
    origin: str

    @cached_property
    def units(self) -> dict[int, Unit]:
        return {u.number: u for u in self.subject.units}


@dataclass
class Catalogue:
    entries: dict[str, Entry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # What reading the files said without refusing them (a formula read as its saved value).
    warnings: list[str] = field(default_factory=list)

    def get(self, code: str) -> Entry | None:
        return self.entries.get(code)

    def siblings(self, code: str) -> list[Qualification]:
        """Qualifications of the same subject, level and suite (candidates for top-up/move-down)."""
        entry = self.entries.get(code)
        if entry is None:
            return []
        key = _subject_key(entry.subject)
        return [
            e.qualification
            for e in self.entries.values()
            if _subject_key(e.subject) == key and e.qualification.code != code
        ]

    def same_subject(self, a: str, b: str) -> bool:
        ea, eb = self.entries.get(a), self.entries.get(b)
        return (
            ea is not None
            and eb is not None
            and _subject_key(ea.subject) == _subject_key(eb.subject)
        )

    def codes(self) -> list[tuple[str, str]]:
        return sorted((c, e.qualification.title) for c, e in self.entries.items())


def _subject_key(subject: Subject) -> tuple[str, int, int]:
    return (subject.id, subject.level, subject.suite)


def parse_catalogue(text: str, name: str) -> CatalogueFile:
    try:
        data = load_yaml(text, name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', exc)})", file=name, row=row
        ) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping with a 'subjects' list at the top", file=name)
    try:
        parsed = CatalogueFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _loc(data, err["loc"])
        raise InputError(f"{where}: {err['msg']}", file=name) from None
    _check_consistency(parsed, name)
    return parsed


def _loc(data: object, loc: Sequence[int | str]) -> str:
    """Turn pydantic's location into e.g. subjects[IT].qualifications[05839].glh."""
    parts: list[str] = []
    node: object = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list):
            item = node[key] if key < len(node) else None
            label = None
            if isinstance(item, dict):
                label = item.get("code") or item.get("id") or item.get("number") or item.get("name")
            parts[-1:] = [f"{parts[-1] if parts else ''}[{label if label is not None else key}]"]
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def _check_consistency(cat: CatalogueFile, name: str) -> None:
    for subject in cat.subjects:
        numbers = [u.number for u in subject.units]
        dupes = sorted({n for n in numbers if numbers.count(n) > 1})
        if dupes:
            raise InputError(f"subject {subject.id}: unit {dupes[0]} is listed twice", file=name)
        for u in subject.units:
            if u.glh is not None and (problem := plausible.unit_glh(u.glh)):
                raise InputError(
                    f"subjects[{subject.id}].units[{u.number}].glh: {problem}", file=name
                )
        known = set(numbers)
        for q in subject.qualifications:
            if q.rules is None:
                continue
            used = set(q.rules.mandatory)
            for g in q.rules.groups:
                used |= set(g.units)
            for p in q.rules.pathways:
                used |= set(p.mandatory)
                for g in p.groups:
                    used |= set(g.units)
            for barred in q.rules.barred:
                used |= set(barred)
            unknown = sorted(used - known)
            if unknown:
                raise InputError(
                    f"qualification {q.code}: its rules name unit {unknown[0]}, which is not in"
                    f" the units of subject {subject.id}; add the unit (number, title, glh,"
                    " assessment)",
                    file=name,
                )
    for subject in cat.subjects:
        for q in subject.qualifications:
            _check_plausible(subject, q, name)


def _check_plausible(subject: Subject, q: Qualification, name: str) -> None:
    """The rules of ctforms.read.plausible, where a YAML file says them (a rules workbook is
    held to them cell by cell, and again here)."""
    where = f"subjects[{subject.id}].qualifications[{q.code}]"
    level, suite = subject.level, subject.suite
    problem = plausible.size_name(q.size, suite, level)
    if problem is None and q.glh is not None:
        problem = plausible.qualification_glh(q.glh, q.size, suite, level)
        where += ".glh"
    else:
        where += ".size"
    if problem:
        raise InputError(f"{where}: {problem}", file=name)
    if q.rules is None:
        return
    glh = {u.number: u.glh for u in subject.units}
    rules = f"subjects[{subject.id}].qualifications[{q.code}].rules"
    pathways = {p.name: [*q.rules.mandatory, *p.mandatory] for p in q.rules.pathways}
    for units in q.rules.barred:
        if problem := plausible.barred(units, q.rules.mandatory, pathways):
            raise InputError(f"{rules}.barred: {problem}", file=name)
    groups = [("", g) for g in q.rules.groups]
    groups += [(f".pathways[{p.name}]", g) for p in q.rules.pathways for g in p.groups]
    for place, g in groups:
        if problem := plausible.group(g, glh):
            raise InputError(f"{rules}{place}.groups[{g.name}]: {problem}", file=name)


def shipped_text() -> str:
    return resources.files("ctforms.data").joinpath(SHIPPED).read_text("utf-8")


def is_workbook(path: Path) -> bool:
    """A rules workbook (.xlsx), told by its name or its first bytes (a zip)."""
    if Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_catalogue_file(
    path: Path, base: Catalogue, warnings: list[str] | None = None
) -> CatalogueFile:
    """One catalogue file, YAML or a rules workbook; a workbook's blanks come from `base`.

    warnings: where to add what reading it says without refusing it."""
    if is_workbook(path):
        from ctforms.read.rules_workbook import read_rules_workbook  # openpyxl only when needed

        parsed = read_rules_workbook(path, base, warnings)
        _check_consistency(parsed, str(path))
        return parsed
    try:
        text = read_text_limited(path, YAML_MAX_BYTES, "the catalogue file", "utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the catalogue file ({exc.strerror})", file=path) from None
    except UnicodeDecodeError:
        raise InputError(
            "the catalogue file is neither UTF-8 text (YAML) nor an .xlsx rules workbook",
            file=path,
        ) from None
    return parse_catalogue(text, str(path))


def shipped_catalogue() -> Catalogue:
    cat = Catalogue()
    merge(cat, parse_catalogue(shipped_text(), SHIPPED), f"shipped:{SHIPPED}")
    return cat


def load_catalogue(extra: Iterable[Path] = ()) -> Catalogue:
    """The shipped catalogue, then each extra file in order; later files override by code."""
    cat = shipped_catalogue()
    for path in extra:
        merge(cat, read_catalogue_file(path, cat, cat.warnings), Path(path).name)
    return cat


def merge(cat: Catalogue, parsed: CatalogueFile, origin: str) -> None:
    """Add a file's subjects and qualifications: later files override by code."""
    cat.files.append(origin)
    for subject in parsed.subjects:
        # A centre file may re-declare a subject to add units: merge units by number.
        existing = next(
            (e.subject for e in cat.entries.values() if e.subject.id == subject.id), None
        )
        if existing is not None:
            units = {u.number: u for u in existing.units}
            units.update({u.number: u for u in subject.units})
            subject = subject.model_copy(update={"units": sorted(units.values(), key=_num)})
            for code, entry in list(cat.entries.items()):
                if entry.subject.id == subject.id:
                    cat.entries[code] = Entry(entry.qualification, subject, entry.origin)
        for q in subject.qualifications:
            cat.entries[q.code] = Entry(q, subject, origin)


def _num(unit: Unit) -> int:
    return unit.number
