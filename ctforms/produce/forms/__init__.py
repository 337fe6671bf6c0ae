"""The "Missing and incomplete results" upload spreadsheets, filled from the issue register.

Each form is a template workbook plus a map (YAML) saying which cell or column takes which
field. The shipped templates live in templates/ (inside the wheel); a centre with OCR's current
template passes its own with a map of the same shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ctforms.demo import templates_dir
from ctforms.errors import InputError
from ctforms.files.limits import YAML_MAX_BYTES, load_yaml, read_text_limited
from ctforms.models import Issue, Register
from ctforms.paperwork import Form


class FormMap(BaseModel):
    """Where each field goes in a form workbook (templates/*.map.yaml)."""

    model_config = ConfigDict(extra="forbid")

    form: str | None = None
    sheet: str
    cells: dict[str, str] = Field(default_factory=dict, description="cell -> header field")
    header_row: int = Field(ge=1)
    first_row: int = Field(ge=2)
    columns: dict[str, str] = Field(description="column letter -> row field")
    grade_columns: list[str] = Field(default_factory=list)
    editable_columns: list[str] = Field(default_factory=list)

    @field_validator("columns", "cells")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for where, field in value.items():
            if field not in ROW_FIELDS and field not in HEADER_FIELDS:
                known = ", ".join(sorted(ROW_FIELDS | HEADER_FIELDS))
                raise ValueError(f"{where}: unknown field {field!r}; one of {known}")
        return value


HEADER_FIELDS = {"centre_number", "centre_name", "prepared_on", "request_type", "head_of_centre"}
ROW_FIELDS = {
    "issue_id", "centre_number", "centre_name", "candidate_number", "surname", "forenames",
    "uln", "uci", "date_of_birth", "qualification_code", "qualification_title", "unit_number",
    "unit_title", "grade", "claimed_unit", "claimed_grade", "correct_unit", "correct_grade",
    "visit_date", "moderator", "planned_assessment_date", "tag_grade", "reason",
}  # fmt: skip


def rows_for(register: Register, form: Form) -> tuple[list[Issue], int]:
    """The issues that go on the form, sorted by qualification, candidate, unit; and how many
    of that kind were left out (handled already, or not eligible)."""
    of_kind = [i for i in register.issues if i.kind is form.kind]
    chosen = [i for i in of_kind if form.carries(i)]
    chosen.sort(
        key=lambda i: (
            i.qualification_code or "",
            i.candidate_number or "",
            i.unit_number or 0,
            i.id,
        )
    )
    return chosen, len(of_kind) - len(chosen)


def row_values(register: Register, form: Form, issue: Issue) -> dict[str, Any]:
    c = issue.candidate
    e = issue.evidence
    return {
        "issue_id": issue.id,
        "centre_number": register.centre.number,
        "centre_name": register.centre.name,
        "candidate_number": issue.candidate_number or "",
        "surname": c.surname if c else "",
        "forenames": c.forenames if c else "",
        "uln": (c.uln or "") if c else "",
        "uci": (c.uci or "") if c else "",
        "date_of_birth": c.date_of_birth if c else None,
        "qualification_code": issue.qualification_code or "",
        "qualification_title": issue.qualification_title,
        "unit_number": issue.unit_number,
        "unit_title": issue.unit_title,
        "grade": e.markbook_grade or "",
        "claimed_unit": e.claimed_unit,
        "claimed_grade": e.claimed_grade or "",
        "correct_unit": e.correct_unit,
        "correct_grade": e.correct_grade or "",
        "visit_date": e.visit_date,
        "moderator": e.moderator or "",
        "planned_assessment_date": e.planned_assessment_date,
        "tag_grade": e.tag_grade or "",
        "reason": form.reason,
    }


def header_values(register: Register, form: Form) -> dict[str, Any]:
    return {
        "centre_number": register.centre.number,
        "centre_name": register.centre.name,
        "head_of_centre": register.centre.head_of_centre,
        "prepared_on": register.as_of,
        "request_type": form.title,
    }


def load_map(path: Path) -> FormMap:
    try:
        data = load_yaml(read_text_limited(path, YAML_MAX_BYTES, "the map", "utf-8"), path)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc})", file=path) from None
    try:
        return FormMap.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{loc}: {err['msg']}", file=path) from None


def shipped_template(form: Form) -> tuple[Path, Path]:
    base = templates_dir()
    return base / f"{form.name}.xlsx", base / f"{form.name}.map.yaml"
