"""Starting and stopping the page's server: 127.0.0.1 only, a new key at every start."""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

import uvicorn

from ctforms.errors import InputError
from ctforms.web.app import make_app
from ctforms.web.guard import Keys
from ctforms.web.workspace import Workspace

HOST = "127.0.0.1"  # loopback only: nobody else on the network can reach the page


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
    sock.listen(128)
    return sock


def serve(
    workspace_dir: Path,
    port: int,
    open_browser: bool,
    say: Callable[[str], None],
) -> None:
    workspace = Workspace(workspace_dir)
    for warning in workspace.open():
        say(f"warning: {warning}")
    sock = bind(port)
    keys = Keys(sock.getsockname()[1])
    app = make_app(workspace, keys)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        date_header=False,
        # uvicorn's own log lines stay short (no traceback: the page catches every fault).
        log_config=None,
    )
    logging.basicConfig(format="ctforms: %(message)s", level=logging.WARNING)
    server = uvicorn.Server(config)
    say(f"ctforms is ready at {keys.url}")
    say("Keep this window open while you use the page; close it or press Ctrl-C to stop.")
    say(f"Your files are kept in {workspace.root}")
    if open_browser:
        threading.Timer(0.5, _open, args=(keys.url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down; it raises Ctrl-C again for the caller
    finally:
        sock.close()
        runner = app.state.site.runner
        if runner.busy():
            say("Finishing the check in progress before stopping...")
            with contextlib.suppress(KeyboardInterrupt):
                runner.wait()
    say("ctforms has stopped.")


def _open(url: str) -> None:
    with contextlib.suppress(Exception):
        webbrowser.open(url)
