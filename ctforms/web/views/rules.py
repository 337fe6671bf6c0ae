"""The Rules page: the rules of combination known, the prefilled rules workbook, and the filled
workbook saved, through the library functions the CLI's catalogue commands use."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ctforms import pipeline
from ctforms.errors import InputError
from ctforms.files.limits import TRACKER_MAX_BYTES, XLSX_MAX_BYTES
from ctforms.files.lock import writing
from ctforms.read.catalogue import load_catalogue, read_catalogue_file
from ctforms.web.pages import FORM_REFUSED, Site, form_key_ok, site_of
from ctforms.web.upload import BadForm, FileField, receive
from ctforms.web.views.shared import BUSY, catalogues
from ctforms.web.workspace import RECORDS, RULES, TRACKER

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
