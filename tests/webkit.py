"""Helpers for the web page's tests: an app on a temporary workspace and its test client."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2
from starlette.testclient import TestClient

from ctforms.web.app import make_app
from ctforms.web.guard import Keys
from ctforms.web.workspace import Workspace

PORT = 8765
HOST = f"http://127.0.0.1:{PORT}"


@dataclass
class Site:
    client: TestClient
    keys: Keys
    workspace: Workspace

    @property
    def base(self) -> str:
        return f"/{self.keys.token}"

    def get(self, path: str, follow: bool = True) -> httpx2.Response:
        return self.client.get(f"{self.base}/{path}", follow_redirects=follow)

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        key: str | None = None,
    ) -> httpx2.Response:
        form = {"form_key": self.keys.form_key if key is None else key, **(data or {})}
        return self.client.post(
            f"{self.base}/{path}",
            data=form,
            files=files,
            headers={"origin": HOST},
            follow_redirects=False,
        )

    def wait(self, timeout: float = 300) -> httpx2.Response:
        """Poll the progress page until the check is done: the redirect or the form again (the
        timeout only ends a hang; nothing is timed)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = self.client.get(f"{self.base}/check/progress", follow_redirects=False)
            if r.status_code != 200 or 'http-equiv="refresh"' not in r.text:
                return r
            time.sleep(0.05)
        raise AssertionError("the check did not finish")


def make_site(root: Path) -> Site:
    workspace = Workspace(root)
    workspace.open()
    keys = Keys(PORT)
    client = TestClient(make_app(workspace, keys), base_url=HOST)
    return Site(client, keys, workspace)


def copy_site(workspace: Path, root: Path) -> Site:
    """A page of its own on a copy of a workspace (file times kept, so the latest check is still
    the newest issues.json), as the page finds its workspace after a restart."""
    shutil.copytree(workspace, root)
    return make_site(root)


def error_beside(html: str, field: str) -> str | None:
    """The error shown beside a field, as text."""
    m = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    if m is None:
        return None
    text = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", m[1])
    return text.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&").strip()
