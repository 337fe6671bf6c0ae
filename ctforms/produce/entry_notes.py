"""What the entries file of a check holds, and a note for each issue it concerns: which file
carries the change and the next step, worked out again from the register as the check did."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ctforms.errors import InputError
from ctforms.models import DecisionRow, IssueKind, Register
from ctforms.produce.entries import plan_changes
from ctforms.produce.entries import proposals as found_proposals
from ctforms.read.catalogue import Catalogue
from ctforms.read.centre import long_date

EDI_NAME = re.compile(r"[AE]\d{7}\.X\d\d")  # entries (E) and amendment (A) files


@dataclass(frozen=True)
class InFile:
    """One entry change in the entries file, and why it is there, in words."""

    candidate: str  # '0036 Hill, Amelia'
    change: str  # '05836 to 05835 Extended Certificate (move-down)'
    why: str


@dataclass(frozen=True)
class EntryFile:
    """What the entries file of a check holds: name None when the check made none."""

    name: str | None
    changes: list[InFile]
    not_in: list[str]  # proposals no one has confirmed, and changes that could not go in
    notes: dict[str, str]  # issue id -> what was decided or is in the file, and the next step


def entry_notes(
    register: Register,
    catalogue: Catalogue,
    name: str | None,
    recorded: dict[tuple[str, str], DecisionRow] | None = None,
) -> EntryFile:
    """The entry changes of a check (worked out again from its register and catalogue, as the
    check did), given the name of the entries file it made; a proposal decided since
    (recorded, by candidate and code) says what the next check does."""
    try:
        plan = plan_changes(register, catalogue)
    except InputError:
        return EntryFile(name, [], [], {})
    by_id = {i.id: i for i in register.issues}
    changes = []
    notes: dict[str, str] = {}
    upload = f"It is in the entries file {name}: upload that file in Interchange" if name else ""
    for ch in plan.changes:
        first = by_id.get(ch.issue_ids[0]) if ch.issue_ids else None
        d = first.decision if first else None
        if first is not None and d is not None and d.make_change:
            on = f" on {long_date(d.date)}" if d.date else ""
            why = f"Confirmed by {d.decided_by}{on} (Entry Decisions)."
        else:
            why = (
                f"{first.summary.rstrip('.')}." if first else ""
            ) + " Your records call for it (the Expected sheet), so it goes in without asking."
        sized = f"{ch.from_code} to {ch.to_code}" if ch.from_code else f"new entry {ch.to_code}"
        changes.append(
            InFile(
                f"{ch.candidate_number} {ch.surname}, {ch.forenames}".strip(", "),
                f"{sized} {ch.to_title} ({ch.change})".replace("  ", " "),
                why.strip(),
            )
        )
        if upload:
            for issue_id in ch.issue_ids:
                # The file adds the new entry only; the old one goes to OCR another way.
                old = (
                    f" The {ch.from_code} entry is not withdrawn by EDI: the entries listing"
                    " says how to send that to OCR."
                    if ch.from_code
                    else ""
                )
                notes[issue_id] = (
                    f"The entry change {sized} is in the entries file {name} (as the new"
                    f" {ch.to_code} entry): upload it in Interchange, then mark this issue"
                    f" handled.{old}"
                )
    in_file = {(ch.candidate_number, ch.to_code) for ch in plan.changes}
    sent_in: dict[tuple[str | None, str], str | None] = {
        (ch.candidate_number, ch.to_code): ch.file for ch in plan.sent
    }
    for i in register.issues:
        d, code = i.decision, i.evidence.move_down_code
        if i.kind is not IssueKind.MOVE_DOWN_AVAILABLE or d is None or not code:
            continue
        on = f" on {long_date(d.date)}" if d.date else ""
        answered = ""  # for the issues the confirmed change closes: nothing left to mark
        if d.make_change:
            in_it = bool(upload) and (i.candidate_number, code) in in_file
            step = (
                f"{upload}, then mark this issue handled"
                if in_it
                else f"It was sent to OCR in {sent_in[(i.candidate_number, code)]}: mark this"
                " issue handled once the tracker shows it"
                if (i.candidate_number, code) in sent_in
                else "Make the change in Interchange, then mark this issue handled"
            )
            said = f"Move-down to {code} confirmed by {d.decided_by}{on}. {step}."
            answered = f"Move-down to {code} confirmed by {d.decided_by}{on}." + (
                f" It is in the entries file {name}." if in_it else ""
            )
        else:
            said = (
                f"Move-down to {code} declined by {d.decided_by}{on}: the entry stays as it is."
                " Handle this issue another way."
            )
        for j in register.issues:
            same = (j.candidate_number, j.qualification_code) == (
                i.candidate_number,
                i.qualification_code,
            )
            if same and not j.handled and not (j is i and j.id in notes):
                # (the change's own issue keeps its note of the file that carries it)
                notes[j.id] = said
            elif same and answered and j is not i and j.decision == d:
                notes[j.id] = answered
    not_in = []
    for p in found_proposals(register):
        who_ = f"{p.candidate_number} {p.name}".strip()
        move = f"move-down {p.qualification_code} to {p.proposed_code}"
        if p.decision is False:
            not_in.append(f"{who_}: {move}, declined by {p.decided_by}: stays out.")
        elif p.decision is None and not p.handled:
            now = (recorded or {}).get((p.candidate_number, p.proposed_code))
            if now is not None and now.make_change:
                not_in.append(
                    f"{who_}: {move}, confirmed: goes into the entries file at the next check."
                )
            elif now is not None:
                not_in.append(f"{who_}: {move}, declined by {now.decided_by}: stays out.")
            else:
                not_in.append(f"{who_}: {move}, proposed: goes in only if you confirm it above.")
    return EntryFile(name, changes, [*not_in, *plan.skipped], notes)
