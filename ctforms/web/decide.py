"""Decisions, sign-off and the rules of combination: the pages that write into the centre's
records and rules, through the same library functions as the CLI's records decide/handled,
declaration and catalogue commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ctforms import pipeline
from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, who
from ctforms.errors import InputError
from ctforms.files.limits import TRACKER_MAX_BYTES, XLSX_MAX_BYTES
from ctforms.files.lock import writing
from ctforms.files.output import write_bytes
from ctforms.models import ActionRow, DecisionRow, Issue, IssueKind, Register, SentFile
from ctforms.paperwork import awaits_entry
from ctforms.people import allowed_signer, reason_problem
from ctforms.produce.decisions import record_action, record_confirmations, record_entry_decision
from ctforms.produce.pack import SIGNING_ROLE, outstanding
from ctforms.read.catalogue import load_catalogue, read_catalogue_file
from ctforms.read.centre import long_date
from ctforms.read.records import read_records, record_dates
from ctforms.register import with_actions
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.workspace import RECORDS, RULES, TRACKER, RunFolder


def catalogues(site: Site) -> tuple[Path, ...]:
    saved = site.workspace.saved(RULES)
    return (saved,) if saved else ()


def _records(site: Site) -> Path:
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


def _not_ahead(day: dt.date | None, what: str) -> str | None:
    """A record is of what has happened: a date after today is refused."""
    if day is not None and day > dt.date.today():
        return f"{long_date(day)} is after today: give the day it was {what}."
    return None


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
        lost.append(
            f"what teachers answered on {n} student{'' if n == 1 else 's'}' estimated completion"
            " date" + ("" if n == 1 else "s") + " (ECD Confirmed)"
        )
    return lost


def _officer(site: Site) -> str:
    profile = site.profile()
    return profile.exams_officer.name if profile else ""


def _sentence(text: str) -> str:
    """A library message as a sentence beside a field: a capital, a full stop, and the page's
    way to check again."""
    text = text.replace("run check again", "make a new check")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page_words(text: str) -> str:
    """A library message in the page's words (no option names)."""
    for option, words in (
        ("--signed-by", "the name"),
        ("--allow-outstanding", "a reason"),
        ("(and pass --records)", ""),
        ("--by", "your name"),
    ):
        text = text.replace(option, words)
    return " ".join(text.split())


# ---------------------------------------------------------------------------- the entries file


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


def entry_file(
    run: RunFolder,
    catalogues: tuple[Path, ...],
    recorded: dict[tuple[str, str], DecisionRow] | None = None,
) -> EntryFile:
    """The entry changes of a check (worked out again from its register, as the check did);
    a proposal decided since (recorded, by candidate and code) says what the next check does."""
    from ctforms.produce.entries import plan_changes
    from ctforms.produce.entries import proposals as found_proposals
    from ctforms.read.catalogue import load_catalogue

    register = run.register()
    name = next((p.name for p in run.files() if EDI_NAME.fullmatch(p.name)), None)
    try:
        plan = plan_changes(register, load_catalogue(catalogues))
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


# The Files page records an upload the way this page records a decision.
records_path = _records


# ---------------------------------------------------------------------------- decisions


async def decisions(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.page(request, "empty.html", "Decisions", what="is nothing to decide yet")
    return _decisions_page(request, site, run, done=_done(site, run, request))


def _done(site: Site, run: RunFolder, request: Request) -> str:
    """What was just recorded (the form redirects here, so a refresh does not send it again)."""
    q = request.query_params
    decided, actions = recorded(site)
    slot = q.get("decided", "")
    if slot:
        candidate, _, code = slot.partition("/")
        d = next(
            (d for d in decided if (d.candidate_number, d.qualification_code) == (candidate, code)),
            None,
        )
        if d is not None:
            said = "keep the entry as it is"
            if d.make_change:
                said = f"make the change (move to {code})"
            return (
                f"Recorded for candidate {candidate}: {said}. Check again to update the results"
                " and the entries file." + _judged_later(site, run)
            )
    yes, _, no = q.get("confirmed", "").partition("-")
    if yes.isdigit() and no.isdigit():
        return (
            f"Recorded the returned list in the ECD Confirmed sheet: {int(yes)} estimated"
            f" completion date{'' if int(yes) == 1 else 's'} confirmed (Y), {int(no)} said to be"
            " wrong (N). Check again to update the results." + _judged_later(site, run)
        )
    issue_id = q.get("handled", "")
    if issue_id and any(a.issue_id == issue_id for a in actions):
        issue = next((i for i in run.register().issues if i.id == issue_id), None)
        named = issue_label(issue) if issue else issue_id
        return (
            f"Recorded as handled: {named}. Check again to update the results and the evidence"
            " pack." + _judged_later(site, run)
        )
    return ""


def _judged_later(site: Site, run: RunFolder) -> str:
    """Said when checking again moves the check's date, so that it uses what was recorded."""
    again = next_check_date(site, run)
    if again == run.register().as_of:
        return ""
    return (
        f" The check is then judged on {long_date(again)}, the date of what you recorded (the"
        f" latest check, of {long_date(run.register().as_of)}, is before it, so it could not"
        " use it)."
    )


def _decisions_page(
    request: Request,
    site: Site,
    run: RunFolder,
    status: int = 200,
    errors: dict[str, str] | None = None,
    done: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    register = run.register()
    proposals = pipeline.proposals(register, catalogues(site))
    decided, actions = recorded(site)
    now = {(d.candidate_number, d.qualification_code): d for d in decided}
    acted = {a.issue_id: a for a in actions}
    chosen = request.query_params.get("issue", "")
    open_issues = [i for i in by_urgency(register.issues) if not i.handled or awaits_entry(i)]
    today = start_day(site, run)
    return site.page(
        request,
        "decisions.html",
        "Decisions",
        status=status,
        run=run,
        register=register,
        proposals=proposals,
        recorded=now,
        acted=acted,
        open_issues=open_issues,
        issue_label=issue_label,
        entry=entry_file(run, catalogues(site), now),
        has_records=site.workspace.saved(RECORDS) is not None,
        chosen=chosen,
        errors=errors or {},
        done=done,
        typed=typed or {},
        officer=_officer(site),
        today=today.isoformat(),
        today_words=long_date(today),
        who=who,
        kind_label=kind_label,
    )


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


def _day(text: str, start: dt.date) -> dt.date | None:
    """The date typed; start (the day the field starts on) when left empty."""
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else start
    except ValueError:
        return None


day_given, not_ahead, page_words, officer = _day, _not_ahead, _page_words, _officer


async def decide(request: Request) -> Response:
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    slot = typed.get("proposal", "")
    if site.runner.busy():
        return _decisions_page(request, site, run, 409, {f"by-{slot}": BUSY}, typed=typed)
    errors: dict[str, str] = {}
    choice = typed.get("make_change", "")
    if choice not in ("yes", "no"):
        errors[f"make_change-{slot}"] = "Choose whether to make the change or keep the entry."
    by = typed.get("by", "").strip()
    if not by:
        errors[f"by-{slot}"] = "Type the name of the person who decided."
    day = _day(typed.get("date", ""), start_day(site, run))
    ahead = _not_ahead(day, "decided")
    if day is None or ahead:
        errors[f"date-{slot}"] = ahead or "Give the date it was decided, e.g. 12 June 2024."
    candidate, _, code = slot.partition("/")
    if not errors and day is not None:
        try:
            record_entry_decision(
                _records(site),
                candidate_number=candidate,
                qualification_code=code,
                make_change=choice == "yes",
                decided_by=by,
                date=day,
            )
        except InputError as exc:
            errors[f"by-{slot}"] = _page_words(str(exc))
    if errors:
        return _decisions_page(request, site, run, 400, errors, typed=typed)
    return site.go(f"decisions?decided={quote(slot, safe='')}")


async def handled(request: Request) -> Response:
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if site.runner.busy():
        return _decisions_page(request, site, run, 409, {"action": BUSY}, typed=typed)
    errors: dict[str, str] = {}
    register = run.register()
    issue_id = typed.get("issue", "")
    if issue_id not in {i.id for i in register.issues}:
        errors["issue"] = "Choose the issue you handled."
    action = typed.get("action", "").strip()
    if not action:
        errors["action"] = "Say in a sentence what was done, e.g. 'Claim submitted in Interchange'."
    by = typed.get("handled_by", "").strip()
    if not by:
        errors["handled_by"] = "Type the name of the person who did it."
    day = _day(typed.get("handled_on", ""), start_day(site, run))
    ahead = _not_ahead(day, "done")
    if day is None or ahead:
        errors["handled_on"] = ahead or "Give the date it was done, e.g. 12 June 2024."
    if not errors and day is not None:
        try:
            record_action(
                _records(site),
                issue_id=issue_id,
                action_taken=action,
                date=day,
                by=by,
                ocr_reference=typed.get("ocr_reference", "").strip() or None,
            )
        except InputError as exc:
            errors["action"] = _page_words(str(exc))
    if errors:
        return _decisions_page(request, site, run, 400, errors, typed=typed)
    return site.go(f"decisions?handled={quote(issue_id, safe='')}")


RETURNED = "returned-list.xlsx"  # where an upload waits, inside its own request folder
RETURNED_UPLOAD = {"returned": FileField(RETURNED, XLSX_MAX_BYTES, "the returned list")}


async def confirmations(request: Request) -> Response:
    """A subject's term-time list returned by its head of department: the teachers' answers go
    into the ECD Confirmed sheet through the library function `records confirmations` uses,
    refused when ctforms did not make the list for this centre's term-time check."""
    site = site_of(request)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
    folder = site.workspace.upload_folder()
    try:
        try:
            got = await receive(request, folder, RETURNED_UPLOAD)
        except BadForm as exc:
            return _decisions_page(request, site, run, 400, {"returned": str(exc)})
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        typed = dict(got.fields)
        if site.runner.busy():
            return _decisions_page(request, site, run, 409, {"returned": BUSY}, typed=typed)
        if got.refused:
            return _decisions_page(request, site, run, 413, dict(got.refused), typed=typed)
        errors: dict[str, str] = {}
        path = got.files.get("returned")
        if path is None:
            errors["returned"] = "Choose the list the head of department returned (.xlsx)."
        day = _day(typed.get("returned_on", ""), start_day(site, run))
        ahead = _not_ahead(day, "returned")
        if day is None or ahead:
            errors["returned_on"] = ahead or "Give the date it came back, e.g. 20 March 2025."
        profile = site.profile()
        if profile is None:
            errors["returned"] = "Give the centre's details first (Centre page)."
        if errors or path is None or day is None or profile is None:
            return _decisions_page(request, site, run, 400, errors, typed=typed)
        given = got.given_names.get("returned") or RETURNED
        try:
            done = record_confirmations(
                _records(site),
                [path],
                centre_number=profile.centre.number,
                date=day,
                names=[given],
            )
        except InputError as exc:
            return _decisions_page(
                request, site, run, 400, {"returned": _page_words(str(exc))}, typed=typed
            )
        # Only numbers travel in the address: the page says nothing a link could make up.
        said = f"{done.confirmed}-{done.not_confirmed}"
        return site.go(f"decisions?confirmed={said}#confirmations")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------- sign-off


def _current(site: Site, run: RunFolder) -> Register:
    """The latest check with the actions recorded since (as the sign-off reads them)."""
    register = run.register()
    path = site.workspace.saved(RECORDS)
    if path is not None:
        register = with_actions(register, read_records(path), path.name)
    return register


def _signed_file(run: RunFolder, register: Register) -> Path:
    which = "term-time-" if register.checkpoint == "term-time" else ""
    return run.path / f"{register.centre.number}-{which}declaration-signed-off.pdf"


SIGNED_NOTE = ".signed-off.json"  # who signed off and when (hidden: not a file of the check)


def signed_by(run: RunFolder) -> str | None:
    """'by Ben Okoro (Exams Officer) on Monday 10 June 2024' when the check is signed off."""
    pdf = next(iter(sorted(run.path.glob("*-declaration-signed-off.pdf"))), None)
    if pdf is None:
        return None
    try:
        note = json.loads((run.path / SIGNED_NOTE).read_text("utf-8"))
        by, role = str(note["signed_by"]), str(note["role"])
        on = dt.date.fromisoformat(str(note["on"]))
    except (OSError, ValueError, KeyError, TypeError):
        made = dt.date.fromtimestamp(pdf.stat().st_mtime)
        return f"on {long_date(made)}"
    return f"by {by} ({role}) on {long_date(on)}"


def _signed_status(site: Site, run: RunFolder, register: Register) -> str:
    """Who signed this check off and when; else 'not signed off yet', saying which earlier
    check was signed off, if one was."""
    mine = signed_by(run)
    if mine:
        return f"Signed off {mine}."
    for earlier in site.workspace.run_folders():
        said = signed_by(earlier) if earlier.id != run.id else None
        if said:
            return (
                f"The check of {long_date(earlier.register().as_of)} ({earlier.id}) was signed"
                f" off {said}; this newer check ({run.id}) is not signed off yet."
            )
    return "Not signed off yet."


async def sign_off(request: Request) -> Response:
    site = site_of(request)
    # Each check has its own sign-off (a term-time check's and Checkpoint 2's): ?run= names it.
    run_id = request.query_params.get("run") or None
    run = site.workspace.run_folder(run_id)
    if run is None and run_id is not None:
        return site.page(request, "empty.html", "Sign-off", what=f"is no check {run_id}")
    if run is None:
        return site.page(request, "empty.html", "Sign-off", what="is nothing to sign off yet")
    if request.method == "GET":
        return _sign_off_page(request, site, run)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    register = _current(site, run)
    left = outstanding(register)
    errors: dict[str, str] = {}
    name = typed.get("signed_by", "").strip()
    role = typed.get("role", "").strip()
    reason = typed.get("reason", "").strip()
    if not name:
        errors["signed_by"] = "Type the name of the person signing off."
    else:
        try:  # the library's rule, said beside the field
            c = register.centre
            allowed_signer(name, c.exams_officer, c.exams_officer_deputies)
        except InputError as exc:
            errors["signed_by"] = _sentence(_page_words(exc.detail))
    if role.casefold() != SIGNING_ROLE.casefold():
        errors["role"] = (
            f"Only the '{SIGNING_ROLE}' role may sign the declaration (OCR: the person"
            " submitting it must have the Exams Officer role in My Cambridge)."
        )
    if typed.get("confirm") != "yes":
        errors["confirm"] = "Tick the box to confirm the sign-off."
    if left and not reason:
        errors["reason"] = (
            f"{len(left)} blocking issue{' is' if len(left) == 1 else 's are'} not handled."
            " Record what was done on the Decisions page and check again, or type why you sign"
            " off anyway (the evidence pack prints it with each issue)."
        )
    elif left and reason_problem(reason):
        errors["reason"] = _sentence(reason_problem(reason))
    if errors:
        return _sign_off_page(request, site, run, 400, errors, typed)
    profile = site.profile()
    signing = profile.signing if profile else None
    base = site.workspace.centre.parent
    try:
        # In a thread: pyHanko signs with asyncio.run(), which cannot run inside the server's
        # event loop (a sign-off with centre.toml's [signing] key failed there).
        made = await asyncio.to_thread(
            pipeline.sign_off,
            run.register_file,
            _signed_file(run, register),
            signed_by=name,
            role=role,
            records=site.workspace.saved(RECORDS),
            reason=reason or None,
            key=base / signing.key if signing else None,
            cert=base / signing.cert if signing else None,
            force=True,
        )
    except InputError as exc:
        said = _page_words(str(exc))
        return _sign_off_page(request, site, run, 400, {"signed_by": said}, typed)
    note = {
        "signed_by": made.signed_by,
        "role": role,
        "on": dt.date.today().isoformat(),
        "outstanding": made.outstanding,
        "digitally": made.signed_digitally,
    }
    write_bytes(run.path / SIGNED_NOTE, json.dumps(note).encode(), force=True)
    # A refresh does not sign off again.
    return site.go(f"sign-off?run={run.id}&signed=1" if run_id else "sign-off?signed=1")


def _sign_off_page(
    request: Request,
    site: Site,
    run: RunFolder,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    register = _current(site, run)
    signed = _signed_file(run, register)
    made: dict[str, Any] | None = None
    if request.query_params.get("signed") and signed.is_file() and not errors:
        try:
            note = json.loads((run.path / SIGNED_NOTE).read_text("utf-8"))
            made = note if isinstance(note, dict) else None
        except (OSError, ValueError):
            made = None
    return site.page(
        request,
        "sign_off.html",
        "Sign-off",
        status=status,
        run=run,
        register=register,
        left=by_urgency(outstanding(register)),
        errors=errors or {},
        typed=typed or {"signed_by": _officer(site), "role": SIGNING_ROLE},
        signers=pipeline.allowed_signers(register),
        made=made,
        signed=signed.name if signed.is_file() else None,
        signed_status=_signed_status(site, run, register),
        who=who,
        kind_label=kind_label,
    )


# ---------------------------------------------------------------------------- rules


RULES_UPLOAD = {"rules": FileField(RULES, XLSX_MAX_BYTES, "the rules workbook")}


async def rules(request: Request) -> Response:
    site = site_of(request)
    n = request.query_params.get("saved", "")
    return _rules_page(request, site, saved=int(n) if n.isdigit() else None)


def _rules_page(
    request: Request,
    site: Site,
    status: int = 200,
    errors: dict[str, str] | None = None,
    saved: int | None = None,
) -> Response:
    run = site.workspace.run_folder(None)
    known = pipeline.rules_knowledge(run.register(), catalogues(site)) if run else []
    return site.page(
        request,
        "rules.html",
        "Rules of combination",
        status=status,
        run=run,
        known=known,
        errors=errors or {},
        saved=saved,
        has_tracker=site.workspace.saved(TRACKER) is not None,
        has_rules=site.workspace.saved(RULES) is not None,
        has_centre=site.workspace.centre.is_file(),
    )


TRACKER_UPLOAD = {"tracker": FileField(TRACKER, TRACKER_MAX_BYTES, "the tracker")}


async def rules_template(request: Request) -> Response:
    """The prefilled rules workbook, from the saved tracker (GET) or, before any check, from a
    tracker chosen on the page (POST; the tracker is read, not kept)."""
    site = site_of(request)
    ws = site.workspace
    if request.method == "GET":
        tracker = ws.saved(TRACKER)
        if tracker is None:
            return _rules_page(request, site, 404, {"tracker": "Choose your Progress Tracker."})
        return await _template_of(request, site, tracker)
    folder = ws.upload_folder()
    try:
        try:
            got = await receive(request, folder, TRACKER_UPLOAD)
        except BadForm as exc:
            return _rules_page(request, site, 400, {"tracker": str(exc)})
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        if got.refused:
            return _rules_page(request, site, 413, dict(got.refused))
        path = got.files.get("tracker")
        if path is None:
            return _rules_page(
                request, site, 400, {"tracker": "Choose the Progress Tracker download (.csv)."}
            )
        given = got.given_names.get("tracker", TRACKER)
        return await _template_of(request, site, path, given)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _template_of(
    request: Request, site: Site, tracker: Path, given: str | None = None
) -> Response:
    ws = site.workspace
    try:
        made = await asyncio.to_thread(
            pipeline.rules_template,
            tracker,
            centre=ws.centre if ws.centre.is_file() else None,
            records=ws.saved(RECORDS),
            catalogues=catalogues(site),
        )
    except InputError as exc:
        said = str(exc)
        if given and said.startswith(TRACKER):
            said = f"'{given}'" + said[len(TRACKER) :]
        return _rules_page(request, site, 400, {"tracker": said})
    profile = site.profile()
    number = profile.centre.number if profile else "centre"
    return Response(
        made.data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{number}-rules.xlsx"'},
    )


async def rules_upload(request: Request) -> Response:
    site = site_of(request)
    ws = site.workspace
    folder = ws.upload_folder()
    try:
        try:
            got = await receive(request, folder, RULES_UPLOAD)
        except BadForm as exc:
            return _rules_page(request, site, 400, {"rules": str(exc)})
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        if site.runner.busy():
            return _rules_page(request, site, 409, {"rules": BUSY.replace("records", "rules")})
        if got.refused:
            return _rules_page(request, site, 413, dict(got.refused))
        path = got.files.get("rules")
        if path is None:
            return _rules_page(request, site, 400, {"rules": "Choose the filled rules workbook."})
        try:
            parsed = read_catalogue_file(path, load_catalogue())
        except InputError as exc:
            return _rules_page(request, site, 400, {"rules": str(exc)})
        try:
            with writing(ws.root / RULES, "saving the rules workbook from the page"):
                ws.keep({RULES: path})
        except InputError as exc:  # a `ctforms` command writes the workspace now
            return _rules_page(request, site, 409, {"rules": str(exc)})
        n = sum(len(s.qualifications) for s in parsed.subjects)
        return site.go(f"rules?saved={n}")  # a refresh does not send the form again
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def records_download(request: Request) -> Response:
    """The records workbook ctforms keeps, with what was recorded on the Decisions page."""
    site = site_of(request)
    path = site.workspace.saved(RECORDS)
    if path is None:
        return site.page(request, "empty.html", "No such file", status=404, what="file")
    return FileResponse(path, filename="records.xlsx")


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/records.xlsx", records_download),
        Route("/decisions", decisions),
        Route("/decisions/entry", decide, methods=["POST"]),
        Route("/decisions/handled", handled, methods=["POST"]),
        Route("/decisions/confirmations", confirmations, methods=["POST"]),
        Route("/sign-off", sign_off, methods=["GET", "POST"]),
        Route("/rules", rules),
        Route("/rules", rules_upload, methods=["POST"]),
        Route("/rules/template", rules_template, methods=["GET", "POST"]),
    ]
