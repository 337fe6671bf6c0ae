"""The pages: Starlette routes under the start's key, rendered from Jinja2 templates."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.errors import InputError
from ctforms.files.limits import TRACKER_MAX_BYTES, XLSX_MAX_BYTES
from ctforms.files.lock import writing
from ctforms.files.output import write_bytes
from ctforms.models import Checkpoint, Issue, Register, Severity
from ctforms.options import EARLIEST_AS_OF, LATEST_AS_OF
from ctforms.paperwork import awaits_entry, files_for
from ctforms.produce.decisions import record_sent
from ctforms.produce.verify import verify_signed_archive
from ctforms.read.centre import TERM_TIME_CLOSES, date_outside, load_centre, long_date
from ctforms.web import centre_form, decide
from ctforms.web.guard import Guard, Keys
from ctforms.web.jobs import Runner, unexpected
from ctforms.web.pages import FORM_REFUSED, HERE, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.words import describe_output
from ctforms.web.workspace import RECORDS, RULES, RUN_NAME, TRACKER, RunFolder, Workspace

UPLOADS = {
    "tracker": FileField(TRACKER, TRACKER_MAX_BYTES, "the tracker"),
    "records": FileField(RECORDS, XLSX_MAX_BYTES, "the records workbook"),
    "rules": FileField(RULES, XLSX_MAX_BYTES, "the rules workbook"),
}


# ---------------------------------------------------------------------------- start


async def start(request: Request) -> Response:
    site = site_of(request)
    latest = site.workspace.run_folder(None)
    return site.page(
        request,
        "start.html",
        "Checkpoint 2 results checks",
        has_centre=site.workspace.centre.is_file(),
        latest=latest,
        register=latest.register() if latest else None,
    )


# ---------------------------------------------------------------------------- centre


async def centre(request: Request) -> Response:
    site = site_of(request)
    saved = site.profile()
    errors: dict[str, str] = {}
    general = None
    if site.workspace.centre.is_file() and saved is None:
        try:
            load_centre(site.workspace.centre)
        except InputError as exc:
            general = f"The saved centre profile cannot be used: {exc}"
    values = centre_form.values_of(saved, dt.date.today())
    if request.method == "POST":
        form = await request.form()
        if not form_key_ok(site, form):
            return Response(FORM_REFUSED, status_code=403)
        if site.demo:
            return site.go("centre")
        values = {f.name: str(form.get(f.name, "")) for f in centre_form.FIELDS}
        profile, text, errors, general = centre_form.check(values, saved, dt.date.today())
        if profile is not None:
            try:
                with writing(site.workspace.centre, "saving the centre profile from the page"):
                    write_bytes(site.workspace.centre, text.encode(), force=True)
                return site.go("centre?saved=1")  # a refresh does not send the form again
            except InputError as exc:  # a check, or a `ctforms` command, writes it now
                general = str(exc)
    done = request.method == "GET" and bool(request.query_params.get("saved")) and saved is not None
    return site.page(
        request,
        "centre.html",
        "The demo centre" if site.demo else "Your centre",
        status=400 if errors or (general and request.method == "POST") else 200,
        fields=centre_form.FIELDS,
        required=centre_form.REQUIRED,
        values=values,
        errors=errors,
        general=general,
        done=done,
        assumed=centre_form.assumed_dates(values.get("year", "")),
    )


# ---------------------------------------------------------------------------- new check


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
        lost = decide.lost_rows(ws.saved(RECORDS), kept[RECORDS][0], register)
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
        again_on=decide.next_check_date(site, latest) if latest else None,
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
    rows = f"{n} thing{'' if n == 1 else 's'} recorded on the Decisions or Files page"
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
                decide.lost_rows,
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
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    site.workspace.forget_kept()
    return site.go("check")


async def check_demo(request: Request) -> Response:
    """The demo centre, checked in its own workspace: the centre's files and checks are never
    touched, and its pages (under /demo) say so."""
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    demo: Site = request.app.state.demo_site
    if demo.runner.busy():
        return demo.go("check/progress")
    checkpoint: Checkpoint = "term-time" if form.get("checkpoint") == "term-time" else "2"
    as_of = await asyncio.to_thread(demo.workspace.reset_demo, checkpoint)
    demo.runner.start(as_of, {}, None, checkpoint=checkpoint)
    return await _started(demo)


async def check_again(request: Request) -> Response:
    """The saved files again, judged on the same date as the latest check, or on the date of
    what was recorded since, if later (decide.next_check_date)."""
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    if site.runner.busy():
        return site.go("check/progress")
    latest = site.workspace.run_folder(None)
    as_of = decide.next_check_date(site, latest)
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


# ---------------------------------------------------------------------------- results


def _run_or_none(site: Site, request: Request) -> RunFolder | None:
    return site.workspace.run_folder(request.query_params.get("run"))


def _no_such_check(request: Request, site: Site, page: str, wanted: str) -> Response:
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


def _issue_files(issue: Issue, register: Register, run: RunFolder) -> list[str]:
    return [n for n in files_for(issue, register.centre.number) if run.file(n) is not None]


async def results(request: Request) -> Response:
    site = site_of(request)
    run = _run_or_none(site, request)
    if run is None and (wanted := request.query_params.get("run")):
        return _no_such_check(request, site, "results", wanted)
    if run is None:
        return site.page(request, "empty.html", "Results", what="are no results to show")
    register = run.register()
    q = request.query_params
    chosen = {
        "qualification": q.get("qualification", ""),
        "severity": q.get("severity", ""),
        "kind": q.get("kind", ""),
        "overdue": q.get("overdue", ""),
    }
    issues = by_urgency(register.issues)
    shown = [
        i
        for i in issues
        if (not chosen["qualification"] or in_qualification(i, chosen["qualification"], register))
        and (not chosen["severity"] or i.severity.value == chosen["severity"])
        and (not chosen["kind"] or i.kind.value == chosen["kind"])
        and (not chosen["overdue"] or is_overdue(i))
    ]
    titles: dict[str, str] = {}
    for i in issues:
        if i.qualification_code:
            titles.setdefault(i.qualification_code, i.qualification_title)
    for st in register.students:
        titles.setdefault(st.qualification_code, st.qualification_title)
    return site.page(
        request,
        "results.html",
        "Results",
        run=run,
        register=register,
        issues=shown,
        total=len(issues),
        chosen=chosen,
        qualifications=sorted(titles.items()),
        severities=[s.value for s in Severity if any(i.severity is s for i in issues)],
        kinds=sorted({i.kind for i in issues}, key=kind_label),
        kind_label=kind_label,
        who=who,
        is_overdue=is_overdue,
        files_of=lambda issue: _issue_files(issue, register, run),
        notes=decide.entry_file(run, decide.catalogues(site)).notes,
        done_line=done_line,
        awaits_entry=awaits_entry,
        runs=site.workspace.run_folders(),
        signed_by=decide.signed_by,
        outside=date_outside(register.as_of, register.series, register.checkpoint),
        decided={(d.candidate_number, d.qualification_code) for d in decide.recorded(site)[0]},
    )


def in_qualification(issue: Issue, code: str, register: Register) -> bool:
    """Whether an issue belongs under a qualification: its own code, or, for an issue of a
    student that carries no code (a student listed twice, a missing candidate number), a
    qualification the student is entered for or expects."""
    if issue.qualification_code:
        return issue.qualification_code == code
    if issue.candidate_number is None:
        return False
    return any(
        code in (st.qualification_code, st.registered_code)
        for st in register.students
        if st.candidate_number == issue.candidate_number
    )


def done_line(issue: Issue) -> str:
    """What was done about a handled issue, in one sentence: 'Reminder sent by email (Monday
    30 November 2026, by Ben Okoro).'"""
    h = issue.handled_by
    if h is None:
        return ""
    said = h.action_taken.strip().rstrip(".;,")
    about = [x for x in (long_date(h.date) if h.date else "", f"by {h.by}" if h.by else "") if x]
    return f"{said} ({', '.join(about)})." if about else f"{said}."


# ---------------------------------------------------------------------------- files


async def files(request: Request) -> Response:
    site = site_of(request)
    run = _run_or_none(site, request)
    if run is None and (wanted := request.query_params.get("run")):
        return _no_such_check(request, site, "files", wanted)
    return _files_page(request, site, run)


def _files_page(
    request: Request,
    site: Site,
    run: RunFolder | None,
    verdict: Any = None,
    said: str = "",
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    if run is None:
        return site.page(request, "empty.html", "Files", what="are no files to show")
    register = run.register()
    today = decide.start_day(site, run)
    outputs = [
        (describe_output(p.name, register.centre.number), p.stat().st_size) for p in run.files()
    ]
    archive = next((o.name for o, _ in outputs if o.name.endswith("-submission-archive.zip")), None)
    return site.page(
        request,
        "files.html",
        "Files",
        run=run,
        register=register,
        outputs=outputs,
        archive=archive,
        has_records=site.workspace.saved(RECORDS) is not None,
        verdict=verdict,
        said=said,
        runs=site.workspace.run_folders(),
        signed_by=decide.signed_by,
        entries_files=[p.name for p in run.files() if decide.EDI_NAME.fullmatch(p.name)],
        sent=decide.recorded_sent(site),
        just_sent=request.query_params.get("sent", ""),
        errors=errors or {},
        typed=typed or {},
        officer=decide.officer(site),
        today=today.isoformat(),
        today_words=long_date(today),
        status=status,
    )


async def sent(request: Request) -> Response:
    """'I have uploaded this file': the Entries Sent row, through the library function the
    CLI's records sent uses, given the file itself so the row says what it carried."""
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return site.page(request, "empty.html", "No such check", status=404, what="page")
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    name = typed.get("file", "")
    path = run.file(name) if decide.EDI_NAME.fullmatch(name) else None
    errors: dict[str, str] = {}
    if site.runner.busy():
        errors["sent_by"] = decide.BUSY
    if path is None:
        errors["file"] = "Choose an entries file this check made."
    by = typed.get("sent_by", "").strip()
    if not by:
        errors["sent_by"] = "Type the name of the person who uploaded it."
    day = decide.day_given(typed.get("sent_on", ""), decide.start_day(site, run))
    ahead = decide.not_ahead(day, "uploaded")
    if day is None or ahead:
        errors["sent_on"] = ahead or "Give the date it was uploaded, e.g. 12 June 2024."
    if not errors and path is not None and day is not None:
        try:
            record_sent(decide.records_path(site), file=path, sent_on=day, sent_by=by)
        except InputError as exc:
            errors["sent_by"] = decide.page_words(str(exc))
    if errors:
        return _files_page(request, site, run, status=400, errors=errors, typed=typed)
    return site.go(f"files?run={run.id}&sent={name}#entries-sent")


async def download(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return _no_such_check(request, site, "files", request.path_params["run"])
    path = run.file(request.path_params["name"])
    if path is None:
        return site.page(request, "empty.html", "No such file", status=404, what="file")
    return FileResponse(path, filename=path.name)


async def verify(request: Request) -> Response:
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return _no_such_check(request, site, "files", request.path_params["run"])
    archive = next((p for p in run.files() if p.name.endswith("-submission-archive.zip")), None)
    if archive is None:
        return _files_page(request, site, run, said="This check has no archive to verify.")
    try:
        checked = verify_signed_archive(archive, None)  # the verdict `ctforms verify` words
    except InputError as exc:
        return _files_page(request, site, run, said=str(exc))
    return _files_page(request, site, run, verdict=checked.archive)


# ---------------------------------------------------------------------------- the app


def _in_words(exc: Exception) -> str:
    """A file ctforms cannot read is said as that, in the page and in one line in the window;
    any other fault is ctforms' own ('unexpected')."""
    if isinstance(exc, InputError):
        print(f"ctforms: a page could not be shown: {exc}", file=sys.stderr)
        return (
            f"A file in your workspace cannot be read: {exc}. Nothing was changed. Make a new"
            " check, or move the damaged file out of the workspace folder."
        )
    return unexpected(exc)


class Plainly:
    """Any fault of ctforms becomes a page in words and one line in the terminal, never a
    traceback (CTFORMS_DEBUG=1 shows it in the terminal)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            said = html.escape(_in_words(exc))
            if started or scope["type"] != "http":
                return
            body = (
                "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
                "<title>Something went wrong - ctforms</title></head><body><main>"
                f"<h1>Something went wrong</h1><p>{said}</p>"
                "<p>Use your browser's Back button to return to the page.</p>"
                "</main></body></html>"
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": body})


async def not_found(request: Request, exc: Exception) -> Response:
    """An address no page has: a plain page with the way back, not a bare 'Not Found'."""
    site = site_of(request)
    return site.page(request, "empty.html", "No such page", status=404, what="page")


def make_app(workspace: Workspace, keys: Keys) -> Starlette:
    """The whole site, every address under /KEY/; the demo centre's under /KEY/demo/."""
    routes = [
        Route("/", start),
        Route("/centre", centre, methods=["GET", "POST"]),
        Route("/check", check_form),
        Route("/check", check_start, methods=["POST"]),
        Route("/check/demo", check_demo, methods=["POST"]),
        Route("/check/again", check_again, methods=["POST"]),
        Route("/check/forget", check_forget, methods=["POST"]),
        Route("/check/progress", check_progress),
        Route("/results", results),
        Route("/files", files),
        Route("/files/{run}/verify", verify, methods=["POST"]),
        Route("/files/{run}/sent", sent, methods=["POST"]),
        Route("/files/{run}/{name}", download),
        *decide.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=[
            Mount(f"/{keys.token}/demo", routes=routes),
            Mount(f"/{keys.token}", routes=routes),
        ],
        middleware=[Middleware(Guard, keys=keys), Middleware(Plainly)],
        exception_handlers={404: not_found},
    )
    app.state.site = Site(keys, workspace, Runner(workspace))
    app.state.demo_site = Site(keys, workspace.demo, Runner(workspace.demo), demo=True)
    return app
