"""The rules workbook's contract and its rows: the sheets and columns shared between centres
(and ctforms' own), and reading a sheet into rows of cell text, found by the header names.

Both the reader (read/rules_workbook.py) and the writer (produce/rules_template.py) use them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctforms.errors import InputError
from ctforms.files.limits import sheet_rows
from ctforms.read.parsing import norm_key, parse_unit_number
from ctforms.read.sheets import Formulas

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


@dataclass
class Row:
    sheet: str
    row: int
    cells: dict[str, str]  # column name (as in the contract) -> text, blanks left out

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Reader:
    name: str  # the file's name, for messages

    def fail(self, row: Row, column: str, message: str) -> InputError:
        return InputError(message, file=self.name, sheet=row.sheet, row=row.row, column=column)

    def parse(self, row: Row, column: str, parse: Any) -> Any:
        text = row.get(column)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            raise self.fail(row, column, str(exc)) from None


def cell_text(value: Any) -> str:
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


def read_sheet(
    ws: Any, sheet: str, columns: list[str], path: Path, formulas: list[Formulas]
) -> list[Row]:
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
        keys = {norm_key(cell_text(v)): i for i, v in enumerate(values) if cell_text(v)}
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
    out: list[Row] = []
    for number, values in rows:
        if cells_with_formulas.cells:
            for i, (column, enter) in read.items():
                value = values[i] if i < len(values) else None
                cells_with_formulas.check(number, i, column, value, enter)
        cells = {
            column: text
            for column, i in index.items()
            if i < len(values) and (text := cell_text(values[i]))
        }
        if cells:
            out.append(Row(ws.title, number, cells))
    cells_with_formulas.check_rest(read, header_row)
    return out


def positive(text: str) -> int:
    cleaned = text[:-2] if text.endswith(".0") else text
    if not cleaned.isdigit() or int(cleaned) <= 0:
        raise ValueError(f"{text!r} is not a whole number above 0")
    return int(cleaned)


def count(text: str) -> int:
    cleaned = text[:-2] if text.endswith(".0") else text
    if not cleaned.isdigit():
        raise ValueError(f"{text!r} is not a whole number (0 or more)")
    return int(cleaned)


def choice(values: Sequence[str], what: str) -> Any:
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


def unit_list(text: str) -> list[int]:
    parts = [p for p in re.split(r"[,;/\s]+", text) if p]
    numbers = [parse_unit_number(p) for p in parts]
    if len(set(numbers)) < 2:
        raise ValueError(f"{text!r}: list two or more unit numbers, e.g. '16, 22'")
    return numbers


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "subject"
