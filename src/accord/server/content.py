"""One content type: a request body sent to the JSON API is JSON (``application/json`` or
``application/...+json``), or it is refused with 415 before anything reads it.

Event batches (``/v1/events``, NDJSON) and the web app's forms (``/app``) have their own;
a request without a body (an optional one left out) passes, and so does one that declares
no type at all (the route reads it as JSON or refuses it; ``POST /v1/decisions`` requires
the header itself).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["JsonOnly", "is_json", "unsupported_message"]

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def is_json(content_type: str) -> bool:
    """Whether a ``Content-Type`` header value names JSON (parameters such as a charset
    aside)."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


def unsupported_message(content_type: str) -> str:
    """What a 415 says: what to send, and what was sent."""
    sent = f"got {content_type[:100]!r}" if content_type else "no Content-Type was sent"
    return f"send the body as JSON with 'Content-Type: application/json' ({sent})"


class JsonOnly:
    """ASGI middleware: a body on a ``/v1`` route (but those in ``exempt``) must be JSON."""

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...] = ("/v1/events",)) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in _WITH_BODY
                or not scope["path"].startswith("/v1/")
                or scope["path"].startswith(self.exempt)):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        has_body = b"transfer-encoding" in headers or length.strip() not in (b"", b"0")
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if not has_body or not content_type or is_json(content_type):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": {"code": "unsupported_media_type",
                                     "message": unsupported_message(content_type)}}).encode()
        await send({"type": "http.response.start", "status": 415,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
