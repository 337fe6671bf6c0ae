"""The files an entries plan becomes: the Interchange listing workbook and the EDI file.

The plan (what changes, what is sent, what is not by EDI) is produce/entries.py; this module
words it for the officer and writes the series' next file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

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
from ctforms.models import Register, SentFile
from ctforms.paperwork import listing_file_name
from ctforms.produce import edi
from ctforms.produce.entries import Plan, edi_records, plan_changes
from ctforms.produce.names import MAX
from ctforms.read.catalogue import Catalogue
from ctforms.read.parsing import entries_file_parts, parse_entries_file_name

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
                f"{made[name]} already exists and is never overwritten; give sequence"
                f" {sequence + 1} for the next file, or leave the sequence to ctforms",
                fields=("sequence",),
            )
        last_sent = max((_sequence(f.file) for f in register.entries_sent or []), default=0)
        if sequence <= last_sent:
            raise InputError(
                f"sequence {sequence}: the records say .X{last_sent:02d} was sent already, and a"
                f" sequence is never used twice; give sequence {last_sent + 1}, or leave the"
                " sequence to ctforms",
                fields=("sequence",),
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
