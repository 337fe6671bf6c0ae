"""A value for the records workbook, checked the way read/records.py parses it: refused (never
silently changed) when the reader would read back something else or a spreadsheet would run it.
Used by produce/decisions.py for every sheet it writes."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ctforms.errors import Field, InputError
from ctforms.people import real_name
from ctforms.read.parsing import EARLIEST_DATE, LATEST_DATE
from ctforms.read.records import SHEETS
from ctforms.read.tracker import MAX_NAME

# Text Excel would take for a formula if someone re-typed the cell.
_FORMULA_START = ("=", "+", "-", "@")
# Bidirectional overrides and isolates reorder what a reader sees ("trojan source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def parsed_cell(
    parse: Callable[[str], str], value: str, records: Path, sheet: str, column: int
) -> str:
    title = SHEETS[sheet][2][column][0]
    # The reader parses stripped text, so a stray control character is refused first.
    text = cell_text(str(value), records, sheet, title, 20)
    try:
        return parse(text)
    except ValueError as exc:
        raise InputError(str(exc), file=records, sheet=sheet, column=title) from None


def parsed_quietly(parse: Callable[[str], str], value: Any) -> str | None:
    """A cell already in the sheet, parsed as the reader would; None when it does not parse."""
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    try:
        return parse(text.strip())
    except ValueError:
        return None


def cell_text(
    value: str,
    records: Path,
    sheet: str,
    column: str,
    limit: int,
    *,
    required: bool = True,
    fields: tuple[Field, ...] = (),
) -> str:
    """Plain text for a cell, refused (never silently changed) when it is not: the reader
    would read back something else, or a spreadsheet would run it."""

    def refuse(why: str) -> InputError:
        return InputError(why, file=records, sheet=sheet, column=column, fields=fields)

    text = value.strip()
    if not text:
        if required:
            raise refuse(f"{column} is empty; give it")
        return ""
    if len(text) > limit:
        raise refuse(f"{len(text):,} characters long; the most ctforms writes here is {limit:,}")
    if any(_hidden(c) for c in text):
        raise refuse(
            "holds control characters (invisible codes such as ESC, a line break or a"
            " right-to-left override); type it again plainly, on one line"
        )
    if not any(unicodedata.category(c)[0] not in "CZ" for c in text):
        raise refuse("holds only invisible characters; type it again")
    if text.startswith(_FORMULA_START):
        raise refuse(
            f"starts with {text[0]!r}, which a spreadsheet would take for a formula; start it"
            " with a letter or a number"
        )
    return text


def _hidden(c: str) -> bool:
    category = unicodedata.category(c)
    # Cc: C0/C1 controls (tab and line breaks too: a cell is one line); Cs: lone surrogates,
    # which XML cannot carry; noncharacters such as U+FFFE; the bidi controls.
    return (
        category in ("Cc", "Cs")
        or c in _BIDI
        or (category == "Cn" and (0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE))
    )


def cell_name(value: str, records: Path, sheet: str, column: str) -> str:
    """The name of who recorded a row: typed by the person recording it."""
    text = cell_text(value, records, sheet, column, MAX_NAME, fields=("by",))
    try:
        return real_name(text, "your name", "give your own name")
    except InputError as exc:  # said of the cell it would be written to
        raise InputError(
            exc.reason, remedy=exc.remedy, file=records, sheet=sheet, column=column, fields=("by",)
        ) from None


def cell_date(day: dt.date, records: Path, sheet: str, column: str = "Date") -> dt.date:
    if isinstance(day, dt.datetime):
        day = day.date()
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(
            f"{day:%d/%m/%Y} is not a date the reader takes ({EARLIEST_DATE.year} to"
            f" {LATEST_DATE.year}); give the day it was done",
            file=records,
            sheet=sheet,
            column=column,
        )
    return day
