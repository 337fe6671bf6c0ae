"""The New check page: the files chosen or kept, the check started, its progress shown."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ctforms.files.limits import TRACKER_MAX_BYTES, XLSX_MAX_BYTES
from ctforms.models import Checkpoint
from ctforms.options import EARLIEST_AS_OF, LATEST_AS_OF
from ctforms.read.centre import TERM_TIME_CLOSES, date_outside
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.views import records, shared
from ctforms.web.workspace import RECORDS, RULES, TRACKER, Workspace
from ctforms.words import count

UPLOADS = {
    "tracker": FileField(TRACKER, TRACKER_MAX_BYTES, "the tracker"),
    "records": FileField(RECORDS, XLSX_MAX_BYTES, "the records workbook"),
    "rules": FileField(RULES, XLSX_MAX_BYTES, "the rules workbook"),
}


def _saved_files(ws: Workspace) -> dict[str, str]:
    """What each upload field will use if left empty: 'tracker.csv, saved 3 June 2024'."""
    found = {}
    for name, spec in UPLOADS.items():
        path = ws.saved(spec.save_as)
        if path is not None:
            when = dt.datetime.fromtimestamp(path.stat().st_mtime)
            found[name] = f"{when:%d %B %Y at %H:%M}"
    return found


def _kept_files(ws: Workspace) -> dict[str, str]:
    """Form field -> the name of the file kept from a refused try (used if left empty)."""
    kept = ws.kept()
    return {name: kept[spec.save_as][1] for name, spec in UPLOADS.items() if spec.save_as in kept}


def _check_page(
    request: Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    as_of: str | None = None,
    general: str | None = None,
    lost: list[str] | None = None,
    names_in_calendar: bool = False,
    checkpoint: str | None = None,
) -> Response:
    site = site_of(request)
    ws = site.workspace
    latest = ws.run_folder(None)
    kept = ws.kept()
    if lost is None and RECORDS in kept:
        # A records workbook kept from a refused try that lacks what was recorded: the box to
        # replace ctforms' copy is offered again, since it is used only when the box is ticked.
        register = latest.register() if latest else None
        lost = records.lost_rows(ws.saved(RECORDS), kept[RECORDS][0], register)
    as_of = as_of or dt.date.today().isoformat()
    profile = site.profile()
    try:
        outside = date_outside(dt.date.fromisoformat(as_of), profile.series) if profile else ""
    except ValueError:
        outside = ""
    return site.page(
        request,
        "check.html",
        "New check",
        status=status,
        has_centre=ws.centre.is_file(),
        saved=_saved_files(ws),
        kept=_kept_files(ws),
        uploads=UPLOADS,
        errors=errors or {},
        general=general,
        lost=lost or [],
        as_of=as_of,
        outside=outside,
        latest=latest,
        latest_register=latest.register() if latest else None,
        again_on=shared.next_check_date(site, latest) if latest else None,
        earliest=EARLIEST_AS_OF.isoformat(),
        latest_as_of=LATEST_AS_OF.isoformat(),
        names_in_calendar=names_in_calendar,
        checkpoint=checkpoint or default_checkpoint(as_of),
        mb=lambda n: f"{n // 1_000_000} MB",
    )


def default_checkpoint(as_of: str) -> Checkpoint:
    """Term-time from 1 January to 30 April (the term-time declaration closes then), else
    Checkpoint 2."""
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        return "2"
    return "term-time" if (day.month, day.day) <= TERM_TIME_CLOSES else "2"


async def check_form(request: Request) -> Response:
    site = site_of(request)
    if site.runner.busy():
        return site.go("check/progress")
    return _check_page(request)


def _as_of(text: str) -> tuple[dt.date | None, str | None]:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None, "Give the date to judge the check on, e.g. 10 June 2024."
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        return None, (
            f"{day:%d %B %Y} is not a date a check can be judged on (between"
            f" {EARLIEST_AS_OF:%d %B %Y} and {LATEST_AS_OF:%d %B %Y})."
        )
    return day, None


def _would_lose(lost: list[str], given: str) -> str:
    n = len(lost)
    rows = f"{count(n, 'thing')} recorded on the Decisions or Files page"
    return (
        f"'{given}' does not have {rows} (listed below), which are only in the copy ctforms"
        " keeps: checking with it would lose them. Download that copy, which has them, and"
        " choose it instead, or tick the box below to replace it anyway."
    )


async def check_start(request: Request) -> Response:
    site = site_of(request)
    ws = site.workspace
    if site.demo:
        return site.go("check")
    if site.runner.busy():
        return site.go("check/progress")
    folder = ws.upload_folder()
    started = False
    try:
        try:
            got = await receive(request, folder, UPLOADS)
        except BadForm as exc:
            return _check_page(request, 413 if "larger" in str(exc) else 400, general=str(exc))
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        errors = dict(got.refused)
        in_calendar = got.fields.get("names_in_calendar") == "yes"
        # The form always sends one; without it, the form's default for the date.
        chosen_checkpoint = got.fields.get("checkpoint")
        checkpoint: Checkpoint = (
            "term-time"
            if chosen_checkpoint == "term-time"
            else "2"
            if chosen_checkpoint == "2"
            else default_checkpoint(got.fields.get("as_of", ""))
        )
        as_of, said = _as_of(got.fields.get("as_of", ""))
        if said:
            errors["as_of"] = said
        if not ws.centre.is_file():
            errors["centre"] = "Fill in your centre's details first, on the Centre page."
        # Each file: the one chosen now, else the one kept from a refused try, else the saved.
        kept = ws.kept()
        chosen: dict[str, tuple[Path, str]] = {}  # workspace name -> (file, the user's name)
        for name, spec in UPLOADS.items():
            if name in got.files:
                chosen[spec.save_as] = (got.files[name], got.given_names.get(name, spec.save_as))
            elif spec.save_as in kept and name not in errors:
                chosen[spec.save_as] = kept[spec.save_as]
        if TRACKER not in chosen and ws.saved(TRACKER) is None and "tracker" not in errors:
            errors["tracker"] = "Choose the Progress Tracker download (.csv) to check."
        lost: list[str] = []
        if RECORDS in chosen and "records" not in errors:
            latest = ws.run_folder(None)
            lost = await asyncio.to_thread(
                records.lost_rows,
                ws.saved(RECORDS),
                chosen[RECORDS][0],
                latest.register() if latest else None,
            )
            if lost and got.fields.get("replace_records") != "yes":
                errors["records"] = _would_lose(lost, chosen[RECORDS][1])
            else:
                lost = []
        if errors or as_of is None:
            # What was chosen and not refused is kept, so it need not be chosen again (the
            # records too when only the box is missing).
            ws.keep_for_later(
                {
                    save_as: found
                    for save_as, found in chosen.items()
                    if _field(save_as) not in errors or (save_as == RECORDS and lost)
                }
            )
            status = 413 if got.refused else 400
            return _check_page(
                request,
                status,
                errors,
                got.fields.get("as_of"),
                lost=lost or None,
                names_in_calendar=in_calendar,  # the box as it was ticked
                checkpoint=checkpoint,
            )
        uploaded = {}
        for save_as, (path, _) in chosen.items():
            if path.parent != folder:  # kept from a refused try: into this check's folder
                os.replace(path, folder / save_as)
            uploaded[save_as] = folder / save_as
        ws.forget_kept()
        names = {save_as: given for save_as, (_, given) in chosen.items()}
        site.runner.start(
            as_of, uploaded, folder, names, names_in_calendar=in_calendar, checkpoint=checkpoint
        )
        started = True
        return await _started(site)
    finally:
        if not started:
            shutil.rmtree(folder, ignore_errors=True)


def _field(save_as: str) -> str:
    return next(name for name, spec in UPLOADS.items() if spec.save_as == save_as)


async def check_forget(request: Request) -> Response:
    """Forget the files kept from a refused try."""
    site = site_of(request)
    typed = await shared.posted(request, site)
    if isinstance(typed, Response):
        return typed
    site.workspace.forget_kept()
    return site.go("check")


async def check_demo(request: Request) -> Response:
    """The demo centre, checked in its own workspace: the centre's files and checks are never
    touched, and its pages (under /demo) say so."""
    site = site_of(request)
    typed = await shared.posted(request, site)
    if isinstance(typed, Response):
        return typed
    demo: Site = request.app.state.demo_site
    if demo.runner.busy():
        return demo.go("check/progress")
    checkpoint: Checkpoint = "term-time" if typed.get("checkpoint") == "term-time" else "2"
    as_of = await asyncio.to_thread(demo.workspace.reset_demo, checkpoint)
    demo.runner.start(as_of, {}, None, checkpoint=checkpoint)
    return await _started(demo)


async def check_again(request: Request) -> Response:
    """The saved files again, judged on the same date as the latest check, or on the date of
    what was recorded since, if later (views/shared.py next_check_date)."""
    site = site_of(request)
    typed = await shared.posted(request, site)
    if isinstance(typed, Response):
        return typed
    if site.runner.busy():
        return site.go("check/progress")
    latest = site.workspace.run_folder(None)
    as_of = shared.next_check_date(site, latest)
    site.workspace.forget_kept()  # the page says so: the saved files, not those kept
    # The same checkpoint as the check it repeats.
    checkpoint = latest.register().checkpoint if latest else "2"
    site.runner.start(as_of, {}, None, checkpoint=checkpoint)
    return await _started(site)


SETTLE = 2.0  # seconds: a check done by then goes straight to its results, with no progress page


async def _started(site: Site) -> Response:
    """The progress page, once a quick check has had the chance to finish without it."""
    end = time.monotonic() + SETTLE
    while site.runner.busy() and time.monotonic() < end:
        await asyncio.sleep(0.05)
    return site.go("check/progress")


async def check_progress(request: Request) -> Response:
    site = site_of(request)
    job = site.runner.job
    if job is None:
        return site.go("check")
    if job.done and job.failure is None and job.run_id:
        return site.go(f"results?run={job.run_id}")
    if job.done and job.failure is not None:
        failure = job.failure
        errors = {failure.field: failure.message} if failure.field else {}
        general = None if failure.field else failure.message
        return _check_page(request, 400, errors, job.as_of.isoformat(), general)
    return site.page(request, "progress.html", "Checking", job=job)
