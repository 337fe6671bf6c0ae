"""`ctforms check` and `ctforms run`: the check, and the check with all its paperwork."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctforms import pipeline
from ctforms.cli._shared import row_count
from ctforms.cli.app import cli
from ctforms.cli.entries import report_entries
from ctforms.demo import DEMO_AS_OF, DEMO_TERM_TIME_AS_OF
from ctforms.errors import InputError
from ctforms.files.output import check_writable, write_bytes
from ctforms.models import Checkpoint
from ctforms.options import (
    as_of_option,
    centre_inputs,
    checkpoint_option,
    force_option,
    hold_for_writing,
    names_in_calendar_option,
    output_folder,
)
from ctforms.pipeline import Sources, demo_sources
from ctforms.read.centre import date_outside, long_date, outside_warning
from ctforms.terminal import Steps
from ctforms.words import count, plural

if TYPE_CHECKING:
    from ctforms.models import Register


@cli.command()
@click.argument("tracker", type=click.Path(dir_okay=False, path_type=Path))
@centre_inputs
@as_of_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xlsx"]),
    default="table",
    show_default=True,
    help="table for people, json for the register, xlsx for an action list.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=hold_for_writing,
    help="Write to this file instead of the screen (required for xlsx).",
)
@force_option
@checkpoint_option
def check(
    tracker: Path,
    centre: Path | None,
    records: Path | None,
    catalogues: tuple[Path, ...],
    encoding: str | None,
    as_of: dt.date | None,
    fmt: str,
    output: Path | None,
    force: bool,
    checkpoint: Checkpoint,
) -> None:
    """Check every student expecting a result; list who is at risk, why, what to do, by when.

    Exit code 0: no blocking issue left; 1: blocking issues; 2: bad input.

    \b
    Example:
        ctforms check tracker.csv --centre centre.toml --records records.xlsx \\
            --as-of 2024-06-10 --format json -o issues.json
        ctforms check tracker.csv --centre centre.toml --records records.xlsx \\
            --checkpoint term-time --as-of 2024-03-15
    """
    from ctforms.produce.report import render_table

    if centre is None:
        raise InputError("--centre centre.toml is required (create one with 'ctforms init')")
    if fmt == "xlsx" and output is None:
        raise InputError("--format xlsx needs -o FILE.xlsx")
    if output is not None:
        check_writable(output, force)
    sources = Sources(tracker, centre, records, catalogues, encoding, checkpoint)
    with Steps([pipeline.READ]) as steps:
        register = pipeline.check(sources, as_of or dt.date.today(), steps)
    _warn_outside(register, as_of is not None)
    for warning in _other_warnings(register):
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        data = pipeline.register_text(register).encode()
    elif fmt == "xlsx":
        data = pipeline.action_list(register)
    else:
        data = render_table(register).encode()
    if output is None:
        click.echo(data.decode(), nl=False)
    else:
        write_bytes(output, data, force=force)
        click.echo(f"Wrote {output} ({count(register.summary.issues, 'issue')})", err=True)
    if register.summary.blocking_unhandled:
        raise SystemExit(1)


def _warn_outside(register: Register, given: bool) -> None:
    """The page's warning for a check dated outside the results year (said once, first): a run
    in December judges every deadline of the summer before overdue."""
    outside = date_outside(register.as_of, register.series, register.checkpoint)
    if outside:
        when = "" if given else " (today: no --as-of was given)"
        asked = outside.replace("?", " (--as-of YYYY-MM-DD)?")
        click.echo(f"warning: checked as of {long_date(register.as_of)}{when}. {asked}", err=True)


def _other_warnings(register: Register) -> list[str]:
    """The register's warnings but the date's, which _warn_outside says with its --as-of hint."""
    outside = outside_warning(register.as_of, register.series)
    return [w for w in register.warnings if w != outside]


# ---------------------------------------------------------------------------- run


@cli.command()
@click.argument("tracker", required=False, type=click.Path(dir_okay=False, path_type=Path))
@centre_inputs
@as_of_option
@click.option("--demo", is_flag=True, help="Use the shipped demo centre instead of your files.")
@names_in_calendar_option
@output_folder("Folder for every output.", hold=False)
@force_option
@checkpoint_option
def run(
    tracker: Path | None,
    centre: Path | None,
    records: Path | None,
    catalogues: tuple[Path, ...],
    encoding: str | None,
    as_of: dt.date | None,
    demo: bool,
    names_in_calendar: bool,
    outdir: Path,
    force: bool,
    checkpoint: Checkpoint,
) -> None:
    """Do everything: check, then write the register and its paperwork into one folder.

    \b
    Example:
        ctforms run tracker.csv --centre centre.toml --records records.xlsx -o results-2024
        ctforms run --demo -o demo-out
        ctforms run tracker.csv --centre centre.toml --records records.xlsx \\
            --checkpoint term-time --as-of 2024-03-15 -o term-time-2024
    """
    if demo:
        if tracker or centre or records:
            raise InputError("--demo uses the shipped demo files: give no tracker or --centre")
        sources = replace(demo_sources(catalogues), checkpoint=checkpoint)
        as_of = as_of or (DEMO_TERM_TIME_AS_OF if checkpoint == "term-time" else DEMO_AS_OF)
    elif tracker is None or centre is None:
        raise InputError("give TRACKER.csv and --centre centre.toml (or --demo)")
    else:
        sources = Sources(tracker, centre, records, catalogues, encoding, checkpoint)
    with Steps(pipeline.RUN_STEPS) as steps:  # run refuses a bad folder before any work
        made = pipeline.run(
            sources,
            as_of or dt.date.today(),
            outdir,
            force,
            steps,
            say=_say_aside,
            names_in_calendar=names_in_calendar,
        )
    _warn_outside(made.register, as_of is not None)
    for warning in _other_warnings(made.register):
        click.echo(f"warning: {warning}", err=True)
    s = made.register.summary
    click.echo(
        f"{s.students_checked} students checked, {s.students_at_risk} at risk,"
        f" {s.issues} issues ({s.blocking_unhandled} blocking not handled)."
    )
    for path in made.tables:
        click.echo(f"  wrote {path}")
    for form in made.produced:
        for path in form.files:
            click.echo(f"  wrote {path}{row_count(path, form.rows)}")
        if not form.files:
            click.echo(f"  {form.form}: no issues of this kind, no file")
    if made.entries is not None:
        report_entries(made.entries)
    for was, now in made.moved_entries:
        why = (
            "this run makes it again, the same file"
            if now.parent == made.outdir
            else "this run does not make it again, and an entries file is never deleted: it may"
            " have been sent"
        )
        click.echo(f"  moved the earlier entries file {was.name} to {now.parent}{os.sep} ({why})")
    click.echo(f"  wrote {made.pack}")
    how = f" --cert {sources.centre.parent / made.signing.cert}" if made.signing else ""
    click.echo(f"  wrote {made.archive} (check it with: ctforms verify {made.archive}{how})")
    left = s.blocking_unhandled
    click.echo(
        "The evidence pack is a review draft, not signed off: "
        + (
            f"{count(left, 'blocking issue')} {plural(left, 'stands', 'stand')} between the centre"
            " and its declaration."
            if left
            else "no blocking issue is left; the Exams Officer can sign it off with"
            " 'ctforms declaration'."
        )
    )


def _say_aside(line: str) -> None:
    """What the run found and cleared before its work, said on stderr beside its bar."""
    click.echo(line, err=True)
