"""Reading centre.toml: the centre's details, the series and its dates, tracker column mapping."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ctforms.errors import InputError
from ctforms.limits import CENTRE_MAX_BYTES, read_text_limited
from ctforms.models import CentreProfile, SeriesDates

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


DATE_NAMES = {
    "declaration_opens": "declaration opens",
    "declaration_closes": "declaration closes",
    "final_visit_booked_by": "final visit booked by",
    "claims_recommended_by": "claims in by",
    "final_moderation_deadline": "final moderation visits by",
    "special_consideration_closes": "special consideration closes",
    "tracker_frozen_from": "tracker frozen from",
}


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


def parse_centre(text: str, name: str) -> CentreProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=name) from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise InputError("not valid TOML (nested too deeply)", file=name) from None
    series = data.get("series")
    if not isinstance(series, dict) or "year" not in series:
        raise InputError(
            "missing [series] year: add e.g. 'year = 2024' (the summer results are expected)",
            file=name,
        )
    year = series["year"]
    if not isinstance(year, int) or not 2020 <= year <= 2100:
        raise InputError(f"[series] year must be a year such as 2024, not {year!r}", file=name)
    if "assumed" in series:
        raise InputError("[series] assumed is worked out by ctforms; remove it", file=name)
    data["series"] = default_series(year, {k: v for k, v in series.items() if k != "year"})
    try:
        profile = CentreProfile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        section = f"[{loc[0]}]" if loc else ""
        key = ".".join(str(p) for p in loc[1:])
        what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        raise InputError(f"{section} {key}: {what}".strip(), file=name) from None
    _check_dates(profile.series, name)
    return profile


def _check_dates(series: SeriesDates, name: str) -> None:
    if series.declaration_closes < series.declaration_opens:
        raise InputError("[series] declaration_closes is before declaration_opens", file=name)


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
