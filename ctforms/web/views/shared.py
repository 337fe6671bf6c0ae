"""What the pages share: the records and rules the workspace keeps, the dates a record may
carry, a library message in the page's words, and the preamble of every posted form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import who
from ctforms.errors import Field, InputError
from ctforms.models import ActionRow, DecisionRow, Issue, SentFile
from ctforms.produce.entry_notes import EDI_NAME, EntryFile, entry_notes
from ctforms.read.catalogue import load_catalogue
from ctforms.read.centre import long_date
from ctforms.read.records import read_records, record_dates
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok
from ctforms.web.workspace import RECORDS, RULES, RUN_NAME, RunFolder

__all__ = ["EDI_NAME", "EntryFile"]


def catalogues(site: Site) -> tuple[Path, ...]:
    saved = site.workspace.saved(RULES)
    return (saved,) if saved else ()


def records_path(site: Site) -> Path:
    """The records workbook the pages write into (the workspace's copy)."""
    return site.workspace.root / RECORDS


def recorded(site: Site) -> tuple[list[DecisionRow], list[ActionRow]]:
    """What the records workbook says now (perhaps more than the latest check read)."""
    path = site.workspace.saved(RECORDS)
    if path is None:
        return [], []
    try:
        records = read_records(path)
    except InputError:
        return [], []
    return records.entry_decisions or [], records.actions or []


def next_check_date(site: Site, run: RunFolder | None) -> dt.date:
    """The date 'Check again' judges on: the latest check's date; or, when a decision or action
    in the records workbook is dated after it (and not after today), the latest such date. A
    check uses only records dated on or before its date, so what was recorded on the
    Decisions page since the check is then used by the next."""
    today = dt.date.today()
    as_of = run.register().as_of if run else today
    path = site.workspace.saved(RECORDS)
    if path is None:
        return as_of
    try:
        records = read_records(path)
    except InputError:
        return as_of  # the check itself says why
    return max((d for d in record_dates(records) if as_of < d <= today), default=as_of)


def start_day(site: Site, run: RunFolder) -> dt.date:
    """The day the page's date fields start on: today; in the demo, whose centre lives on the
    date of its check, that date (so that what is recorded there keeps the demo's date)."""
    return run.register().as_of if site.demo else dt.date.today()


def not_ahead(day: dt.date | None, what: str) -> str | None:
    """A record is of what has happened: a date after today is refused."""
    if day is not None and day > dt.date.today():
        return f"{long_date(day)} is after today: give the day it was {what}."
    return None


def officer(site: Site) -> str:
    profile = site.profile()
    return profile.exams_officer.name if profile else ""


def sentence(text: str) -> str:
    """A library message as a sentence beside a field: a capital and a full stop."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def beside(exc: InputError, fields: Mapping[Field, str], default: str) -> dict[str, str]:
    """A library error placed beside the form field of the input it names (errors.Field), in
    any face's words (not where the value would be written); else beside `default`, all of it."""
    name = next((fields[f] for f in exc.fields if f in fields), None)
    return {name: sentence(exc.plainly)} if name is not None else {default: str(exc)}


def entry_file(
    run: RunFolder,
    catalogues: tuple[Path, ...],
    recorded: dict[tuple[str, str], DecisionRow] | None = None,
) -> EntryFile:
    """The entries file of a check, and the notes on the issues it concerns
    (produce/entry_notes.py); nothing when the rules cannot be read (the check says why)."""
    register = run.register()
    name = next((p.name for p in run.files() if EDI_NAME.fullmatch(p.name)), None)
    try:
        catalogue = load_catalogue(catalogues)
    except InputError:
        return EntryFile(name, [], [], {})
    return entry_notes(register, catalogue, name, recorded)


def recorded_sent(site: Site) -> dict[str, SentFile]:
    """The entries files the records workbook says were uploaded, by name (as it is now,
    perhaps more than the latest check read)."""
    path = site.workspace.saved(RECORDS)
    if path is None:
        return {}
    try:
        records = read_records(path)
    except InputError:
        return {}
    return {f.file: f for f in records.entries_sent or []}


def issue_label(issue: Issue) -> str:
    """One line naming an issue: '0017 Evans, Rhys, 05839 unit 8: Teacher assessed grade
    missing'; the same person, qualification, unit and kind twice is told apart by its ID."""
    where = ", ".join(
        part
        for part in (
            who(issue),
            " unit ".join(
                x
                for x in (
                    # who() already names the code of an issue that is no one student's
                    issue.qualification_code if issue.candidate_number is not None else "",
                    str(issue.unit_number) if issue.unit_number is not None else "",
                )
                if x
            ),
        )
        if part
    )
    return f"{where}: {kind_label(issue.kind)}"


BUSY = (
    "A check is running: it replaces the saved records workbook when it finishes, so nothing"
    " is recorded now. Wait until it has finished, then record this again."
)


def day_given(text: str, start: dt.date) -> dt.date | None:
    """The date typed; start (the day the field starts on) when left empty."""
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else start
    except ValueError:
        return None


async def posted(request: Request, site: Site) -> dict[str, str] | Response:
    """The text fields of a posted form; a refusal when it was not sent from this page."""
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def run_or_none(site: Site, request: Request) -> RunFolder | None:
    return site.workspace.run_folder(request.query_params.get("run"))


def no_such_check(request: Request, site: Site, page: str, wanted: str) -> Response:
    """An address naming a check that is not in the workspace (mistyped, cut short, removed, or
    made up): said as that, with the latest check offered, never "no check has been made"."""
    return site.page(
        request,
        "empty.html",
        "No such check",
        status=404,
        what="check",
        # Echoed only when it looks like a check's name: the address is anyone's text.
        wanted=wanted if RUN_NAME.match(wanted) else "",
        damaged=any(r.id == wanted for r in site.workspace.unreadable_runs()),
        latest=site.workspace.run_folder(None),
        page=page,
    )
