"""The Centre page: the centre's profile (centre.toml) typed into a form and saved."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from ctforms.errors import InputError
from ctforms.files.lock import writing
from ctforms.files.output import write_bytes
from ctforms.read.centre import load_centre
from ctforms.web import centre_form
from ctforms.web.pages import site_of
from ctforms.web.views import shared


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
        typed = await shared.posted(request, site)
        if isinstance(typed, Response):
            return typed
        if site.demo:
            return site.go("centre")
        values = {f.name: typed.get(f.name, "") for f in centre_form.FIELDS}
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
