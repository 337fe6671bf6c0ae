"""The Files page: what a check made, to download; its entries files marked as uploaded; its
archive verified."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ctforms.errors import InputError
from ctforms.produce.decisions import record_sent
from ctforms.produce.verify import verify_signed_archive
from ctforms.read.centre import long_date
from ctforms.web.pages import Site, site_of
from ctforms.web.views import shared, sign_off
from ctforms.web.words import describe_output
from ctforms.web.workspace import RECORDS, RunFolder


async def files(request: Request) -> Response:
    site = site_of(request)
    run = shared.run_or_none(site, request)
    if run is None and (wanted := request.query_params.get("run")):
        return shared.no_such_check(request, site, "files", wanted)
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
    today = shared.start_day(site, run)
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
        signed_by=sign_off.signed_by,
        entries_files=[p.name for p in run.files() if shared.EDI_NAME.fullmatch(p.name)],
        sent=shared.recorded_sent(site),
        just_sent=request.query_params.get("sent", ""),
        errors=errors or {},
        typed=typed or {},
        officer=shared.officer(site),
        today=today.isoformat(),
        today_words=long_date(today),
        status=status,
    )


async def sent(request: Request) -> Response:
    """'I have uploaded this file': the Entries Sent row, through the library function the
    CLI's records sent uses, given the file itself so the row says what it carried."""
    site = site_of(request)
    typed = await shared.posted(request, site)
    if isinstance(typed, Response):
        return typed
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return site.page(request, "empty.html", "No such check", status=404, what="page")
    name = typed.get("file", "")
    path = run.file(name) if shared.EDI_NAME.fullmatch(name) else None
    errors: dict[str, str] = {}
    if site.runner.busy():
        errors["sent_by"] = shared.BUSY
    if path is None:
        errors["file"] = "Choose an entries file this check made."
    by = typed.get("sent_by", "").strip()
    if not by:
        errors["sent_by"] = "Type the name of the person who uploaded it."
    day = shared.day_given(typed.get("sent_on", ""), shared.start_day(site, run))
    ahead = shared.not_ahead(day, "uploaded")
    if day is None or ahead:
        errors["sent_on"] = ahead or "Give the date it was uploaded, e.g. 12 June 2024."
    if not errors and path is not None and day is not None:
        try:
            record_sent(shared.records_path(site), file=path, sent_on=day, sent_by=by)
        except InputError as exc:
            errors |= shared.beside(exc, {"by": "sent_by"}, "sent_by")
    if errors:
        return _files_page(request, site, run, status=400, errors=errors, typed=typed)
    return site.go(f"files?run={run.id}&sent={name}#entries-sent")


async def download(request: Request) -> Response:
    site = site_of(request)
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return shared.no_such_check(request, site, "files", request.path_params["run"])
    path = run.file(request.path_params["name"])
    if path is None:
        return site.page(request, "empty.html", "No such file", status=404, what="file")
    return FileResponse(path, filename=path.name)


async def verify(request: Request) -> Response:
    site = site_of(request)
    typed = await shared.posted(request, site)
    if isinstance(typed, Response):
        return typed
    run = site.workspace.run_folder(request.path_params["run"])
    if run is None:
        return shared.no_such_check(request, site, "files", request.path_params["run"])
    archive = next((p for p in run.files() if p.name.endswith("-submission-archive.zip")), None)
    if archive is None:
        return _files_page(request, site, run, said="This check has no archive to verify.")
    try:
        checked = verify_signed_archive(archive, None)  # the verdict `ctforms verify` words
    except InputError as exc:
        return _files_page(request, site, run, said=str(exc))
    return _files_page(request, site, run, verdict=checked.archive)
