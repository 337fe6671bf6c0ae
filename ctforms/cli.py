"""The command line: a thin layer over the library. Every command's help has an example."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import TypeAdapter

from ctforms import __version__, pipeline
from ctforms.checks.knowledge import describe, knowledge_lines
from ctforms.demo import DEMO_AS_OF, DEMO_TERM_TIME_AS_OF, templates_dir
from ctforms.errors import InputError
from ctforms.files.limits import EDI_MAX_BYTES, PDF_MAX_BYTES, read_limited, regular_file, too_big
from ctforms.files.output import (
    check_writable,
    write_all,
    write_bytes,
    write_text,
)
from ctforms.files.quiet import quiet_dependencies
from ctforms.files.reproducible import TEMPLATE_TIME
from ctforms.models import MODELS, Checkpoint
from ctforms.options import (
    DateType,
    as_of_option,
    catalogue_option,
    centre_inputs,
    checkpoint_option,
    existing_file,
    force_option,
    hold_for_writing,
    names_in_calendar_option,
    output_file,
    output_folder,
    register_to_folder,
)
from ctforms.pipeline import Sources, demo_sources
from ctforms.read.catalogue import load_catalogue, read_catalogue_file
from ctforms.read.centre import centre_template_for, date_outside, long_date, outside_warning
from ctforms.read.parsing import parse_candidate_number, parse_qualification_code
from ctforms.register import load_register
from ctforms.terminal import Steps

if TYPE_CHECKING:
    from ctforms.models import Register
    from ctforms.produce.entries import Written
    from ctforms.produce.forms.produce import Produced
    from ctforms.produce.signing import Trusted

# The producers (and the signing, archive and EDI modules) are imported inside the commands
# that use them, so `ctforms check` on a big tracker does not pay for them at start.


class _Exit2(click.ClickException):
    exit_code = 2


class _UsageLine(click.ClickException):
    """A usage mistake said in one line and the help hint, without Click's usage block."""

    exit_code = 2

    def __init__(self, exc: click.UsageError) -> None:
        super().__init__(exc.format_message())
        self.hint = f"Try '{exc.ctx.command_path} --help'." if exc.ctx else ""

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)
        if self.hint:
            click.echo(self.hint, err=True)


def _usage_line(exc: click.UsageError) -> click.ClickException:
    # A group run bare shows its help (NoArgsIsHelpError): that one stays as Click has it.
    return exc if isinstance(exc, click.exceptions.NoArgsIsHelpError) else _UsageLine(exc)


class Group(click.Group):
    """Turns a user's mistake into one 'Error:' line and exit code 2, never a traceback."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # the group's own options: `ctforms --bogus`
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _usage_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's arguments, or no such command
            raise _usage_line(exc) from None
        except InputError as exc:
            raise _Exit2(str(exc)) from None
        except PermissionError as exc:
            raise _Exit2(f"{exc.filename}: permission denied") from None
        except BrokenPipeError:
            raise  # the reader of a pipe stopped reading (| head): main() ends quietly
        except OSError as exc:  # a path that cannot be read or written: still one line
            where = exc.filename or "the output (the screen, pipe or file it goes to)"
            raise _Exit2(f"{where}: {exc.strerror or exc}") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            # A fault of ctforms, not of the input. Outputs are staged, so nothing was left
            # half-written; CTFORMS_DEBUG=1 shows the traceback for a bug report.
            if os.environ.get("CTFORMS_DEBUG"):
                raise
            said = " ".join(str(exc).split())[:200]
            raise _Exit2(
                f"ctforms failed unexpectedly ({type(exc).__name__}: {said});"
                " no output was written. Please report this with CTFORMS_DEBUG=1 set."
            ) from None


@click.group(cls=Group, name="ctforms")
@click.version_option(__version__, prog_name="ctforms")
def cli() -> None:
    """Checkpoint 2 results checks and paperwork for OCR Cambridge Technicals.

    \b
    Example (the shipped demo centre, everything into one folder):
        ctforms run --demo -o demo-out
        ctforms run tracker.csv --centre centre.toml --records records.xlsx \\
            --checkpoint term-time --as-of 2024-03-15 -o term-time-2024
    """


def main() -> None:
    quiet_dependencies()  # before any command imports the signing stack
    if sys.argv[1:2] == ["check"]:
        # A check keeps all it makes until the process exits, and makes no reference cycles:
        # the cyclic collector would only rescan it (45-80 ms at 100,000 rows). Only here, in
        # a process that ends with the command: never in `serve`, which runs check after check.
        gc.disable()
    try:
        cli(prog_name="ctforms")
        code: int = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BrokenPipeError:
        code = _quiet_pipe()
    except OSError as exc:  # --help or --version into a full disk: said before any command
        click.echo(f"Error: cannot write the output ({exc.strerror or exc})", err=True)
        code = 2
    _exit_now(code)


def _quiet_pipe() -> int:
    # Python's advice: point stdout at devnull so no later flush fails again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _exit_now(code: int) -> None:
    """Exit without freeing every object of the register one by one, as mypy does: on a big
    tracker that teardown is 50-70 ms of a second's check. Every file is closed by now (each
    is written whole and renamed into place); only the standard streams need flushing."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _quiet_pipe()
    except OSError:
        code = code or 2
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def _records_template(codes: list[tuple[str, str]]) -> bytes:
    from ctforms.produce.records_template import blank_records_bytes

    return blank_records_bytes(codes)


# ---------------------------------------------------------------------------- check


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
        click.echo(f"Wrote {output} ({_count(register.summary.issues, 'issue')})", err=True)
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
            click.echo(f"  wrote {path}{_rows(path, form.rows)}")
        if not form.files:
            click.echo(f"  {form.form}: no issues of this kind, no file")
    if made.entries is not None:
        _report_entries(made.entries)
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
            f"{left} blocking issue{' stands' if left == 1 else 's stand'} between the centre"
            " and its declaration."
            if left
            else "no blocking issue is left; the Exams Officer can sign it off with"
            " 'ctforms declaration'."
        )
    )


def _say_aside(line: str) -> None:
    """What the run found and cleared before its work, said on stderr beside its bar."""
    click.echo(line, err=True)


# ---------------------------------------------------------------------------- forms


@cli.group(cls=Group)
def forms() -> None:
    """Fill the 'Missing and incomplete results' upload spreadsheets from a register."""


def _count(n: int, word: str) -> str:
    """'1 row', '2 rows': the CLI's messages count in words people read."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _rows(path: Path, rows: int) -> str:
    # The declaration beside a form has no rows of its own.
    return f" ({_count(rows, 'row')})" if path.suffix == ".xlsx" else ""


def _report_form(produced: Produced) -> None:
    if not produced.files:
        click.echo(f"{produced.form}: no issues of this kind in the register; no file written.")
    for path in produced.files:
        click.echo(f"{produced.form}: wrote {path}{_rows(path, produced.rows)}")
    if produced.left_out:
        click.echo(
            f"{produced.form}: {_count(produced.left_out, 'issue')} left out (handled already,"
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


# ---------------------------------------------------------------------------- entries


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
    from ctforms.produce.entries import write_entries

    register = load_register(register_file)
    written = write_entries(
        register, load_catalogue(catalogues), outdir, sequence=sequence, force=force
    )
    _report_entries(written)


def _report_entries(written: Written) -> None:
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
        entries = "1 new entry" if n == 1 else f"{n} new entries"
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
        click.echo(
            f"entries: {_count(n, 'change')} sent already (in {' and '.join(sent)}) left out"
        )
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


# ---------------------------------------------------------------------------- declaration


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
        f"signed off by {signed_by} with {left} blocking issue{'' if left == 1 else 's'}"
        " outstanding (reason printed in the pack)"
        if left
        else f"signed off by {signed_by}; ready to declare"
    )
    click.echo(f"Wrote {output}: {state}{'; digitally signed' if done.signed_digitally else ''}.")


@cli.group(cls=Group)
def keys() -> None:
    """Keys for signing the evidence pack and the archive (needs ctforms[sign])."""


@keys.command("new")
@output_folder("Folder for the key pair.")
@click.option(
    "--name",
    default="Centre exams office",
    show_default=True,
    help="The certificate's name (your centre).",
)
@force_option
def keys_new(outdir: Path, name: str, force: bool) -> None:
    """Make a self-signed centre certificate and private key (owner-only files).

    Give the certificate (not the key) to whoever checks your packs and archives: they check
    with --cert, which compares its fingerprint. Anyone can make a key in your centre's name.

    \b
    Example:
        ctforms keys new -o keys/ --name "Riverside Sixth Form College"
    """
    from ctforms.produce.signing import load_trusted, new_keys

    key_path, cert_path = new_keys(outdir, name, force=force)
    click.echo(f"Wrote {key_path} (keep it private) and {cert_path}.")
    click.echo(f"Certificate fingerprint (SHA-256): {load_trusted(cert_path).fingerprint}")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@output_file("The archive (.zip) to write.")
@click.option("--signed-by", default=None, help="Who signed the declaration (for the manifest).")
@click.option(
    "--sign",
    "key",
    type=existing_file,
    default=None,
    help="Private key (PEM) to sign the manifest with (needs ctforms[sign]).",
)
@click.option("--cert", type=existing_file, default=None, help="Certificate (PEM) for --sign.")
@force_option
def archive(
    folder: Path,
    output: Path,
    signed_by: str | None,
    key: Path | None,
    cert: Path | None,
    force: bool,
) -> None:
    """Archive the files of FOLDER with a manifest of SHA-256 hashes (owner-only zip).

    Only FOLDER's own regular files go in: never a symbolic link, a hidden file, a subfolder or
    a leftover .tmp (each skipped one is named). With --sign/--cert the manifest is signed
    (manifest.json.p7s inside the zip), so 'verify --cert' proves who made the archive.

    \b
    Example:
        ctforms archive results-2024 -o results-2024.zip
        ctforms archive results-2024 -o results-2024.zip \\
            --sign keys/centre-key.pem --cert keys/centre-cert.pem
    """
    from ctforms.produce.archive import write_archive
    from ctforms.produce.signing import load_signer

    if (key is None) != (cert is None):
        raise InputError("--sign and --cert go together")
    signer = load_signer(key, cert) if key is not None and cert is not None else None
    done = write_archive(folder, output, force=force, signed_by=signed_by, signer=signer)
    for name, why in done.skipped:
        click.echo(f"skipped {name}: {why}")
    signed = (
        f"; manifest signed by {done.signer.name!r} (certificate fingerprint"
        f" {done.signer.fingerprint})"
        if done.signer
        else ""
    )
    click.echo(f"Wrote {output} ({_count(len(done.files), 'file')}{signed})")


TRUST_NOTE = (
    "Only integrity was checked: anyone can make a key in any name."
    " Give --cert CERT.pem (the centre's certificate) to prove who signed."
)


@cli.command()
@click.argument("file", type=existing_file)
@click.option(
    "--cert",
    type=existing_file,
    default=None,
    help="The certificate the signature must be made with (the centre's, from ctforms keys"
    " new): accepted only if its fingerprint matches.",
)
def verify(file: Path, cert: Path | None) -> None:
    """Check an archive (every file against its manifest) or a signed PDF. Exit 1 if not intact
    or, with --cert, not signed with that certificate.

    \b
    Example:
        ctforms verify results-2024.zip --cert keys/centre-cert.pem
        ctforms verify pack.pdf --cert keys/centre-cert.pem
    """
    from ctforms.produce.signing import load_trusted

    trusted = load_trusted(cert) if cert is not None else None
    regular_file(file, "the file to verify")
    if file.suffix.lower() == ".pdf":
        size = file.stat().st_size
        if size > PDF_MAX_BYTES:
            raise InputError(too_big("the PDF", size, PDF_MAX_BYTES).detail, file=file)
        _verify_pdf(file, trusted)
    else:
        _verify_zip(file, trusted)


def _verify_pdf(file: Path, trusted: Trusted | None) -> None:
    from ctforms.produce.signing import DamagedPdf, mismatch, verify_pdf

    try:
        reports = verify_pdf(file)
    except DamagedPdf as exc:
        click.echo(f"changed: {file} ({exc})")
        raise SystemExit(1) from None
    if not reports:
        click.echo(f"{file}: not signed")
        raise SystemExit(1)
    good = True
    for r in reports:
        intact = r.intact and r.covers_whole_file
        good &= intact
        said = f"{file}: signed by {r.signer!r}: {'intact' if intact else 'CHANGED since signing'}"
        wrong = mismatch(r.signer, r.fingerprint, r.public_key, trusted) if trusted else ""
        if wrong:
            good = False
            click.echo(f"{file}: {wrong}")
        elif trusted is None:
            click.echo(said)
        else:
            click.echo(f"{said}, with the certificate you gave")
    if not good:
        raise SystemExit(1)
    if trusted is None:
        click.echo(TRUST_NOTE)


def _verify_zip(file: Path, trusted: Trusted | None) -> None:
    from ctforms.produce.archive import SIGNATURE, verify_archive
    from ctforms.produce.signing import mismatch

    verdict = verify_archive(file)
    for what, names in (
        ("changed", verdict.changed),
        ("added", verdict.added),
        ("missing", verdict.missing),
    ):
        for name in names:
            click.echo(f"{what}: {name}")
    sig = verdict.signature
    accepted = True
    if trusted is not None and verdict.manifest is not None:  # else already "changed"
        if sig is None:
            accepted = False
            click.echo(f"{file}: not signed: nothing shows who made it")
        elif sig.valid:
            wrong = mismatch(sig.signer, sig.fingerprint, sig.public_key, trusted)
            accepted = not wrong
            if wrong.startswith("changed: "):
                click.echo(f"changed: {SIGNATURE} ({wrong.removeprefix('changed: ')})")
            elif wrong:
                click.echo(f"{file}: manifest {wrong}")
    if not (verdict.ok and accepted):
        raise SystemExit(1)
    files = _count(len(verdict.manifest.files) if verdict.manifest else 0, "file")
    click.echo(f"{file}: OK ({files}, each matching the manifest)")
    if verdict.unchecked:
        click.echo(f"Only integrity was checked; {verdict.unchecked}.")
    elif sig is None:
        click.echo(
            "Not signed: this shows nothing changed since the manifest was written, not who"
            " wrote it."
        )
    elif trusted is not None:
        click.echo(f"Manifest signed by {sig.signer!r} with the certificate you gave.")
    else:
        click.echo(
            f"Manifest signed by {sig.signer!r} (certificate fingerprint {sig.fingerprint}),"
            " but not checked against a certificate you trust."
        )
        click.echo(TRUST_NOTE)


# ---------------------------------------------------------------------------- init / records


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


def _by_and_date(f: Any) -> Any:
    f = click.option(
        "--date",
        "day",
        type=DateType(),
        default=None,
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
    day: dt.date | None,
) -> None:
    """Record your decision on a proposed entry change in the Entry Decisions sheet.

    Replaces an earlier row for the same candidate and code; keeps every other sheet and cell.
    A workbook that does not exist yet is made from the records template. Only a change you
    confirm (--make-change) goes into the EDI entries file at the next check or run.

    \b
    Example:
        ctforms records decide records.xlsx --candidate 0012 --qualification 05838 \\
            --make-change --by "Ben Okoro" --date 2024-06-12
    """
    from ctforms.produce.decisions import record_entry_decision

    day = day or dt.date.today()
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
    day: dt.date | None,
    ocr_reference: str | None,
) -> None:
    """Record what you did about an issue in the Actions sheet: it then shows as handled.

    Replaces an earlier row for the same issue; keeps every other sheet and cell. A workbook
    that does not exist yet is made from the records template.

    \b
    Example:
        ctforms records handled records.xlsx --issue claim-needed/0011/05839/9 \\
            --action "Claim submitted in Interchange" --by "Ben Okoro" --date 2024-06-12
    """
    from ctforms.produce.decisions import record_action

    day = day or dt.date.today()
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


@records.command("sent")
@_records_file
@click.option(
    "--file",
    "file",
    required=True,
    help="The entries file you uploaded: its path (so what it carried is recorded), or its name.",
)
@click.option(
    "--on", "day", type=DateType(), default=None, help="The day it was sent. Default: today."
)
@click.option("--by", "by", required=True, help="Your name (who uploaded it).")
def records_sent(records_file: Path, file: str, day: dt.date | None, by: str) -> None:
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

    day = day or dt.date.today()
    sent = record_sent(records_file, file=file, sent_on=day, sent_by=by)
    carried = (
        f"it carried {_count(len(sent.changes), 'change')}"
        if sent.changes
        else "what it carried is not recorded (the file was not found by that name): the next"
        " check looks for it in its output folder"
    )
    click.echo(
        f"Recorded in {records_file} (sheet Entries Sent): {sent.file} sent on"
        f" {day:%d/%m/%Y} by {sent.sent_by}; {carried}. Run the check again to see it."
    )


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
    help="The day the lists came back (YYYY-MM-DD). Default: today.",
)
def records_confirmations(
    records_file: Path, returned: tuple[Path, ...], centre: Path, day: dt.date | None
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
    day = day or dt.date.today()
    done = record_confirmations(records_file, list(returned), centre_number=number, date=day)
    for got in done.returned:
        click.echo(
            f"  {got.name}: {got.subject}, {_count(len(got.answers), 'answer')}"
            f" (list of the check of {got.as_of:%d/%m/%Y})"
        )
    click.echo(
        f"Recorded in {records_file} (sheet ECD Confirmed), dated {day:%d/%m/%Y}:"
        f" {_count(done.confirmed, 'date')} confirmed (Y), {done.not_confirmed} said to be"
        " wrong (N). Run the term-time check again to see it."
    )


# ---------------------------------------------------------------------------- serve


@cli.command()
@click.argument(
    "workspace",
    default="ctforms-workspace",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The port to listen on (on 127.0.0.1 only). Default: a free one.",
)
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
def serve(workspace: Path, port: int, no_browser: bool) -> None:
    """Open ctforms as a page in your browser, served from this computer only.

    WORKSPACE (default: ctforms-workspace in the current folder) keeps the centre profile,
    the records and rules workbooks and one folder per check, readable only by you. The
    printed address carries a key made at each start: without it the page is refused.

    \b
    Example:
        ctforms serve
        ctforms serve my-centre --port 8765 --no-browser
    """
    from ctforms.web.server import serve as run_server

    run_server(workspace, port, not no_browser, lambda line: click.echo(line))


# ---------------------------------------------------------------------------- schema / catalogue


@cli.command()
@click.argument("model", required=False)
def schema(model: str | None) -> None:
    """Print the JSON Schema of a model; with no MODEL, list the models.

    \b
    Example:
        ctforms schema register > register.schema.json
    """
    if model is None:
        for name, cls in MODELS.items():
            doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            click.echo(f"{name:<22}{doc}")
        return
    if model not in MODELS:
        raise InputError(f"no model {model!r}; one of: {', '.join(MODELS)}")
    schema = TypeAdapter(MODELS[model]).json_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))


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
        f"Wrote {output}: {_count(len(codes), 'qualification')} ({', '.join(codes)}). Fill it in"
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
        write_text(output, catalogue_yaml(parsed, file.name), force=force)
    else:
        sheets = sheets_for(parsed)
        for note in sheets.left_out:
            click.echo(f"warning: {note}", err=True)
        write_bytes(output, rules_workbook_bytes(sheets, TEMPLATE_TIME), force=force)
    click.echo(f"Wrote {output}")
