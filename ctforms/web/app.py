"""The pages: Starlette routes under the start's key, rendered from Jinja2 templates."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.errors import InputError
from ctforms.files.limits import TRACKER_MAX_BYTES, XLSX_MAX_BYTES
from ctforms.files.output import write_bytes
from ctforms.models import Issue, Register, Severity
from ctforms.options import EARLIEST_AS_OF, LATEST_AS_OF
from ctforms.produce.archive import verify_archive
from ctforms.read.centre import load_centre
from ctforms.web import centre_form, decide
from ctforms.web.guard import Guard, Keys
from ctforms.web.jobs import Runner, unexpected
from ctforms.web.pages import FORM_REFUSED, HERE, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.words import describe_output, files_for, in_page_words, kind_label
from ctforms.web.workspace import RECORDS, RULES, TRACKER, RunFolder, Workspace

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
    done = False
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
        values = {f.name: str(form.get(f.name, "")) for f in centre_form.FIELDS}
        text = centre_form.toml_of(values, saved)
        profile, errors, general = centre_form.check(text)
        if profile is not None:
            write_bytes(site.workspace.centre, text.encode(), force=True)
            done = True
    return site.page(
        request,
        "centre.html",
        "Your centre",
        status=400 if errors or (general and request.method == "POST") else 200,
        fields=centre_form.FIELDS,
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


def _check_page(
    request: Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    as_of: str | None = None,
    general: str | None = None,
) -> Response:
    site = site_of(request)
    latest = site.workspace.run_folder(None)
    return site.page(
        request,
        "check.html",
        "New check",
        status=status,
        has_centre=site.workspace.centre.is_file(),
        saved=_saved_files(site.workspace),
        uploads=UPLOADS,
        errors=errors or {},
        general=general,
        as_of=as_of or dt.date.today().isoformat(),
        latest=latest,
        earliest=EARLIEST_AS_OF.isoformat(),
        latest_as_of=LATEST_AS_OF.isoformat(),
        mb=lambda n: f"{n // 1_000_000} MB",
    )


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


async def check_start(request: Request) -> Response:
    site = site_of(request)
    ws = site.workspace
    if site.runner.busy():
        return site.go("check/progress")
    folder = ws.upload_folder()
    started = False
    try:
        try:
            got = await receive(
                request.headers.get("content-type", ""),
                request.headers.get("content-length"),
                request.stream(),
                folder,
                UPLOADS,
            )
        except BadForm as exc:
            return _check_page(request, 413 if "larger" in str(exc) else 400, general=str(exc))
        if not form_key_ok(site, got.fields):
            return Response(FORM_REFUSED, status_code=403)
        errors = dict(got.refused)
        as_of, said = _as_of(got.fields.get("as_of", ""))
        if said:
            errors["as_of"] = said
        if not ws.centre.is_file():
            errors["centre"] = "Fill in your centre's details first (the Centre page)."
        if "tracker" not in got.files and ws.saved(TRACKER) is None and "tracker" not in errors:
            errors["tracker"] = "Choose the Progress Tracker download (.csv) to check."
        if errors or as_of is None:
            status = 413 if got.refused else 400
            return _check_page(request, status, errors, got.fields.get("as_of"))
        uploaded = {UPLOADS[name].save_as: path for name, path in got.files.items()}
        site.runner.start(as_of, uploaded, folder)
        started = True
        return await _started(site)
    finally:
        if not started:
            shutil.rmtree(folder, ignore_errors=True)


async def check_demo(request: Request) -> Response:
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    if site.runner.busy():
        return site.go("check/progress")
    try:
        as_of = site.workspace.use_demo()
    except InputError as exc:
        return _check_page(request, 409, general=str(exc))
    site.runner.start(as_of, {}, None)
    return await _started(site)


async def check_again(request: Request) -> Response:
    """The saved files again, judged on the same date as the latest check."""
    site = site_of(request)
    form = await request.form()
    if not form_key_ok(site, form):
        return Response(FORM_REFUSED, status_code=403)
    if site.runner.busy():
        return site.go("check/progress")
    latest = site.workspace.run_folder(None)
    as_of = latest.register().as_of if latest else dt.date.today()
    site.runner.start(as_of, {}, None)
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


def _issue_files(issue: Issue, register: Register, run: RunFolder) -> list[str]:
    return [n for n in files_for(issue, register.centre.number) if run.file(n) is not None]


async def results(request: Request) -> Response:
    site = site_of(request)
    run = _run_or_none(site, request)
    if run is None:
        return site.page(request, "empty.html", "Results", what="results")
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
        if (not chosen["qualification"] or i.qualification_code == chosen["qualification"])
        and (not chosen["severity"] or i.severity.value == chosen["severity"])
        and (not chosen["kind"] or i.kind.value == chosen["kind"])
        and (not chosen["overdue"] or is_overdue(i))
    ]
    titles: dict[str, str] = {}
    for i in issues:
        if i.qualification_code:
            titles.setdefault(i.qualification_code, i.qualification_title)
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
        words=in_page_words,
        files_of=lambda issue: _issue_files(issue, register, run),
        runs=site.workspace.run_folders(),
    )


# ---------------------------------------------------------------------------- files


async def files(request: Request) -> Response:
    site = site_of(request)
    run = _run_or_none(site, request)
    return _files_page(request, site, run)


def _files_page(
    request: Request, site: Site, run: RunFolder | None, verdict: Any = None, said: str = ""
) -> Response:
    if run is None:
        return site.page(request, "empty.html", "Files", what="files")
    register = run.register()
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
        verdict=verdict,
        said=said,
        runs=site.workspace.run_folders(),
    )


async def download(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(request.path_params["run"])
    path = run.file(request.path_params["name"]) if run else None
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
        return site.page(request, "empty.html", "Files", status=404, what="files")
    archive = next((p for p in run.files() if p.name.endswith("-submission-archive.zip")), None)
    if archive is None:
        return _files_page(request, site, run, said="This check has no archive to verify.")
    try:
        verdict = verify_archive(archive)
    except InputError as exc:
        return _files_page(request, site, run, said=str(exc))
    return _files_page(request, site, run, verdict=verdict)


# ---------------------------------------------------------------------------- the app


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
            said = unexpected(exc)
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


def make_app(workspace: Workspace, keys: Keys) -> Starlette:
    """The whole site, every address under /KEY/."""
    routes = [
        Route("/", start),
        Route("/centre", centre, methods=["GET", "POST"]),
        Route("/check", check_form),
        Route("/check", check_start, methods=["POST"]),
        Route("/check/demo", check_demo, methods=["POST"]),
        Route("/check/again", check_again, methods=["POST"]),
        Route("/check/progress", check_progress),
        Route("/results", results),
        Route("/files", files),
        Route("/files/{run}/verify", verify, methods=["POST"]),
        Route("/files/{run}/{name}", download),
        *decide.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=[Mount(f"/{keys.token}", routes=routes)],
        middleware=[Middleware(Guard, keys=keys), Middleware(Plainly)],
    )
    app.state.site = Site(keys, workspace, Runner(workspace))
    return app
