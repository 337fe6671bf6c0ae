"""The start page: the way in, and the latest check if there is one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ctforms.web.pages import site_of


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
