"""The rules workbook (rules.xlsx): a centre's rules of combination, entered in Excel.

Sheets `Qualifications` (Code, Title, Size, Minimum GLH, Subject, Source) and `Units` (Code,
Unit, Title, GLH, Assessment, Rule) are a contract shared between centres. What the catalogue
model needs beyond them lives in extra columns and the optional sheets `Groups`, `Barred` and
`Subjects`; the `Instructions` sheet says how. Reading gives the same pydantic `CatalogueFile`
as a YAML catalogue; writing (produce/rules_template.py) turns one back into a workbook, so
the two forms convert both ways without loss. The sheets and columns are in rules_sheets.py.

A blank cell means "not known here": the catalogue loaded before the workbook (the shipped one,
any earlier rules file) fills it. A `Rule` left blank means the unit's rule is not known; once
any unit of a qualification has a Rule, every mandatory unit is taken to be marked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ctforms.errors import InputError
from ctforms.files.limits import open_xlsx
from ctforms.models import (
    Assessment,
    CatalogueFile,
    OptionalGroup,
    Pathway,
    Qualification,
    Rules,
    Subject,
    Unit,
)
from ctforms.read import plausible
from ctforms.read.parsing import norm_key, parse_qualification_code, parse_unit_number, parse_yes_no
from ctforms.read.rules_sheets import (
    BARRED,
    BARRED_COLUMNS,
    DEFAULT_GROUP,
    GROUP_COLUMNS,
    GROUPS,
    MANDATORY,
    QUALIFICATION_COLUMNS,
    QUALIFICATIONS,
    RULE_VALUES,
    RULES_STATUS,
    SUBJECT_COLUMNS,
    SUBJECTS,
    UNIT_COLUMNS,
    UNITS,
    Reader,
    Row,
    choice,
    count,
    positive,
    read_sheet,
    slug,
    unit_list,
)
from ctforms.read.sheets import Formulas, formulas_warning, pick_sheets


class KnownEntry(Protocol):
    @property
    def qualification(self) -> Qualification: ...
    @property
    def subject(self) -> Subject: ...


class Known(Protocol):
    """What the reader needs of the catalogue loaded before the workbook (a `Catalogue` is
    one): the catalogue imports this module, so this module does not import it."""

    @property
    def entries(self) -> Mapping[str, KnownEntry]: ...
    def get(self, code: str) -> KnownEntry | None: ...


@dataclass
class _SubjectInfo:
    id: str
    name: str
    level: int
    suite: int
    source: str
    verified: bool
    base_units: dict[int, Unit] = field(default_factory=dict)  # what the catalogue knew
    units: dict[int, Unit] = field(default_factory=dict)
    unit_rows: dict[int, Row] = field(default_factory=dict)
    qualifications: list[Qualification] = field(default_factory=list)


def read_rules_workbook(
    path: Path, base: Known, warnings: list[str] | None = None
) -> CatalogueFile:
    """Read a rules workbook into a catalogue file; blanks are filled from `base`.

    warnings: where to add what the reader says without refusing (formulas read as their
    saved values)."""
    path = Path(path)
    wb = open_xlsx(path)
    formulas: list[Formulas] = []
    try:
        columns = {
            QUALIFICATIONS: QUALIFICATION_COLUMNS,
            UNITS: UNIT_COLUMNS,
            GROUPS: GROUP_COLUMNS,
            BARRED: BARRED_COLUMNS,
            SUBJECTS: SUBJECT_COLUMNS,
        }
        found = pick_sheets(wb, list(columns), path, ignored=["Instructions"])
        if QUALIFICATIONS not in found:
            raise InputError(
                f"no sheet {QUALIFICATIONS!r}: is this a rules workbook? Download one from the"
                " Rules of combination page, or make it with 'ctforms catalogue template'",
                file=path,
            )
        sheets = {
            sheet: read_sheet(ws, sheet, cols, path, formulas)
            if (ws := found.get(sheet)) is not None
            else []
            for sheet, cols in columns.items()
        }
    finally:
        wb.close()
    parsed = _build(Reader(path.name), sheets, base)
    if warnings is not None:
        warnings += formulas_warning(path.name, formulas)
    return parsed


def _build(r: Reader, sheets: Mapping[str, list[Row]], base: Known) -> CatalogueFile:
    subjects = _subjects(r, sheets[SUBJECTS], base)
    quals: dict[str, Row] = {}
    for row in sheets[QUALIFICATIONS]:
        code = r.parse(row, "Code", parse_qualification_code)
        if code is None:
            raise r.fail(row, "Code", "the Code is empty: give the 5-digit entry code")
        if code in quals:
            raise r.fail(row, "Code", f"{code} is listed twice (also row {quals[code].row})")
        quals[code] = row
    units_by_code: dict[str, list[tuple[Row, int]]] = {}
    seen: dict[tuple[str, int, str], Row] = {}
    for row in sheets[UNITS]:
        code = r.parse(row, "Code", parse_qualification_code)
        number = r.parse(row, "Unit", parse_unit_number)
        if code is None or number is None:
            raise r.fail(row, "Code" if code is None else "Unit", "Code and Unit are needed")
        key = (code, number, norm_key(row.get("Pathway")))
        if key in seen:
            where = f" in pathway {row.get('Pathway')}" if row.get("Pathway") else ""
            raise r.fail(
                row,
                "Unit",
                f"unit {number} is listed twice for {code}{where} (also row {seen[key].row});"
                " keep one row",
            )
        seen[key] = row
        if code not in quals and base.get(code) is None:
            raise r.fail(
                row,
                "Code",
                f"{code} has units but no row on sheet {QUALIFICATIONS!r}: add it there",
            )
        units_by_code.setdefault(code, []).append((row, number))
    for code in units_by_code:
        if code not in quals:
            quals[code] = Row(QUALIFICATIONS, 0, {"Code": code})
    for sheet in (GROUPS, BARRED):
        for row in sheets[sheet]:
            code = _code_of(r, row)
            if code not in units_by_code:
                raise r.fail(
                    row,
                    "Code",
                    f"{code or 'the Code'} has no units on sheet {UNITS!r}: check the code (a"
                    " row here for a code without units would be ignored)",
                )
    order: list[str] = []
    for code, row in quals.items():
        subject = _subject_for(r, row, code, subjects, base)
        for unit_row, number in units_by_code.get(code, []):
            _add_unit(r, subject, unit_row, number)
        subject.qualifications.append(
            _qualification(r, row, code, units_by_code.get(code, []), sheets, base, subject)
        )
        if subject.id not in order:
            order.append(subject.id)
    by_id = {s.id: s for s in subjects.values()}
    try:
        return CatalogueFile(
            subjects=[
                Subject(
                    id=s.id,
                    name=s.name,
                    suite=s.suite,  # checked on the Subjects sheet
                    level=s.level,
                    source=s.source,
                    verified=s.verified,
                    units=[s.units[n] for n in sorted(s.units)],
                    qualifications=s.qualifications,
                )
                for s in (by_id[i] for i in order)
            ]
        )
    except ValidationError as exc:  # pragma: no cover - the cells were checked one by one
        raise InputError(f"not a valid catalogue: {exc.errors()[0]['msg']}", file=r.name) from None


def _subjects(r: Reader, rows: list[Row], base: Known) -> dict[str, _SubjectInfo]:
    """Subjects by every name they answer to (name and id): the sheet's, then the base's."""
    found: dict[str, _SubjectInfo] = {}
    for entry in base.entries.values():
        s = entry.subject
        info = _SubjectInfo(s.id, s.name, s.level, s.suite, s.source, s.verified)
        info.base_units = {u.number: u for u in s.units}
        found.setdefault(norm_key(s.id), info)
        found.setdefault(norm_key(s.name), info)
    for row in rows:
        name = row.get("Subject")
        ident = row.get("ID") or slug(name)
        known = found.get(norm_key(ident)) or found.get(norm_key(name))
        level = r.parse(row, "Level", positive)
        if level is not None and level > 3:
            raise r.fail(row, "Level", f"{level} is not a level of 1, 2 or 3")
        suite = r.parse(row, "Suite", positive)
        if suite is not None and suite not in (2012, 2016):
            raise r.fail(row, "Suite", f"{suite} is not a Cambridge Technicals suite (2012/2016)")
        verified = r.parse(row, "Verified", parse_yes_no)
        info = _SubjectInfo(
            id=ident,
            name=name,
            level=level or (known.level if known else 3),
            suite=suite or (known.suite if known else 2016),
            source=row.get("Source") or (known.source if known else f"rules workbook {r.name}"),
            verified=verified if verified is not None else (known.verified if known else True),
            base_units=known.base_units if known else {},
        )
        found[norm_key(ident)] = found[norm_key(name)] = info
    return found


def _subject_for(
    r: Reader, row: Row, code: str, subjects: dict[str, _SubjectInfo], base: Known
) -> _SubjectInfo:
    name = row.get("Subject")
    existing = base.get(code)
    if name:
        info = subjects.get(norm_key(name))
        if info is None:
            info = _SubjectInfo(slug(name), name, 3, 2016, f"rules workbook {r.name}", True)
            subjects[norm_key(name)] = subjects[norm_key(info.id)] = info
        return info
    if existing is not None:
        return subjects[norm_key(existing.subject.id)]
    # Nothing says which subject: on its own, so it is never taken for another's size.
    key = f"qualification-{code}"
    if key not in subjects:
        subjects[key] = _SubjectInfo(key, f"Qualification {code}", 3, 2016, r.name, False)
    return subjects[key]


def _add_unit(r: Reader, subject: _SubjectInfo, row: Row, number: int) -> None:
    glh = r.parse(row, "GLH", positive)
    if glh is not None and (problem := plausible.unit_glh(glh)):
        raise r.fail(row, "GLH", f"unit {number}: {problem}")
    assessment = r.parse(row, "Assessment", choice([a.value for a in Assessment], "Assessment"))
    title = row.get("Title")
    known = subject.units.get(number) or subject.base_units.get(number)
    first = subject.unit_rows.get(number)
    given = {
        "title": title or None,
        "glh": glh,
        "assessment": Assessment(assessment) if assessment else None,
    }
    if first is not None and known is not None:
        for key, column in (("glh", "GLH"), ("assessment", "Assessment"), ("title", "Title")):
            value = given[key]
            if value is not None and getattr(known, key) not in (None, "", value):
                raise r.fail(
                    row,
                    column,
                    f"unit {number} of {subject.name} has {column} {_shown(value)} here but"
                    f" {_shown(getattr(known, key))} on row {first.row}: a unit is the same in"
                    " every size of a subject",
                )
    merged = (known or Unit(number=number)).model_copy(
        update={k: v for k, v in given.items() if v is not None}
    )
    subject.units[number] = merged
    subject.unit_rows.setdefault(number, row)


def _shown(value: object) -> str:
    if isinstance(value, enum.Enum):  # Assessment.EXAMINED -> 'Examined', as typed
        value = value.value
    return repr(value) if isinstance(value, str) else str(value)


def _qualification(
    r: Reader,
    row: Row,
    code: str,
    unit_rows: list[tuple[Row, int]],
    sheets: Mapping[str, list[Row]],
    base: Known,
    subject: _SubjectInfo,
) -> Qualification:
    existing = base.get(code)
    old = existing.qualification if existing else None
    glh = r.parse(row, "Minimum GLH", positive)
    size = row.get("Size") or (old.size if old else "")
    minimum = glh if glh is not None else (old.glh if old else None)
    if problem := plausible.size_name(size, subject.suite, subject.level):
        raise r.fail(row, "Size", f"{code}: {problem}")
    if minimum is not None and (
        problem := plausible.qualification_glh(minimum, size, subject.suite, subject.level)
    ):
        # Said where the row gives it: its Minimum GLH, else its Size (the GLH is the shipped one)
        raise r.fail(row, "Minimum GLH" if glh is not None else "Size", f"{code}: {problem}")
    verified = r.parse(row, "Verified", parse_yes_no)
    if verified is None:
        verified = True if glh is not None else (old.verified if old else False)
    glh_of = {n: u.glh for n, u in {**subject.base_units, **subject.units}.items()}
    rules = _rules(r, row, code, unit_rows, sheets, glh_of)
    if rules is None and old is not None:
        rules = old.rules  # no Rule given here: what the catalogue knew stands
    return Qualification(
        code=code,
        title=row.get("Title") or (old.title if old else ""),
        size=size,
        glh=minimum,
        source=row.get("Source") or (old.source if old else f"rules workbook {r.name}"),
        verified=verified,
        rules=rules,
    )


def _rules(
    r: Reader,
    row: Row,
    code: str,
    unit_rows: list[tuple[Row, int]],
    sheets: Mapping[str, list[Row]],
    glh_of: Mapping[int, int | None],
) -> Rules | None:
    parse_rule = choice(RULE_VALUES, "Rule")
    ruled = [(u, n, r.parse(u, "Rule", parse_rule)) for u, n in unit_rows]
    groups_rows = [g for g in sheets[GROUPS] if _code_of(r, g) == code]
    barred_rows = [b for b in sheets[BARRED] if _code_of(r, b) == code]
    if not any(rule for _, _, rule in ruled):
        for extra in (*groups_rows, *barred_rows):
            raise r.fail(
                extra,
                "Code",
                f"{code} has rows here but no unit of it has a Rule on sheet {UNITS!r}: mark"
                " its units Mandatory or Optional first",
            )
        return None
    status = r.parse(row, "Rules Status", choice(RULES_STATUS, "Rules Status")) or "Verified"
    # Pathways and groups in order of first appearance: the Groups sheet, then the units.
    pathways: dict[str, str] = {"": ""}
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for g in groups_rows:
        pathway, name = g.get("Pathway"), g.get("Group")
        pathways.setdefault(norm_key(pathway), pathway)
        key = (norm_key(pathway), norm_key(name))
        if key in groups:
            raise r.fail(g, "Group", f"group {name!r} of {code} is listed twice")
        groups[key] = {
            "name": name,
            "units": [],
            "min_units": r.parse(g, "Min Units", count) or 0,
            "min_glh": r.parse(g, "Min GLH", count) or 0,
            "max_units": r.parse(g, "Max Units", positive),
            "row": g,
        }
    mandatory: dict[str, list[int]] = {}
    unknown: list[int] = []
    for u, number, rule in ruled:
        pathway = u.get("Pathway")
        pkey = norm_key(pathway)
        pathways.setdefault(pkey, pathway)
        if rule is None:
            if u.get("Group"):
                raise r.fail(u, "Rule", f"unit {number} has a Group but no Rule: mark it Optional")
            unknown.append(number)
        elif rule == MANDATORY:
            if u.get("Group"):
                raise r.fail(u, "Group", "a Mandatory unit is in no group: clear the Group")
            mandatory.setdefault(pkey, []).append(number)
        else:
            name = u.get("Group") or DEFAULT_GROUP
            group = groups.setdefault(
                (pkey, norm_key(name)),
                {"name": name, "units": [], "min_units": 0, "min_glh": 0, "max_units": None},
            )
            group["units"].append(number)
    for (pkey, _), spec in groups.items():
        if spec.get("row") is None and groups_rows and spec["name"] != DEFAULT_GROUP:
            # A group named only on the Units sheet while the Groups sheet lists this code's
            # groups: most likely a typo that would quietly make a group with no minimum.
            named = ", ".join(sorted({repr(g.get("Group")) for g in groups_rows}))
            first = next(u for u, n, _ in ruled if _group_key(u) == (pkey, norm_key(spec["name"])))
            raise r.fail(
                first,
                "Group",
                f"group {spec['name']!r} of {code} is not on sheet {GROUPS!r} (its groups there:"
                f" {named}); check the spelling, or add a row for it",
            )
        if spec["units"] and spec["min_units"] > len(spec["units"]):
            raise r.fail(
                spec["row"],
                "Min Units",
                f"group {spec['name']!r} of {code} asks for {spec['min_units']} units but has only"
                f" {len(spec['units'])} on sheet {UNITS!r}",
            )
        if spec["max_units"] is not None and spec["max_units"] < spec["min_units"]:
            raise r.fail(spec["row"], "Max Units", "Max Units is below Min Units")
        if not spec["units"]:
            where = f" (pathway {pathways[pkey]})" if pkey else ""
            raise r.fail(
                spec["row"],
                "Group",
                f"group {spec['name']!r}{where} of {code} has no units: on sheet {UNITS!r} mark"
                " its units Optional with this Group",
            )

    def groups_of(pkey: str) -> list[OptionalGroup]:
        return [
            OptionalGroup(
                name=g["name"],
                units=sorted(g["units"]),
                min_units=g["min_units"],
                min_glh=g["min_glh"],
                max_units=g["max_units"],
            )
            for (p, _), g in groups.items()
            if p == pkey
        ]

    complete = r.parse(row, "Rules Complete", parse_yes_no)
    certain = {n for _, n, rule in ruled if rule}
    listed = {n for _, n, _ in ruled}
    barred: list[list[int]] = []
    for b in barred_rows:
        numbers: list[int] | None = r.parse(b, "Units", unit_list)
        if not numbers:
            raise r.fail(
                b,
                "Units",
                "no units given: list the units of which at most one may be taken, e.g. 16, 22",
            )
        if stray := [n for n in numbers if n not in listed]:
            raise r.fail(
                b,
                "Units",
                f"unit {stray[0]} is not on sheet {UNITS!r} for {code}: add its row there, or"
                " check the number",
            )
        base_must = mandatory.get("", [])
        pathway_must = {
            name: [*base_must, *mandatory.get(pkey, [])] for pkey, name in pathways.items() if pkey
        }
        if problem := plausible.barred(numbers, base_must, pathway_must):
            raise r.fail(b, "Units", f"{code}: {problem}")
        barred.append(numbers)
    for (_, _), spec in groups.items():
        made = OptionalGroup(
            name=spec["name"],
            units=spec["units"],
            min_units=spec["min_units"],
            min_glh=spec["min_glh"],
            max_units=spec["max_units"],
        )
        if spec.get("row") is not None and (problem := plausible.group(made, glh_of)):
            raise r.fail(spec["row"], "Min GLH", f"{code}: {problem}")
    return Rules(
        verified=status != "Not verified",
        illustrative=status == "Illustrative",
        source=row.get("Rules Source") or row.get("Source") or f"rules workbook {r.name}",
        mandatory=sorted(mandatory.get("", [])),
        groups=groups_of(""),
        pathways=[
            Pathway(name=name, mandatory=sorted(mandatory.get(pkey, [])), groups=groups_of(pkey))
            for pkey, name in pathways.items()
            if pkey
        ],
        barred=barred,
        unknown=sorted(set(unknown) - certain),
        complete=complete is not False,
    )


def _group_key(row: Row) -> tuple[str, str]:
    return norm_key(row.get("Pathway")), norm_key(row.get("Group") or DEFAULT_GROUP)


def _code_of(r: Reader, row: Row) -> str | None:
    code: str | None = r.parse(row, "Code", parse_qualification_code)
    return code
