"""Writing the rules workbook: a catalogue file as a workbook's rows and bytes, the centre's
template prefilled from its tracker and the catalogue, and the YAML export. The reader, and the
sheets and columns they share, are in read/ (rules_workbook.py, rules_sheets.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ctforms.models import (
    Assessment,
    CatalogueFile,
    OptionalGroup,
    Qualification,
    Records,
    Rules,
    Subject,
    Tracker,
    Unit,
)
from ctforms.read.catalogue import Catalogue
from ctforms.read.parsing import norm_key
from ctforms.read.rules_sheets import (
    BARRED,
    BARRED_COLUMNS,
    DEFAULT_GROUP,
    GROUP_COLUMNS,
    GROUPS,
    MANDATORY,
    OPTIONAL,
    QUALIFICATION_COLUMNS,
    QUALIFICATIONS,
    RULE_VALUES,
    RULES_STATUS,
    SUBJECT_COLUMNS,
    SUBJECTS,
    UNIT_COLUMNS,
    UNITS,
    slug,
)


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
                id=slug(name) if m else f"qualification-{code}",
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


def catalogue_yaml(cat: CatalogueFile, head: str) -> str:
    """A catalogue file as YAML, with only the values that differ from the defaults, after
    `head` (comment lines: where it came from, how to use it, in the words of the face)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Quote digit strings (entry codes): some YAML readers take 05839 for a number.
        style = "'" if value.isdigit() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    data = {"catalogue_version": 1, **cat.model_dump(mode="json", exclude_defaults=True)}
    body = yaml.dump(
        data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return head + body
