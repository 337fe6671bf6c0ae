"""What every page shares: the templates, the navigation, the site's state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ctforms.errors import InputError
from ctforms.models import CentreProfile
from ctforms.read.centre import load_centre, long_date
from ctforms.web.guard import Keys
from ctforms.web.jobs import Runner
from ctforms.web.workspace import Workspace
from ctforms.words import count, plural

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

NAV = [
    ("", "Start"),
    ("centre", "Centre"),
    ("check", "New check"),
    ("results", "Results"),
    ("files", "Files"),
    ("decisions", "Decisions"),
    ("sign-off", "Sign-off"),
    ("rules", "Rules of combination"),
]


@dataclass
class Site:
    """The pages of one workspace: the centre's own, or the demo centre's (under /KEY/demo)."""

    keys: Keys
    workspace: Workspace
    runner: Runner
    demo: bool = False

    @property
    def home(self) -> str:
        """The centre's own pages (the demo's banner links back to them)."""
        return f"/{self.keys.token}"

    @property
    def base(self) -> str:
        return f"{self.home}/demo" if self.demo else self.home

    def owns(self, path: str) -> bool:
        return path == self.base or path.startswith(self.base + "/")

    def profile(self) -> CentreProfile | None:
        if not self.workspace.centre.is_file():
            return None
        try:
            return load_centre(self.workspace.centre)
        except InputError:
            return None

    def page(
        self, request: Request, name: str, title: str, status: int = 200, **context: Any
    ) -> Response:
        profile = self.profile()
        current = request.url.path.removeprefix(self.base).strip("/").split("/")[0]
        return templates.TemplateResponse(
            request,
            name,
            {
                "title": title,
                # A page refused (a form's mistakes, a missing page) says so first in its
                # title, which a screen reader reads out before anything else.
                "window_title": f"Error: {title}" if status >= 400 else title,
                "base": self.base,
                "form_key": self.keys.form_key,
                "nav": NAV,
                "current": current,
                "workspace": self.workspace.root,
                "private": self.workspace.private(),
                "centre_label": (
                    f"{profile.centre.name} ({profile.centre.number})" if profile else ""
                ),
                "demo": self.demo,
                "home": self.home,
                "unreadable": [r.problem() for r in self.workspace.unreadable_runs()],
                "long_date": long_date,
                "count": count,
                "plural": plural,
                **context,
            },
            status_code=status,
        )

    def go(self, where: str) -> RedirectResponse:
        return RedirectResponse(f"{self.base}/{where}", status_code=303)


def form_key_ok(site: Site, form: FormData | dict[str, str]) -> bool:
    value = form.get("form_key")
    return site.keys.form_key_ok(value if isinstance(value, str) else None)


FORM_REFUSED = "Refused: this form did not come from the page ctforms served (its key is missing)."


def site_of(request: Request) -> Site:
    """The demo's site for an address under /KEY/demo, else the centre's."""
    demo: Site = request.app.state.demo_site
    if demo.owns(request.url.path):
        return demo
    site: Site = request.app.state.site
    return site
