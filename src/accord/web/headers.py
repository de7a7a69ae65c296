"""What every response of the web app carries, and what no request to it may exceed.

:class:`WebGuard` is ASGI middleware for the paths under ``/app``:

* **Headers.** A Content-Security-Policy that lets scripts, styles, fonts and images come
  only from the app itself (no inline script, no ``eval``: vega's expressions run in
  vega-interpreter), no framing (``frame-ancestors 'none'`` and ``X-Frame-Options``),
  ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy`` that keeps URLs inside the
  site, and ``Cache-Control: no-store`` on pages (a shared computer's back button shows no
  page of a user who logged out).
* **Body size.** A request body over :data:`MAX_BODY` bytes is refused with a page that
  names the limit (413), whether it declares its length or streams it.

The JSON API has its own limits and headers (:mod:`accord.server.limits`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.server.limits import BodyTooLarge, counting

#: The largest request body the web app takes (a form, a DMN file, an uploaded table).
MAX_BODY = 1 << 20

#: ``style-src`` allows inline styles: dmn-js, vega and htmx set ``style`` attributes on the
#: elements they draw, and a style cannot run code; scripts get no such allowance.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"))

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def size(limit: int) -> str:
    """A byte count as people read it: ``1 MiB``, ``512 KiB``."""
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if limit >= 1 << shift:
            return f"{limit / (1 << shift):g} {unit}"
    return f"{limit} bytes"


class WebGuard:
    """ASGI middleware for paths under ``prefix``: security headers and the body limit.

    Args:
        app: the application it wraps.
        prefix: the web app's path prefix.
        refuse: the page for a refused request (request, status, message).
        limit: the largest body, in bytes.
    """

    def __init__(self, app: ASGIApp, *, prefix: str,
                 refuse: Callable[[Request, int, str], HTMLResponse],
                 limit: int = MAX_BODY) -> None:
        self.app = app
        self.prefix = prefix
        self.refuse = refuse
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        page = not path.startswith(self.prefix + "/static/")
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers: list[Any] = [*message.get("headers", ()), *HEADERS]
                if page:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, with_headers)
            return
        try:
            await self.app(scope, counting(receive, self.limit, self), with_headers)
        except BodyTooLarge as exc:
            if started or exc.by is not self:
                raise
            await self._refuse(scope, receive, with_headers)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (f"The request is too large: the web app takes at most {size(self.limit)} "
                   "(a spreadsheet upload included).")
        response = self.refuse(Request(scope, receive), 413, message)
        # the client may still be sending: close rather than read a body we refuse
        response.headers["connection"] = "close"
        await response(scope, receive, send)
