"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ctforms.errors import Field, InputError
from ctforms.files.lock import writing

F = TypeVar("F", bound=Callable[..., Any])


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # the right form, not a real day
                self.fail(
                    f"{text!r} is not a day of the calendar; check the day and the month",
                    param,
                    ctx,
                )
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2024-06-10", param, ctx)


# The dates a check can be judged on: the series years ctforms accepts (centre.toml [series]).
EARLIEST_AS_OF = dt.date(2020, 1, 1)
LATEST_AS_OF = dt.date(2100, 12, 31)


class AsOfType(DateType):
    """A date within the series years: 0024-06-10 or 2204-06-10 is a typing slip."""

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        day = super().convert(value, param, ctx)
        if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
            self.fail(
                f"{day.isoformat()} is not a date a check can be judged on (between"
                f" {EARLIEST_AS_OF:%Y-%m-%d} and {LATEST_AS_OF:%Y-%m-%d}); give the date you"
                " check on, e.g. 2024-06-10, or leave it out for today",
                param,
                ctx,
            )
        return day


existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def force_option(f: F) -> F:
    return click.option("--force", is_flag=True, help="Overwrite existing output.")(f)


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of",
        type=AsOfType(),
        default=None,
        help="The date the checks are judged on (YYYY-MM-DD). Default: today.",
    )(f)


def checkpoint_option(f: F) -> F:
    return click.option(
        "--checkpoint",
        type=click.Choice(["2", "term-time"]),
        default="2",
        show_default=True,
        help="Which declaration to check for: 2 (Checkpoint 2, June: every student expecting a"
        " result can get one) or term-time (1 March to 30 April: every estimated completion"
        " date is right).",
    )(f)


def catalogue_option(f: F) -> F:
    return click.option(
        "--catalogue",
        "catalogues",
        multiple=True,
        type=existing_file,
        help="Your rules workbook (.xlsx) or a YAML catalogue: adds or overrides qualifications"
        " (repeatable; later files win).",
    )(f)


def centre_inputs(f: F) -> F:
    """--centre, --records, --catalogue and --encoding: what check and run read."""
    f = click.option(
        "--encoding",
        default=None,
        help="Force the tracker's text encoding (e.g. cp1252). Default: detect UTF-8/Windows-1252.",
    )(f)
    f = catalogue_option(f)
    f = click.option(
        "--records",
        type=existing_file,
        default=None,
        help="The centre's records workbook (ctforms records template).",
    )(f)
    return click.option(
        "--centre", type=existing_file, default=None, help="The centre profile (centre.toml)."
    )(f)


def hold_for_writing(ctx: click.Context, param: click.Parameter, value: Path | None) -> Any:
    """A callback for an option naming what a command writes: held (files/lock.py) until the
    command ends, so that it never writes into a folder a run or the page is writing."""
    if value is not None:
        ctx.with_resource(writing(value, f"'{ctx.command_path}' writing {value.absolute()}"))
    return value


def output_file(help: str, dest: str = "output") -> Callable[[F], F]:
    """-o FILE, required."""
    return click.option(
        "-o",
        "--output",
        dest,
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        callback=hold_for_writing,
        help=help,
    )


def output_folder(help: str, dest: str = "outdir", *, hold: bool = True) -> Callable[[F], F]:
    """-o DIR, required. hold=False: the command holds it itself (`run`, in the pipeline)."""
    return click.option(
        "-o",
        "--output",
        dest,
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        callback=hold_for_writing if hold else None,
        help=help,
    )


def register_to_folder(f: F) -> F:
    """ISSUES.json and -o DIR: what every producer of paperwork takes."""
    f = output_folder("Folder to write into.")(f)
    return click.argument("register_file", metavar="ISSUES.json", type=existing_file)(f)


def names_in_calendar_option(f: F) -> F:
    return click.option(
        "--names-in-calendar",
        is_flag=True,
        help="Put students' names in deadlines.ics. Default: candidate numbers only, as"
        " calendars are often shared.",
    )(f)


# The option that gives each input the library names in its errors (errors.Field).
OPTION_FOR: dict[Field, str] = {
    "as_of": "--as-of",
    "encoding": "--encoding",
    "force": "--force",
    "sequence": "--sequence",
    "catalogue": "--catalogue",
    "records": "--records",
    "signed_by": "--signed-by",
    "reason": '--allow-outstanding "REASON"',
    "key": "--sign",
    "cert": "--cert",
    "name": "--name",
    "template": "--template and --map",
    "by": "--by",
    "action": "--action",
    "role": "--role",
}


def in_cli_words(exc: InputError) -> str:
    """The library's error with the options it concerns, which the person can change."""
    if not exc.fields:
        return str(exc)
    return f"{exc} ({', '.join(OPTION_FOR[f] for f in exc.fields)})"
