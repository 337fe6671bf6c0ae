"""Decisions, sign-off and the rules of combination: the pages that write into the centre's
records and rules, through the same library functions as the CLI's records decide/handled,
declaration and catalogue commands."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ctforms import pipeline
from ctforms.checks.urgency import by_urgency, who
from ctforms.errors import InputError
from ctforms.files.limits import XLSX_MAX_BYTES
from ctforms.models import ActionRow, DecisionRow, Register
from ctforms.produce.decisions import record_action, record_entry_decision
from ctforms.produce.pack import SIGNING_ROLE, outstanding
from ctforms.read.catalogue import load_catalogue, read_catalogue_file
from ctforms.read.records import read_records
from ctforms.register import with_actions
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.words import kind_label
from ctforms.web.workspace import RECORDS, RULES, TRACKER, RunFolder


def _catalogues(site: Site) -> tuple[Path, ...]:
    saved = site.workspace.saved(RULES)
    return (saved,) if saved else ()


def _records(site: Site) -> Path:
    return site.workspace.root / RECORDS


def _recorded(site: Site) -> tuple[list[DecisionRow], list[ActionRow]]:
    """What the records workbook says now (perhaps more than the latest check read)."""
    path = site.workspace.saved(RECORDS)
    if path is None:
        return [], []
    try:
        records = read_records(path)
    except InputError:
        return [], []
    return records.entry_decisions or [], records.actions or []


def _officer(site: Site) -> str:
    profile = site.profile()
    return profile.exams_officer.name if profile else ""


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


# ---------------------------------------------------------------------------- decisions


async def decisions(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.page(request, "empty.html", "Decisions", what="decisions")
    return _decisions_page(request, site, run)


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
    proposals = pipeline.proposals(register, _catalogues(site))
    decided, actions = _recorded(site)
    now = {(d.candidate_number, d.qualification_code): d for d in decided}
    acted = {a.issue_id: a for a in actions}
    chosen = request.query_params.get("issue", "")
    open_issues = [i for i in by_urgency(register.issues) if not i.handled]
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
        chosen=chosen,
        errors=errors or {},
        done=done,
        typed=typed or {},
        officer=_officer(site),
        today=dt.date.today().isoformat(),
        who=who,
        kind_label=kind_label,
    )


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else dt.date.today()
    except ValueError:
        return None


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
    errors: dict[str, str] = {}
    choice = typed.get("make_change", "")
    if choice not in ("yes", "no"):
        errors[f"make_change-{slot}"] = "Choose whether to make the change or keep the entry."
    by = typed.get("by", "").strip()
    if not by:
        errors[f"by-{slot}"] = "Type the name of the person who decided."
    day = _day(typed.get("date", ""))
    if day is None:
        errors[f"date-{slot}"] = "Give the date it was decided, e.g. 12 June 2024."
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
    said = "make the change" if choice == "yes" else "keep the entry as it is"
    return _decisions_page(
        request,
        site,
        run,
        done=f"Recorded for candidate {candidate}: {said}. Check again to update the results"
        " and the entries file.",
    )


async def handled(request: Request) -> Response:
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.go("decisions")
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
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
    day = _day(typed.get("handled_on", ""))
    if day is None:
        errors["handled_on"] = "Give the date it was done, e.g. 12 June 2024."
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
    return _decisions_page(
        request,
        site,
        run,
        done="Recorded as handled. Check again to update the results and the evidence pack.",
    )


# ---------------------------------------------------------------------------- sign-off


def _current(site: Site, run: RunFolder) -> Register:
    """The latest check with the actions recorded since (as the sign-off reads them)."""
    register = run.register()
    path = site.workspace.saved(RECORDS)
    if path is not None:
        register = with_actions(register, read_records(path), path.name)
    return register


def _signed_file(run: RunFolder, register: Register) -> Path:
    return run.path / f"{register.centre.number}-declaration-signed-off.pdf"


async def sign_off(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(None)
    if run is None:
        return site.page(request, "empty.html", "Sign-off", what="results to sign off")
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
    if errors:
        return _sign_off_page(request, site, run, 400, errors, typed)
    profile = site.profile()
    signing = profile.signing if profile else None
    base = site.workspace.centre.parent
    try:
        made = pipeline.sign_off(
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
    return _sign_off_page(request, site, run, made=made)


def _sign_off_page(
    request: Request,
    site: Site,
    run: RunFolder,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    made: pipeline.SignedOff | None = None,
) -> Response:
    register = _current(site, run)
    signed = _signed_file(run, register)
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
        made=made,
        signed=signed.name if signed.is_file() else None,
        who=who,
        kind_label=kind_label,
    )


# ---------------------------------------------------------------------------- rules


RULES_UPLOAD = {"rules": FileField(RULES, XLSX_MAX_BYTES, "the rules workbook")}


async def rules(request: Request) -> Response:
    site = site_of(request)
    return _rules_page(request, site)


def _rules_page(
    request: Request,
    site: Site,
    status: int = 200,
    errors: dict[str, str] | None = None,
    saved: list[str] | None = None,
) -> Response:
    run = site.workspace.run_folder(None)
    known = pipeline.rules_knowledge(run.register(), _catalogues(site)) if run else []
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
    )


async def rules_template(request: Request) -> Response:
    site = site_of(request)
    ws = site.workspace
    tracker = ws.saved(TRACKER)
    if tracker is None:
        return _rules_page(request, site, 404, {"template": "Make a check first."})
    try:
        made = pipeline.rules_template(
            tracker,
            centre=ws.centre if ws.centre.is_file() else None,
            records=ws.saved(RECORDS),
            catalogues=_catalogues(site),
        )
    except InputError as exc:
        return _rules_page(request, site, 400, {"template": str(exc)})
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
            got = await receive(
                request.headers.get("content-type", ""),
                request.headers.get("content-length"),
                request.stream(),
                folder,
                RULES_UPLOAD,
            )
        except BadForm as exc:
            return _rules_page(request, site, 400, {"rules": str(exc)})
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        if got.refused:
            return _rules_page(request, site, 413, dict(got.refused))
        path = got.files.get("rules")
        if path is None:
            return _rules_page(request, site, 400, {"rules": "Choose the filled rules workbook."})
        try:
            parsed = read_catalogue_file(path, load_catalogue())
        except InputError as exc:
            return _rules_page(request, site, 400, {"rules": str(exc)})
        ws.keep({RULES: path})
        codes = [f"{q.code} {q.title}".strip() for s in parsed.subjects for q in s.qualifications]
        return _rules_page(request, site, saved=codes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/decisions", decisions),
        Route("/decisions/entry", decide, methods=["POST"]),
        Route("/decisions/handled", handled, methods=["POST"]),
        Route("/sign-off", sign_off, methods=["GET", "POST"]),
        Route("/rules", rules),
        Route("/rules", rules_upload, methods=["POST"]),
        Route("/rules/template", rules_template),
    ]
