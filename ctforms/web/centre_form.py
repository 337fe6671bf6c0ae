"""The centre profile as a form: centre.toml's values as fields, and the typed values back as
centre.toml, checked by the same reader the command line uses (each error beside its field)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from ctforms.errors import InputError
from ctforms.models import CentreProfile
from ctforms.people import is_example_name, real_name
from ctforms.read.centre import DATE_FIELDS, DATE_NAMES, coming_summer, default_series, parse_centre


@dataclass(frozen=True)
class Field:
    name: str  # the form field's name
    section: str  # centre.toml's section
    key: str  # centre.toml's key
    label: str
    hint: str = ""
    kind: str = "text"  # the HTML input type


FIELDS = [
    Field("number", "centre", "number", "Centre number", "Your 5-digit OCR centre number."),
    Field("name", "centre", "name", "Centre name"),
    Field(
        "head_of_centre",
        "centre",
        "head_of_centre",
        "Head of Centre",
        "Printed on the declarations.",
    ),
    Field(
        "officer_name",
        "exams_officer",
        "name",
        "Exams Officer",
        "The person with the Exams Officer role in My Cambridge.",
    ),
    Field("officer_email", "exams_officer", "email", "Exams Officer's email", kind="email"),
    Field(
        "deputies",
        "exams_officer",
        "deputies",
        "Deputies who may sign off",
        "Optional: others who may sign off the evidence pack when the Exams Officer cannot (they"
        " too need the Exams Officer role in My Cambridge). Separate names with semicolons.",
    ),
    Field(
        "year",
        "series",
        "year",
        "Results year",
        "The summer in which results are expected, e.g. 2024.",
        kind="number",
    ),
]
DATE_LABELS = {key: DATE_NAMES[key][0].upper() + DATE_NAMES[key][1:] for key in DATE_FIELDS}
for _key in DATE_FIELDS:
    FIELDS.append(Field(_key, "series", _key, DATE_LABELS[_key], kind="date"))
PLACE = {f.name: (f.section, f.key) for f in FIELDS}  # each field's key in centre.toml
BY_PLACE = {place: name for name, place in PLACE.items()}
LABELS = {f.name: f.label for f in FIELDS}


def values_of(profile: CentreProfile | None, today: dt.date) -> dict[str, str]:
    """The form's values: a saved profile's, or blanks with this year's series."""
    if profile is None:
        return {f.name: "" for f in FIELDS} | {"year": str(coming_summer(today))}
    values = {
        "number": profile.centre.number,
        "name": profile.centre.name,
        "head_of_centre": profile.centre.head_of_centre,
        "officer_name": profile.exams_officer.name,
        "officer_email": profile.exams_officer.email,
        "deputies": "; ".join(profile.exams_officer.deputies),
        "year": str(profile.series.year),
    }
    for key in DATE_FIELDS:
        assumed = key in profile.series.assumed
        values[key] = "" if assumed else getattr(profile.series, key).isoformat()
    return values


def assumed_dates(year_text: str) -> dict[str, str]:
    """The date ctforms assumes for each date left blank (shown as the field's hint)."""
    year = int(year_text) if year_text.strip().isdigit() else None
    if year is None or not 2020 <= year <= 2100:
        return {}
    series = default_series(year)
    return {key: f"{series[key].day} {series[key]:%B %Y}" for key in DATE_FIELDS}


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def _string(value: str) -> str:
    # A JSON string with ASCII escapes is a TOML basic string.
    return json.dumps(value, ensure_ascii=True)


def toml_of(values: dict[str, str], kept: CentreProfile | None) -> str:
    """centre.toml from the form's values; the settings the form does not show (tracker
    columns and statuses, signing) are kept from the saved profile."""
    sections: dict[str, list[str]] = {}
    for f in FIELDS:
        value = values.get(f.name, "").strip()
        if f.kind == "date":
            if not value:
                continue  # left blank: ctforms assumes it and says so
            shown = value if _is_date(value) else _string(value)
        elif f.key == "year":
            shown = value if re.fullmatch(r"\d{1,6}", value) else _string(value)
        elif f.key == "deputies":
            names = [n.strip() for n in value.split(";") if n.strip()]
            if not names:
                continue  # no deputy: only the Exams Officer signs
            shown = "[" + ", ".join(_string(n) for n in names) + "]"
        else:
            shown = _string(value)
        sections.setdefault(f.section, []).append(f"{f.key} = {shown}")
    if kept is not None:
        columns, statuses = kept.tracker.columns, kept.tracker.statuses
        if columns:
            sections["tracker.columns"] = [
                f"{_string(k)} = {_string(v)}" for k, v in columns.items()
            ]
        if statuses:
            sections["tracker.statuses"] = [
                f"{_string(k)} = {_string(v.value)}" for k, v in statuses.items()
            ]
        if kept.signing is not None:
            sections["signing"] = [
                f"key = {_string(kept.signing.key)}",
                f"cert = {_string(kept.signing.cert)}",
            ]
    lines = ["# ctforms centre profile, saved from the Centre page."]
    for name, body in sections.items():
        lines += ["", f"[{name}]", *body]
    return "\n".join(lines) + "\n"


REQUIRED = {
    "number": "Centre number is empty: give your 5-digit OCR centre number.",
    "name": "Centre name is empty: give the centre's name.",
    "head_of_centre": "Head of Centre is empty: type their name (printed on the declarations).",
    "officer_name": "Exams Officer is empty: type their name (printed on the evidence pack).",
    "officer_email": "Exams Officer's email is empty: type their email address.",
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Good values put in place of a field in error, so the reader can say what else is wrong.
_STAND_IN = {
    "number": "00000",
    "name": "Centre",
    "head_of_centre": "Head",
    "officer_name": "Officer",
    "officer_email": "officer@example.org",
}


def check(
    values: dict[str, str], kept: CentreProfile | None, today: dt.date
) -> tuple[CentreProfile | None, str, dict[str, str], str | None]:
    """(profile, centre.toml's text, errors by field, an error that belongs to no field): every
    field's error at once. The reader the CLI uses stops at the first mistake, so each field
    in error is given a good stand-in and the rest read again."""
    errors: dict[str, str] = {}
    for name, said in REQUIRED.items():
        if not values.get(name, "").strip():
            errors[name] = said
    deputies = values.get("deputies", "")
    examples = [d.strip() for d in deputies.split(";") if is_example_name(d)]
    if "," in deputies:  # "Jane Smith, Tom Jones" would be one deputy
        errors["deputies"] = (
            "Separate the names with semicolons (Jane Smith; Tom Jones), and write each name"
            " without a comma."
        )
    elif examples:  # as the Head of Centre's and the Exams Officer's (below)
        errors["deputies"] = (
            f"{LABELS['deputies']}: \u201c{examples[0]}\u201d is an example name; list the real"
            " names of those who may sign off, or none."
        )
    general = None
    trial = dict(values)
    for _ in range(len(FIELDS) + 1):
        for name in errors:
            trial[name] = _stand_in(name, values, today)
        try:
            parse_centre(toml_of(trial, kept), "centre.toml")
            break
        except InputError as exc:
            where = BY_PLACE.get(exc.key) if exc.key is not None else None
            if where is None:
                general = _words(exc, where)
                break
            if where in errors:  # its stand-in did not mend it: said beside it already
                break
            errors[where] = _words(exc, where)
            if where == "year":  # dates are judged by the year: not while it is wrong
                for key in DATE_FIELDS:
                    trial[key] = ""
    email = values.get("officer_email", "").strip()
    if email and "officer_email" not in errors and not EMAIL.fullmatch(email):
        errors["officer_email"] = (
            f"\u201c{email}\u201d is not an email address; write it as name@school.org.uk."
        )
    # What a run refuses before any paper: the example names of a new centre.toml.
    for name in ("head_of_centre", "officer_name"):
        if name not in errors:
            try:
                real_name(values.get(name, "").strip(), PLACE[name])
            except InputError as exc:
                # Its button is Save, not a check: the page says so itself.
                errors[name] = exc.said_of(LABELS[name], "type the real name, then save") + "."
    if errors or general:
        ordered = {f.name: errors[f.name] for f in FIELDS if f.name in errors}
        return None, "", ordered, general
    text = toml_of(values, kept)
    return parse_centre(text, "centre.toml"), text, {}, None


def _stand_in(name: str, values: dict[str, str], today: dt.date) -> str:
    if name in _STAND_IN:
        return _STAND_IN[name]
    if name == "year":
        return str(coming_summer(today))
    return ""  # a date: ctforms assumes it


def _words(exc: InputError, name: str | None) -> str:
    """The reader's error for the form: the field's label, the reason and the remedy in any
    face's words, without how to write it in centre.toml (the page writes the file)."""
    if name is None:  # about no field on the form: the reader's own words
        return str(exc)
    said = exc.said_of(LABELS[name], exc.remedy)
    return said if said.endswith(".") else said + "."
