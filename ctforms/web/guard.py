"""Who may drive the page: only a browser on this machine that was given the printed address.

- every address starts with a key made at each start (secrets.token_urlsafe): a request
  without it is refused, so another local user or another web page cannot use the server;
- the Host header must be 127.0.0.1:PORT or localhost:PORT (a DNS-rebinding page is refused;
  on port 80 a browser leaves the port out, so 127.0.0.1 and localhost alone are taken too);
- a form sent from another site is refused: its Origin must be this server's, and every form
  carries a second key, checked on the server;
- the answers are never cached, never framed and never send the key to another site in a
  Referer (same-origin: with no-referrer, Chromium sends "Origin: null" with our own forms).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No JavaScript at all, nothing from elsewhere, forms only to this server, never in a frame.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
        b" frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

REFUSED = (
    b"This address is not complete: open the address ctforms printed in its window when it"
    b" started (the long one, with its key)."
)


@dataclass(frozen=True)
class Keys:
    """The keys of one start: the one in every address, and the one in every form."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    form_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def hosts(self) -> tuple[str, ...]:
        named = (f"127.0.0.1:{self.port}", f"localhost:{self.port}")
        return (*named, "127.0.0.1", "localhost") if self.port == 80 else named

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(f"http://{h}" for h in self.hosts)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.token}/"

    def form_key_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.form_key.encode())


class Guard:
    """ASGI middleware in front of everything (static files included)."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        first = path.lstrip("/").split("/", 1)[0]
        if headers.get("host") not in self.keys.hosts:
            await plain_answer(send, 421, b"This server answers only at 127.0.0.1 or localhost.")
            return
        if not hmac.compare_digest(first.encode(), self.keys.token.encode()):
            await plain_answer(send, 403, REFUSED)
            return
        if scope["method"] not in ("GET", "HEAD") and not self._same_site(headers):
            await plain_answer(
                send, 403, b"Refused: this form was not sent from ctforms' own page."
            )
            return

        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except asyncio.CancelledError:
            # The server stopping at once (a second Ctrl-C) cancels the requests it is still
            # answering: a short answer to the browser, nothing in the terminal.
            if not started:
                with contextlib.suppress(Exception):
                    await plain_answer(send, 503, b"ctforms has stopped.")

    def _same_site(self, headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is not None and origin not in self.keys.origins:
            return False
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def plain_answer(send: Send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
                (b"connection", b"close"),  # a refused client keeps no connection open
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})
