"""`ctforms entries`: the EDI entries file and its listing, and reading an entries file back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctforms.cli.app import Group, cli
from ctforms.files.limits import EDI_MAX_BYTES, read_limited
from ctforms.options import (
    catalogue_option,
    existing_file,
    force_option,
    register_to_folder,
)
from ctforms.read.catalogue import load_catalogue
from ctforms.register import load_register
from ctforms.words import count

if TYPE_CHECKING:
    from ctforms.produce.entries_files import Written


class DefaultGroup(Group):
    """`ctforms entries ISSUES.json` runs `make`; `ctforms entries read FILE` reads a file."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=DefaultGroup)
def entries() -> None:
    """Top-up and move-down entries: the EDI entries file and the Interchange listing.

    \b
    Example:
        ctforms entries issues.json -o entries/ --catalogue my-rules.yaml
        ctforms entries read entries/E6439572.X01
    """


@entries.command("make")
@register_to_folder
@click.option(
    "--sequence",
    type=click.IntRange(1, 99),
    default=None,
    help="The file's sequence number (.X01, .X02, ...). Default: the next of the series, after"
    " the files recorded as sent and those already in the folder. An EDI file is never"
    " replaced.",
)
@catalogue_option
@force_option
def entries_make(
    register_file: Path,
    outdir: Path,
    sequence: int | None,
    catalogues: tuple[Path, ...],
    force: bool,
) -> None:
    """Write the entries file and listing for wrong-size-entry, no-qualification-entry and
    move-down-available issues (the default of `ctforms entries`).

    \b
    Example:
        ctforms entries issues.json -o entries/ --sequence 2
    """
    from ctforms.produce.entries_files import write_entries

    register = load_register(register_file)
    written = write_entries(
        register, load_catalogue(catalogues), outdir, sequence=sequence, force=force
    )
    report_entries(written)


def report_entries(written: Written) -> None:
    for warning in [*written.plan.warnings, *written.plan.doubts]:
        click.echo(f"warning: {warning}", err=True)
    edi_file, listing = written.edi_file, written.listing
    sent = sorted({ch.file for ch in written.plan.sent if ch.file})
    if edi_file is None and sent:
        # The changes listed below as not in the EDI file (by hand) are not counted as sent.
        by_hand = written.plan.skipped or written.plan.by_hand
        every = "every change an EDI file can carry" if by_hand else "every change"
        click.echo(
            f"entries: {every} was sent already, in {' and '.join(sent)}; no EDI file written."
        )
    elif edi_file is None and written.plan.skipped:
        click.echo("entries: no change below could go into an EDI file; no EDI file written.")
    elif edi_file is None:
        click.echo("entries: no entry changes the centre's records call for; no EDI file written.")
    else:
        n = len(written.plan.changes)
        entries = count(n, "new entry", "new entries")
        click.echo(
            f"entries: wrote {edi_file} ({entries}; some record positions are assumed: see the"
            " listing's 'Record layout' sheet)"
        )
        click.echo(
            f"entries: once you have uploaded it, record it: ctforms records sent RECORDS.xlsx"
            f" --file {edi_file} --on YYYY-MM-DD --by NAME"
        )
    if edi_file is not None and sent:
        n = len(written.plan.sent)
        click.echo(f"entries: {count(n, 'change')} sent already (in {' and '.join(sent)}) left out")
    click.echo(f"entries: wrote {listing}")
    for note in written.plan.skipped:
        click.echo(f"entries: not in the EDI file: {note}")
    for note in written.plan.by_hand:
        click.echo(f"entries: not by EDI: {note}")
    for note in written.plan.proposals:
        click.echo(f"entries: {note}")


@entries.command("read")
@click.argument("file", type=existing_file)
def entries_read(file: Path) -> None:
    """Print an entries file's records as a table (to check what an MIS produced).

    \b
    Example:
        ctforms entries read E6439572.X01
    """
    from ctforms.produce import edi

    read = edi.read_file(read_limited(file, EDI_MAX_BYTES, "the entries file"), file.name)
    layout = read.layout
    if read.old:
        click.echo(
            f"{file.name}: written in ctforms' first record layout (version"
            f" {layout.layout_version}, one-letter record types), read as that layout; ctforms"
            " now writes a newer one."
        )
    else:
        data_type = next((values["data_type"] for _, values in read.records), file.name[:1])
        kind = layout.file_types.get(data_type)
        click.echo(
            f"{file.name}: record layout version {layout.layout_version}"
            + (f"; an {kind.description} ({data_type}) file" if kind else "")
            + ". Positions ctforms assumed (the rest follow public JCQ facts):"
        )
        for line in edi.assumed_positions(layout, data_type):
            click.echo(f"  {line}")
    for kind_key, spec in layout.records.items():
        rows = [values for k, values in read.records if k == kind_key]
        if not rows:
            continue
        names = [f.name for f in spec.fields]
        widths = [max(len(n), *(len(r[n]) for r in rows)) for n in names]
        label = kind_key if read.old else f"{rows[0]['data_type']}{kind_key}"
        click.echo(f"{label} ({spec.description}): {len(rows)}")
        click.echo("  " + "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
        for r in rows:
            click.echo("  " + "  ".join(r[n].ljust(w) for n, w in zip(names, widths, strict=True)))
