"""`ctforms serve` against what another user of the computer, the system or an impatient user
does to it: connections held half-open, signals, the browser's command line, a quick restart.

Most tests start a real server process and read its address from its first line, as the
browser tests do; the connection limits are also tested in-process with short timeouts.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx2
import pytest
from conftest import DEMO, ROOT
from starlette.testclient import TestClient

from ctforms.web.app import make_app
from ctforms.web.connections import guarded_protocol
from ctforms.web.guard import Keys
from ctforms.web.server import _Server, bind
from ctforms.web.workspace import Workspace

pytestmark = pytest.mark.slow  # real servers, real sockets and signals

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and limits")
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's /proc and limits")


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    port: int
    workspace: Path
    said: str  # what it printed up to its address, the address's line included

    @property
    def token(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[1]

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        """A signal, then everything it printed: (exit code, stdout, stderr)."""
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=300)  # only ends a hang
        return self.process.returncode, out, err


def start(
    workspace: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    browser: bool = False,
    code: str | None = None,
) -> Server:
    """A server process; code: Python run in place of `-m ctforms` (it calls main() itself)."""
    full = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full.pop("CTFORMS_DEBUG", None)
    process = subprocess.Popen(
        [
            sys.executable,
            *(["-c", code] if code else ["-m", "ctforms"]),
            "serve",
            str(workspace),
            *([] if browser else ["--no-browser"]),
            *extra,
        ],
        cwd=ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec,  # only a resource limit, set before exec
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    while not lines or "http" not in lines[-1]:  # any warning comes first, then the address
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise AssertionError(f"no address printed: {lines} {process.stderr.read()!r}")
        lines.append(line)
    m = re.search(r"(http://127\.0\.0\.1:(\d+)/[A-Za-z0-9_-]+/)", lines[-1])
    assert m is not None, lines
    return Server(process, m[1], int(m[2]), workspace, "".join(lines))


def fetch(url: str, timeout: float = 120) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def unfinished(workspace: Path) -> list[Path]:
    """Personal data an interrupted check could leave: staging folders, uploads, temp files."""
    return [
        *workspace.glob("runs/.ctforms-unfinished-*"),
        *workspace.glob("demo/runs/.ctforms-unfinished-*"),
        *workspace.glob(".uploads/*"),
        *workspace.glob("**/.*.tmp"),
    ]


# ---------------------------------------------------------------------------- connections


@LINUX
def test_a_thousand_half_sent_requests_leave_the_page_answering_and_the_terminal_quiet(
    tmp_path: Path,
) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this test opens 1,030 connections: the open-files limit is too low")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))

    def limit() -> None:  # the server may open 1,024 files, as under `ulimit -n 1024`
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    server = start(tmp_path / "ws", preexec=limit)
    held: list[socket.socket] = []
    try:
        held = _connect_all(server.port, 1030)
        # Answered at all (how fast: benchmarks/bench_hostile.py); fetch waits long.
        status, _, body = fetch(server.url)
        assert status == 200 and "<html" in body
    finally:
        for s in held:
            s.close()
        code, out, err = server.stop()
    assert code == 0 and "ctforms has stopped." in out
    assert "Traceback" not in err and "Errno 24" not in err
    assert len(err.splitlines()) <= 2, err[:2000]


def _connect_all(port: int, count: int) -> list[socket.socket]:
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    sel = selectors.DefaultSelector()
    opened = []
    for _ in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sel.register(s, selectors.EVENT_WRITE)
        opened.append(s)
    pending = len(opened)
    end = time.monotonic() + 30
    while pending and time.monotonic() < end:
        for key, _ in sel.select(timeout=1):
            ready = key.fileobj
            assert isinstance(ready, socket.socket)
            sel.unregister(ready)
            pending -= 1
            with contextlib.suppress(OSError):  # closed by the server to make room: as it should
                ready.send(head)
    sel.close()
    return opened


@dataclass
class Local:
    """A uvicorn server with ctforms' protocol in a thread of the test, on a free port. A
    request for /slow is being answered from `answering` until the test sets `release`."""

    server: _Server
    thread: threading.Thread
    port: int
    answering: threading.Event
    release: threading.Event


@pytest.fixture
def local(request: pytest.FixtureRequest) -> Iterator[Local]:
    timeout, cap = getattr(request, "param", (0.5, 4))
    answering, release = threading.Event(), threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/slow":
            answering.set()
            while not release.is_set():
                await asyncio_sleep(0.01)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    import uvicorn

    sock = bind(0)
    server = _Server(
        uvicorn.Config(
            app, http=guarded_protocol(timeout, cap), ws="none", lifespan="off", log_config=None
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield Local(server, thread, sock.getsockname()[1], answering, release)
    release.set()
    server.should_exit = True
    thread.join(5)


async def asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def _closed_by_server(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(100) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def _answered(s: socket.socket) -> bool:
    """A whole request sent on s is answered: the connection was open (a closed one reads
    b"" or fails)."""
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(120)  # only ends a hang
        return s.recv(100).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_a_request_head_sent_too_slowly_is_closed(local: Local) -> None:
    """A byte every tenth of a second does not put the half-second deadline off: the server
    closes the connection while the bytes still come. (How soon: benchmarks/bench_hostile.py.)"""
    s = socket.create_connection(("127.0.0.1", local.port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    closed = False
    for _ in range(3000):  # 300 s of trickling, far past the deadline however busy the machine
        with contextlib.suppress(OSError):
            s.sendall(b"x")
        closed = _closed_by_server(s, within=0.1)
        if closed:
            break
    assert closed
    whole = socket.create_connection(("127.0.0.1", local.port))
    assert _answered(whole)


@pytest.mark.parametrize("local", [(600.0, 4)], indirect=True)  # no deadline: the cap alone
def test_past_the_cap_the_connection_waiting_longest_is_closed_not_one_being_answered(
    local: Local,
) -> None:
    answered = socket.create_connection(("127.0.0.1", local.port))
    answered.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    assert local.answering.wait(120)  # its head has come: it is being answered
    idle = [socket.create_connection(("127.0.0.1", local.port)) for _ in range(3)]
    newest = socket.create_connection(("127.0.0.1", local.port))  # the fifth of a cap of 4
    assert _closed_by_server(idle[0], within=120)  # waits until the server closes it
    # The others were kept: each is answered (the cap is 4, and idle[0] is gone).
    assert _answered(newest)
    assert _answered(idle[1]) and _answered(idle[2])
    local.release.set()
    answered.settimeout(120)
    assert answered.recv(100).startswith(b"HTTP/1.1 200")


def test_a_request_that_is_not_http_is_refused_with_the_page_headers_and_said_once(
    tmp_path: Path,
) -> None:
    s = start(tmp_path / "ws")
    try:
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", s.port), timeout=120) as c:
                c.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                answer = b""
                while chunk := c.recv(4096):
                    answer += chunk
            head = answer.split(b"\r\n\r\n")[0].lower()
            assert head.startswith(b"http/1.1 400")
            assert b"content-security-policy: default-src 'none'" in head
            assert b"x-frame-options: deny" in head
    finally:
        code, _, err = s.stop()
    assert code == 0
    assert err.splitlines() == ["ctforms: refused a request that is not HTTP (said once)"]


# ---------------------------------------------------------------------------- stopping


# A server whose check, once it is writing its outputs (the hidden staging folder holds
# personal data), marks HELD and waits until RELEASE exists: the test sends its signals while the
# check is certainly in progress, and decides when (or whether) it may finish, whatever the
# machine's load. The wait polls in Python, so the server's SystemExit reaches the check there.
HOLDING = """
import os, sys, time
from pathlib import Path
from ctforms import pipeline
from ctforms.cli import main

held, release = Path(os.environ["CTFORMS_TEST_HELD"]), Path(os.environ["CTFORMS_TEST_RELEASE"])
made = pipeline.pack_and_archive

def holding(*args, **kwargs):
    held.touch()
    while not release.exists():
        time.sleep(0.01)
    return made(*args, **kwargs)

pipeline.pack_and_archive = holding
main()
"""


class Said:
    """Everything a server prints from now on, read as it comes (the stopping lines say which
    signal was handled), and waited on line by line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: dict[str, list[str]] = {"out": [], "err": []}
        self.changed = threading.Condition()
        self.readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("out", process.stdout), ("err", process.stderr))
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, name: str, stream: IO[str] | None) -> None:
        assert stream is not None
        for line in stream:
            with self.changed:
                self.lines[name].append(line)
                self.changed.notify_all()

    def wait_for(self, words: str) -> None:
        with self.changed:
            # The bound only stops a broken server hanging the suite; nothing is timed by it.
            found = self.changed.wait_for(
                lambda: any(words in line for line in self.lines["out"]), timeout=300
            )
        assert found, f"the server never said {words!r}: {self.lines}"

    def end(self) -> tuple[str, str]:
        for reader in self.readers:
            reader.join()
        return "".join(self.lines["out"]), "".join(self.lines["err"])


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait on a condition of the file system; the bound only stops a hang of the suite."""
    end = time.monotonic() + 300
    while not condition():
        assert time.monotonic() < end, f"{what} never happened"
        time.sleep(0.02)


@POSIX
@pytest.mark.parametrize(
    ("sig", "times"),
    [("SIGTERM", 1), ("SIGHUP", 1), ("SIGINT", 2)],
    ids=["SIGTERM", "SIGHUP-terminal-closed", "Ctrl-C-twice"],
)
def test_a_signal_during_a_check_stops_cleanly_and_leaves_no_personal_data(
    tmp_path: Path, sig: str, times: int
) -> None:
    (tmp_path / "ws").mkdir(mode=0o700)
    shutil.copy(DEMO / "centre.toml", tmp_path / "ws" / "centre.toml")
    held, release = tmp_path / "held", tmp_path / "release"
    s = start(
        tmp_path / "ws",
        env={"CTFORMS_TEST_HELD": str(held), "CTFORMS_TEST_RELEASE": str(release)},
        code=HOLDING,
    )
    said = Said(s.process)
    client = httpx2.Client(base_url=s.url, timeout=300)
    page = client.get("check").text
    form_key = re.search(r'name="form_key" value="([^"]+)"', page)
    assert form_key is not None
    answer = client.post(
        "check",
        data={"form_key": form_key[1], "as_of": "2024-06-10"},
        files={"tracker": ("tracker.csv", (DEMO / "tracker.csv").read_bytes())},
    )
    assert answer.status_code == 303  # the check runs in the server's own thread
    wait_until(held.exists, "the check writing its outputs")
    assert list(s.workspace.glob("runs/.ctforms-unfinished-*"))  # personal data on disk
    s.process.send_signal(getattr(signal, sig))
    # The first signal was handled: the server has stopped taking requests and waits.
    said.wait_for("Finishing the check in progress before stopping")
    if times == 2:
        s.process.send_signal(getattr(signal, sig))  # the check is still held: it is stopped
    else:
        release.touch()  # the check may finish
    out, err = said.end()
    assert s.process.wait() == 0
    assert out.rstrip().endswith("ctforms has stopped.")
    assert err == "", err
    assert unfinished(s.workspace) == []
    runs = [p.name for p in (s.workspace / "runs").iterdir()]
    if times == 2:
        assert "The check in progress was stopped; nothing of it is kept." in out
        assert runs == []
    else:
        assert "was stopped" not in out
        assert len(runs) == 1  # the check in progress finished, whole
        assert (s.workspace / "runs" / runs[0] / "issues.json").is_file()


@POSIX
def test_what_a_killed_server_left_is_removed_at_the_next_start(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    stage = ws / "runs" / ".ctforms-unfinished-abc123"
    stage.mkdir(parents=True)
    (stage / "issues.json").write_text("{}")
    upload = ws / ".uploads" / "tmpxyz"
    upload.mkdir(parents=True)
    (upload / "tracker.csv").write_text("personal data")
    demo_stage = ws / "demo" / "runs" / ".ctforms-unfinished-def456"  # the demo's own checks
    demo_stage.mkdir(parents=True)
    (ws / "runs" / "2024-06-10-1").mkdir()
    for folder in (ws, ws / "runs", ws / "runs" / "2024-06-10-1"):
        folder.chmod(0o755)
    (ws / ".ctforms-open.html").write_text("an old key")
    s = start(ws)
    code, out, _ = s.stop()
    out = " ".join((s.said + out).split())
    assert code == 0
    assert unfinished(ws) == [] and not (ws / ".ctforms-open.html").exists()
    assert not demo_stage.exists()
    assert "removed 3 unfinished check or upload folder(s)" in out
    assert "ctforms made its folders there owner-only again" in out
    for folder in (ws / "runs", ws / "runs" / "2024-06-10-1"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(ws.stat().st_mode) == 0o755  # the user's own folder: only a warning
    assert "can be read by other users" in out


def test_a_second_server_on_the_same_workspace_is_refused(tmp_path: Path) -> None:
    first = start(tmp_path / "ws")
    try:
        second = subprocess.run(
            [sys.executable, "-m", "ctforms", "serve", str(tmp_path / "ws"), "--no-browser"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,  # only ends a hang
        )
        assert second.returncode == 2
        assert second.stderr.strip() == (
            f"Error: another ctforms (process {first.process.pid}) is already serving"
            f" {tmp_path / 'ws'}; use its page, or stop it first"
        )
        assert fetch(first.url)[0] == 200
    finally:
        first.stop()


# ---------------------------------------------------------------------------- the browser


@POSIX
def test_the_browser_is_started_without_the_key_in_its_command_line(tmp_path: Path) -> None:
    said = tmp_path / "argv.txt"
    fake = tmp_path / "browser.sh"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {said}\n')
    fake.chmod(0o700)
    s = start(tmp_path / "ws", env={"BROWSER": f"{fake} %s"}, browser=True)
    try:
        end = time.monotonic() + 300  # only ends a hang
        while not said.exists() or not said.read_text():
            assert time.monotonic() < end, "the browser was not started"
            time.sleep(0.05)
        argv = said.read_text().split()
        assert s.token not in said.read_text()
        assert len(argv) == 1 and argv[0].startswith("file://")
        opener = Path(urllib.request.url2pathname(argv[0].removeprefix("file://")))
        assert opener.parent == s.workspace
        assert stat.S_IMODE(opener.stat().st_mode) == 0o600
        page = opener.read_text()
        assert f"<meta http-equiv='refresh' content='0;url={s.url}'>" in page
    finally:
        code, _, _ = s.stop()
    assert code == 0 and s.url in s.said  # the keyed address is still printed in the terminal
    assert not opener.exists()


# ---------------------------------------------------------------------------- ports and hosts


def test_a_restart_on_the_same_port_right_after_a_stop_is_taken(tmp_path: Path) -> None:
    first = start(tmp_path / "ws")
    for _ in range(3):  # answered and closed by the server: its side waits out TIME-WAIT
        assert fetch(first.url)[0] == 200
    assert first.stop()[0] == 0
    again = start(tmp_path / "ws", "--port", str(first.port))
    try:
        assert again.port == first.port and fetch(again.url)[0] == 200
    finally:
        again.stop()


def test_on_port_80_the_host_without_its_port_is_accepted(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    workspace.open()
    keys = Keys(80)
    client = TestClient(make_app(workspace, keys), base_url="http://127.0.0.1")
    for host in ("127.0.0.1", "localhost", "127.0.0.1:80", "localhost:80"):
        r = client.get(f"/{keys.token}/", headers={"host": host})
        assert r.status_code == 200, host
    assert client.get(f"/{keys.token}/", headers={"host": "127.0.0.1:8080"}).status_code == 421
    form = {"form_key": keys.form_key}
    for origin in ("http://127.0.0.1", "http://localhost"):
        r = client.post(
            f"/{keys.token}/check/again",
            data=form,
            headers={"host": "127.0.0.1", "origin": origin},
            follow_redirects=False,
        )
        assert r.status_code == 303, origin
    r = client.post(
        f"/{keys.token}/check/again",
        data=form,
        headers={"host": "127.0.0.1", "origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert Keys(8080).hosts == ("127.0.0.1:8080", "localhost:8080")
