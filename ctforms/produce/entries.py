"""Top-up and move-down entries from the register: the changes, the EDI file and the listing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import BaseModel

from ctforms.checks.guidance import VQ_EMAIL
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
from ctforms.models import Issue, IssueKind, Proposal, Register, SentFile
from ctforms.paperwork import ENTRY_KINDS, done_by_action, listing_file_name
from ctforms.produce import edi
from ctforms.produce.names import MAX, NameError_, entry_name
from ctforms.read.catalogue import Catalogue
from ctforms.read.identifiers import uci_is_valid, uln_is_valid
from ctforms.read.parsing import entries_file_parts, parse_entries_file_name

SERIES = "09"  # Cambridge Technicals registrations (DOMAIN.md)
# OCR's routes for what a Cambridge Technicals EDI file may not carry (DOMAIN.md: OCR's entries
# and amendments pages): an EDI file adds candidates or entries only.
WITHDRAW_ROUTE = "withdraw it through the Progress Tracker (qualification withdrawals)"
CHANGE_ROUTE = f"OCR's vocational processing team by email ({VQ_EMAIL})"
NOT_BY_EDI = (
    "OCR does not accept a change to or withdrawal of an existing entry, or a change to a"
    " student's personal details, by EDI for Cambridge Technicals (it would make a duplicate)"
)

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
                " handled, and run check again"
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
            " the register's source (the tracker) and run check again"
        )
    if ch.uln and not uln_is_valid(ch.uln):
        raise InputError(
            f"candidate {ch.candidate_number}: ULN fails its check digit; correct it in the"
            " tracker and run check again"
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


def _sent_words(sent: SentFile) -> str:
    return (
        f"{sent.file}, recorded as sent on {sent.sent_on:%d/%m/%Y} by {sent.sent_by} (Entries"
        f" Sent row {sent.row})"
    )


def file_kind(name: str) -> str:
    """What an entries file is and what to do with it, by its data type letter (E or A)."""
    file_type = edi.load_layout().file_types.get(name[:1])
    return "" if file_type is None else f"{file_type.what_to_do}."


def _file_line(register: Register, plan: Plan, edi_file: str | None) -> str:
    """What the EDI file is: none (and why), an entries file, or an amendment file."""
    if edi_file is None and plan.sent and not plan.changes:
        files = sorted({ch.sent.file for ch in plan.sent if ch.sent})
        return (
            "EDI file: none: every new entry was sent to OCR already, in "
            + " and ".join(files)
            + " (see 'Sent earlier' below); nothing is left to send by EDI."
        )
    if edi_file is None:
        return "EDI file: none: no change below could go into one."
    if edi_file.startswith("A"):
        sent = ", ".join(_sent_words(f) for f in register.entries_sent or [])
        said = (
            f"EDI file: {edi_file}, an amendment (A) file: upload it after the series' entries"
            f" (E) file, by EDI file transfer in Interchange or from your MIS. The series' files"
            f" already sent are {sent}, so it carries only the new entries not in them."
        )
    else:
        said = f"EDI file: {edi_file}, the series' entries (E) file. {file_kind(edi_file)}"
    return (
        f"{said} It adds new entries only (a top-up or move-down is the entry for the"
        " qualification the student should now have); what OCR does not accept by EDI is listed"
        " below under 'Not by EDI', with the way to send it."
    )


def _layout_line() -> str:
    layout = edi.load_layout()
    return (
        f"Record layout (version {layout.layout_version}): the public facts of the JCQ format"
        " (two-character record types, the UCI at positions 60-72 of the detail record, names"
        " of 40 characters, 6-character codes) and ctforms' assumptions for the rest; the"
        " 'Record layout' sheet says which positions are assumed. Confirm those with your MIS"
        " supplier before uploading, or key the entries in from this list."
    )


def _layout_sheet(wb: Workbook, data_type: str) -> None:
    """Every field of the layout, its positions, and what confirms it or that it is assumed."""
    ws = wb.create_sheet("Record layout")
    layout = edi.load_layout()
    put(ws, 1, 1, f"Record layout of the EDI file (version {layout.layout_version})").font = Font(
        bold=True
    )
    put(
        ws,
        2,
        1,
        f"Every record is {layout.record_width} characters ({layout.record_width_source}).",
    )
    headers = ["Record", "Positions", "Field", "Confirmed by", "Assumed"]
    for col, title in enumerate(headers, start=1):
        put(ws, 4, col, title)
    style_header(ws, 4)
    rows = edi.spans(layout, data_type)
    for r, span in enumerate(rows, start=5):
        values = [span.record, span.positions, span.field, span.source, span.assumed]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value).number_format = "@"
    autosize(ws, max_width=60)
    print_table(ws, 4, 4 + len(rows))


def listing_bytes(register: Register, plan: Plan, edi_file: str | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Entries"
    intro = [
        f"Qualification entry changes for {register.centre.name} ({register.centre.number}),"
        f" summer {register.series.year}, prepared {register.as_of:%d/%m/%Y}",
        "Key each change into Interchange (Entries), or upload the EDI file named below, then"
        " check the student shows against the new qualification in the Progress Tracker."
        " Once uploaded, record it as sent (Entries Sent), so the next file leaves its changes"
        " out.",
        _file_line(register, plan, edi_file),
        _layout_line(),
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
        "Issue IDs (for the Actions sheet)", "Asked for by", "Entries File",
    ]  # fmt: skip
    for col, title in enumerate(headers, start=1):
        put(ws, header_row, col, title)
    style_header(ws, header_row)
    for r, ch in enumerate(plan.changes, start=header_row + 1):
        values: Sequence[object] = [
            ch.candidate_number, ch.uci or "", ch.uln or "", ch.surname, ch.forenames,
            ch.date_of_birth, ch.edi_name or "", ch.from_code or "", ch.to_code, ch.to_title,
            ch.change, ch.why, ", ".join(ch.issue_ids), ch.source, ch.file or "",
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
    if plan.by_hand:
        row += 1
        put(ws, row, 1, f"Not by EDI: {NOT_BY_EDI}; send these the way OCR gives").font = Font(
            bold=True
        )
        for note in plan.by_hand:
            row += 1
            put(ws, row, 1, f"Not by EDI: {note}")
        row += 1
    if plan.shortened:
        row += 1
        put(
            ws, row, 1, f"Names shortened to fit the entries file ({MAX} characters at most)"
        ).font = Font(bold=True)
        for note in plan.shortened:
            row += 1
            put(ws, row, 1, note)
        row += 1
    if plan.proposals:
        row += 1
        put(ws, row, 1, "Proposed changes, not in the EDI file").font = Font(bold=True)
        for note in plan.proposals:
            row += 1
            put(ws, row, 1, note)
    if plan.sent:
        row += 2
        put(ws, row, 1, "Sent earlier: already with OCR, not to key in again").font = Font(
            bold=True
        )
        for ch in plan.sent:
            row += 1
            put(
                ws,
                row,
                1,
                f"{ch.candidate_number} {ch.surname}, {ch.forenames}: {ch.change}"
                f" {ch.from_code or '(no entry)'} -> {ch.to_code}; asked for by"
                f" {ch.source or 'the register'}; sent in"
                f" {_sent_words(ch.sent) if ch.sent else ch.file}.",
            )
    for note in plan.doubts:
        row += 2
        put(ws, row, 1, f"Warning: {note}.")
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
    _layout_sheet(wb, (edi_file or "E")[:1])
    return workbook_bytes(wb, document_time(register.as_of))


@dataclass
class Written:
    edi_file: Path | None
    listing: Path
    plan: Plan


def made_files(folders: Sequence[Path], centre: str) -> dict[str, Path]:
    """The centre's entries files (E and A) already made in folders, by name; the first folder
    holding a name wins. folders: where a check's entries files are (its own output folder,
    earlier checks' folders, any place files were moved aside to)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob(f"?{centre}72.X??")) if folder.is_dir() else []:
            if _is_name(path.name):
                found.setdefault(path.name, path)
    return found


def _is_name(name: str) -> bool:
    try:
        return parse_entries_file_name(name) == name
    except ValueError:
        return False


def _sequence(name: str) -> int:
    return entries_file_parts(name)[2]


def next_entries_file(
    register: Register, made: dict[str, Path], content: Callable[[str], bytes]
) -> tuple[str, Path | None]:
    """The name of a check's entries file, and the file already made under it when that one
    holds exactly content(name) (kept, not written again).

    One series per centre: the next sequence after every file recorded as sent (the register's
    Entries Sent) and every file made (made_files), so no name is ever used for other content.
    Once any file of the series has been sent, later files are amendment (A) files (DOMAIN.md).
    The last file made, if not sent, keeps its name when it holds exactly these entries."""
    centre = register.centre.number
    sent = {f.file for f in register.entries_sent or []}
    data_type = "A" if sent else "E"
    last_sent = max(map(_sequence, sent), default=0)
    last_made = max(map(_sequence, made), default=0)
    if last_made > last_sent:
        name = edi.file_name(centre, last_made, data_type=data_type)
        path = made.get(name)
        if path is not None and path.read_bytes() == content(name):
            return name, path
    following = max(last_sent, last_made) + 1
    if following > 99:
        raise InputError(
            f"the series of entries files has reached .X{following - 1:02d}, the last sequence"
            " a file name can hold: key further changes into Interchange from the listing"
        )
    return edi.file_name(centre, following, data_type=data_type), None


@without_gc
def write_entries(
    register: Register,
    catalogue: Catalogue,
    outdir: Path,
    *,
    sequence: int | None = None,
    force: bool = False,
    made_in: Sequence[Path] = (),
) -> Written:
    """The entries file and listing into outdir. sequence: the file's own, or None for the
    next of the series (next_entries_file, over outdir and made_in: the folders of earlier
    checks). An entries file is never replaced, even with force: it may have been sent."""
    plan = plan_changes(register, catalogue)
    centre = register.centre.number
    listing = outdir / listing_file_name(centre)
    data_type = "A" if register.entries_sent else "E"

    def content(name: str) -> bytes:
        return edi.write_file(edi_records(register, plan, _sequence(name), name[0]))

    if not plan.changes:
        check_writable(listing, force)
        write_all([(listing, listing_bytes(register, plan, None))], force=force)
        return Written(None, listing, plan)
    made = made_files((outdir, *made_in), centre)
    kept: Path | None = None
    if sequence is None:
        name, kept = next_entries_file(register, made, content)
    else:
        name = edi.file_name(centre, sequence, data_type=data_type)
        if name in made:
            raise InputError(
                f"{made[name]} already exists and is never overwritten; use --sequence"
                f" {sequence + 1} for the next file, or leave --sequence out"
            )
        last_sent = max((_sequence(f.file) for f in register.entries_sent or []), default=0)
        if sequence <= last_sent:
            raise InputError(
                f"--sequence {sequence}: the records say .X{last_sent:02d} was sent already, and a"
                f" sequence is never used twice; use --sequence {last_sent + 1}, or leave it out"
            )
    for ch in plan.changes:
        ch.file = name
    edi_path = outdir / name
    files = [(listing, listing_bytes(register, plan, name))]
    if kept != edi_path:  # a copy for the run's archive; a file kept elsewhere stays as it is
        check_writable(edi_path, force=False)
        files.insert(0, (edi_path, content(name)))
    check_writable(listing, force)
    write_all(files, force=force)
    return Written(edi_path, listing, plan)
