"""Sign-off: the declaration signed by a named person with the Exams Officer role, through the
library function the CLI's declaration command uses."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ctforms import pipeline
from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, who
from ctforms.errors import InputError
from ctforms.files.output import write_bytes
from ctforms.models import Register
from ctforms.people import REASON_EXAMPLE, REASON_WORDS, allowed_signer, reason_problem
from ctforms.produce.sign_off import SIGNING_ROLE, outstanding
from ctforms.read.centre import long_date
from ctforms.read.records import read_records
from ctforms.register import with_actions
from ctforms.web.pages import Site, site_of
from ctforms.web.views.shared import beside, officer, posted, sentence
from ctforms.web.workspace import RECORDS, RunFolder
from ctforms.words import count, plural


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
    typed = await posted(request, site)
    if isinstance(typed, Response):
        return typed
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
            errors["signed_by"] = sentence(exc.plainly)
    if role.casefold() != SIGNING_ROLE.casefold():
        errors["role"] = (
            f"Only the '{SIGNING_ROLE}' role may sign the declaration (OCR: the person"
            " submitting it must have the Exams Officer role in My Cambridge)."
        )
    if typed.get("confirm") != "yes":
        errors["confirm"] = "Tick the box to confirm the sign-off."
    if left and not reason:
        errors["reason"] = (
            f"{count(len(left), 'blocking issue')} {plural(len(left), 'is', 'are')} not handled."
            " Record what was done on the Decisions page and check again, or type why you sign"
            " off anyway (the evidence pack prints it with each issue)."
        )
    elif left and reason_problem(reason):
        errors["reason"] = sentence(reason_problem(reason))
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
        # Blocking issues newly without an action (records.xlsx changed meanwhile): the reason.
        at = beside(exc, {"reason": "reason", "records": "reason"}, "signed_by")
        return _sign_off_page(request, site, run, 400, at, typed)
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
        typed=typed or {"signed_by": officer(site), "role": SIGNING_ROLE},
        signers=pipeline.allowed_signers(register),
        made=made,
        signed=signed.name if signed.is_file() else None,
        signed_status=_signed_status(site, run, register),
        who=who,
        kind_label=kind_label,
        reason_words=REASON_WORDS,
        reason_example=REASON_EXAMPLE,
    )
