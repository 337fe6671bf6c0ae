"""The whole job, once, for every face: the CLI and the web page both call these functions.

check() reads the inputs and builds the register; run() then writes every output of a run into
a hidden folder beside the target and moves it into place only when all of it is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ctforms.demo import demo_dir
from ctforms.errors import InputError
from ctforms.files.output import check_writable, leftovers, publish, staged_folder, write_bytes
from ctforms.files.reproducible import TEMPLATE_TIME
from ctforms.models import Proposal, Records, Register, RulesKnowledge, SigningSettings
from ctforms.paperwork import FORMS
from ctforms.people import real_name
from ctforms.read.catalogue import load_catalogue
from ctforms.read.centre import load_centre
from ctforms.register import Inputs, build_register

if TYPE_CHECKING:
    from ctforms.produce.entries import Written
    from ctforms.produce.forms.produce import Produced
    from ctforms.produce.signing import Signer

# The producers import openpyxl, docxtpl, reportlab or cryptography. They are imported inside
# the functions that use them so a check on a big tracker does not pay for them at start.

PACK_FILE = "{centre}-declaration-evidence-pack.pdf"
ARCHIVE_FILE = "{centre}-submission-archive.zip"
TABLE_FILES = ["issues.json", "issues.txt", "actions.xlsx", "deadlines.ics"]

READ = "Reading and checking the tracker"
RUN_STEPS = [
    READ,
    "Writing the register and action list",
    "Filling the forms",
    "Writing the entries file",
    "Making the evidence pack",
    "Archiving",
]


class Progress(Protocol):
    """What long work reports to its face: which step, and how far through it (0 to 1)."""

    def step(self, name: str) -> None: ...

    def part(self, fraction: float) -> None: ...


class _Quiet:
    def step(self, name: str) -> None:
        pass

    def part(self, fraction: float) -> None:
        pass


@dataclass(frozen=True)
class Sources:
    """The files a check reads. catalogues: rules workbooks or YAML, in order of precedence."""

    tracker: Path
    centre: Path
    records: Path | None = None
    catalogues: tuple[Path, ...] = ()
    encoding: str | None = None


def demo_sources(catalogues: tuple[Path, ...] = ()) -> Sources:
    """The shipped demo centre (its date is DEMO_AS_OF)."""
    base = demo_dir()
    return Sources(
        base / "tracker.csv",
        base / "centre.toml",
        base / "records.xlsx",
        (base / "rules.xlsx", *catalogues),
    )


def check(sources: Sources, as_of: dt.date, progress: Progress | None = None) -> Register:
    """Read the inputs and build the register: every issue, its action and its deadline."""
    progress = progress or _Quiet()
    progress.step(READ)
    return build_register(
        Inputs(
            sources.tracker,
            sources.centre,
            sources.records,
            sources.catalogues,
            sources.encoding,
            progress.part,
        ),
        as_of,
    )


def register_text(register: Register) -> str:
    return register.model_dump_json(indent=2) + "\n"


def action_list(register: Register) -> bytes:
    from ctforms.produce.action_list import action_list_bytes

    return action_list_bytes(register)


def calendar(register: Register, names: bool = False) -> bytes:
    from ctforms.produce.calendar_file import calendar_bytes

    return calendar_bytes(register, names=names)


@dataclass
class Run:
    """What a run wrote, with every path in the output folder (not the staging folder)."""

    register: Register
    outdir: Path
    tables: list[Path]
    produced: list[Produced]
    written: Written
    pack: Path
    archive: Path
    signing: SigningSettings | None
    # Staging folders an interrupted earlier run left beside the target (they hold personal data).
    leftovers: list[Path] = field(default_factory=list)


def prepare_run(outdir: Path, force: bool) -> None:
    """Refuse an output folder that is a file, or not empty without force, before any work."""
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir} is a file, not a folder; choose another folder")
    if outdir.exists() and any(outdir.iterdir()) and not force:
        raise InputError(f"{outdir} is not empty; use --force to write into it")


def run(
    sources: Sources,
    as_of: dt.date,
    outdir: Path,
    force: bool = False,
    progress: Progress | None = None,
    earlier_runs: Sequence[Path] = (),
    names_in_calendar: bool = False,
) -> Run:
    """Check, then write the register and all its paperwork into outdir: all of it or nothing.

    earlier_runs: the folders of the centre's earlier runs (the web page makes one per check).
    Their entries files count as this folder's would: the new one takes the next sequence,
    unless it holds exactly the entries of the last one sent, which keeps its name.
    names_in_calendar: students' names in deadlines.ics too (by default candidate numbers
    only: calendars are shared)."""
    progress = progress or _Quiet()
    prepare_run(outdir, force)
    register = check(sources, as_of, progress)
    # The papers print these people: refuse the init template's examples before any file.
    real_name(register.centre.head_of_centre, "[centre] head_of_centre")
    real_name(register.centre.exams_officer, "[exams_officer] name")
    signing = load_centre(sources.centre).signing
    signer = centre_signer(sources.centre, signing)  # a bad key path fails before any work
    stale = leftovers(outdir)
    # Everything is made in a hidden folder beside the target and moved into place only when
    # all of it is made: a run that fails leaves the folder as it was.
    with staged_folder(outdir) as stage:
        made = _make_outputs(
            register,
            sources.catalogues,
            signer,
            stage,
            (outdir, *earlier_runs),
            progress,
            names_in_calendar,
        )
        names = sorted(p.name for p in stage.iterdir())
        if outdir.exists():
            _remove_stale_outputs(outdir, register.centre.number, keep=set(names))
        publish(stage, outdir, names)
    tables, produced, written, pack, archived = made

    def moved(path: Path) -> Path:
        return outdir / path.name

    return Run(
        register=register,
        outdir=outdir,
        tables=[outdir / name for name in tables],
        produced=[replace(form, files=[moved(p) for p in form.files]) for form in produced],
        written=replace(
            written,
            edi_file=moved(written.edi_file) if written.edi_file else None,
            listing=moved(written.listing),
        ),
        pack=moved(pack),
        archive=moved(archived),
        signing=signing,
        leftovers=stale,
    )


def _make_outputs(
    register: Register,
    catalogues: tuple[Path, ...],
    signer: Signer | None,
    stage: Path,
    earlier: Sequence[Path],
    progress: Progress,
    names_in_calendar: bool = False,
) -> tuple[list[str], list[Produced], Written, Path, Path]:
    """Every output of a run, written into stage; earlier: the run's own folder, then the
    folders of earlier runs, where entries files already made are."""
    from ctforms.produce.entries import write_entries
    from ctforms.produce.forms.produce import produce_form
    from ctforms.produce.report import render_table

    progress.step(RUN_STEPS[1])
    tables = {
        "issues.json": register_text(register).encode(),
        "issues.txt": render_table(register).encode(),
        "actions.xlsx": action_list(register),
        "deadlines.ics": calendar(register, names=names_in_calendar),
    }
    for name, data in tables.items():
        write_bytes(stage / name, data)
    progress.step(RUN_STEPS[2])
    produced = []
    for i, name in enumerate(FORMS):
        produced.append(produce_form(register, name, stage, force=True))
        progress.part((i + 1) / len(FORMS))
    progress.step(RUN_STEPS[3])
    # An EDI file is never replaced: a re-run takes the next sequence after the last file made
    # (write_entries keeps an identical last file instead of writing it again).
    last = [(_last_sequence(folder, register.centre.number), folder) for folder in earlier]
    sequence, holder = max(last, key=lambda found: found[0])  # the first folder on a tie
    written = write_entries(
        register,
        load_catalogue(catalogues),
        stage,
        sequence=max(sequence, 1),
        force=True,
        rerun=True,
        earlier=holder,
    )
    # The archive holds exactly what this run wrote (the stage holds nothing else).
    wrote = sorted(p.name for p in stage.iterdir())
    pack, archived = pack_and_archive(register, stage, wrote, signer, progress)
    return list(tables), produced, written, pack, archived


def _last_sequence(folder: Path, centre: str) -> int:
    """The sequence of the last of the entries files 1, 2, ... in folder (0 when none)."""
    from ctforms.produce import edi

    sequence = 1
    while (folder / edi.file_name(centre, sequence + 1)).exists():
        sequence += 1
    return sequence if sequence > 1 or (folder / edi.file_name(centre, 1)).exists() else 0


def _remove_stale_outputs(outdir: Path, centre: str, keep: set[str]) -> None:
    """A forced re-run replaces what an earlier run wrote, so a form that is no longer needed
    does not linger into the new archive. EDI files are never removed (they may be sent)."""
    from ctforms.paperwork import form_file_name, hoc_declaration_file_name, listing_file_name

    names = list(TABLE_FILES)
    names += [form_file_name(centre, name) for name in FORMS]
    names += [
        hoc_declaration_file_name(centre),
        listing_file_name(centre),
        PACK_FILE.format(centre=centre),
        ARCHIVE_FILE.format(centre=centre),
    ]
    for name in names:
        if name not in keep:
            (outdir / name).unlink(missing_ok=True)


def centre_signer(centre: Path, signing: SigningSettings | None) -> Signer | None:
    """The key pair centre.toml's [signing] names (paths relative to centre.toml), checked."""
    from ctforms.produce.signing import load_signer

    if signing is None:
        return None
    return load_signer(
        centre.parent / Path(signing.key).expanduser(),
        centre.parent / Path(signing.cert).expanduser(),
        key_label="[signing] key",
        cert_label="[signing] cert",
        source=centre,
    )


def pack_and_archive(
    register: Register,
    outdir: Path,
    files: Sequence[str],
    signer: Signer | None,
    progress: Progress | None = None,
) -> tuple[Path, Path]:
    """The pack as a review draft (no one has signed it off), then the archive of `files` (the
    names the run wrote) and the pack, signed when centre.toml's [signing] names a key."""
    from ctforms.produce.archive import write_archive
    from ctforms.produce.pack import build_pack

    progress = progress or _Quiet()
    pack = outdir / PACK_FILE.format(centre=register.centre.number)
    progress.step(RUN_STEPS[4])
    officer = register.centre.exams_officer or None
    write_bytes(pack, build_pack(register, prepared_by=officer), force=True)
    progress.step(RUN_STEPS[5])
    archived = outdir / ARCHIVE_FILE.format(centre=register.centre.number)
    write_archive(outdir, archived, files=[*files, pack.name], signed_by=None, signer=signer)
    return pack, archived


# ---------------------------------------------------------------------------- decisions


def proposals(register: Register, catalogues: tuple[Path, ...] = ()) -> list[Proposal]:
    """The entry changes ctforms proposes (move-downs), each with what the records' Entry
    Decisions sheet says of it; record a decision with produce.decisions.record_entry_decision
    and check again."""
    from ctforms.produce.entries import proposals as found

    return found(register, load_catalogue(catalogues))


@dataclass(frozen=True)
class SignedOff:
    """The signed-off pack: where, how many blocking issues it was signed with, and whether the
    PDF carries a digital signature."""

    path: Path
    outstanding: int
    signed_digitally: bool


DECLARATION_STEPS = ["Reading the register", "Making the evidence pack", "Signing the pack"]


def sign_off(
    register_file: Path,
    output: Path,
    *,
    signed_by: str,
    role: str,
    records: Path | None = None,
    reason: str | None = None,
    key: Path | None = None,
    cert: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> SignedOff:
    """Sign off the declaration evidence pack as a named Exams Officer. Refused while blocking
    issues have no recorded action (records: the Actions sheet, read again), unless `reason`
    says why; key and cert (together) also sign the PDF."""
    from ctforms.produce.pack import SignOff, build_pack, outstanding
    from ctforms.produce.signing import sign_pdf
    from ctforms.read.records import read_records
    from ctforms.register import load_register, with_actions

    progress = progress or _Quiet()
    if (key is None) != (cert is None):
        raise InputError("--sign and --cert go together")
    check_writable(output, force)
    progress.step(DECLARATION_STEPS[0])
    register = load_register(register_file)
    if records is not None:
        register = with_actions(register, read_records(records), records.name)
    progress.step(DECLARATION_STEPS[1])
    data = build_pack(register, SignOff(signed_by, role, reason), prepared_by=signed_by)
    if key is not None and cert is not None:
        progress.step(DECLARATION_STEPS[2])
        data = sign_pdf(data, key, cert, signed_by)
    write_bytes(output, data, force=force)
    return SignedOff(output, len(outstanding(register)), key is not None)


# ---------------------------------------------------------------------------- rules


def rules_knowledge(register: Register, catalogues: tuple[Path, ...] = ()) -> list[RulesKnowledge]:
    """For each qualification code the register's students expect or are entered for (by
    code): what the catalogue knows of its rules (its state as the register's catalogue section
    and the combination check say it) and how many students expect it (as the pack counts
    them), with those entered for it who expect another size counted apart."""
    from ctforms.checks.knowledge import rules_knowledge as knowledge

    catalogue = load_catalogue(catalogues)
    expecting: dict[str, set[str]] = {}
    entered: dict[str, set[str]] = {}
    for s in register.students:
        expecting.setdefault(s.qualification_code, set()).add(s.candidate_number)
        if s.registered_code and s.registered_code != s.qualification_code:
            entered.setdefault(s.registered_code, set()).add(s.candidate_number)
    known = []
    for code in sorted(expecting.keys() | entered.keys()):
        k = knowledge(code, catalogue.get(code), len(expecting.get(code, ())))
        k.entered_expecting_another = len(entered.get(code, set()) - expecting.get(code, set()))
        known.append(k)
    return known


@dataclass(frozen=True)
class RulesTemplate:
    """The centre's rules workbook (.xlsx bytes) and the qualification codes it lists."""

    data: bytes
    codes: list[str]


def rules_template(
    tracker: Path,
    *,
    centre: Path | None = None,
    records: Path | None = None,
    catalogues: tuple[Path, ...] = (),
) -> RulesTemplate:
    """The rules workbook for a centre, prefilled with what ctforms knows: every code its
    tracker (and Expected sheet) shows, the other sizes of the same subjects, every unit the
    tracker shows. centre: for its [tracker.columns] mapping."""
    from ctforms.read.records import read_records
    from ctforms.read.rules_workbook import template_bytes
    from ctforms.read.tracker import read_tracker

    profile = load_centre(centre) if centre else None
    base = load_catalogue(catalogues)
    data = read_tracker(
        tracker,
        centre_number=profile.centre.number if profile else None,
        mapping=profile.tracker.columns if profile else None,
        statuses=profile.tracker.statuses if profile else None,
    )
    book, cat = template_bytes(
        data, read_records(records) if records else Records(), base, TEMPLATE_TIME
    )
    return RulesTemplate(book, [q.code for s in cat.subjects for q in s.qualifications])
