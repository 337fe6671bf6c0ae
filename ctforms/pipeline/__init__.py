"""The whole job, once, for every face: the CLI and the web page both call these functions.

check() reads the inputs and builds the register; run() then writes every output of a run into
a hidden folder beside the target and moves it into place only when all of it is made. What the
officer does with the register afterwards (proposals, sign-off, rules) is pipeline/officer.py,
importable from here too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ctforms.demo import demo_dir
from ctforms.errors import InputError
from ctforms.files.lock import writing
from ctforms.files.output import (
    clear_leftovers,
    make_folder,
    publish,
    staged_folder,
    write_bytes,
)
from ctforms.models import (
    Checkpoint,
    Register,
    SentChange,
    SigningSettings,
)
from ctforms.paperwork import FORMS, ecd_amendments_file_name, term_time_pack_file_name
from ctforms.people import real_name
from ctforms.pipeline.officer import DECLARATION_STEPS as DECLARATION_STEPS
from ctforms.pipeline.officer import RulesTemplate as RulesTemplate
from ctforms.pipeline.officer import SignedOff as SignedOff
from ctforms.pipeline.officer import allowed_signers as allowed_signers
from ctforms.pipeline.officer import proposals as proposals
from ctforms.pipeline.officer import rules_knowledge as rules_knowledge
from ctforms.pipeline.officer import rules_template as rules_template
from ctforms.pipeline.officer import sign_off as sign_off
from ctforms.pipeline.progress import Progress as Progress
from ctforms.pipeline.progress import _Quiet
from ctforms.read.catalogue import load_catalogue
from ctforms.read.centre import load_centre
from ctforms.register import Inputs, build_register, note_entries_file

if TYPE_CHECKING:
    from ctforms.produce.entries_files import Written
    from ctforms.produce.forms.produce import Produced
    from ctforms.produce.signing import Signer

# The producers import openpyxl, docxtpl, reportlab or cryptography. They are imported inside
# the functions that use them so a check on a big tracker does not pay for them at start.

PACK_FILE = "{centre}-declaration-evidence-pack.pdf"
ARCHIVE_FILE = "{centre}-submission-archive.zip"
TABLE_FILES = ["issues.json", "issues.txt", "actions.xlsx", "deadlines.ics"]
# Where a forced re-run moves an earlier entries file it does not make again: an entries file is
# never deleted (it may have been sent), and the run's folder holds only what its archive lists.
EARLIER_ENTRIES = "earlier-entries"

READ = "Reading and checking the tracker"
RUN_STEPS = [
    READ,
    "Writing the entries file",
    "Writing the register and action list",
    "Filling the forms",
    "Making the evidence pack",
    "Archiving",
]


@dataclass(frozen=True)
class Sources:
    """The files a check reads. catalogues: rules workbooks or YAML, in order of precedence."""

    tracker: Path
    centre: Path
    records: Path | None = None
    catalogues: tuple[Path, ...] = ()
    encoding: str | None = None
    checkpoint: Checkpoint = "2"


def demo_sources(catalogues: tuple[Path, ...] = ()) -> Sources:
    """The shipped demo centre (its date is DEMO_AS_OF)."""
    base = demo_dir()
    return Sources(
        base / "tracker.csv",
        base / "centre.toml",
        base / "records.xlsx",
        (base / "rules.xlsx", *catalogues),
    )


def check(
    sources: Sources,
    as_of: dt.date,
    progress: Progress | None = None,
    entries_in: Sequence[Path] = (),
) -> Register:
    """Read the inputs and build the register: every issue, its action and its deadline.
    entries_in: folders holding entries files already made (entries_folders), where a file
    recorded as sent without its changes is read to know what it carried."""
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
            sent_contents(entries_in) if entries_in else None,
            sources.checkpoint,
        ),
        as_of,
    )


def entries_folders(outdir: Path, earlier_runs: Sequence[Path] = ()) -> list[Path]:
    """Where a run finds the centre's entries files already made: its own folder, then the
    folders of earlier runs, each with the earlier entries files a forced re-run moved aside.
    The series (produce.entries_files.next_entries_file) counts them all: never a name twice."""
    return [f for folder in (outdir, *earlier_runs) for f in (folder, folder / EARLIER_ENTRIES)]


def sent_contents(folders: Sequence[Path]) -> Callable[[str], list[SentChange] | None]:
    """What an entries file carried, read from the first of folders that holds it (None when
    none does)."""
    from ctforms.files.limits import EDI_MAX_BYTES, read_limited
    from ctforms.produce import edi

    def contents(name: str) -> list[SentChange] | None:
        path = next((f / name for f in folders if (f / name).is_file()), None)
        if path is None:
            return None
        return edi.changes_in(read_limited(path, EDI_MAX_BYTES, "the entries file"), name)

    return contents


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
    entries: Written | None  # None: the term-time checkpoint makes no entries file
    pack: Path
    archive: Path
    signing: SigningSettings | None
    # Entries files a forced re-run moved into earlier-entries/ (or back out of it, when it made
    # one again): (where it was, where it is now).
    moved_entries: list[tuple[Path, Path]] = field(default_factory=list)

    @property
    def written(self) -> Written:
        """The entries file and listing of a Checkpoint 2 run."""
        assert self.entries is not None, "a term-time run makes no entries file"
        return self.entries


def prepare_run(outdir: Path, force: bool) -> None:
    """Refuse an output folder that is a file, or not empty without force, before any work."""
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir} is a file, not a folder; choose another folder")
    if outdir.exists() and any(outdir.iterdir()) and not force:
        raise InputError(
            f"{outdir} is not empty; ctforms writes into it only when told to replace an"
            " earlier run's files",
            fields=("force",),
        )


def run(
    sources: Sources,
    as_of: dt.date,
    outdir: Path,
    force: bool = False,
    progress: Progress | None = None,
    earlier_runs: Sequence[Path] = (),
    say: Callable[[str], None] | None = None,
    names_in_calendar: bool = False,
) -> Run:
    """Check, then write the register and all its paperwork into outdir: all of it or nothing.

    earlier_runs: the folders of the centre's earlier runs (the web page makes one per check).
    Their entries files count as this folder's would: the new one takes the next sequence
    after them and after every file the records say was sent, unless it holds exactly the
    entries of the last one made, which keeps its name.
    say: told, before any work, what a run stopped dead left here and was cleared away.
    names_in_calendar: students' names in deadlines.ics too (by default candidate numbers
    only: calendars are shared).

    The folder is held (files/lock.py) from before it is found empty until everything is in
    place: a second run into it, or into the folder it is in, is refused at once."""
    progress = progress or _Quiet()
    say = say or (lambda line: None)
    with writing(outdir, f"writing a run's outputs into {outdir.absolute()}") as held:
        if held.stopped is not None:
            say(
                f"a ctforms stopped before it finished ({held.stopped.said()}) no longer"
                f" holds {outdir}"
            )
        for stage in clear_leftovers(outdir):
            say(
                f"removed {stage}: the unfinished outputs of a run that was stopped before it"
                " finished (it held personal data)"
            )
        return _run(sources, as_of, outdir, force, progress, earlier_runs, names_in_calendar)


def _run(
    sources: Sources,
    as_of: dt.date,
    outdir: Path,
    force: bool,
    progress: Progress,
    earlier_runs: Sequence[Path],
    names_in_calendar: bool,
) -> Run:
    prepare_run(outdir, force)
    folders = entries_folders(outdir, earlier_runs)
    register = check(sources, as_of, progress, folders)
    # The papers print these people: refuse the init template's examples before any file.
    real_name(register.centre.head_of_centre, ("centre", "head_of_centre"), file=sources.centre)
    real_name(register.centre.exams_officer, ("exams_officer", "name"), file=sources.centre)
    signing = load_centre(sources.centre).signing
    signer = centre_signer(sources.centre, signing)  # a bad key path fails before any work
    centre = register.centre.number
    if outdir.exists():
        _refuse_others(outdir, centre)
    # Everything is made in a hidden folder beside the target and moved into place only when
    # all of it is made: a run that fails leaves the folder as it was.
    with staged_folder(outdir) as stage:
        made = _make_outputs(
            register, sources.catalogues, signer, stage, folders, progress, names_in_calendar
        )
        names = sorted(p.name for p in stage.iterdir())
        shifted: list[tuple[Path, Path]] = []
        if outdir.exists():
            shifted = _set_aside_entries(outdir, centre, stage, set(names))
            _remove_stale_outputs(outdir, centre, keep=set(names))
        publish(stage, outdir, names)
    tables, produced, written, pack, archived = made

    def moved(path: Path) -> Path:
        return outdir / path.name

    return Run(
        register=register,
        outdir=outdir,
        tables=[outdir / name for name in tables],
        produced=[replace(form, files=[moved(p) for p in form.files]) for form in produced],
        entries=replace(
            written,
            edi_file=moved(written.edi_file) if written.edi_file else None,
            listing=moved(written.listing),
        )
        if written is not None
        else None,
        pack=moved(pack),
        archive=moved(archived),
        signing=signing,
        moved_entries=shifted,
    )


def _make_outputs(
    register: Register,
    catalogues: tuple[Path, ...],
    signer: Signer | None,
    stage: Path,
    earlier: Sequence[Path],
    progress: Progress,
    names_in_calendar: bool = False,
) -> tuple[list[str], list[Produced], Written | None, Path, Path]:
    """Every output of a run, written into stage; earlier: where entries files already made
    are (entries_folders)."""
    from ctforms.produce.department import department_workbooks
    from ctforms.produce.entries_files import write_entries
    from ctforms.produce.forms.produce import produce_form
    from ctforms.produce.report import render_table

    if register.checkpoint == "term-time":
        return _make_term_time_outputs(
            register, catalogues, signer, stage, progress, names_in_calendar
        )
    progress.step(RUN_STEPS[1])
    # An EDI file is never replaced: the next of the series after every file made or sent
    # (write_entries keeps an identical last file instead of writing it again).
    catalogue = load_catalogue(catalogues)
    written = write_entries(register, catalogue, stage, force=True, made_in=earlier)
    # Written first so every issue a confirmed change answers names its file ("in …X02").
    for change in written.plan.changes:  # (a sent file is known to the register already)
        if change.file:
            note_entries_file(register, change.candidate_number, change.to_code, change.file)
    progress.step(RUN_STEPS[2])
    tables = {
        "issues.json": register_text(register).encode(),
        "issues.txt": render_table(register).encode(),
        "actions.xlsx": action_list(register),
        "deadlines.ics": calendar(register, names=names_in_calendar),
        # One list per subject for its head of department (issue 20 item 8).
        **department_workbooks(register, catalogue, register.checkpoint),
    }
    for name, data in tables.items():
        write_bytes(stage / name, data)
    progress.step(RUN_STEPS[3])
    produced = []
    for i, name in enumerate(FORMS):
        produced.append(produce_form(register, name, stage, force=True))
        progress.part((i + 1) / len(FORMS))
    # The archive holds exactly what this run wrote (the stage holds nothing else).
    wrote = sorted(p.name for p in stage.iterdir())
    pack, archived = pack_and_archive(register, stage, wrote, signer, progress)
    return list(tables), produced, written, pack, archived


def _make_term_time_outputs(
    register: Register,
    catalogues: tuple[Path, ...],
    signer: Signer | None,
    stage: Path,
    progress: Progress,
    names_in_calendar: bool,
) -> tuple[list[str], list[Produced], Written | None, Path, Path]:
    """The term-time checkpoint's run: the same tables, the ECD amendments workbook, the
    term-time pack and the archive; no entries file and no upload forms (Checkpoint 2's)."""
    from ctforms.produce.amendments import amendments_bytes
    from ctforms.produce.department import department_workbooks
    from ctforms.produce.report import render_table

    progress.step(RUN_STEPS[2])
    tables = {
        "issues.json": register_text(register).encode(),
        "issues.txt": render_table(register).encode(),
        "actions.xlsx": action_list(register),
        "deadlines.ics": calendar(register, names=names_in_calendar),
        ecd_amendments_file_name(register.centre.number): amendments_bytes(register),
        # One list per subject for its head of department to confirm (issue 20 item 8).
        **department_workbooks(register, load_catalogue(catalogues), register.checkpoint),
    }
    for name, data in tables.items():
        write_bytes(stage / name, data)
    wrote = sorted(p.name for p in stage.iterdir())
    pack, archived = pack_and_archive(register, stage, wrote, signer, progress)
    return list(tables), [], None, pack, archived


def pack_file_name(register: Register) -> str:
    """The evidence pack of the register's checkpoint."""
    centre = register.centre.number
    if register.checkpoint == "term-time":
        return term_time_pack_file_name(centre)
    return PACK_FILE.format(centre=centre)


def _entries_file(centre: str) -> re.Pattern[str]:
    """The name of an entries file of this centre, of any sequence (E, or A for amendments)."""
    return re.compile(rf"^[EA]{re.escape(centre)}\d{{2}}\.X\d{{2}}$")


def _department_file(centre: str) -> re.Pattern[str]:
    """The name of a subject's list for its head of department, of any subject."""
    from ctforms.read.department import department_file_pattern

    return department_file_pattern(centre)


def _run_files(centre: str) -> set[str]:
    """The names a run writes, but for its entries files."""
    from ctforms.paperwork import form_file_name, hoc_declaration_file_name, listing_file_name

    names = set(TABLE_FILES)
    names |= {form_file_name(centre, name) for name in FORMS}
    names |= {
        hoc_declaration_file_name(centre),
        listing_file_name(centre),
        PACK_FILE.format(centre=centre),
        ARCHIVE_FILE.format(centre=centre),
        ecd_amendments_file_name(centre),
        term_time_pack_file_name(centre),
    }
    return names


def _refuse_others(outdir: Path, centre: str) -> None:
    """Told to, a run replaces an earlier run's files; a folder that also holds anything else (the
    centre's own files, a link, a folder) is refused, as a run's folder holds exactly what its
    archive lists. Hidden files are not the folder's files (no archive lists them)."""
    ours, entries = _run_files(centre), _entries_file(centre)
    department = _department_file(centre)
    aside = outdir / EARLIER_ENTRIES
    others = []
    for entry in sorted(os.scandir(outdir), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            others.append(name)
        elif entry.is_dir():
            if name != EARLIER_ENTRIES:
                others.append(f"{name}/")
        elif not (
            (name in ours or entries.match(name) or department.match(name)) and entry.is_file()
        ):
            others.append(name)
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise InputError(
            f"{outdir} holds {shown}, which no run made; a run replaces only a run's own"
            " files, and a run's folder holds only what its archive lists: move them"
            " elsewhere, or choose another folder"
        )
    # An entries file this run may move aside must not meet another of its name there.
    for name in sorted(os.listdir(outdir)):
        there = aside / name
        if (
            entries.match(name)
            and there.exists()
            and (not there.is_file() or _read(there) != _read(outdir / name))
        ):
            raise InputError(
                f"{there} already exists and is not the same file as {outdir / name}; an"
                " entries file is never replaced: keep one of them elsewhere, then run again"
            )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", file=path) from None


def _set_aside_entries(
    outdir: Path, centre: str, stage: Path, made: set[str]
) -> list[tuple[Path, Path]]:
    """Move every entries file in outdir that this run does not make again, byte for byte, into
    outdir/earlier-entries: never deleted (it may have been sent), never left unlisted. One
    there that this run makes again, byte for byte, is moved back (it is in the archive)."""
    entries = _entries_file(centre)
    aside = outdir / EARLIER_ENTRIES
    moved = []
    for name in sorted(made):
        back, there = aside / name, outdir / name
        if (
            entries.match(name)
            and back.is_file()
            and not back.is_symlink()
            and not there.exists()
            and _read(back) == _read(stage / name)
        ):
            try:
                os.rename(back, there)
            except OSError as exc:
                raise InputError(f"cannot move it back ({exc.strerror})", file=back) from None
            moved.append((back, there))
    for path in sorted(outdir.iterdir()):
        if not entries.match(path.name) or path.is_symlink() or not path.is_file():
            continue
        if path.name in made and _read(stage / path.name) == _read(path):
            continue  # the run keeps it: the same file, in the new archive
        make_folder(aside)
        dest = aside / path.name
        try:
            if dest.is_file() and dest.read_bytes() == path.read_bytes():
                path.unlink()  # the same file is there already (checked before any work)
            else:
                os.rename(path, dest)
        except OSError as exc:
            raise InputError(f"cannot move it aside ({exc.strerror})", file=path) from None
        moved.append((path, dest))
    with contextlib.suppress(OSError):
        aside.rmdir()  # when all went back: no empty folder left
    return moved


def _remove_stale_outputs(outdir: Path, centre: str, keep: set[str]) -> None:
    """A forced re-run replaces what an earlier run wrote, so a form that is no longer needed
    does not linger into the new archive (entries files are moved aside first)."""
    for name in sorted(_run_files(centre)):
        if name not in keep:
            (outdir / name).unlink(missing_ok=True)
    # A subject no longer checked (or the other checkpoint's lists): named by pattern.
    department = _department_file(centre)
    for path in sorted(outdir.iterdir()):
        if department.match(path.name) and path.name not in keep and path.is_file():
            path.unlink()


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
    pack = outdir / pack_file_name(register)
    progress.step(RUN_STEPS[4])
    officer = register.centre.exams_officer or None
    write_bytes(pack, build_pack(register, prepared_by=officer), force=True)
    progress.step(RUN_STEPS[5])
    archived = outdir / ARCHIVE_FILE.format(centre=register.centre.number)
    write_archive(outdir, archived, files=[*files, pack.name], signed_by=None, signer=signer)
    return pack, archived
