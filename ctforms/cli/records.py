"""`ctforms init` and `ctforms records`: a new centre's files, and writing to the centre's
records workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ctforms.cli.app import Group, cli
from ctforms.demo import templates_dir
from ctforms.files.output import (
    check_writable,
    write_all,
    write_bytes,
)
from ctforms.options import (
    DateType,
    catalogue_option,
    existing_file,
    force_option,
    hold_for_writing,
    output_file,
)
from ctforms.read.catalogue import load_catalogue
from ctforms.read.centre import centre_template_for
from ctforms.read.parsing import parse_candidate_number, parse_qualification_code
from ctforms.words import count


def _records_template(codes: list[tuple[str, str]]) -> bytes:
    from ctforms.produce.records_template import blank_records_bytes

    return blank_records_bytes(codes)


@cli.command()
@click.argument(
    "directory",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    callback=hold_for_writing,
)
@force_option
def init(directory: Path, force: bool) -> None:
    """Start a centre: a commented centre.toml and a blank records.xlsx.

    \b
    Example:
        ctforms init my-centre
    """
    toml = directory / "centre.toml"
    book = directory / "records.xlsx"
    for path in (toml, book):
        check_writable(path, force)
    text = (templates_dir() / "centre.toml").read_text("utf-8")
    template = centre_template_for(text, dt.date.today()).encode()
    write_all([(toml, template), (book, _records_template(load_catalogue().codes()))], force=force)
    click.echo(f"Wrote {toml} and {book}. Edit centre.toml first: centre number, name, year.")


@cli.group(cls=Group)
def records() -> None:
    """The centre's own records workbook (records.xlsx)."""


@records.command("template")
@output_file("Where to write the workbook.")
@catalogue_option
@force_option
def records_template(output: Path, catalogues: tuple[Path, ...], force: bool) -> None:
    """Write a blank records workbook with drop-downs and an instructions sheet.

    \b
    Example:
        ctforms records template -o records.xlsx
    """
    codes = load_catalogue(catalogues).codes()
    write_bytes(output, _records_template(codes), force=force)
    click.echo(f"Wrote {output}")


def _records_file(f: Any) -> Any:
    """RECORDS.xlsx: the centre's workbook, made from the template if it does not exist."""
    return click.argument(
        "records_file", metavar="RECORDS.xlsx", type=click.Path(dir_okay=False, path_type=Path)
    )(f)


def _not_ahead(ctx: click.Context, param: click.Parameter, day: dt.date | None) -> dt.date:
    """A record is of what has happened (as on the page): a day after today is refused."""
    today = dt.date.today()
    if day is not None and day > today:
        raise click.BadParameter(
            f"{day:%d/%m/%Y} is after today: give the day it happened", ctx, param
        )
    return day or today


def _by_and_date(f: Any) -> Any:
    f = click.option(
        "--date",
        "day",
        type=DateType(),
        default=None,
        callback=_not_ahead,
        help="The day it was decided or done (YYYY-MM-DD). Default: today.",
    )(f)
    return click.option("--by", "by", required=True, help="Your name (who decided or did it).")(f)


@records.command("decide")
@_records_file
@click.option("--candidate", required=True, help="The candidate number, e.g. 0012.")
@click.option(
    "--qualification",
    required=True,
    help="The code to move them to: the size a proposed move-down names, or the size a"
    " wrong-size entry expects (a top-up), e.g. 05838.",
)
@click.option(
    "--make-change/--no-change",
    "make_change",
    default=None,
    required=True,
    help="Make the proposed change (Y) or keep the entry as it is (N).",
)
@_by_and_date
def records_decide(
    records_file: Path,
    candidate: str,
    qualification: str,
    make_change: bool,
    by: str,
    day: dt.date,
) -> None:
    """Record your decision on a proposed entry change in the Entry Decisions sheet.

    The sheet is a ledger: a decision for the same candidate and code on the same day replaces
    that day's row, one on a later day adds a row, and the latest by date stands (so a check
    dated earlier still sees what was decided then). Keeps every other sheet and cell. A
    workbook that does not exist yet is made from the records template. Only a change you
    confirm (--make-change) goes into the EDI entries file at the next check or run.

    \b
    Example:
        ctforms records decide records.xlsx --candidate 0012 --qualification 05838 \\
            --make-change --by "Ben Okoro" --date 2024-06-12
    """
    from ctforms.produce.decisions import record_entry_decision

    new = not records_file.exists()
    record_entry_decision(
        records_file,
        candidate_number=candidate,
        qualification_code=qualification,
        make_change=make_change,
        decided_by=by,
        date=day,
    )
    said = "make the change (Y)" if make_change else "keep the entry (N)"
    # As written: the values were parsed as the reader parses them, so these cannot fail.
    number, code = parse_candidate_number(candidate), parse_qualification_code(qualification)
    click.echo(
        f"Recorded in {records_file} (sheet Entry Decisions): candidate {number},"
        f" {code}: {said}, decided by {by.strip()} on {day:%d/%m/%Y}. Run the"
        " check again to see it."
    )
    _said_if_new(records_file, new)


def _said_if_new(records_file: Path, new: bool) -> None:
    """A mistyped name makes a new workbook: said, so nothing is recorded in the wrong place
    unseen."""
    if new:
        click.echo(
            f"{records_file} was not there, so it is a new records workbook (from the template);"
            " if you meant your centre's own, record it there instead."
        )


@records.command("handled")
@_records_file
@click.option("--issue", "issue_id", required=True, help="The issue's ID, from the register.")
@click.option("--action", "action_taken", required=True, help="What you did, in a sentence.")
@_by_and_date
@click.option("--ocr-ref", "ocr_reference", default=None, help="OCR's reference, if any.")
def records_handled(
    records_file: Path,
    issue_id: str,
    action_taken: str,
    by: str,
    day: dt.date,
    ocr_reference: str | None,
) -> None:
    """Record what you did about an issue in the Actions sheet: it then shows as handled.

    The sheet is a ledger: a row for the same issue on the same day is replaced, one on a later
    day is added, and the latest by date stands. Keeps every other sheet and cell. A workbook
    that does not exist yet is made from the records template.

    \b
    Example:
        ctforms records handled records.xlsx --issue claim-needed/0011/05839/9 \\
            --action "Claim submitted in Interchange" --by "Ben Okoro" --date 2024-06-12
    """
    from ctforms.produce.decisions import record_action

    new = not records_file.exists()
    record_action(
        records_file,
        issue_id=issue_id,
        action_taken=action_taken,
        date=day,
        by=by,
        ocr_reference=ocr_reference,
    )
    click.echo(
        f"Recorded in {records_file} (sheet Actions): {issue_id.strip()} handled by"
        f" {by.strip()} on {day:%d/%m/%Y}. Run the check again to see it."
    )
    _said_if_new(records_file, new)


@records.command("sent")
@_records_file
@click.option(
    "--file",
    "file",
    required=True,
    help="The entries file you uploaded: its path (so what it carried is recorded), or its name.",
)
@click.option(
    "--on",
    "day",
    type=DateType(),
    default=None,
    callback=_not_ahead,
    help="The day it was sent. Default: today.",
)
@click.option("--by", "by", required=True, help="Your name (who uploaded it).")
def records_sent(records_file: Path, file: str, day: dt.date, by: str) -> None:
    """Record that you uploaded an entries file to OCR, in the Entries Sent sheet.

    Later checks then name their file after it (an amendment file, A...) and leave out the
    changes it carried. Given the file itself, the row lists those changes; given only a
    name, the check looks for the file in its output folder. Replaces an earlier row for the
    same file; keeps every other sheet and cell.

    \b
    Example:
        ctforms records sent records.xlsx --file results-2024/E6439572.X01 \\
            --on 2024-06-12 --by "Ben Okoro"
    """
    from ctforms.produce.decisions import record_sent

    new = not records_file.exists()
    sent = record_sent(records_file, file=file, sent_on=day, sent_by=by)
    carried = (
        f"it carried {count(len(sent.changes), 'change')}"
        if sent.changes
        else "what it carried is not recorded (the file was not found by that name): the next"
        " check looks for it in its output folder"
    )
    click.echo(
        f"Recorded in {records_file} (sheet Entries Sent): {sent.file} sent on"
        f" {day:%d/%m/%Y} by {sent.sent_by}; {carried}. Run the check again to see it."
    )
    _said_if_new(records_file, new)


@records.command("confirmations")
@_records_file
@click.argument(
    "returned",
    metavar="RETURNED.xlsx...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--centre",
    type=existing_file,
    required=True,
    help="The centre profile (centre.toml): a list made for another centre is refused.",
)
@click.option(
    "--date",
    "day",
    type=DateType(),
    default=None,
    callback=_not_ahead,
    help="The day the lists came back (YYYY-MM-DD). Default: today.",
)
def records_confirmations(
    records_file: Path, returned: tuple[Path, ...], centre: Path, day: dt.date
) -> None:
    """Record what teachers confirmed of their students' estimated completion dates.

    RETURNED.xlsx: the lists a term-time check made for each subject
    ({centre}-{subject}-ecd-check.xlsx), returned with Confirmed (Y/N) and Confirmed By filled
    in. Each answered row goes into the ECD Confirmed sheet, replacing an earlier row for the
    same student and qualification; a row left blank is not recorded. A workbook ctforms did
    not make for this centre's term-time check is refused, and then nothing is recorded.

    \b
    Example:
        ctforms records confirmations records.xlsx 64395-business-ecd-check.xlsx \\
            --centre centre.toml --date 2025-03-20
    """
    from ctforms.produce.decisions import record_confirmations
    from ctforms.read.centre import load_centre

    number = load_centre(centre).centre.number
    done = record_confirmations(records_file, list(returned), centre_number=number, date=day)
    for got in done.returned:
        click.echo(
            f"  {got.name}: {got.subject}, {count(len(got.answers), 'answer')}"
            f" (list of the check of {got.as_of:%d/%m/%Y})"
        )
    click.echo(
        f"Recorded in {records_file} (sheet ECD Confirmed), dated {day:%d/%m/%Y}:"
        f" {count(done.confirmed, 'date')} confirmed (Y), {done.not_confirmed} said to be"
        " wrong (N). Run the term-time check again to see it."
    )
