"""An action: what to do and by when, written as templates that the series' dates and the
centre's file names fill (fields), and the deadlines an action may name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ctforms.models import SeriesDates, Severity
from ctforms.paperwork import (
    ecd_amendments_file_name,
    form_file_name,
    hoc_declaration_file_name,
    listing_file_name,
)
from ctforms.read.centre import (
    CONFIRMED_YEAR,
    DATE_FIELDS,
    ENTRIES_SHOWN_AFTER,
    TAG_WINDOW,
    long_date,
    working_day,
)

VQ_EMAIL = "vqprocessing@ocr.org.uk"
SR_EMAIL = "srteam@ocr.org.uk"
MIR_FORM = "Interchange > Post-results > Missing and incomplete results"


@dataclass(frozen=True)
class Action:
    """What to do and by when. text and remedy are templates: {names} are filled at issue time
    from the series' dates and the centre's file names (see fields), so no date or file name is
    written here by hand and a date in centre.toml changes the text too."""

    text: str
    remedy: str
    deadline: str  # a SeriesDates field, or "visit-14" for two weeks before the visit
    deadline_label: str

    def render(self, values: Mapping[str, str]) -> tuple[str, str]:
        return self.text.format_map(values), self.remedy.format_map(values)


@dataclass(frozen=True)
class Guidance:
    severity: Severity
    action: Action  # the kind's usual action; a check passes another where the evidence differs


def fields(series: SeriesDates, centre: str) -> dict[str, str]:
    """The values the templates may name."""
    values = {
        "vq_email": VQ_EMAIL,
        "sr_email": SR_EMAIL,
        "mir_form": MIR_FORM,
        "year": str(series.year),
        "tag_window": f"{_day(TAG_WINDOW[0])} to {_day(TAG_WINDOW[1])}",
        "missed_claim_file": form_file_name(centre, "missed-claim"),
        "incorrect_claim_file": form_file_name(centre, "incorrect-claim"),
        "missing_tag_file": form_file_name(centre, "missing-tag"),
        "hoc_declaration_file": hoc_declaration_file_name(centre),
        "entries_listing_file": listing_file_name(centre),
    }
    for key in DATE_KEYS:
        value = getattr(series, key)
        assert isinstance(value, dt.date)
        # A date OCR has not confirmed for this year says so wherever it is written.
        values[key] = long_date(working_day(value)) + (
            " (assumed)" if key in series.assumed else ""
        )
    term_time = series.term_time_declaration_closes
    if term_time is not None:
        values["term_time_declaration_closes"] = long_date(working_day(term_time)) + (
            " (assumed)" if "term_time_declaration_closes" in series.assumed else ""
        )
    values["ecd_amendments_file"] = ecd_amendments_file_name(centre)
    shown_after = ENTRIES_SHOWN_AFTER.get(series.year)
    values["entries_shown"] = (
        (
            f"If the entry was made after {_day(shown_after)} and still does not show"
            if shown_after
            else "If the entry still does not show"
        )
        + f", email {VQ_EMAIL}."
        + (
            ""
            if shown_after
            else " (For 2023 OCR said the tracker shows only entries made after"
            f" {_day(ENTRIES_SHOWN_AFTER[CONFIRMED_YEAR])}; for {series.year} ctforms does not know"
            " the date: see OCR's guidance.)"
        )
    )
    return values


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


DATE_KEYS = DATE_FIELDS

# When each deadline falls, in words (never a field name: people read these).
BEFORE_CLOSE = ("declaration_closes", "before the declaration closes")
BEFORE_OPEN = ("declaration_opens", "before the declaration opens, so it shows in the tracker")
BEFORE_VISIT = ("visit-14", "two weeks before the moderation visit")
# With no visit recorded, visit-14 counts back from the final moderation deadline.
BEFORE_LAST_VISIT = ("visit-14", "two weeks before the final moderation deadline")
BEFORE_TERM_TIME = ("term_time_declaration_closes", "before the term-time declaration closes")
