"""`ctforms serve` as a user meets it: a real server process, and the pages in headless Chromium.

The browser is Debian's `chromium` (installed by .ci/run), driven by Playwright for Python with
executable_path set: Playwright's own browser download cannot be reached from these machines.
Screenshots of every page go to CTFORMS_SCREENSHOTS (e.g. docs/screenshots, for the README)
when it is set, else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, ROOT

from ctforms.checks.urgency import by_urgency
from ctforms.register import load_register

pytestmark = pytest.mark.slow  # real servers and a real browser

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("CTFORMS_REQUIRE_TOOLS") == "1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    port: int
    workspace: Path

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as a user stops it: (exit code, stdout, stderr)."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=300)  # only ends a hang
        return self.process.returncode, out, err


def start_server(workspace: Path, *extra: str) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CTFORMS_DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ctforms", "serve", str(workspace), "--no-browser", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the server says where it is
    m = re.search(r"(http://127\.0\.0\.1:(\d+)/[A-Za-z0-9_-]+/)", line)
    if m is None:
        process.kill()
        raise AssertionError(f"no address printed: {line!r} {process.stderr.read()!r}")  # type: ignore[union-attr]
    return Server(process, m[1], int(m[2]), workspace)


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_server(tmp_path_factory.mktemp("serve") / "ctforms-workspace")
    yield s
    code, _, err = s.stop()
    assert code == 0 and "Traceback" not in err, err


# ---------------------------------------------------------------------------- the server


def test_the_printed_address_answers_with_a_page_and_without_its_key_is_refused(
    server: Server,
) -> None:
    status, kind, body = fetch(server.url)
    assert status == 200 and kind.startswith("text/html") and "<html" in body
    status, _, body = fetch(f"http://127.0.0.1:{server.port}/")
    assert 400 <= status < 500 and "<html" not in body
    status, _, _ = fetch(f"http://127.0.0.1:{server.port}/centre")
    assert 400 <= status < 500


def test_the_workspace_is_made_owner_only(server: Server) -> None:
    assert server.workspace.stat().st_mode & 0o777 == 0o700


def _listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port` (Linux's /proc/net/tcp*)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for row in list(fh)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hexport = local.split(":")
                if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                    found.append(address)
    return found


def _other_address() -> str | None:
    """This machine's address on its network, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_it_listens_on_127_0_0_1_only(server: Server) -> None:
    if sys.platform.startswith("linux"):
        assert _listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1, IPv4 only
    other = _other_address()
    if other is not None:
        with pytest.raises(OSError), socket.create_connection((other, server.port), timeout=3):
            pass


def test_ctrl_c_stops_it_cleanly(tmp_path: Path) -> None:
    s = start_server(tmp_path / "ws")
    assert fetch(s.url)[0] == 200
    code, out, err = s.stop()
    assert code == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip() == ""
    assert "ctforms has stopped." in out


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "ctforms",
                "serve",
                str(tmp_path),
                "--no-browser",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,  # only ends a hang
        )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"Error: port {port} is already in use on this computer; choose another with --port,"
        " or leave --port out to use a free one"
    ]


# ---------------------------------------------------------------------------- in a browser


def _screens(tmp_path: Path) -> Path:
    chosen = os.environ.get("CTFORMS_SCREENSHOTS")
    folder = (ROOT / chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(
                f"{CHROMIUM} is missing (CTFORMS_REQUIRE_TOOLS=1): apt-get install chromium"
            )
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRED:
            raise
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


DEMO_CENTRE = {
    "number": "64395",
    "name": "Riverside Sixth Form College",
    "head_of_centre": "Dr Margaret O'Neill",
    "officer_name": "Ben Okoro",
    "officer_email": "exams@riverside.example",
    "year": "2024",
}


def follow(page: Any, link: str, slug: str) -> None:
    """Click a link of the navigation and wait for its page."""
    page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
    page.wait_for_url(re.compile(f"/{slug}$"))
    page.wait_for_load_state()


def shot(page: Any, path: Path, full: bool = True) -> None:
    """A screenshot of the page once it has loaded (a click returns when navigation starts),
    and its accessibility audit: every state the test shows is audited."""
    page.wait_for_load_state()
    audit(page, path.stem)
    page.screenshot(path=path, full_page=full)


AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"  # MPL-2.0: see its README
# What the audit holds every page to: WCAG 2.1 A and AA, and axe's best practice.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def audit(page: Any, where: str) -> None:
    """axe-core's accessibility audit of the page as it is now: no violation. The script is
    evaluated through the browser's debugging protocol, which the page's policy (no scripts of
    its own) does not govern, so the page is audited with its policy as a user meets it."""
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text("utf-8"))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at `
                + v.nodes.map(n => n.target.join(" ")).join(", "));
        }""",
        AXE_RULES,
    )
    assert not found, f"{where}: " + "; ".join(found)


def _lines_of_file_names(page: Any) -> list[int]:
    """How many lines each file name of the Files page takes (its link's line boxes)."""
    return list(
        page.eval_on_selector_all(
            "tbody th.file-name a", "links => links.map(a => a.getClientRects().length)"
        )
    )


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_an_exams_officer_checks_the_demo_centre_in_the_browser(
    browser: Any, tmp_path: Path
) -> None:
    shots = _screens(tmp_path)
    s = start_server(tmp_path / "ctforms-workspace")
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page.set_default_timeout(30_000)
        refused: list[str] = []  # e.g. /favicon.ico without the key, on every page load
        page.on("response", lambda r: refused.append(r.url) if r.status in (403, 404) else None)
        page.goto(s.url)
        shot(page, shots / "start.png", full=True)

        # Centre: a mistake is said beside its field; then the demo centre's details.
        follow(page, "Centre", "centre")
        for name, value in DEMO_CENTRE.items():
            page.fill(f"#{name}", value)
        page.fill("#number", "6439")
        page.fill("#head_of_centre", "")
        page.fill("#officer_email", "exams at riverside")
        page.get_by_role("button", name="Save the centre's details").click()
        # Every mistake at once, each beside its field.
        assert "is not a 5-digit centre number" in page.inner_text("#number-error")
        assert "Head of Centre is empty" in page.inner_text("#head_of_centre-error")
        assert "is not an email address" in page.inner_text("#officer_email-error")
        # The focus is in the problem box, on its first link.
        # Polled from here: wait_for_function's own polling evaluates a string, which the
        # page's policy (no scripts) refuses.
        end = time.monotonic() + 120  # only ends a hang: the focus is waited on, not timed
        while not page.evaluate("document.activeElement.closest('#problems') !== null"):
            assert time.monotonic() < end, "the focus never reached the problem box"
            time.sleep(0.05)
        shot(page, shots / "centre-error.png", full=True)
        page.fill("#head_of_centre", DEMO_CENTRE["head_of_centre"])
        page.fill("#officer_email", DEMO_CENTRE["officer_email"])
        page.fill("#number", "64395")
        page.get_by_role("button", name="Save the centre's details").click()
        assert "Saved." in page.inner_text("main")
        shot(page, shots / "centre.png", full=True)

        # New check: a file that is not a tracker is refused beside it, and nothing is kept.
        follow(page, "New check", "check")
        # Today is long after the demo's 2024 declaration closed: said beside the date.
        assert "every deadline will show as overdue" in page.inner_text("#as_of-warning")
        page.set_input_files("#tracker", str(DEMO / "records.xlsx"))
        page.fill("#as_of", "2024-06-10")
        page.set_input_files("#rules", str(DEMO / "rules.xlsx"))
        page.get_by_role("button", name="Check", exact=True).click()
        page.wait_for_selector("#tracker-error")
        # The refusal names the officer's own file, and the rules chosen with it are kept.
        assert "'records.xlsx': this is an Excel workbook" in page.inner_text("#tracker-error")
        assert "Kept from your last try: \u2018rules.xlsx\u2019" in page.inner_text("#rules-hint")
        assert not list((s.workspace / "runs").iterdir())
        shot(page, shots / "check-error.png", full=True)

        # The demo centre's own files, uploaded.
        page.set_input_files("#tracker", str(DEMO / "tracker.csv"))
        page.set_input_files("#records", str(DEMO / "records.xlsx"))
        page.set_input_files("#rules", str(DEMO / "rules.xlsx"))
        page.fill("#as_of", "2024-06-10")
        shot(page, shots / "check.png", full=True)
        page.get_by_role("button", name="Check", exact=True).click()
        page.wait_for_url(re.compile(r"/results\?run="))

        # Results: the most urgent issue first.
        register = load_register(next((s.workspace / "runs").glob("*/issues.json")))
        first = by_urgency(register.issues)[0]
        ids = page.eval_on_selector_all("li.issue", "els => els.map(e => e.id)")
        assert ids[0] == f"issue-{first.id}"
        assert ids == [f"issue-{i.id}" for i in by_urgency(register.issues)]
        top = page.locator("li.issue").first
        said = top.inner_text().lower()
        assert "blocking" in said and "overdue" in said
        assert str(register.summary.students_at_risk) in page.inner_text("dl.summary")
        shot(page, shots / "results.png", full=False)

        # A filter, by keyboard alone: choose "Warning", Tab to Show, press Enter.
        page.focus("#severity")
        page.select_option("#severity", "warning")
        for _ in range(3):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Show"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"severity=warning"))
        tags = page.locator("li.issue .tags").all_inner_texts()
        assert tags and all("warning" in t.lower() for t in tags)

        # Decisions: confirm the proposed move-down, then check again.
        follow(page, "Decisions", "decisions")
        page.get_by_label("Make the change (move to 05838)").check()
        page.get_by_role("button", name="Record the decision").click()
        assert "Recorded for candidate 0012: make the change" in page.inner_text("main")
        assert page.get_by_label("Make the change (move to 05838)").is_checked()
        assert "confirmed: goes into the entries file at the next check" in page.inner_text("main")
        shot(page, shots / "decisions.png", full=True)
        page.get_by_role("button", name="Check again with the saved files").click()
        page.wait_for_url(re.compile(r"/results\?run="))
        runs = sorted((s.workspace / "runs").glob("*/issues.json"), key=lambda p: p.stat().st_mtime)
        move = next(i for i in load_register(runs[-1]).issues if i.decision is not None)
        assert move.decision is not None and move.decision.make_change
        # The student's blocking issue says the move-down is decided, and what to do next.
        glh = page.locator("li.issue", has_text="Short of guided learning hours").filter(
            has_text="0012"
        )
        said = glh.locator("dd.decided").inner_text()
        assert (
            said.startswith("Move-down to 05838 confirmed by Ben Okoro") and ".X02" in said
        )  # the second check: the next file of the series
        assert page.get_by_role("link", name=re.compile("Move-down decided")).count() == 1
        glh.scroll_into_view_if_needed()
        shot(page, shots / "results-decided.png", full=False)
        follow(page, "Decisions", "decisions")
        assert "0036 " in page.inner_text("#in-file ~ div table")
        assert "Download your records workbook" in page.inner_text("main")

        # Files: every file downloads; the pack is a PDF; the archive checks out.
        follow(page, "Files", "files")
        names = page.locator("tbody th a").all_inner_texts()
        assert len(names) == len(list(runs[-1].parent.iterdir()))
        for name in names:
            # Chromium asks before a page's many downloads: a fresh page for each, as a user
            # coming back to the list.
            page.reload()
            with page.expect_download() as got:
                page.get_by_role("link", name=name, exact=True).click()
            assert got.value.suggested_filename == name
            assert Path(got.value.path()).read_bytes() == (runs[-1].parent / name).read_bytes()
            if name == "64395-declaration-evidence-pack.pdf":
                assert Path(got.value.path()).read_bytes()[:5] == b"%PDF-"
        assert "64395-declaration-evidence-pack.pdf" in names
        # Each name whole, on one line: the officer types it or matches it in Interchange.
        assert _lines_of_file_names(page) == [1] * len(names)
        page.get_by_role("button", name=re.compile("Check .*archive")).click()
        assert "Intact" in page.inner_text("main")
        row = page.locator("tr", has_text="declaration-evidence-pack.pdf").inner_text()
        assert "The centre's files: kept as the evidence for the declaration" in row
        assert "MIS supplier" in page.locator("tr", has_text=".X02").inner_text()
        shot(page, shots / "files.png", full=True)

        # Sign-off: refused with blocking issues left until a reason is typed.
        follow(page, "Sign-off", "sign-off")
        assert page.inner_text("#sign-off-status") == "Not signed off yet."
        page.get_by_label("I confirm").check()
        page.get_by_role("button", name="Sign off the evidence pack").click()
        assert "not handled" in page.inner_text("#reason-error")
        assert page.get_by_label("I confirm").is_checked()  # kept as it was left
        shot(page, shots / "sign-off-refused.png", full=True)
        page.fill("#reason", "Moderation visits rebooked for 20 June")
        page.get_by_role("button", name="Sign off the evidence pack").click()
        assert "Signed off by Ben Okoro" in page.inner_text("#signed")
        assert page.inner_text("#sign-off-status").startswith("Signed off by Ben Okoro")
        # The result first; the form folded away until "Sign off again" is opened.
        assert page.get_by_text("Sign off again (replaces the signed-off pack)").is_visible()
        assert not page.get_by_role("button", name="Sign off again").is_visible()
        shot(page, shots / "sign-off.png", full=True)
        # A newer check is not signed off, and says which earlier one was.
        follow(page, "New check", "check")
        page.get_by_role("button", name="Check again with the saved files").click()
        page.wait_for_url(re.compile(r"/results\?run="))
        follow(page, "Sign-off", "sign-off")
        status = page.inner_text("#sign-off-status")
        assert "was signed off by Ben Okoro" in status and "is not signed off yet" in status
        follow(page, "Files", "files")
        assert "signed off by Ben Okoro" in page.inner_text("#earlier + ul")

        # Rules of combination: the state of each qualification; the prefilled workbook.
        follow(page, "Rules of combination", "rules")
        assert "not known" in page.inner_text("table")
        assert "handbook (illustrative" not in page.inner_text("table")  # said once, not twice
        with page.expect_download() as got:
            page.get_by_role("link", name="Download the rules workbook").click()
        assert Path(got.value.path()).read_bytes()[:2] == b"PK"
        shot(page, shots / "rules.png", full=True)

        # The demo centre: in its own workspace and pages, never the centre's files or checks.
        mine = {n: (s.workspace / n).read_bytes() for n in ("centre.toml", "records.xlsx")}
        follow(page, "New check", "check")
        page.get_by_role("button", name="Try it with the demo centre").click()
        page.wait_for_url(re.compile(r"/demo/results\?run="))
        banner = page.get_by_role("region", name="Demo").inner_text()
        assert "You are looking at the invented demo centre" in banner
        assert "Your own centre is untouched" in banner
        shot(page, shots / "demo.png", full=False)
        assert len(list((s.workspace / "runs").iterdir())) == 3
        assert {n: (s.workspace / n).read_bytes() for n in mine} == mine
        follow(page, "Centre", "centre")
        assert page.inner_text("h1") == "The demo centre"
        assert page.locator("main input[type=text]").count() == 0
        shot(page, shots / "demo-centre.png", full=True)
        page.get_by_role("link", name=re.compile("Back to your own centre")).click()
        page.wait_for_load_state()
        assert page.get_by_role("region", name="Demo").count() == 0
        assert page.url.endswith("/centre") and page.inner_text("h1") == "Your centre"
        assert not refused, refused

        # An address no page has: a page with the way back.
        page.goto(s.url + "no-such-page")
        assert "no page at this address" in page.inner_text("main")
        assert page.title().startswith("Error: ")
        audit(page, "no-such-page")

        # 200% zoom: a 1280-pixel window zoomed to 200% is 640 CSS pixels wide.
        zoomed = browser.new_page(
            viewport={"width": 640, "height": 800}, device_scale_factor=2, locale="en-GB"
        )
        for name in ("", "centre", "check", "results", "files", "decisions", "sign-off", "rules"):
            zoomed.goto(s.url + name)
            assert _no_sideways_scroll(zoomed), f"{name or 'start'} scrolls sideways at 200%"
            audit(zoomed, f"{name or 'start'} at 200%")
        zoomed.goto(s.url + "files")
        assert set(_lines_of_file_names(zoomed)) == {1}, "a file name broken at 200%"
        zoomed.goto(s.url + "results")
        zoomed.screenshot(path=shots / "results-200-percent.png")
        zoomed.goto(s.url + "decisions")
        zoomed.screenshot(path=shots / "decisions-200-percent.png")
        # Stacked table rows keep their column's name; a caption is not one word a line.
        zoomed.goto(s.url + "files")
        label = zoomed.evaluate(
            "getComputedStyle(document.querySelector('td[data-label]'), '::before').content"
        )
        assert label == '"What it is for: "'
        height = zoomed.evaluate("document.querySelector('caption').getBoundingClientRect().height")
        assert height < 60, height
        zoomed.screenshot(path=shots / "files-200-percent.png", full_page=True)
        zoomed.goto(s.url + "rules")
        zoomed.screenshot(path=shots / "rules-200-percent.png", full_page=True)
        zoomed.close()

        # 400% zoom: 320 CSS pixels. Every page, the centre's and the demo's, audited; nothing
        # scrolls, in the page or in a box the keyboard cannot reach.
        narrow = browser.new_page(viewport={"width": 320, "height": 800}, locale="en-GB")
        for base in (s.url, s.url + "demo/"):
            for name in (
                "", "centre", "check", "results", "files", "decisions", "sign-off", "rules",
            ):  # fmt: skip
                narrow.goto(base + name)
                where = f"{base.removeprefix(s.url)}{name or 'start'} at 400%"
                assert _no_sideways_scroll(narrow), f"{where} scrolls sideways"
                audit(narrow, where)
        narrow.goto(s.url + "demo/rules")
        narrow.screenshot(path=shots / "rules-400-percent.png", full_page=True)
        narrow.close()
    finally:
        code, _, err = s.stop()
    assert code == 0 and "Traceback" not in err, err


def test_the_page_is_usable_with_the_keyboard(browser: Any, tmp_path: Path) -> None:
    s = start_server(tmp_path / "ws")
    try:
        page = browser.new_page()
        page.goto(s.url + "check")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the page's content"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # Every field has a label that names it.
        unlabelled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)"""
        )
        assert unlabelled == []
        # The demo button, reached and pressed from the keyboard.
        page.get_by_role("button", name="Try it with the demo centre").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/demo/results\?run="))
        assert page.locator("li.issue").count() == 30
        assert not (s.workspace / "centre.toml").exists()  # the demo is not the centre's
    finally:
        code, _, err = s.stop()
    assert code == 0, err
