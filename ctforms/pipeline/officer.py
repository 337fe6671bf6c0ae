"""What the officer does with a checked register, for both faces: the entry changes to decide,
the sign-off of the declaration evidence pack, and what the rules catalogue knows (with the
rules workbook to fill in). The check itself is ctforms.pipeline.run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ctforms.errors import InputError
from ctforms.files.output import check_writable, write_bytes
from ctforms.files.reproducible import TEMPLATE_TIME
from ctforms.models import Proposal, Records, Register, RulesKnowledge
from ctforms.people import is_example_name
from ctforms.pipeline.progress import Progress, _Quiet
from ctforms.read.catalogue import load_catalogue
from ctforms.read.centre import load_centre

# The producers are imported inside the functions, as in ctforms.pipeline: a page that only
# lists proposals does not pay for reportlab or cryptography.

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
    signed_by: str = ""  # as centre.toml names them (the typed name may differ in case or spaces)


DECLARATION_STEPS = ["Reading the register", "Making the evidence pack", "Signing the pack"]


def allowed_signers(register: Register) -> list[str]:
    """Who may sign off this register's pack: its Exams Officer, then the deputies centre.toml
    lists (sign_off refuses anyone else, and the init template's example names)."""
    c = register.centre
    people = [c.exams_officer, *c.exams_officer_deputies]
    return [n for n in people if n.strip() and not is_example_name(n)]


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
    from ctforms.produce.pack import build_pack
    from ctforms.produce.sign_off import SignOff, check_sign_off, outstanding
    from ctforms.produce.signing import sign_pdf
    from ctforms.read.records import read_records
    from ctforms.register import load_register, with_actions

    progress = progress or _Quiet()
    if (key is None) != (cert is None):
        raise InputError(
            "the signing key and its certificate go together: give both or neither",
            fields=("key", "cert"),
        )
    check_writable(output, force)
    progress.step(DECLARATION_STEPS[0])
    register = load_register(register_file)
    if records is not None:
        register = with_actions(register, read_records(records), records.name)
    # Checked before any work; the pack prints the name as centre.toml writes it.
    sign = check_sign_off(register, SignOff(signed_by, role, reason))
    signed_by = sign.name
    progress.step(DECLARATION_STEPS[1])
    data = build_pack(register, sign, prepared_by=signed_by)
    if key is not None and cert is not None:
        progress.step(DECLARATION_STEPS[2])
        data = sign_pdf(data, key, cert, signed_by)
    write_bytes(output, data, force=force)
    return SignedOff(output, len(outstanding(register)), key is not None, signed_by)


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
    from ctforms.produce.rules_template import template_bytes
    from ctforms.read.records import read_records
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
