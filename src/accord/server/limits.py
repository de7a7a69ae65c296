"""A request body size limit, enforced while the body streams in (413 beyond it): a client
cannot make the server buffer an unbounded body, declared length or not."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 1 << 20  # 1 MiB; event batches may set their own


class BodyTooLarge(Exception):
    """Raised from a counting ``receive`` once a body passes its limit; the middleware that
    counted (``by``) answers 413, every other layer lets it through."""

    def __init__(self, by: object) -> None:
        super().__init__("request body over its limit")
        self.by = by


class Started:
    """``send`` that remembers whether the response has started (after which no error
    body can be sent any more)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


def counting(receive: Receive, limit: int, by: object) -> Receive:
    """``receive`` raising :class:`BodyTooLarge` (from ``by``) once more than ``limit``
    bytes of body have arrived."""
    received = 0

    async def receive_counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(by)
        return message

    return receive_counted


def _body(limit: int) -> bytes:
    return json.dumps({"error": {"code": "payload_too_large",
                                 "message": f"request body over {limit:,} bytes"}}).encode()


class BodyLimit:
    """ASGI middleware: bodies over ``limit`` bytes (``limits`` per path prefix) get 413."""

    def __init__(self, app: ASGIApp, limit: int = DEFAULT_LIMIT,
                 limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.limits = limits or {}

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.limits.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        tracked = Started(send)
        try:
            await self.app(scope, counting(receive, limit, self), tracked)
        except BodyTooLarge as exc:
            if exc.by is not self:
                raise
            if not tracked.started:
                await self._reject(send, limit)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        body = _body(limit)
        headers: list[Any] = [(b"content-type", b"application/json"),
                              (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
