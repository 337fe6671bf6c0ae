"""Reading centre.toml: the centre's details, the series and its dates, tracker column mapping."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ctforms.errors import InputError, TomlKey
from ctforms.files.limits import CENTRE_MAX_BYTES, read_text_limited
from ctforms.models import CentreProfile, SeriesDates
from ctforms.people import same_name

# OCR's 2023 Checkpoint 2 dates (seeds: Checkpoint 2 guidance and checklist; DOMAIN.md).
CONFIRMED_YEAR = 2023
_CONFIRMED: dict[str, dt.date] = {
    "declaration_opens": dt.date(2023, 6, 15),
    "declaration_closes": dt.date(2023, 6, 23),
    "final_visit_booked_by": dt.date(2023, 5, 15),
    "claims_recommended_by": dt.date(2023, 6, 15),
    "final_moderation_deadline": dt.date(2023, 6, 30),
    "special_consideration_closes": dt.date(2023, 7, 5),
    "tracker_frozen_from": dt.date(2023, 7, 24),
}
PUBLISHED_YEARS = frozenset({CONFIRMED_YEAR})
DATE_FIELDS = tuple(_CONFIRMED)

# Fixed facts of OCR's guidance, kept as data with their source rather than typed into texts.
# Mid-flight TAGs were only for assessments planned in this window (OCR's Checkpoint 2 guidance).
TAG_WINDOW = (dt.date(2020, 8, 1), dt.date(2021, 8, 31))
# "Only entries made after 1 September 2021 appear" in the tracker: OCR's statement for the 2023
# series. Later years' cut-offs are not published, so no date is assumed for them.
ENTRIES_SHOWN_AFTER: dict[int, dt.date] = {2023: dt.date(2021, 9, 1)}


def working_day(day: dt.date) -> dt.date:
    """The last working day (Monday to Friday) on or before day: a deadline on a weekend is
    met by the Friday before. Bank holidays are not known to ctforms."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def long_date(day: dt.date) -> str:
    """A date as people write it: 'Friday 21 June 2024'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_outside(day: dt.date, series: SeriesDates, checkpoint: str = "2") -> str:
    """A warning when a check's date is outside the results year's window (from 1 January of
    the year until its declaration closes: the term-time one for a term-time check), else ''."""
    year = series.year
    closes = series.term_time_declaration_closes
    if checkpoint == "term-time" and closes is not None and day > closes:
        return (
            f"This date is after the {year} term-time declaration closed ({long_date(closes)}):"
            " every deadline will show as overdue. Check on a date from 1 March to"
            f" {closes.day} {closes:%B} {year}?"
        )
    if day > series.declaration_closes:
        return (
            f"This date is after the {year} declaration closed"
            f" ({long_date(series.declaration_closes)}): every deadline will show as overdue."
            f" Check on a date in the summer of {year}?"
        )
    if day < dt.date(year, 1, 1):
        return (
            f"This date is before the {year} results year began: no deadline will be near yet."
            f" Check on a date in the summer of {year}?"
        )
    return ""


def outside_warning(day: dt.date, series: SeriesDates) -> str:
    """The register's note for a check dated outside the results year (date_outside), else ''."""
    outside = date_outside(day, series)
    return f"Checked as of {long_date(day)}. {outside}" if outside else ""


DATE_NAMES = {
    "declaration_opens": "declaration opens",
    "declaration_closes": "declaration closes",
    "final_visit_booked_by": "final visit booked by",
    "claims_recommended_by": "claims in by",
    "final_moderation_deadline": "final moderation visits by",
    "special_consideration_closes": "special consideration closes",
    "tracker_frozen_from": "tracker frozen from",
    "term_time_declaration_closes": "term-time declaration closes",
}
# The term-time checkpoint's declaration (estimated completion dates) is open 1 March to
# 30 April (seeds: OCR's Summer 2024 timeline; DOMAIN.md). Its close, (month, day) of the
# results year, when centre.toml does not give it: assumed, as the issue asks, for every year.
TERM_TIME_CLOSES = (4, 30)
TERM_TIME_OPENS = (3, 1)


def term_time_series(series: SeriesDates) -> SeriesDates:
    """The series with the term-time declaration's close: centre.toml's, else 30 April of the
    results year moved back to a working day, flagged assumed."""
    if series.term_time_declaration_closes is not None:
        return series
    closes = working_day(dt.date(series.year, *TERM_TIME_CLOSES))
    return series.model_copy(
        update={
            "term_time_declaration_closes": closes,
            "assumed": [*series.assumed, "term_time_declaration_closes"],
        }
    )


def assumed_dates(series: SeriesDates) -> str:
    """The series dates ctforms assumed, in words: 'declaration opens Friday 14 June 2024, ...'."""
    return ", ".join(
        f"{DATE_NAMES.get(key, key.replace('_', ' '))} {long_date(getattr(series, key))}"
        for key in series.assumed
        if key in DATE_NAMES  # a hand-edited register may name anything
    )


def default_series(year: int, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """The series' dates: centre.toml's, else OCR's confirmed ones, else derived from the
    confirmed year (same day of the month, moved back to a working day) and flagged assumed."""
    given = dict(given or {})
    assumed: list[str] = []
    for key, confirmed in _CONFIRMED.items():
        if key in given:
            continue
        if year in PUBLISHED_YEARS:
            given[key] = confirmed
        else:
            given[key] = working_day(confirmed.replace(year=year))
            assumed.append(key)
    given["year"] = year
    given["assumed"] = assumed
    return given


def _refuse_control_characters(data: Any, name: str, where: tuple[str, ...] = ()) -> None:
    """A name or e-mail with ESC or BEL in it would reach every paper and spreadsheet."""
    if isinstance(data, dict):
        for key, value in data.items():
            _refuse_control_characters(value, name, (*where, str(key)))
    elif isinstance(data, list):
        for value in data:
            _refuse_control_characters(value, name, where)
    elif isinstance(data, str) and any(
        unicodedata.category(c) == "Cc" and c not in "\t" for c in data
    ):
        raise InputError(
            "holds control characters (invisible codes such as ESC)",
            file=name,
            key=_key(where),
            remedy="type the value plainly",
        )


# tomllib ends each message with where it stopped reading.
_STOPPED_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def _not_toml(text: str, said: str, name: str) -> InputError:
    """A TOML mistake with the line it is on, as written, and how values are written: the
    parser's own words ("Expected newline or end of document after a statement") alone do not
    say that 21/06/2024 needs writing 2024-06-21."""
    found = _STOPPED_AT.search(said)
    lines = text.splitlines()
    if found is None or not 1 <= int(found[1]) <= len(lines):
        return InputError(f"not valid TOML ({said})", file=name)
    number = int(found[1])
    line = lines[number - 1].strip()
    shown = line if len(line) <= 60 else line[:57] + "..."
    return InputError(
        f"not valid TOML at line {number}, {shown!r} ({said[: found.start()]})",
        file=name,
        remedy='write text in double quotes (name = "Riverside College"), a date as YYYY-MM-DD'
        " without quotes (declaration_opens = 2024-06-21) and a section's name in square"
        " brackets ([centre])",
    )


def parse_centre(text: str, name: str) -> CentreProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _not_toml(text, str(exc), name) from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise InputError("not valid TOML (nested too deeply)", file=name) from None
    _refuse_control_characters(data, name)
    series = data.get("series")
    if not isinstance(series, dict) or "year" not in series:
        raise InputError(
            "is missing",
            file=name,
            key=("series", "year"),
            remedy="give the summer in which results are expected",
            in_file="add it, e.g. year = 2024 (the summer in which results are expected)",
        )
    year = series["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        fix = "write the year as a whole number"
        raise InputError(
            f"{_shown(year)} is {_kind(year)}",
            file=name,
            key=("series", "year"),
            remedy=fix,
            in_file=f"{fix} without quotes, e.g. year = 2024",
        )
    if not 2020 <= year <= 2100:
        fix = "write the summer in which results are expected"
        raise InputError(
            f"{year} is not a year ctforms handles (2020 to 2100)",
            file=name,
            key=("series", "year"),
            remedy=fix,
            in_file=f"{fix}, e.g. year = 2024",
        )
    if "assumed" in series:
        raise InputError(
            "is worked out by ctforms", file=name, key=("series", "assumed"), in_file="remove it"
        )
    data["series"] = default_series(year, {k: v for k, v in series.items() if k != "year"})
    officer = data.get("exams_officer")
    if isinstance(officer, dict) and "deputies" in officer:
        _check_deputies(officer["deputies"], officer.get("name"), name)
    try:
        profile = CentreProfile.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc.errors()[0], name) from None
    _check_dates(profile.series, name)
    return profile


def _check_deputies(deputies: Any, officer: Any, name: str) -> None:
    """[exams_officer] deputies: a list of people's names, each once, the officer not again."""
    key = ("exams_officer", "deputies")
    example = 'e.g. deputies = ["Priya Shah", "Tom Jones"]'
    if not isinstance(deputies, list):
        raise InputError(
            f"{_shown(deputies)} is {_kind(deputies)}",
            file=name,
            key=key,
            in_file=f"write the names as a list in square brackets, each in quotes, {example}",
        )
    seen: list[str] = []
    for deputy in deputies:
        if not isinstance(deputy, str):
            raise InputError(
                f"{_shown(deputy)} is {_kind(deputy)}",
                file=name,
                key=key,
                in_file=f"write each name in quotes, {example}",
            )
        if not deputy.strip():
            raise InputError(
                "a name is empty",
                file=name,
                key=key,
                remedy="remove it",
                in_file="remove the empty quotes, or the line if the centre has no deputy",
            )
        if isinstance(officer, str) and same_name(deputy, officer):
            raise InputError(
                f"{_shown(deputy)} is the Exams Officer, who may sign anyway",
                file=name,
                key=key,
                remedy="list only the others",
            )
        if any(same_name(deputy, other) for other in seen):
            raise InputError(
                f"{_shown(deputy)} is listed twice", file=name, key=key, remedy="list each once"
            )
        seen.append(deputy)


def _check_dates(series: SeriesDates, name: str) -> None:
    for key in (*DATE_FIELDS, "term_time_declaration_closes"):
        day: dt.date | None = getattr(series, key)
        if day is None:
            continue
        # Checkpoint 2 runs from the spring to the summer of the series year.
        if abs(day.year - series.year) > 1:
            raise InputError(
                f"{day.isoformat()} is not in the {series.year} series",
                file=name,
                key=("series", key),
                remedy="check the year",
                in_file=f"check the year, e.g. {key} = {series.year}{day:-%m-%d}",
            )
    if series.declaration_closes < series.declaration_opens:
        # The declaration is made in the summer of the series year: a date in another year is
        # the likelier slip.
        days = (series.declaration_closes, series.declaration_opens)
        other = next((d for d in days if d.year != series.year), None)
        raise InputError(
            "is before the declaration opens",
            file=name,
            key=("series", "declaration_closes"),
            remedy=(
                f"{other.isoformat()} is in {other.year}, not the {series.year} series: check"
                " the year"
                if other is not None
                else "check both dates"
            ),
        )


# How each key is written, for the examples in messages (as in 'ctforms init's centre.toml).
_EXAMPLES = {
    "number": '"12345"',
    "name": '"Riverside Sixth Form College"',
    "head_of_centre": '"Dr A. Example"',
    "email": '"exams@example.org"',
}


def _kind(value: Any) -> str:
    """What a TOML value is, in words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a section"
    return type(value).__name__


def _shown(value: Any) -> str:
    """The value as it is written in the file, cut short: the message stays one line."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, str):
        text = '"' + value.encode("unicode_escape").decode("ascii") + '"'
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(v) for v in value[:5]) + "]"
    elif isinstance(value, dict):
        text = "{...}"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key(loc: Sequence[str]) -> TomlKey:
    """A value's place in the file, from its path: ("centre", "number")."""
    # [tracker.columns] and [tracker.statuses] are sections of their own in the file.
    depth = 2 if len(loc) > 2 and loc[0] == "tracker" else 1
    key = ".".join(loc[depth:])
    if depth == 2:  # a tracker header or label: a quoted key
        key = '"' + key.replace('"', '\\"') + '"'
    return ".".join(loc[:depth]), key


def _explain(err: Any, name: str) -> InputError:
    """One pydantic error as the key, the value and the form expected, in words."""
    section, key = _key([str(p) for p in err["loc"]])
    kind = err["type"]
    value = err.get("input")

    def error(reason: str, remedy: str = "", in_file: str = "") -> InputError:
        return InputError(reason, file=name, key=(section, key), remedy=remedy, in_file=in_file)

    if kind == "missing":
        if not key:
            return error("is missing", in_file="add the section ('ctforms init' writes an example)")
        example = _EXAMPLES.get(key, "...")
        return error("is missing", "fill it in", f"add it, e.g. {key} = {example}")
    if kind == "extra_forbidden":
        return error("unknown key", in_file="check its spelling ('ctforms init' writes every key)")
    if kind in ("model_type", "dict_type"):
        return error(
            f"is {_kind(value)}, not a section",
            in_file=f"write a line [{section}] and then key = value lines under it",
        )
    said = f"{_shown(value)} is {_kind(value)}"
    if kind == "string_type":
        if section == "tracker.columns":
            example = '"candidate_number"'
        elif isinstance(value, int | float) and not isinstance(value, bool):
            example = f'"{value}"'
        else:
            example = _EXAMPLES.get(key, '"..."')
        fix = "write it as text"
        return error(said, fix, f"{fix} in quotes, e.g. {key} = {example}")
    if kind.startswith(("date", "datetime")):
        return error(
            said,
            "give a date",
            f"write the date as YYYY-MM-DD without quotes, e.g. {key} = 2024-06-21",
        )
    if kind.startswith("int"):
        fix = "write it as a whole number"
        return error(said, fix, f"{fix} without quotes")
    if kind == "string_too_short":
        return error(
            "is empty", "fill it in", f"write it, e.g. {key} = {_EXAMPLES.get(key, '...')}"
        )
    if kind == "string_pattern_mismatch" and key == "number":
        fix = "write all 5 digits"
        return error(
            f"{_shown(value)} is not a 5-digit centre number",
            fix,
            f'{fix} in quotes, e.g. number = "01234"',
        )
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "the values in 'ctforms init'")
        return error(f"{_shown(value)} is not one ctforms knows", in_file=f"use one of {expected}")
    return error(f"{_shown(value)}: {err['msg']}")


def load_centre(path: Path) -> CentreProfile:
    try:
        text = read_text_limited(path, CENTRE_MAX_BYTES, "centre.toml", "utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found (create one with 'ctforms init')", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    except UnicodeDecodeError:
        raise InputError("centre.toml must be UTF-8 text", file=path) from None
    return parse_centre(text, str(path))


def coming_summer(today: dt.date) -> int:
    """The summer whose results a centre is working towards: after August, next year's."""
    return today.year + 1 if today.month > 8 else today.year


def centre_template_for(text: str, today: dt.date) -> str:
    """The commented centre.toml with this year's series in place of the example's."""
    year = coming_summer(today)
    dates = default_series(year)
    # The commented example dates are the ones ctforms would assume for that year.
    return re.sub(
        r"^# (\w+) = \d{4}-\d{2}-\d{2}$",
        lambda m: f"# {m[1]} = {dates[m[1]]:%Y-%m-%d}" if m[1] in dates else m[0],
        text.replace("2024", str(year)),
        flags=re.MULTILINE,
    )
