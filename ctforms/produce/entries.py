"""Top-up and move-down entries from the register: the changes, the EDI file and the listing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from ctforms.checks.guidance import VQ_EMAIL
from ctforms.errors import InputError
from ctforms.models import Issue, IssueKind, Proposal, Register, SentFile
from ctforms.paperwork import ENTRY_KINDS, done_by_action
from ctforms.produce import edi
from ctforms.produce.names import MAX, NameError_, entry_name
from ctforms.read.catalogue import Catalogue
from ctforms.read.identifiers import uci_is_valid, uln_is_valid

SERIES = "09"  # Cambridge Technicals registrations (DOMAIN.md)
# OCR's routes for what a Cambridge Technicals EDI file may not carry (DOMAIN.md: OCR's entries
# and amendments pages): an EDI file adds candidates or entries only.
WITHDRAW_ROUTE = "withdraw it through the Progress Tracker (qualification withdrawals)"
CHANGE_ROUTE = f"OCR's vocational processing team by email ({VQ_EMAIL})"


class Change(BaseModel):
    """One candidate's entry change."""

    candidate_number: str
    uci: str | None
    uln: str | None
    surname: str
    forenames: str
    date_of_birth: dt.date | None
    from_code: str | None
    to_code: str
    to_title: str
    change: Literal["top-up", "move-down", "new entry"]
    why: str
    issue_ids: list[str]
    edi_name: str | None = None
    source: str = ""  # the decision or records row that asks for it, in words
    file: str | None = None  # the entries file it is in: this check's, or the one sent
    sent: SentFile | None = None  # the file recorded as sent that carried it already


def proposals(register: Register, catalogue: Catalogue | None = None) -> list[Proposal]:
    """Every entry change ctforms proposes in the register (confirmed, declined or not yet
    decided), in the register's order; catalogue: for the qualifications' titles."""
    found = []
    for issue in register.issues:
        e, c, d = issue.evidence, issue.candidate, issue.decision
        if (
            issue.kind is not IssueKind.MOVE_DOWN_AVAILABLE
            or issue.candidate_number is None
            or not e.move_down_code
        ):
            continue
        entered = e.registered_code or issue.qualification_code or ""
        found.append(
            Proposal(
                candidate_number=issue.candidate_number,
                surname=c.surname if c else "",
                forenames=c.forenames if c else "",
                name=f"{c.surname}, {c.forenames}" if c else "",
                qualification_code=entered,
                qualification_title=_title(catalogue, entered) or issue.qualification_title,
                proposed_code=e.move_down_code,
                proposed_title=_title(catalogue, e.move_down_code) or e.move_down_title or "",
                kind="move-down",
                why=issue.summary.rstrip(".") + ".",
                issue_id=issue.id,
                decision=d.make_change if d else None,
                decided_by=d.decided_by if d else None,
                decided_on=d.date if d else None,
                handled=done_by_action(issue),
            )
        )
    return found


def _title(catalogue: Catalogue | None, code: str) -> str:
    entry = catalogue.get(code) if catalogue is not None and code else None
    return entry.qualification.title if entry else ""


@dataclass
class Plan:
    changes: list[Change]
    skipped: list[str]  # why a change could not go into the EDI file
    warnings: list[str]
    # Move-downs ctforms found possible that the centre has not confirmed (Proposal.note):
    # never in the file.
    proposals: list[str] = field(default_factory=list)
    # Confirmed changes already in a file recorded as sent (Change.sent): in no new file.
    sent: list[Change] = field(default_factory=list)
    # Files recorded as sent whose contents are not known, so the new file may repeat them.
    doubts: list[str] = field(default_factory=list)
    # Names the entries file carries shortened, each with its full form (for the listing).
    shortened: list[str] = field(default_factory=list)
    # What OCR does not accept by EDI (the old entry of a top-up or move-down), each with the
    # route OCR gives for it: in the listing, never in the file.
    by_hand: list[str] = field(default_factory=list)


def _change_for(issue: Issue) -> tuple[str | None, str, str] | None:
    e = issue.evidence
    if issue.kind is IssueKind.WRONG_SIZE_ENTRY and e.expected_code and e.registered_code:
        return e.registered_code, e.expected_code, e.direction or "size change"
    if issue.kind is IssueKind.NO_QUALIFICATION_ENTRY and e.expected_code:
        return None, e.expected_code, "new entry"
    if issue.kind is IssueKind.MOVE_DOWN_AVAILABLE and e.move_down_code:
        return e.registered_code or issue.qualification_code, e.move_down_code, "move-down"
    return None


def plan_changes(register: Register, catalogue: Catalogue) -> Plan:
    """The changes the register calls for, one per candidate. Refuses a change across subjects
    and two changes for one candidate that disagree."""
    by_candidate: dict[str, Change] = {}
    skipped: list[str] = []
    warnings: list[str] = []
    # Only the centre's own records say which entry a student should have: a proposal stays
    # out of the file until someone confirms it (a declined one is still said).
    undecided = {
        p.issue_id: p.note
        for p in proposals(register)
        if p.decision is False or (p.decision is None and not p.handled)
    }
    for issue in register.issues:
        if issue.kind not in ENTRY_KINDS or issue.candidate_number is None:
            continue
        if issue.kind is IssueKind.MOVE_DOWN_AVAILABLE and not (
            issue.decision and issue.decision.make_change
        ):
            continue
        if done_by_action(issue):
            continue  # a change closed only by its confirmation still has to be made
        found = _change_for(issue)
        if found is None:
            continue
        from_code, to_code, kind = found
        number = issue.candidate_number
        if issue.decision is not None and not issue.decision.make_change:
            # The centre decided to keep the entry: said, never put in the file.
            skipped.append(
                f"candidate {number}: {issue.decision.said()} (Entry Decisions): the entry"
                " stays as it is"
            )
            continue
        if from_code and not catalogue.same_subject(from_code, to_code):
            raise InputError(
                f"candidate {number}: a {kind} from {from_code} to {to_code} is not within the"
                " same subject, level and suite in the catalogue; a top-up or move-down must"
                " stay within one subject (add the qualifications to the centre's rules if they"
                " are)",
                fields=("catalogue",),
            )
        target = catalogue.get(to_code)
        c = issue.candidate
        if c is None:
            skipped.append(
                f"candidate {number}: not in the tracker, so no name or identifiers; make the"
                f" {to_code} entry by hand in Interchange"
            )
            continue
        change = Change(
            candidate_number=number,
            uci=c.uci,
            uln=c.uln,
            surname=c.surname,
            forenames=c.forenames,
            date_of_birth=c.date_of_birth,
            from_code=from_code,
            to_code=to_code,
            to_title=target.qualification.title if target else "",
            change=kind,
            why=_why(issue),
            issue_ids=[issue.id],
            source=_source(issue),
        )
        seen = by_candidate.get(number)
        if seen is None:
            by_candidate[number] = change
        elif (seen.from_code, seen.to_code) == (from_code, to_code) or seen.to_code == to_code:
            seen.issue_ids.append(issue.id)
        else:
            raise InputError(
                f"candidate {number}: the register asks for two different entry changes"
                f" ({seen.from_code or 'none'} -> {seen.to_code}, {from_code or 'none'} ->"
                f" {to_code}); decide which is right, record the other in the Actions sheet as"
                " handled, and check again"
            )
    changes = []
    shortened: list[str] = []
    for ch in sorted(by_candidate.values(), key=lambda ch: ch.candidate_number):
        _check_identifiers(ch)
        try:
            ch.edi_name, cut = entry_name(ch.surname, ch.forenames)
        except NameError_ as exc:
            # One name the file cannot carry does not hold back everyone else's change.
            skipped.append(
                f"candidate {ch.candidate_number}: {ch.change} {ch.from_code or '(no entry)'}"
                f" -> {ch.to_code}: make this change in Interchange by hand (the name cannot be"
                f" carried): {exc}"
            )
            continue
        changes.append(ch)
        if cut:
            warnings.append(
                f"candidate {ch.candidate_number}: name shortened to {ch.edi_name!r} ({MAX}"
                " characters at most; the listing gives the full name)"
            )
            shortened.append(
                f"{ch.candidate_number}: {ch.edi_name} (full name: {ch.surname}, {ch.forenames})"
            )
    pending, sent, doubts = _set_aside_sent(changes, register)
    return Plan(
        pending,
        skipped,
        warnings,
        list(undecided.values()),
        sent,
        doubts,
        shortened=shortened,
        by_hand=[_old_entry(ch) for ch in changes if ch.from_code],
    )


def _old_entry(ch: Change) -> str:
    """What is left of a top-up or move-down once its new entry is made: the old entry, which
    no EDI file may withdraw or change, and OCR's route for it."""
    return (
        f"candidate {ch.candidate_number} {ch.surname}, {ch.forenames}: the {ch.change} adds the"
        f" {ch.to_code} entry; the {ch.from_code} entry stays until it is withdrawn:"
        f" {WITHDRAW_ROUTE} once {ch.to_code} shows there, or ask {CHANGE_ROUTE} to change"
        f" {ch.from_code} to {ch.to_code}."
    )


def _set_aside_sent(
    changes: list[Change], register: Register
) -> tuple[list[Change], list[Change], list[str]]:
    """The changes not yet in a file recorded as sent, those that are (each with the file,
    the first sent that carried it), and a doubt for each sent file whose contents are not
    known. A change stays in every new file until its file is recorded as sent."""
    # A file carries the new entry only (layout 1 also named the code it replaced): a change is
    # sent when a sent file carried its target entry for the candidate.
    carried: dict[tuple[str, str], SentFile] = {}
    for sent in register.entries_sent or []:  # in the order they were sent
        for c in sent.changes or []:
            carried.setdefault((c.candidate_number, c.to_code), sent)
    pending: list[Change] = []
    done: list[Change] = []
    for ch in changes:
        ch.sent = carried.get((ch.candidate_number, ch.to_code))
        if ch.sent is None:
            pending.append(ch)
        else:
            ch.file = ch.sent.file
            done.append(ch)
    doubts: list[str] = []
    for sent in register.entries_sent or []:
        if sent.changes is None and pending:
            doubts.append(
                f"{sent.file} is recorded as sent (Entries Sent row {sent.row}) but ctforms"
                " cannot tell what it carried: a change in the new file may already be in it;"
                " compare the two before uploading"
            )
    return pending, done, doubts


def files_by_issue(plan: Plan) -> dict[str, str]:
    """Issue id -> the entries file its change is in (this check's, once written) or was sent
    in: what an issue a change answers can name ("in E6439572.X02")."""
    return {i: ch.file for ch in [*plan.changes, *plan.sent] if ch.file for i in ch.issue_ids}


def _why(issue: Issue) -> str:
    d = issue.decision
    if d is None:
        return issue.summary
    on = f" on {d.date:%d/%m/%Y}" if d.date else ""
    return f"{issue.summary}. Confirmed by {d.decided_by}{on} (Entry Decisions)"


def _source(issue: Issue) -> str:
    """Which decision (who, when) or records row asks for the change."""
    d = issue.decision
    if d is not None:
        row = f" row {d.row}" if d.row else ""
        on = f" on {d.date:%d/%m/%Y}" if d.date else ""
        return f"Entry Decisions{row}: confirmed by {d.decided_by}{on}"
    rows = issue.evidence.source_rows
    code = issue.evidence.expected_code
    if rows:
        return f"{', '.join(rows)}: the student expects {code}" if code else ", ".join(rows)
    return ""


def _check_identifiers(ch: Change) -> None:
    if ch.uci and not uci_is_valid(ch.uci):
        raise InputError(
            f"candidate {ch.candidate_number}: UCI fails its check character; correct it in"
            " the register's source (the tracker) and check again"
        )
    if ch.uln and not uln_is_valid(ch.uln):
        raise InputError(
            f"candidate {ch.candidate_number}: ULN fails its check digit; correct it in the"
            " tracker and check again"
        )


def edi_records(
    register: Register, plan: Plan, sequence: int, data_type: str = "E"
) -> list[tuple[str, edi.Record]]:
    """The file's records: a header, one entry detail record per new entry (a top-up or
    move-down is the entry for its target code, with no change flag and no "from" code: OCR
    accepts new entries only by EDI), and a trailer. data_type: E (entries) or A (amendments),
    the first letter of every record."""
    records: list[tuple[str, edi.Record]] = [
        (
            edi.HEADER,
            {
                "data_type": data_type,
                "centre_number": register.centre.number,
                "series": SERIES,
                "year": str(register.series.year),
                "sequence": f"{sequence:02d}",
                "prepared_on": register.as_of.strftime("%Y%m%d"),
            },
        )
    ]
    for ch in plan.changes:
        records.append(
            (
                edi.DETAIL,
                {
                    "data_type": data_type,
                    "centre_number": register.centre.number,
                    "candidate_number": ch.candidate_number,
                    "entry_code": ch.to_code,
                    "name": ch.edi_name or "",
                    "uci": ch.uci or "",
                    "date_of_birth": ch.date_of_birth.strftime("%d%m%Y")
                    if ch.date_of_birth
                    else "",
                },
            )
        )
    n = len(plan.changes)
    records.append(
        (
            edi.TRAILER,
            {"data_type": data_type, "detail_records": f"{n:06d}", "total_records": f"{n + 2:07d}"},
        )
    )
    return records
