"""Starting and stopping the page's server: 127.0.0.1 only, a new key at every start.

Stopping: Ctrl-C, SIGTERM (`kill`) and SIGHUP (the terminal window closed) all stop the server
the same way: no new request is taken, a check in progress finishes (a second signal stops it
at once: the pipeline removes its hidden staging folder, the runner its uploads), whatever an
interrupted check left in the workspace is removed, then "ctforms has stopped.". Only SIGKILL
cannot be caught: the next start removes what it left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import html
import os
import shutil
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from types import FrameType

import uvicorn

from ctforms.errors import InputError
from ctforms.files.lock import claim, holder
from ctforms.files.output import leftovers, make_folder
from ctforms.files.quiet import quiet_dependencies
from ctforms.web.app import make_app
from ctforms.web.connections import (
    BACKLOG,
    HEADER_TIMEOUT,
    connection_cap,
    files_limit,
    guarded_protocol,
    loop_fault,
    quiet_logging,
)
from ctforms.web.guard import Keys
from ctforms.web.jobs import Runner
from ctforms.web.workspace import RUN_NAME, Workspace

HOST = "127.0.0.1"  # loopback only: nobody else on the network can reach the page
OPENER = ".ctforms-open.html"  # the page the browser is started on (it holds the key)
SERVE = "serve"  # the lock (files/lock.py) a server holds on its workspace
UPLOADS = ".uploads"
KEEP_ALIVE = 5  # seconds a quiet browser connection is kept for its next request
GRACE = 5  # seconds the requests being answered get to finish when the server stops

STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")
    if hasattr(signal, name)
)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform == "win32":
        # Windows' SO_REUSEADDR would let another program take the port from under us.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined,unused-ignore]
    else:
        # A restart on the same --port right after a stop, while the last connections wait
        # out TIME-WAIT; two servers still cannot both listen on one port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} is already in use on this computer; choose another with --port,"
                " or leave --port out to use a free one"
            ) from None
        raise InputError(f"cannot listen on {HOST}:{port} ({exc.strerror})") from None
    sock.listen(BACKLOG)
    return sock


def serve(
    workspace_dir: Path,
    port: int,
    open_browser: bool,
    say: Callable[[str], None],
) -> None:
    say = _steady(say)
    quiet_dependencies()  # a sign-off signs with pyHanko: its notices are not the page's
    workspace = Workspace(workspace_dir)
    make_folder(workspace.root)
    with _claim(workspace.root):
        left = _leftovers(workspace)
        for warning in workspace.open():
            say(f"warning: {warning}")
        for warning in _tidy(workspace, left):
            say(f"warning: {warning}")
        sock = bind(port)
        keys = Keys(sock.getsockname()[1])
        app = make_app(workspace, keys)
        runners: list[Runner] = [app.state.site.runner, app.state.demo_site.runner]
        quiet_logging()
        server = _Server(
            uvicorn.Config(
                app,
                http=guarded_protocol(HEADER_TIMEOUT, connection_cap(files_limit())),
                ws="none",
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
                proxy_headers=False,  # every client is local: none may say it is another
                log_config=None,  # quiet_logging: one line for each problem, no traceback
                backlog=BACKLOG,
                timeout_keep_alive=KEEP_ALIVE,
                timeout_graceful_shutdown=GRACE,
            )
        )
        stopper = Stopper(server, runners, say)
        opener = Opener(workspace.root / OPENER, keys.url)
        with stopper.installed():
            try:
                say(f"ctforms is ready at {keys.url}")
                say(
                    "Keep this window open while you use the page; close it or press Ctrl-C"
                    " to stop."
                )
                say(f"Your files are kept in {workspace.root}")
                if open_browser and not opener.start():
                    say("Your browser could not be opened: open the address above in it.")
                server.run(sockets=[sock])  # returns at once if a signal came already
            finally:
                sock.close()
                opener.stop()
                stopper.wait_for_check()
                _remove_unfinished(workspace)
    say("ctforms has stopped.")


# ---------------------------------------------------------------------------- stopping


class _Server(uvicorn.Server):
    """uvicorn's server, with the signals left to Stopper and the loop's faults in one line."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # Stopper handles them for the whole of serve(), and raises none again after

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().set_exception_handler(loop_fault)
        await super().serve(sockets)


class Stopper:
    """Ctrl-C, SIGTERM and SIGHUP: the first stops the server and lets a check finish, the
    second stops the check too, a third stops without waiting any longer."""

    def __init__(
        self, server: uvicorn.Server, runners: list[Runner], say: Callable[[str], None]
    ) -> None:
        self.server = server
        self.runners = runners  # the centre's and the demo's: either may be checking
        self.say = say
        self.signals = 0
        self.abandoned = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.signals += 1
        self.server.should_exit = True
        if self.signals >= 2:
            self.server.force_exit = True
            self._abandon()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _running(self) -> list[tuple[Runner, threading.Thread]]:
        return [
            (runner, runner.thread)
            for runner in self.runners
            if runner.thread is not None and runner.thread.is_alive()
        ]

    def wait_for_check(self) -> None:
        if self._running() and not self.abandoned:
            self.say(
                "Finishing the check in progress before stopping (press Ctrl-C again to stop"
                " it now; nothing of it is kept then)..."
            )
        while self._running() and self.signals < 3:
            for _, thread in self._running():
                thread.join(0.1)
        if self.abandoned:
            self.say("The check in progress was stopped; nothing of it is kept.")

    def _abandon(self) -> None:
        """Stop the checks' threads where they are, as Ctrl-C stops `ctforms run`: SystemExit
        is raised in each, so the pipeline's own cleanup removes its staging folder and the
        runner its uploads (threading ends a thread on SystemExit without a word)."""
        if self.abandoned:
            return
        for runner, thread in self._running():
            if thread.ident is None:
                continue
            self.abandoned = True
            runner.stopping = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit)
            )


def _steady(say: Callable[[str], None]) -> Callable[[str], None]:
    """say(), but a closed terminal (SIGHUP) cannot interrupt the stopping."""

    def steady(line: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            say(line)

    return steady


# ---------------------------------------------------------------------------- the workspace


@contextlib.contextmanager
def _claim(root: Path) -> Iterator[None]:
    """One server per workspace: its leftovers are then safe to remove at start."""
    with claim(root, SERVE, f"serving the page for {root}") as held:
        if held is None:
            who = holder(root, SERVE)
            by = f" (process {who.pid})" if who else ""
            raise InputError(
                f"another ctforms{by} is already serving {root}; use its page, or stop it first"
            )
        yield


def _leftovers(workspace: Workspace) -> list[Path]:
    """What a server killed before it could tidy up left: unfinished checks' staging folders
    (personal data) and half-received uploads."""
    found = []
    for space in (workspace, workspace.demo):
        if space.runs.is_dir():
            found += leftovers(space.runs / "next")
        uploads = space.root / UPLOADS
        if uploads.is_dir():
            found += sorted(uploads.iterdir())
    return found


def _tidy(workspace: Workspace, left: list[Path]) -> list[str]:
    """Remove an earlier server's leftovers and make ctforms' own folders owner-only again."""
    said = []
    _remove_unfinished(workspace)
    (workspace.root / OPENER).unlink(missing_ok=True)  # only an earlier start's dead key
    if left:
        said.append(
            f"removed {len(left)} unfinished check or upload folder(s) in {workspace.root}, left"
            " by a ctforms that was stopped before it could tidy up (they held personal data)"
        )
    loose = [
        p
        for p in [workspace.runs, *workspace.runs.iterdir()]
        if (p == workspace.runs or RUN_NAME.match(p.name))
        and not p.is_symlink()
        and p.is_dir()
        and p.stat().st_mode & 0o077
    ]
    for folder in loose:
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    if loose:
        said.append(
            f"{workspace.runs} (or checks in it) could be read by other users of this computer;"
            " ctforms made its folders there owner-only again"
        )
    return said


def _remove_unfinished(workspace: Workspace) -> None:
    """Every staging folder and upload: called only when no check is running."""
    for space in (workspace, workspace.demo):
        for stage in leftovers(space.runs / "next") if space.runs.is_dir() else []:
            shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(space.root / UPLOADS, ignore_errors=True)


# ---------------------------------------------------------------------------- the browser


class Opener:
    """Starts the browser on an owner-only file that sends it on to the keyed address: any
    user of the computer can read a program's command line (/proc/PID/cmdline), so the key
    never goes on the browser's (Jupyter does the same)."""

    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        self.url = url
        self.timer: threading.Timer | None = None

    def start(self) -> bool:
        link = html.escape(self.url, quote=True)
        page = (
            "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
            f"<meta http-equiv='refresh' content='0;url={link}'>"
            "<meta name='referrer' content='no-referrer'><title>Opening ctforms</title></head>"
            f"<body><p><a href='{link}'>Open ctforms</a></p></body></html>\n"
        )
        try:
            self.path.unlink(missing_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.chmod(self.path, 0o600)
                fh.write(page)
        except OSError:
            return False
        self.timer = threading.Timer(0.5, self._open)
        self.timer.daemon = True
        self.timer.start()
        return True

    def _open(self) -> None:
        with contextlib.suppress(Exception):
            webbrowser.open(self.path.as_uri())

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
