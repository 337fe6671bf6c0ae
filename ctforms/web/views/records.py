"""The records workbook ctforms keeps: its download, and what a chosen workbook would lose."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import who
from ctforms.errors import InputError
from ctforms.models import ActionRow, DecisionRow, Register
from ctforms.read.centre import long_date
from ctforms.read.records import read_records
from ctforms.web.pages import site_of
from ctforms.web.workspace import RECORDS
from ctforms.words import count, plural


def lost_rows(saved: Path | None, chosen: Path, register: Register | None = None) -> list[str]:
    """The Entry Decisions, Actions, Entries Sent and ECD Confirmed rows of the saved records
    workbook (the workspace's copy, which the Decisions and Files pages write into) that the
    chosen workbook does not have, each in words (an issue by who and kind, as in the latest
    check's register; else by its ID; the teachers' answers counted).
    Empty when either cannot be read (the check itself then says why)."""
    if saved is None:
        return []
    try:
        old, new = read_records(saved), read_records(chosen)
    except InputError:
        return []

    def decision(d: DecisionRow) -> tuple[object, ...]:
        return (d.candidate_number, d.qualification_code, d.make_change, d.decided_by, d.date)

    def action(a: ActionRow) -> tuple[object, ...]:
        return (a.issue_id, a.action_taken.strip(), a.date, a.ocr_reference, a.by)

    issues = {i.id: i for i in register.issues} if register else {}

    def about(issue_id: str) -> str:
        issue = issues.get(issue_id)
        return f"{who(issue)}: {kind_label(issue.kind)}" if issue else issue_id

    have_d = {decision(d) for d in new.entry_decisions or []}
    have_a = {action(a) for a in new.actions or []}
    lost = []
    for d in old.entry_decisions or []:
        if decision(d) not in have_d:
            said = "make the change" if d.make_change else "keep the entry"
            when = f" on {long_date(d.date)}" if d.date else ""
            lost.append(
                f"the decision for candidate {d.candidate_number} (move to"
                f" {d.qualification_code}: {said}), by {d.decided_by}{when}"
            )
    for a in old.actions or []:
        if action(a) not in have_a:
            by = f", by {a.by}" if a.by else ""
            lost.append(
                f"what was done about {about(a.issue_id)}: \u201c{a.action_taken}\u201d{by}"
            )
    have_s = {f.file for f in new.entries_sent or []}
    for f in old.entries_sent or []:
        if f.file not in have_s:
            lost.append(
                f"that {f.file} was uploaded to OCR, on {long_date(f.sent_on)} by {f.sent_by}"
            )
    # The teachers' answers come a subject at a time: counted, not listed one by one.
    have_c = {
        (c.candidate_number, c.qualification_code, c.confirmed, c.confirmed_by, c.date)
        for c in new.ecd_confirmed or []
    }
    gone = [
        c
        for c in old.ecd_confirmed or []
        if (c.candidate_number, c.qualification_code, c.confirmed, c.confirmed_by, c.date)
        not in have_c
    ]
    if gone:
        n = len(gone)
        whose = count(n, "student's", "students'")
        lost.append(
            f"what teachers answered on {whose} estimated completion {plural(n, 'date')}"
            " (ECD Confirmed)"
        )
    return lost


async def records_download(request: Request) -> Response:
    """The records workbook ctforms keeps, with what was recorded on the Decisions page."""
    site = site_of(request)
    path = site.workspace.saved(RECORDS)
    if path is None:
        return site.page(request, "empty.html", "No such file", status=404, what="file")
    return FileResponse(path, filename="records.xlsx")
