"""`ctforms catalogue`: the qualification catalogue and the centre's rules workbook."""

from __future__ import annotations

from pathlib import Path

import click

from ctforms import pipeline
from ctforms.checks.knowledge import describe, knowledge_lines
from ctforms.cli.app import Group, cli
from ctforms.errors import InputError
from ctforms.files.output import (
    check_writable,
    write_bytes,
    write_text,
)
from ctforms.files.reproducible import TEMPLATE_TIME
from ctforms.options import (
    catalogue_option,
    existing_file,
    force_option,
    output_file,
)
from ctforms.read.catalogue import load_catalogue, read_catalogue_file
from ctforms.words import count


@cli.group(cls=Group)
def catalogue() -> None:
    """The qualification catalogue (codes, units, rules of combination)."""


@catalogue.command("list")
@catalogue_option
def catalogue_list(catalogues: tuple[Path, ...]) -> None:
    """List the qualifications ctforms knows, with where each came from.

    \b
    Example:
        ctforms catalogue list --catalogue my-rules.yaml
    """
    cat = load_catalogue(catalogues)
    for code in sorted(cat.entries):
        e = cat.entries[code]
        q = e.qualification
        rules = (
            "no rules"
            if q.rules is None
            else (
                "illustrative rules"
                if q.rules.illustrative
                else "verified rules"
                if q.rules.verified
                else "unverified rules"
            )
        )
        flag = "" if q.verified else "  (unverified)"
        hours = "  ? GLH" if q.glh is None else f"{q.glh:>5} GLH"
        click.echo(f"{code}  {hours}  {q.title}  [{rules}; {e.origin}]{flag}")


@catalogue.command("show")
@click.argument("code")
@catalogue_option
def catalogue_show(code: str, catalogues: tuple[Path, ...]) -> None:
    """Show one qualification: size, GLH, source, units and rules.

    \b
    Example:
        ctforms catalogue show 05839
    """
    cat = load_catalogue(catalogues)
    entry = cat.get(code.zfill(5))
    if entry is None:
        raise InputError(f"qualification {code} is not in the catalogue ('ctforms catalogue list')")
    click.echo("\n".join(describe(entry)))


@catalogue.command("check")
@click.argument("file", type=existing_file)
@catalogue_option
def catalogue_check(file: Path, catalogues: tuple[Path, ...]) -> None:
    """Validate a rules workbook (.xlsx) or YAML catalogue; say what it adds or overrides.

    A workbook's blank cells are filled from the shipped catalogue (and any --catalogue
    files, read first).

    \b
    Example:
        ctforms catalogue check rules.xlsx
    """
    base = load_catalogue(catalogues)
    warnings = list(base.warnings)
    parsed = read_catalogue_file(file, base, warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for subject in parsed.subjects:
        units = {u.number: u for u in subject.units}
        for q in subject.qualifications:
            old = base.get(q.code)
            what = "adds" if old is None else "repeats" if old.qualification == q else "changes"
            click.echo(f"{file.name}: {what} {q.code} {q.title or '(no title)'}")
            for line in knowledge_lines(q, units):
                click.echo(f"  {line}")
    click.echo(f"{file.name}: OK")


@catalogue.command("template")
@click.argument("tracker", type=existing_file)
@click.option(
    "--centre",
    type=existing_file,
    default=None,
    help="centre.toml, if your tracker needs its [tracker.columns] mapping.",
)
@click.option(
    "--records",
    type=existing_file,
    default=None,
    help="records.xlsx: its Expected sheet adds the codes students expect.",
)
@catalogue_option
@output_file("Where to write the rules workbook (.xlsx).")
@force_option
def catalogue_template(
    tracker: Path,
    centre: Path | None,
    records: Path | None,
    catalogues: tuple[Path, ...],
    output: Path,
    force: bool,
) -> None:
    """Write a rules workbook for your centre, prefilled with what ctforms knows.

    One row per qualification code your tracker (and Expected sheet) shows, with the other
    sizes of the same subjects, and one row per code and unit the tracker shows. Fill in what
    the centre handbooks say, then use it with --catalogue rules.xlsx.

    \b
    Example:
        ctforms catalogue template tracker.csv --records records.xlsx -o rules.xlsx
    """
    check_writable(output, force)
    made = pipeline.rules_template(tracker, centre=centre, records=records, catalogues=catalogues)
    write_bytes(output, made.data, force=force)
    codes = made.codes
    click.echo(
        f"Wrote {output}: {count(len(codes), 'qualification')} ({', '.join(codes)}). Fill it in"
        f" from the centre handbooks, then: ctforms catalogue check {output.name}"
    )


@catalogue.command("export")
@click.argument("file", type=existing_file)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "xlsx"]),
    required=True,
    help="yaml to share as text, xlsx for a rules workbook.",
)
@catalogue_option
@output_file("Where to write the converted catalogue.")
@force_option
def catalogue_export(
    file: Path, fmt: str, catalogues: tuple[Path, ...], output: Path, force: bool
) -> None:
    """Turn a rules workbook into YAML, or a YAML catalogue into a rules workbook.

    \b
    Examples:
        ctforms catalogue export rules.xlsx --format yaml -o rules.yaml
        ctforms catalogue export rules.yaml --format xlsx -o rules.xlsx
    """
    from ctforms.produce.rules_template import catalogue_yaml, rules_workbook_bytes, sheets_for

    check_writable(output, force)
    said: list[str] = []
    parsed = read_catalogue_file(file, load_catalogue(catalogues), said)
    for warning in said:  # a formula read as its saved value: the export holds the value
        click.echo(f"warning: {warning}", err=True)
    if fmt == "yaml":
        head = (
            f"# ctforms catalogue, exported from {file.name}.\n"
            "# Use it with --catalogue, or turn it into a rules workbook with\n"
            "#   ctforms catalogue export THIS.yaml --format xlsx -o rules.xlsx\n"
        )
        write_text(output, catalogue_yaml(parsed, head), force=force)
    else:
        sheets = sheets_for(parsed)
        for note in sheets.left_out:
            click.echo(f"warning: {note}", err=True)
        write_bytes(output, rules_workbook_bytes(sheets, TEMPLATE_TIME), force=force)
    click.echo(f"Wrote {output}")
