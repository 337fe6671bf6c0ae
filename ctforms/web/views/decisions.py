"""The Decisions page: the proposed entry changes decided, issues marked handled, and the lists
heads of department return, through the library functions the CLI's records commands use."""

from __future__ import annotations

import shutil
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ctforms import pipeline
from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, who
from ctforms.errors import InputError
from ctforms.files.limits import XLSX_MAX_BYTES
from ctforms.paperwork import awaits_entry
from ctforms.produce.decisions import record_action, record_confirmations, record_entry_decision
from ctforms.read.centre import long_date
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.views.shared import (
    BUSY,
    beside,
    catalogues,
    day_given,
    entry_file,
    issue_label,
    next_check_date,
    not_ahead,
    officer,
    posted,
    recorded,
    records_path,
    start_day,
)
from ctforms.web.workspace import RECORDS, RunFolder
from ctforms.words import plural

__all__ = ["issue_label"]


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
            f" completion {plural(int(yes), 'date')} confirmed (Y), {int(no)} said to be"
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
        officer=officer(site),
        today=today.isoformat(),
        today_words=long_date(today),
        who=who,
        kind_label=kind_label,
    )


async def decide(request: Request) -> Response:
    site = site_of(request)
    typed = await posted(request, site)
    if isinstance(typed, Response):
        return typed
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
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
    day = day_given(typed.get("date", ""), start_day(site, run))
    ahead = not_ahead(day, "decided")
    if day is None or ahead:
        errors[f"date-{slot}"] = ahead or "Give the date it was decided, e.g. 12 June 2024."
    candidate, _, code = slot.partition("/")
    if not errors and day is not None:
        try:
            record_entry_decision(
                records_path(site),
                candidate_number=candidate,
                qualification_code=code,
                make_change=choice == "yes",
                decided_by=by,
                date=day,
            )
        except InputError as exc:
            errors |= beside(exc, {"by": f"by-{slot}"}, f"by-{slot}")
    if errors:
        return _decisions_page(request, site, run, 400, errors, typed=typed)
    return site.go(f"decisions?decided={quote(slot, safe='')}")


async def handled(request: Request) -> Response:
    site = site_of(request)
    typed = await posted(request, site)
    if isinstance(typed, Response):
        return typed
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
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
    day = day_given(typed.get("handled_on", ""), start_day(site, run))
    ahead = not_ahead(day, "done")
    if day is None or ahead:
        errors["handled_on"] = ahead or "Give the date it was done, e.g. 12 June 2024."
    if not errors and day is not None:
        try:
            record_action(
                records_path(site),
                issue_id=issue_id,
                action_taken=action,
                date=day,
                by=by,
                ocr_reference=typed.get("ocr_reference", "").strip() or None,
            )
        except InputError as exc:
            errors |= beside(exc, {"by": "handled_by", "action": "action"}, "action")
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
        day = day_given(typed.get("returned_on", ""), start_day(site, run))
        ahead = not_ahead(day, "returned")
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
                records_path(site),
                [path],
                centre_number=profile.centre.number,
                date=day,
                names=[given],
            )
        except InputError as exc:
            return _decisions_page(request, site, run, 400, {"returned": str(exc)}, typed=typed)
        # Only numbers travel in the address: the page says nothing a link could make up.
        said = f"{done.confirmed}-{done.not_confirmed}"
        return site.go(f"decisions?confirmed={said}#confirmations")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
