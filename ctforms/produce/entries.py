"""Top-up and move-down entries from the register: the changes, the EDI file and the listing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import BaseModel

from ctforms.errors import InputError
from ctforms.files.fast import without_gc
from ctforms.files.output import check_writable, write_all
from ctforms.files.reproducible import document_time
from ctforms.files.xlsxio import (
    autosize,
    print_table,
    put,
    style_header,
    text_lines,
    workbook_bytes,
)
from ctforms.models import Issue, IssueKind, Proposal, Register
from ctforms.paperwork import ENTRY_KINDS, listing_file_name
from ctforms.produce import edi
from ctforms.produce.names import NameError_, entry_name
from ctforms.read.catalogue import Catalogue
from ctforms.read.identifiers import uci_is_valid, uln_is_valid

SERIES = "09"  # Cambridge Technicals registrations (DOMAIN.md)
_CHANGE_LETTER = {"top-up": "T", "move-down": "M", "new entry": "N"}

URGENT_REQUEST = (
    "Request type: Qualification entry (registration) change. Centre {centre} ({name}). The"
    " candidates below need their qualification entry changed so they can receive a result"
    " this summer; the entries have been (or are being) made via EDI or Interchange as listed."
    " Please process urgently. {rows}"
)


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
                handled=issue.handled,
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
        if issue.handled:
            continue
        found = _change_for(issue)
        if found is None:
            continue
        from_code, to_code, kind = found
        number = issue.candidate_number
        if from_code and not catalogue.same_subject(from_code, to_code):
            raise InputError(
                f"candidate {number}: a {kind} from {from_code} to {to_code} is not within the"
                " same subject, level and suite in the catalogue; a top-up or move-down must"
                " stay within one subject (add the qualifications with --catalogue if they are)"
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
                " handled, and run check again"
            )
    changes = sorted(by_candidate.values(), key=lambda ch: ch.candidate_number)
    for ch in changes:
        _check_identifiers(ch)
        try:
            ch.edi_name, shortened = entry_name(ch.surname, ch.forenames)
        except NameError_ as exc:
            raise InputError(f"candidate {ch.candidate_number}: {exc}") from None
        if shortened:
            warnings.append(
                f"candidate {ch.candidate_number}: name shortened to {ch.edi_name!r} (40"
                " characters at most)"
            )
    return Plan(changes, skipped, warnings, list(undecided.values()))


def _why(issue: Issue) -> str:
    d = issue.decision
    if d is None:
        return issue.summary
    on = f" on {d.date:%d/%m/%Y}" if d.date else ""
    return f"{issue.summary}. Confirmed by {d.decided_by}{on} (Entry Decisions)"


def _check_identifiers(ch: Change) -> None:
    if ch.uci and not uci_is_valid(ch.uci):
        raise InputError(
            f"candidate {ch.candidate_number}: UCI fails its check character; correct it in"
            " the register's source (the tracker) and run check again"
        )
    if ch.uln and not uln_is_valid(ch.uln):
        raise InputError(
            f"candidate {ch.candidate_number}: ULN fails its check digit; correct it in the"
            " tracker and run check again"
        )


def edi_records(register: Register, plan: Plan, sequence: int) -> list[tuple[str, edi.Record]]:
    records: list[tuple[str, edi.Record]] = [
        (
            "H",
            {
                "centre_number": register.centre.number,
                "series": SERIES,
                "year": str(register.series.year),
                "file_type": "E",
                "sequence": f"{sequence:02d}",
                "prepared_on": register.as_of.strftime("%Y%m%d"),
            },
        )
    ]
    for ch in plan.changes:
        records.append(
            (
                "C",
                {
                    "candidate_number": ch.candidate_number,
                    "uci": ch.uci or "",
                    "uln": ch.uln or "",
                    "name": ch.edi_name or "",
                    "date_of_birth": ch.date_of_birth.strftime("%d%m%Y")
                    if ch.date_of_birth
                    else "",
                },
            )
        )
        records.append(
            (
                "E",
                {
                    "candidate_number": ch.candidate_number,
                    "entry_code": ch.to_code,
                    "change": _CHANGE_LETTER[ch.change],
                    "from_code": ch.from_code or "",
                },
            )
        )
    n = len(plan.changes)
    records.append(
        (
            "T",
            {
                "candidate_records": f"{n:06d}",
                "entry_records": f"{n:06d}",
                "total_records": f"{2 * n + 2:07d}",
            },
        )
    )
    return records


def listing_bytes(register: Register, plan: Plan, edi_file: str | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Entries"
    intro = [
        f"Qualification entry changes for {register.centre.name} ({register.centre.number}),"
        f" summer {register.series.year}, prepared {register.as_of:%d/%m/%Y}",
        "Key each change into Interchange (Entries), or upload the EDI file named below, then"
        " check the student shows against the new qualification in the Progress Tracker.",
        f"EDI file: {edi_file or 'none: no change below could go into one'}. Its record layout"
        " is ctforms' own assumption (the JCQ field layout is not public): confirm it with your"
        " MIS supplier before uploading, or key the changes in from this list.",
        "If a result is urgent, also send the 'Qualification entry (registration) change'"
        " request on OCR's Missing and incomplete results form (text on the 'Urgent request'"
        " sheet).",
    ]
    for r, line in enumerate(intro, start=1):
        put(ws, r, 1, line)
    ws["A1"].font = Font(bold=True, size=13)
    header_row = len(intro) + 2
    headers = [
        "Candidate Number", "UCI", "ULN", "Surname", "Forenames", "Date of Birth",
        "Name in entries", "From Code", "To Code", "To Qualification", "Change", "Why",
        "Issue IDs (for the Actions sheet)",
    ]  # fmt: skip
    for col, title in enumerate(headers, start=1):
        put(ws, header_row, col, title)
    style_header(ws, header_row)
    for r, ch in enumerate(plan.changes, start=header_row + 1):
        values: Sequence[object] = [
            ch.candidate_number, ch.uci or "", ch.uln or "", ch.surname, ch.forenames,
            ch.date_of_birth, ch.edi_name or "", ch.from_code or "", ch.to_code, ch.to_title,
            ch.change, ch.why, ", ".join(ch.issue_ids),
        ]  # fmt: skip
        for col, value in enumerate(values, start=1):
            cell = put(ws, r, col, value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif col in (1, 2, 3, 8, 9):
                cell.number_format = "@"
    row = header_row + len(plan.changes) + 2
    for note in plan.skipped:
        put(ws, row, 1, f"Not in the EDI file: {note}")
        row += 1
    if plan.proposals:
        row += 1
        put(ws, row, 1, "Proposed changes, not in the EDI file").font = Font(bold=True)
        for note in plan.proposals:
            row += 1
            put(ws, row, 1, note)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    autosize(ws, max_width=45)
    ws.column_dimensions["A"].width = 18
    print_table(ws, header_row, header_row + len(plan.changes))

    urgent = wb.create_sheet("Urgent request")
    rows = "; ".join(
        f"{ch.candidate_number} {ch.surname}, {ch.forenames}: {ch.change}"
        f" {ch.from_code or '(no entry)'} -> {ch.to_code}"
        for ch in plan.changes
    )
    text = URGENT_REQUEST.format(
        centre=register.centre.number, name=register.centre.name, rows=rows or "(none)"
    )
    text_lines(urgent, ["Text for OCR's Missing and incomplete results form", text])
    return workbook_bytes(wb, document_time(register.as_of))


@dataclass
class Written:
    edi_file: Path | None
    listing: Path
    plan: Plan


@without_gc
def write_entries(
    register: Register,
    catalogue: Catalogue,
    outdir: Path,
    *,
    sequence: int = 1,
    force: bool = False,
    rerun: bool = False,
    earlier: Path | None = None,
) -> Written:
    """rerun (for `run --force`): an existing file with exactly these entries is kept, and one
    with other entries is left alone while the next sequence is written. earlier: the folder
    holding files already made (when outdir is a staging folder); default outdir."""
    earlier = earlier or outdir
    plan = plan_changes(register, catalogue)
    name = edi.file_name(register.centre.number, sequence)
    edi_path = outdir / name
    listing = outdir / listing_file_name(register.centre.number)
    data = edi.write_file(edi_records(register, plan, sequence)) if plan.changes else None
    made = earlier / name
    if rerun and data is not None and made.exists():
        if made.read_bytes() == data:
            files = [(listing, listing_bytes(register, plan, name))]
            if edi_path != made:  # a copy for the run's archive; the original is not replaced
                files.insert(0, (edi_path, data))
            write_all(files, force=force)
            return Written(edi_path, listing, plan)
        return write_entries(
            register,
            catalogue,
            outdir,
            sequence=sequence + 1,
            force=force,
            rerun=True,
            earlier=earlier,
        )
    if data is not None and (edi_path.exists() or made.exists()):
        # An EDI file is never replaced, even with --force: it may have been sent already.
        raise InputError(
            f"{made} already exists and is never overwritten; use --sequence"
            f" {sequence + 1} for the next file"
        )
    check_writable(listing, force)
    files = [(listing, listing_bytes(register, plan, name if data else None))]
    if data is not None:
        check_writable(edi_path, force=False)
        files.insert(0, (edi_path, data))
    write_all(files, force=force)
    return Written(edi_path if data is not None else None, listing, plan)
