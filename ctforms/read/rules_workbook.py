"""The rules workbook (rules.xlsx): a centre's rules of combination, entered in Excel.

Sheets `Qualifications` (Code, Title, Size, Minimum GLH, Subject, Source) and `Units` (Code,
Unit, Title, GLH, Assessment, Rule) are a contract shared between centres. What the catalogue
model needs beyond them lives in extra columns and the optional sheets `Groups`, `Barred` and
`Subjects`; the `Instructions` sheet says how. Reading gives the same pydantic `CatalogueFile`
as a YAML catalogue; writing turns one back into a workbook, so the two forms convert both
ways without loss.

A blank cell means "not known here": the catalogue loaded before the workbook (the shipped one,
any earlier --catalogue) fills it. A `Rule` left blank means the unit's rule is not known; once
any unit of a qualification has a Rule, every mandatory unit is taken to be marked.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ctforms.errors import InputError
from ctforms.files.limits import open_xlsx, sheet_rows
from ctforms.models import (
    Assessment,
    CatalogueFile,
    OptionalGroup,
    Pathway,
    Qualification,
    Records,
    Rules,
    Subject,
    Tracker,
    Unit,
)
from ctforms.read import plausible
from ctforms.read.parsing import norm_key, parse_qualification_code, parse_unit_number, parse_yes_no
from ctforms.read.sheets import Formulas, formulas_warning, pick_sheets

if TYPE_CHECKING:  # the catalogue imports this module
    from ctforms.read.catalogue import Catalogue

QUALIFICATIONS, UNITS, GROUPS, BARRED, SUBJECTS = (
    "Qualifications",
    "Units",
    "Groups",
    "Barred",
    "Subjects",
)
# The contract's columns first, then ctforms' own (documented on the Instructions sheet).
QUALIFICATION_COLUMNS = [
    "Code",
    "Title",
    "Size",
    "Minimum GLH",
    "Subject",
    "Source",
    "Verified",
    "Rules Status",
    "Rules Source",
    "Rules Complete",
    "Notes",
]
UNIT_COLUMNS = ["Code", "Unit", "Title", "GLH", "Assessment", "Rule", "Pathway", "Group"]
GROUP_COLUMNS = ["Code", "Pathway", "Group", "Min Units", "Min GLH", "Max Units"]
BARRED_COLUMNS = ["Code", "Units"]
SUBJECT_COLUMNS = ["Subject", "ID", "Level", "Suite", "Source", "Verified"]
REQUIRED = {
    QUALIFICATIONS: ["Code"],
    UNITS: ["Code", "Unit"],
    GROUPS: ["Code", "Group"],
    BARRED: ["Code", "Units"],
    SUBJECTS: ["Subject"],
}

MANDATORY, OPTIONAL = "Mandatory", "Optional"
RULE_VALUES = [MANDATORY, OPTIONAL]
RULES_STATUS = ["Verified", "Illustrative", "Not verified"]
DEFAULT_GROUP = "optional"
_HEADER_SEARCH = 10  # the header row may sit under a title: look this far down


# ---------------------------------------------------------------------------- reading


@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, str]  # column name (as in the contract) -> text, blanks left out

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class _Reader:
    name: str  # the file's name, for messages

    def fail(self, row: _Row, column: str, message: str) -> InputError:
        return InputError(message, file=self.name, sheet=row.sheet, row=row.row, column=column)

    def parse(self, row: _Row, column: str, parse: Any) -> Any:
        text = row.get(column)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            raise self.fail(row, column, str(exc)) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


# Columns whose cells are numbers: a formula there is told "enter the number".
_NUMBER_COLUMNS = {
    "Unit",
    "GLH",
    "Minimum GLH",
    "Min Units",
    "Min GLH",
    "Max Units",
    "Level",
    "Suite",
}
_NOT_READ = {"Notes"}  # ctforms' hints: whatever is there is not read


def _sheet_rows(
    ws: Any, sheet: str, columns: list[str], path: Path, formulas: list[Formulas]
) -> list[_Row]:
    """Rows below the header row, found by its names (a title above it is fine)."""
    file = path.name
    cells_with_formulas = Formulas(ws, path)
    formulas.append(cells_with_formulas)
    wanted = {norm_key(c): c for c in columns}
    need = {norm_key(c) for c in REQUIRED[sheet]}
    rows = sheet_rows(ws, path)
    index: dict[str, int] | None = None
    for header_row, values in rows:
        if header_row > _HEADER_SEARCH:
            break
        keys = {norm_key(_cell_text(v)): i for i, v in enumerate(values) if _cell_text(v)}
        if need <= keys.keys():
            index = {wanted[k]: i for k, i in keys.items() if k in wanted}
            break
    if index is None:
        raise InputError(
            f"no header row with {', '.join(REQUIRED[sheet])} in the first {_HEADER_SEARCH}"
            " rows; the rules workbook from the Rules of combination page (or 'ctforms"
            " catalogue template') has them",
            file=file,
            sheet=ws.title,
        )
    # Formulas are looked at in the columns read: (name, what to enter instead) by index.
    read = {
        i: (column, "the number" if column in _NUMBER_COLUMNS else "the value itself")
        for column, i in index.items()
        if column not in _NOT_READ
    }
    out: list[_Row] = []
    for number, values in rows:
        if cells_with_formulas.cells:
            for i, (column, enter) in read.items():
                value = values[i] if i < len(values) else None
                cells_with_formulas.check(number, i, column, value, enter)
        cells = {
            column: text
            for column, i in index.items()
            if i < len(values) and (text := _cell_text(values[i]))
        }
        if cells:
            out.append(_Row(ws.title, number, cells))
    cells_with_formulas.check_rest(read, header_row)
    return out


def _positive(text: str) -> int:
    cleaned = text[:-2] if text.endswith(".0") else text
    if not cleaned.isdigit() or int(cleaned) <= 0:
        raise ValueError(f"{text!r} is not a whole number above 0")
    return int(cleaned)


def _count(text: str) -> int:
    cleaned = text[:-2] if text.endswith(".0") else text
    if not cleaned.isdigit():
        raise ValueError(f"{text!r} is not a whole number (0 or more)")
    return int(cleaned)


def _choice(values: Sequence[str], what: str) -> Any:
    by_key = {norm_key(v): v for v in values}

    def parse(text: str) -> str:
        found = by_key.get(norm_key(text))
        if found is None:
            raise ValueError(
                f"unknown {what} {text!r}: use {', '.join(values[:-1])} or {values[-1]}"
                + (", or leave it blank (not known)" if what == "Rule" else "")
            )
        return found

    return parse


def _unit_list(text: str) -> list[int]:
    parts = [p for p in re.split(r"[,;/\s]+", text) if p]
    numbers = [parse_unit_number(p) for p in parts]
    if len(set(numbers)) < 2:
        raise ValueError(f"{text!r}: list two or more unit numbers, e.g. '16, 22'")
    return numbers


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
    unit_rows: dict[int, _Row] = field(default_factory=dict)
    qualifications: list[Qualification] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "subject"


def read_rules_workbook(
    path: Path, base: Catalogue, warnings: list[str] | None = None
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
            sheet: _sheet_rows(ws, sheet, cols, path, formulas)
            if (ws := found.get(sheet)) is not None
            else []
            for sheet, cols in columns.items()
        }
    finally:
        wb.close()
    parsed = _build(_Reader(path.name), sheets, base)
    if warnings is not None:
        warnings += formulas_warning(path.name, formulas)
    return parsed


def _build(r: _Reader, sheets: Mapping[str, list[_Row]], base: Catalogue) -> CatalogueFile:
    subjects = _subjects(r, sheets[SUBJECTS], base)
    quals: dict[str, _Row] = {}
    for row in sheets[QUALIFICATIONS]:
        code = r.parse(row, "Code", parse_qualification_code)
        if code is None:
            raise r.fail(row, "Code", "the Code is empty: give the 5-digit entry code")
        if code in quals:
            raise r.fail(row, "Code", f"{code} is listed twice (also row {quals[code].row})")
        quals[code] = row
    units_by_code: dict[str, list[tuple[_Row, int]]] = {}
    seen: dict[tuple[str, int, str], _Row] = {}
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
            quals[code] = _Row(QUALIFICATIONS, 0, {"Code": code})
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


def _subjects(r: _Reader, rows: list[_Row], base: Catalogue) -> dict[str, _SubjectInfo]:
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
        ident = row.get("ID") or _slug(name)
        known = found.get(norm_key(ident)) or found.get(norm_key(name))
        level = r.parse(row, "Level", _positive)
        if level is not None and level > 3:
            raise r.fail(row, "Level", f"{level} is not a level of 1, 2 or 3")
        suite = r.parse(row, "Suite", _positive)
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
    r: _Reader, row: _Row, code: str, subjects: dict[str, _SubjectInfo], base: Catalogue
) -> _SubjectInfo:
    name = row.get("Subject")
    existing = base.get(code)
    if name:
        info = subjects.get(norm_key(name))
        if info is None:
            info = _SubjectInfo(_slug(name), name, 3, 2016, f"rules workbook {r.name}", True)
            subjects[norm_key(name)] = subjects[norm_key(info.id)] = info
        return info
    if existing is not None:
        return subjects[norm_key(existing.subject.id)]
    # Nothing says which subject: on its own, so it is never taken for another's size.
    key = f"qualification-{code}"
    if key not in subjects:
        subjects[key] = _SubjectInfo(key, f"Qualification {code}", 3, 2016, r.name, False)
    return subjects[key]


def _add_unit(r: _Reader, subject: _SubjectInfo, row: _Row, number: int) -> None:
    glh = r.parse(row, "GLH", _positive)
    if glh is not None and (problem := plausible.unit_glh(glh)):
        raise r.fail(row, "GLH", f"unit {number}: {problem}")
    assessment = r.parse(row, "Assessment", _choice([a.value for a in Assessment], "Assessment"))
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
    r: _Reader,
    row: _Row,
    code: str,
    unit_rows: list[tuple[_Row, int]],
    sheets: Mapping[str, list[_Row]],
    base: Catalogue,
    subject: _SubjectInfo,
) -> Qualification:
    existing = base.get(code)
    old = existing.qualification if existing else None
    glh = r.parse(row, "Minimum GLH", _positive)
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
    r: _Reader,
    row: _Row,
    code: str,
    unit_rows: list[tuple[_Row, int]],
    sheets: Mapping[str, list[_Row]],
    glh_of: Mapping[int, int | None],
) -> Rules | None:
    parse_rule = _choice(RULE_VALUES, "Rule")
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
    status = r.parse(row, "Rules Status", _choice(RULES_STATUS, "Rules Status")) or "Verified"
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
            "min_units": r.parse(g, "Min Units", _count) or 0,
            "min_glh": r.parse(g, "Min GLH", _count) or 0,
            "max_units": r.parse(g, "Max Units", _positive),
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
        numbers: list[int] | None = r.parse(b, "Units", _unit_list)
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


def _group_key(row: _Row) -> tuple[str, str]:
    return norm_key(row.get("Pathway")), norm_key(row.get("Group") or DEFAULT_GROUP)


def _code_of(r: _Reader, row: _Row) -> str | None:
    code: str | None = r.parse(row, "Code", parse_qualification_code)
    return code


# ---------------------------------------------------------------------------- writing


@dataclass
class Sheets:
    """What a workbook holds, as rows of cell values in the sheets' column order."""

    subjects: list[list[object]] = field(default_factory=list)
    qualifications: list[list[object]] = field(default_factory=list)
    units: list[list[object]] = field(default_factory=list)
    groups: list[list[object]] = field(default_factory=list)
    barred: list[list[object]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # what the workbook cannot hold


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _status(rules: Rules) -> str:
    if not rules.verified:
        return "Not verified"
    return "Illustrative" if rules.illustrative else "Verified"


def sheets_for(
    cat: CatalogueFile,
    unit_rows: Mapping[str, Iterable[int]] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Sheets:
    """The workbook's rows for a catalogue file.

    A qualification with rules lists the units its rules name; one without lists
    `unit_rows[code]` if given (the template: the units the tracker shows), else every unit of
    its subject (an export).
    """
    out = Sheets()
    for subject in cat.subjects:
        info = {u.number: u for u in subject.units}
        out.subjects.append(
            [
                subject.name,
                subject.id,
                subject.level,
                subject.suite,
                subject.source,
                _yn(subject.verified),
            ]
        )
        listed: set[int] = set()
        for q in subject.qualifications:
            r = q.rules
            out.qualifications.append(
                [
                    q.code,
                    q.title,
                    q.size,
                    q.glh,
                    subject.name,
                    q.source,
                    _yn(q.verified),
                    _status(r) if r else None,
                    r.source if r and r.source != q.source else None,
                    _yn(r.complete) if r else None,
                    (notes or {}).get(q.code),
                ]
            )
            rows: list[tuple[int, str | None, str | None, str | None]] = []
            if r is None:
                wanted = (
                    unit_rows.get(q.code, [])
                    if unit_rows is not None
                    else [u.number for u in subject.units]
                )
                rows = [(n, None, None, None) for n in sorted(set(wanted))]
            else:
                places: list[tuple[str | None, list[int], list[OptionalGroup]]] = [
                    (None, r.mandatory, r.groups),
                    *((p.name, p.mandatory, p.groups) for p in r.pathways),
                ]
                for pathway, must, groups in places:
                    rows += [(n, MANDATORY, pathway, None) for n in must]
                    for g in groups:
                        name = None if g.name == DEFAULT_GROUP else g.name
                        rows += [(n, OPTIONAL, pathway, name) for n in g.units]
                        out.groups.append(
                            [q.code, pathway, g.name, g.min_units, g.min_glh, g.max_units]
                        )
                named = {n for n, *_ in rows}
                extra = [] if r.complete or unit_rows is None else unit_rows.get(q.code, [])
                rows += [(n, None, None, None) for n in sorted({*r.unknown, *extra} - named)]
                out.barred += [[q.code, ", ".join(map(str, b))] for b in r.barred]
            seen: set[tuple[int, str | None]] = set()
            for number, rule, pathway, group in rows:
                if (number, pathway) in seen:
                    out.left_out.append(
                        f"{q.code}: unit {number} is named twice in the rules"
                        f"{f' of pathway {pathway}' if pathway else ''}; the workbook keeps"
                        " the first"
                    )
                    continue
                seen.add((number, pathway))
                listed.add(number)
                u = info.get(number)
                out.units.append(
                    [
                        q.code,
                        number,
                        u.title if u else None,
                        u.glh if u else None,
                        u.assessment.value if u and u.assessment else None,
                        rule,
                        pathway,
                        group,
                    ]
                )
        if unit_rows is None:
            out.left_out += [
                f"subject {subject.id}: unit {u.number} is in no qualification's rules, so no"
                " row holds it"
                for u in subject.units
                if u.number not in listed
            ]
    return out


# ---------------------------------------------------------------------------- the template


_TITLE = re.compile(
    r"level\s*(?P<level>[123])\b.*?technical\s+(?P<size>.+?)\s+in\s+(?P<subject>.+)$",
    re.IGNORECASE,
)


def template_catalogue(
    codes: Mapping[str, str],
    units_shown: Mapping[str, Iterable[tuple[int, tuple[str, Assessment | None]]]],
    base: Catalogue,
) -> tuple[CatalogueFile, dict[str, list[int]], dict[str, str]]:
    """The catalogue a centre's template starts from: every code it shows (with its title from
    the tracker) and the other sizes of the same subjects the catalogue knows, prefilled with
    what the catalogue knows. Returns the file, the unit rows for codes without rules, and a
    note per code for the Notes column."""
    subjects: dict[str, Subject] = {}
    quals: dict[str, list[Qualification]] = {}
    unit_rows: dict[str, list[int]] = {}
    notes: dict[str, str] = {}
    wanted = dict(codes)
    for code in list(codes):
        for sibling in base.siblings(code):
            wanted.setdefault(sibling.code, sibling.title)
    titles_by_subject: dict[str, dict[int, tuple[str, Assessment | None]]] = {}
    for code in sorted(wanted):
        entry = base.get(code)
        shown = dict(units_shown.get(code, ()))
        if entry is not None:
            subject = entry.subject
            q = entry.qualification
            if not q.verified and q.glh is not None:
                notes[code] = (
                    f"ctforms: {q.glh} GLH and the size are not confirmed ({q.source}); check"
                    " them in the centre handbook, then set Verified to Y"
                )
        else:
            m = _TITLE.search(wanted[code] or "")
            name = m["subject"].strip() if m else f"Qualification {code}"
            known = next(
                (
                    e.subject
                    for e in base.entries.values()
                    if norm_key(e.subject.name) == norm_key(name)
                ),
                None,
            )
            subject = known or Subject(
                id=_slug(name) if m else f"qualification-{code}",
                name=name,
                suite=2016,
                level=int(m["level"]) if m else 3,
                source="from the tracker's qualification titles (suite 2016 assumed)",
                verified=False,
                qualifications=[],
            )
            q = Qualification(
                code=code,
                title=wanted[code],
                size=m["size"].strip() if m else "",
                source="the tracker (title only)",
                verified=False,
            )
            notes[code] = "not in the catalogue: fill in Size, Minimum GLH and the units' rules"
        subjects.setdefault(subject.id, subject)
        quals.setdefault(subject.id, []).append(q)
        titles_by_subject.setdefault(subject.id, {}).update(shown)
        unit_rows[code] = sorted(shown)
    # Sizes the tracker does not show list the units the tracker shows for their subject.
    for subject_id, subject_quals in quals.items():
        every = sorted(titles_by_subject.get(subject_id, {}))
        for q in subject_quals:
            if not unit_rows.get(q.code):
                unit_rows[q.code] = every
    out: list[Subject] = []
    for subject_id, subject in subjects.items():
        units = {u.number: u for u in subject.units}
        for number, (title, kind) in titles_by_subject.get(subject_id, {}).items():
            was = units.get(number) or Unit(number=number)
            # What the catalogue does not know, the tracker's Unit Title and Unit Type give.
            units[number] = was.model_copy(
                update={"title": was.title or title, "assessment": was.assessment or kind}
            )
        out.append(
            subject.model_copy(
                update={
                    "units": [units[n] for n in sorted(units)],
                    "qualifications": quals[subject_id],
                }
            )
        )
    return CatalogueFile(subjects=out), unit_rows, notes


# ---------------------------------------------------------------------------- the workbook

INSTRUCTIONS = [
    "ctforms rules workbook: your qualifications' rules of combination",
    "",
    "What it is for: ctforms checks each student's units against the rules of combination and"
    " the minimum guided learning hours (GLH). OCR does not publish the rules in a form ctforms"
    " can read, so you enter them here once, from the centre handbook of each qualification"
    " (section 3, 'Structure'). Whatever you enter is checked; whatever you leave blank is"
    " reported as 'cannot verify' for the students it concerns, never as a pass.",
    "",
    "How to fill it in:",
    "1. Qualifications: one row per qualification code. Check Size and Minimum GLH against the"
    " handbook, put where you took them from in Source (e.g. 'IT centre handbook v3,"
    " section 3'), and set Verified to Y.",
    "2. Units: one row per code and unit. Give GLH (a whole number) and Assessment (Examined or"
    " Moderated). Set Rule to Mandatory or Optional. Leave Rule blank only when you do not know:"
    " those units are reported as not known. Once any unit of a code has a Rule, mark every"
    " mandatory unit: an unmarked unit is taken not to be mandatory.",
    "   A unit the qualification does not allow: delete its row, once the code's other units have"
    " a Rule (a student taking it then gets no GLH for it). Without any Rule, every unit a student"
    " takes counts towards the GLH.",
    "3. Add rows for a qualification the tracker does not show yet, e.g. the smaller size a"
    " student could move down to: a move-down is proposed only when its rules are known.",
    "4. Check it and use it: upload it on the Rules of combination page of ctforms in your"
    " browser (it is checked before it is saved, a mistake named by sheet, row and column, and"
    " every later check uses it). At the command line, 'ctforms catalogue check' checks the"
    " file and '--catalogue' uses it.",
    "",
    "Columns beyond the shared ones (you may leave them blank):",
    "Qualifications, Verified: Y when Size and Minimum GLH are confirmed from the handbook;"
    " blank means Y when you typed a Minimum GLH. Rules Status: Verified (blank), Illustrative"
    " (made up, e.g. for training), or Not verified (kept but not used). Rules Source: where the"
    " rules came from, if not the Source. Rules Complete: N when the units listed are only part"
    " of the rules (a unit not listed may be allowed too); blank means Y. Notes: ctforms' hints;"
    " not read.",
    "Units, Pathway: for a unit that belongs to one pathway only, the pathway's name (a student"
    " must meet the shared rules and one pathway). Group: for an Optional unit that belongs to"
    " an optional group with its own minimum (see Groups).",
    "Groups (optional sheet): Code, Pathway, Group, Min Units, Min GLH, Max Units: how many units"
    " or hours a student must take from a group, and how many count at most.",
    "Barred (optional sheet): Code, Units: units that may not be taken together, e.g. '16, 22'.",
    "Subjects (optional sheet): the sizes of one subject (same level and suite) are the sizes"
    " a student can top up or move down between. ID, Level (1-3), Suite (2012 or 2016), Source,"
    " Verified.",
    "",
    "Share it: the workbook holds only rules, no student, so another centre can upload it on"
    " its own Rules of combination page as it is (at the command line, 'ctforms catalogue"
    " export' turns it into YAML text and back).",
]

_TEXT_COLUMNS = {"Code", "Subject", "ID", "Units", "Pathway", "Group", "Title", "Source"}
_WIDTHS = {
    "Title": 56,
    "Size": 20,
    "Source": 40,
    "Rules Source": 30,
    "Notes": 60,
    "Subject": 24,
    "Rules Status": 14,
}


def rules_workbook_bytes(sheets: Sheets, timestamp: dt.datetime) -> bytes:
    """The workbook for these rows: Instructions first, then one sheet each."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from ctforms.files.xlsxio import (
        TEXT_FORMAT,
        print_landscape,
        put,
        style_header,
        text_lines,
        workbook_bytes,
    )

    wb = Workbook()
    ws = wb.active
    ws.title = "Instructions"
    text_lines(ws, INSTRUCTIONS)
    drop_downs = {
        "Rule": RULE_VALUES,
        "Assessment": [a.value for a in Assessment],
        "Verified": ["Y", "N"],
        "Rules Status": RULES_STATUS,
    }
    content = (
        (QUALIFICATIONS, QUALIFICATION_COLUMNS, sheets.qualifications),
        (UNITS, UNIT_COLUMNS, sheets.units),
        (GROUPS, GROUP_COLUMNS, sheets.groups),
        (BARRED, BARRED_COLUMNS, sheets.barred),
        (SUBJECTS, SUBJECT_COLUMNS, sheets.subjects),
    )
    for title, columns, rows in content:
        ws = wb.create_sheet(title)
        last = max(len(rows) + 200, 1000)
        for col, name in enumerate(columns, start=1):
            put(ws, 1, col, name)
            letter = get_column_letter(col)
            dim = ws.column_dimensions[letter]
            dim.width = _WIDTHS.get(name, max(10, len(name) + 4))
            if name in _TEXT_COLUMNS:
                dim.number_format = TEXT_FORMAT
            if name in drop_downs and not (title == SUBJECTS and name == "Verified"):
                dv = DataValidation(
                    type="list",
                    formula1='"' + ",".join(drop_downs[name]) + '"',
                    allow_blank=True,
                    showDropDown=False,
                    showErrorMessage=True,
                    errorStyle="stop",
                    errorTitle=name,
                    error=f"Choose {', '.join(drop_downs[name])}, or leave it blank.",
                )
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = put(ws, r, c, value)
                if columns[c - 1] in _TEXT_COLUMNS:
                    cell.number_format = TEXT_FORMAT
        style_header(ws)
        ws.freeze_panes = "A2"
        print_landscape(ws)
    return workbook_bytes(wb, timestamp)


def template_bytes(
    tracker: Tracker, records: Records, base: Catalogue, timestamp: dt.datetime
) -> tuple[bytes, CatalogueFile]:
    """The centre's rules workbook: every code its tracker (and Expected sheet) shows, and every
    unit the tracker shows for it, prefilled from the catalogue."""
    codes: dict[str, str] = {}
    shown: dict[str, dict[int, tuple[str, Assessment | None]]] = {}
    for candidate in tracker.candidates.values():
        for code, entry in candidate.entries.items():
            if not codes.get(code):
                codes[code] = entry.title
            units = shown.setdefault(code, {})
            for number, unit in entry.units.items():
                title, kind = units.get(number, ("", None))
                units[number] = (title or unit.title, kind or unit.assessment)
    for row in records.expected or []:
        known = base.get(row.qualification_code)
        codes.setdefault(row.qualification_code, known.qualification.title if known else "")
    cat, unit_rows, notes = template_catalogue(
        codes, {c: sorted(u.items()) for c, u in shown.items()}, base
    )
    return rules_workbook_bytes(sheets_for(cat, unit_rows, notes), timestamp), cat


def catalogue_yaml(cat: CatalogueFile, origin: str) -> str:
    """A catalogue file as YAML, with only the values that differ from the defaults."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Quote digit strings (entry codes): some YAML readers take 05839 for a number.
        style = "'" if value.isdigit() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    data = {"catalogue_version": 1, **cat.model_dump(mode="json", exclude_defaults=True)}
    head = (
        f"# ctforms catalogue, exported from {origin}.\n"
        "# Use it with --catalogue, or turn it into a rules workbook with\n"
        "#   ctforms catalogue export THIS.yaml --format xlsx -o rules.xlsx\n"
    )
    body = yaml.dump(
        data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return head + body
