"""`ctforms forms`: the 'Missing and incomplete results' upload spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctforms.cli._shared import row_count
from ctforms.cli.app import Group, cli
from ctforms.options import (
    existing_file,
    force_option,
    register_to_folder,
)
from ctforms.register import load_register
from ctforms.words import count

if TYPE_CHECKING:
    from ctforms.produce.forms.produce import Produced


@cli.group(cls=Group)
def forms() -> None:
    """Fill the 'Missing and incomplete results' upload spreadsheets from a register."""


def _report_form(produced: Produced) -> None:
    if not produced.files:
        click.echo(f"{produced.form}: no issues of this kind in the register; no file written.")
    for path in produced.files:
        click.echo(f"{produced.form}: wrote {path}{row_count(path, produced.rows)}")
    if produced.left_out:
        click.echo(
            f"{produced.form}: {count(produced.left_out, 'issue')} left out (handled already,"
            " or not eligible: see the register)"
        )


def _form_command(name: str, title: str, example: str) -> None:
    @forms.command(
        name,
        help=f"""{title}

    \b
    Example:
        {example}
    """,
    )
    @register_to_folder
    @click.option(
        "--template",
        type=existing_file,
        default=None,
        help="Fill your own copy of OCR's template instead of ctforms' own.",
    )
    @click.option(
        "--map",
        "map_file",
        type=existing_file,
        default=None,
        help="YAML map of the --template: which cell or column takes which field.",
    )
    @force_option
    def command(
        register_file: Path, outdir: Path, template: Path | None, map_file: Path | None, force: bool
    ) -> None:
        from ctforms.produce.forms.produce import produce_form

        register = load_register(register_file)
        _report_form(
            produce_form(register, name, outdir, force=force, template=template, map_file=map_file)
        )


_form_command(
    "missed-claim",
    "The 'Candidate/unit missed from moderation claim' spreadsheet (missed-from-claim issues).",
    "ctforms forms missed-claim issues.json -o forms/",
)
_form_command(
    "incorrect-claim",
    "The 'Incorrect unit/grade claimed at moderation' spreadsheet (incorrect-claim issues).",
    "ctforms forms incorrect-claim issues.json -o forms/",
)
_form_command(
    "missing-tag",
    "The missing mid-flight TAG spreadsheet and the Head of Centre declaration (.docx).",
    "ctforms forms missing-tag issues.json -o forms/",
)
