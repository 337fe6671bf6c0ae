"""Deadlines are working days; a year OCR has not confirmed follows the confirmed year's pattern
and is flagged as assumed; the dates in the action texts come from the series (centre.toml)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DEMO, DEMO_ARGS, invoke

from ctforms.models import SeriesDates
from ctforms.read.centre import DATE_FIELDS, default_series, parse_centre, working_day

D = dt.date


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (D(2024, 6, 21), D(2024, 6, 21)),  # Friday stays
        (D(2024, 6, 22), D(2024, 6, 21)),  # Saturday -> Friday
        (D(2024, 6, 23), D(2024, 6, 21)),  # Sunday -> Friday
        (D(2024, 6, 24), D(2024, 6, 24)),  # Monday stays
        (D(2024, 6, 25), D(2024, 6, 25)),
        (D(2024, 6, 26), D(2024, 6, 26)),
        (D(2024, 6, 27), D(2024, 6, 27)),
        (D(2024, 3, 2), D(2024, 3, 1)),  # back across a month end
        (D(2024, 1, 1), D(2024, 1, 1)),  # a Monday (bank holidays are not known)
    ],
)
def test_working_day_on_or_before(day: dt.date, due: dt.date) -> None:
    assert working_day(day) == due


def test_confirmed_year_is_ocrs_dates_exactly() -> None:
    s = SeriesDates.model_validate(default_series(2023))
    assert (s.declaration_opens, s.declaration_closes) == (D(2023, 6, 15), D(2023, 6, 23))
    assert s.final_moderation_deadline == D(2023, 6, 30)
    assert s.special_consideration_closes == D(2023, 7, 5)
    assert s.tracker_frozen_from == D(2023, 7, 24)
    assert s.assumed == []


def test_2024_follows_2023_on_working_days_and_is_assumed() -> None:
    s = SeriesDates.model_validate(default_series(2024))
    # 15, 23 and 30 June 2024 are weekends: the Friday before each.
    assert s.declaration_opens == D(2024, 6, 14)
    assert s.declaration_closes == D(2024, 6, 21)
    assert s.final_moderation_deadline == D(2024, 6, 28)
    assert s.special_consideration_closes == D(2024, 7, 5)  # a Friday already
    assert s.final_visit_booked_by == D(2024, 5, 15)  # a Wednesday
    assert s.assumed == list(DATE_FIELDS)


@pytest.mark.parametrize("year", range(2024, 2036))
def test_every_derived_date_is_a_working_day(year: int) -> None:
    s = SeriesDates.model_validate(default_series(year))
    for key in DATE_FIELDS:
        day = getattr(s, key)
        assert day.weekday() < 5, (key, day)
        assert day.year == year


def test_centre_toml_dates_are_kept_as_given() -> None:
    c = parse_centre(
        '[centre]\nnumber = "12345"\nname = "X"\n[series]\nyear = 2024\n'
        "declaration_closes = 2024-06-23\n",
        "c.toml",
    )
    assert c.series.declaration_closes == D(2024, 6, 23)  # the date OCR gives, unchanged
    assert "declaration_closes" not in c.series.assumed


def _check(tmp_path: Path, series_lines: str) -> list[dict[str, object]]:
    toml = (DEMO / "centre.toml").read_text("utf-8") + series_lines
    tmp_path = tmp_path / str(len(list(tmp_path.iterdir())))
    tmp_path.mkdir()
    centre = tmp_path / "centre.toml"
    centre.write_text(toml, "utf-8")
    args = list(DEMO_ARGS)
    args[args.index("--centre") + 1] = str(centre)
    out = tmp_path / "issues.json"
    result = invoke("check", *args, "--format", "json", "-o", out)
    assert result.exit_code in (0, 1), result.output
    issues = json.loads(out.read_text("utf-8"))["issues"]
    assert isinstance(issues, list)
    return issues


def _one(issues: list[dict[str, object]], kind: str) -> dict[str, object]:
    return next(i for i in issues if i["kind"] == kind)


def test_a_centre_toml_date_changes_the_action_text_and_deadline(tmp_path: Path) -> None:
    default = _check(tmp_path, "")
    given = _check(
        tmp_path,
        "final_visit_booked_by = 2024-05-10\nfinal_moderation_deadline = 2024-06-26\n"
        "special_consideration_closes = 2024-07-03\nclaims_recommended_by = 2024-06-12\n",
    )
    before, after = _one(default, "visit-not-scheduled"), _one(given, "visit-not-scheduled")
    assert (
        "by Wednesday 15 May 2024 (assumed), to take place by Friday 28 June 2024 (assumed)"
        in str(before["action"])
    )
    assert "by Friday 10 May 2024, to take place by Wednesday 26 June 2024" in str(after["action"])
    assert after["deadline"] == "2024-05-10"
    late = _one(given, "visit-after-deadline")
    assert "(Wednesday 26 June 2024)" in str(late["action"])
    assert late["deadline"] == "2024-06-26"
    assert "by Wednesday 3 July 2024" in str(_one(given, "examined-not-entered")["action"])
    assert "claims after Wednesday 12 June 2024" in str(_one(given, "claim-too-late")["action"])


def test_a_weekend_date_in_centre_toml_gives_the_friday_before(tmp_path: Path) -> None:
    issues = _check(tmp_path, "declaration_closes = 2024-06-23\n")
    closing = [i for i in issues if i["deadline_label"] == "before the declaration closes"]
    assert closing
    assert {i["deadline"] for i in closing} == {"2024-06-21"}
    assert all(D.fromisoformat(str(i["deadline"])).weekday() < 5 for i in issues if i["deadline"])


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (2023, "If the entry was made after 1 September 2021 and still does not show, email"),
        (2024, "For 2023 OCR said the tracker shows only entries made after 1 September 2021;"),
    ],
)
def test_the_2023_entries_date_is_said_as_2023s(tmp_path: Path, year: int, words: str) -> None:
    toml = (DEMO / "centre.toml").read_text("utf-8").replace("year = 2024", f"year = {year}")
    centre = tmp_path / "centre.toml"
    centre.write_text(toml, "utf-8")
    args = list(DEMO_ARGS)
    args[args.index("--centre") + 1] = str(centre)
    out = tmp_path / "issues.json"
    invoke("check", *args, "--format", "json", "-o", out)
    issues = json.loads(out.read_text("utf-8"))["issues"]
    assert words in str(_one(issues, "no-qualification-entry")["action"])
