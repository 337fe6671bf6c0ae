"""The site: the routes table (every address under the start's key, each to its page in
views/), and the fault that becomes a page in words."""

from __future__ import annotations

import html
import sys
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ctforms.errors import InputError
from ctforms.web.guard import Guard, Keys
from ctforms.web.jobs import Runner, unexpected
from ctforms.web.pages import HERE, Site, site_of
from ctforms.web.views import (
    centre,
    check,
    decisions,
    files,
    records,
    results,
    rules,
    sign_off,
    start,
)
from ctforms.web.views.check import UPLOADS
from ctforms.web.workspace import Workspace

__all__ = ["UPLOADS", "make_app"]  # the page's upload limits, which the tests narrow

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
        Route("/", start.start),
        Route("/centre", centre.centre, methods=["GET", "POST"]),
        Route("/check", check.check_form),
        Route("/check", check.check_start, methods=["POST"]),
        Route("/check/demo", check.check_demo, methods=["POST"]),
        Route("/check/again", check.check_again, methods=["POST"]),
        Route("/check/forget", check.check_forget, methods=["POST"]),
        Route("/check/progress", check.check_progress),
        Route("/results", results.results),
        Route("/files", files.files),
        Route("/files/{run}/verify", files.verify, methods=["POST"]),
        Route("/files/{run}/sent", files.sent, methods=["POST"]),
        Route("/files/{run}/{name}", files.download),
        Route("/records.xlsx", records.records_download),
        Route("/decisions", decisions.decisions),
        Route("/decisions/entry", decisions.decide, methods=["POST"]),
        Route("/decisions/handled", decisions.handled, methods=["POST"]),
        Route("/decisions/confirmations", decisions.confirmations, methods=["POST"]),
        Route("/sign-off", sign_off.sign_off, methods=["GET", "POST"]),
        Route("/rules", rules.rules),
        Route("/rules", rules.rules_upload, methods=["POST"]),
        Route("/rules/template", rules.rules_template, methods=["GET", "POST"]),
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
