"""The connections the page's server holds open, kept few and short-lived.

Anyone on this computer can open connections to the port without the key, so:
- a request's head (its first line and headers) must arrive whole within HEADER_TIMEOUT of the
  connection opening, or of the end of the last answer on it; a half-sent one is closed (uvicorn
  times out only a quiet keep-alive connection, and any byte restarts that);
- at most `cap` connections stay open, well below the open-files limit: one more closes the
  connection that has waited longest for its request head, never one being answered, so the
  user's own page still answers while someone holds hundreds of connections half-open;
- uvicorn's own refusal of a request that is not HTTP carries the page's security headers;
- the event loop's faults (the open-files limit reached while accepting, above all) are one
  line in the terminal, said once, never a traceback per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import sys
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ctforms.web.guard import SECURITY_HEADERS

HEADER_TIMEOUT = 10.0  # seconds for a request's head to arrive whole
MAX_CONNECTIONS = 200  # a browser opens about 6 per site; this leaves room for many tabs
BACKLOG = 64  # connections the system queues for accepting (each accepted at once is a file)
RESERVED_FILES = 64  # files the checks, uploads and templates may hold open at once
WANTED_FILES = 4096  # the open-files limit asked for at start, when the system allows it

log = logging.getLogger("ctforms.web")


def files_limit() -> int:
    """The open-files limit of this process, first raised towards WANTED_FILES if the system's
    hard limit allows (a soft limit of 256 or 1024 is common); None of this on Windows."""
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return WANTED_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < WANTED_FILES:
        wanted = WANTED_FILES if hard == resource.RLIM_INFINITY else min(hard, WANTED_FILES)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return WANTED_FILES if soft == resource.RLIM_INFINITY else soft


def connection_cap(limit: int) -> int:
    """How many connections may be open: below the limit by the files accepted in one go (up to
    BACKLOG, before any of them is looked at), those being closed, and RESERVED_FILES."""
    return max(8, min(MAX_CONNECTIONS, limit - 2 * BACKLOG - RESERVED_FILES))


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head and a cap on connections."""

    header_timeout: float = HEADER_TIMEOUT
    cap: int = MAX_CONNECTIONS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0
        super().connection_made(transport)
        self._await_head()
        live = [c for c in self.connections if not c.transport.is_closing()]
        if len(live) > self.cap:
            waiting = [c for c in live if isinstance(c, GuardedH11) and c._waiting()]
            oldest = min(waiting, key=lambda c: c._waiting_since, default=self)
            oldest._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if not self._waiting():
            self._stop_deadline()  # a whole request head came: the page is answering it

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._waiting() and self._deadline is None and not self.transport.is_closing():
            self._await_head()

    def send_400_response(self, msg: str) -> None:
        """A request that is not HTTP: refused in words, with the page's headers, and closed."""
        text = b"This is not a request ctforms can read."
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"connection", b"close"),
            *SECURITY_HEADERS,
        ]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers)))
            self.transport.write(self.conn.send(h11.Data(data=text)) or b"")
            self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            pass  # an answer was already under way on this connection: just close it
        self.transport.close()

    # -------------------------------------------------------------------------------------

    def _waiting(self) -> bool:
        """Waiting for the client: no request head yet, or the last one answered."""
        return self.cycle is None or self.cycle.response_complete

    def _await_head(self) -> None:
        self._stop_deadline()
        self._waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._waiting():
            self._close()

    def _close(self) -> None:
        self._stop_deadline()
        if not self.transport.is_closing():
            if self.conn.our_state not in (h11.ERROR, h11.CLOSED):
                with contextlib.suppress(h11.LocalProtocolError):
                    self.conn.send(h11.ConnectionClosed())
            self.transport.close()


def guarded_protocol(header_timeout: float, cap: int) -> type[GuardedH11]:
    """GuardedH11 with these limits (uvicorn makes one protocol object per connection)."""
    return type("GuardedH11", (GuardedH11,), {"header_timeout": header_timeout, "cap": cap})


# ---------------------------------------------------------------------------- the terminal


OUT_OF_FILES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

PLAIN_WORDS = {
    "Invalid HTTP request received.": "refused a request that is not HTTP (said once)",
    "Exceeded concurrency limit.": "too many requests at once; some were answered 503",
}


class OneLine(logging.Handler):
    """Each problem once, in one line, with no traceback (which could quote personal data)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        text = " ".join(text.split())
        text = PLAIN_WORDS.get(text, text)[:200]
        if text in self.said:
            return
        self.said.add(text)
        with contextlib.suppress(OSError, ValueError):  # the terminal was closed
            print(f"ctforms: {text}", file=sys.stderr, flush=True)


def quiet_logging() -> OneLine:
    """Every logger (uvicorn's, asyncio's, python-multipart's) through OneLine."""
    handler = OneLine()
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, OneLine):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        logging.getLogger(name).propagate = True
    for name in ("python_multipart", "multipart"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return handler


def loop_fault(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's own faults, in one line each, once."""
    exc = context.get("exception")
    if isinstance(exc, OSError) and exc.errno in OUT_OF_FILES:
        log.warning(
            "too many connections at once: this computer's limit of open files is reached;"
            " new connections wait until some close (said once)"
        )
        return
    said = context.get("message") or "a fault in the server"
    if isinstance(exc, BaseException):
        said = f"{said} ({type(exc).__name__})"
    log.warning("%s", said)
