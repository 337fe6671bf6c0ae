"""`ctforms declaration`: the Exams Officer's sign-off of the evidence pack."""

from __future__ import annotations

from pathlib import Path

import click

from ctforms import pipeline
from ctforms.cli.app import cli
from ctforms.options import (
    existing_file,
    force_option,
    output_file,
)
from ctforms.terminal import Steps
from ctforms.words import count


@cli.command()
@click.argument("register_file", metavar="ISSUES.json", type=existing_file)
@click.option(
    "--signed-by",
    required=True,
    help="Name of the person signing off: the Exams Officer centre.toml names, or one of its"
    " [exams_officer] deputies.",
)
@click.option("--role", required=True, help='Their My Cambridge role: must be "Exams Officer".')
@click.option(
    "--records",
    type=existing_file,
    default=None,
    help="records.xlsx: take actions recorded since the check into account.",
)
@click.option(
    "--allow-outstanding",
    "reason",
    default=None,
    metavar="REASON",
    help="Sign off although blocking issues have no recorded action, saying why in a sentence"
    " (at least three words); the pack prints the reason and lists each issue.",
)
@click.option(
    "--sign",
    "key",
    type=existing_file,
    default=None,
    help="Private key (PEM) to sign the PDF with (needs ctforms[sign]).",
)
@click.option("--cert", type=existing_file, default=None, help="Certificate (PEM) for --sign.")
@output_file("Where to write the PDF.")
@force_option
def declaration(
    register_file: Path,
    signed_by: str,
    role: str,
    records: Path | None,
    reason: str | None,
    key: Path | None,
    cert: Path | None,
    output: Path,
    force: bool,
) -> None:
    """Sign off the declaration evidence pack (PDF), as a named Exams Officer.

    Refused while blocking issues have no recorded action, unless --allow-outstanding gives a
    reason (printed in the pack with each issue left).

    \b
    Example:
        ctforms declaration issues.json --records records.xlsx --signed-by "Ben Okoro" \\
            --role "Exams Officer" -o pack.pdf
    """
    with Steps(pipeline.DECLARATION_STEPS) as steps:
        done = pipeline.sign_off(
            register_file,
            output,
            signed_by=signed_by,
            role=role,
            records=records,
            reason=reason,
            key=key,
            cert=cert,
            force=force,
            progress=steps,
        )
    left, signed_by = done.outstanding, done.signed_by
    state = (
        f"signed off by {signed_by} with {count(left, 'blocking issue')}"
        " outstanding (reason printed in the pack)"
        if left
        else f"signed off by {signed_by}; ready to declare"
    )
    click.echo(f"Wrote {output}: {state}{'; digitally signed' if done.signed_digitally else ''}.")
