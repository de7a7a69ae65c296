"""API keys: each channel application sends its key (``Authorization: Bearer <key>`` or
``X-API-Key``); a route requires a scope. A missing or unknown key is 401, a key without the
scope 403, before anything is read or written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from accord.operational.api_keys import ApiKey
from accord.server.errors import ApiError

#: Verifies a secret: the key it belongs to, or None.
Verifier = Callable[[str], ApiKey | None]


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def require(scope: str, verify: Verifier) -> Callable[[Request], Awaitable[ApiKey]]:
    """A FastAPI dependency admitting keys with ``scope`` (or ``admin``).

    It is a coroutine so that FastAPI runs it on the event loop: a synchronous dependency
    would cost a thread-pool hop per request (verification is a dict lookup when cached).
    """

    async def dependency(request: Request) -> ApiKey:
        secret = _secret(request)
        if secret is None:
            raise ApiError(401, "missing_api_key",
                           "send an API key: 'Authorization: Bearer <key>' or 'X-API-Key'")
        key = verify(secret)
        if key is None:
            raise ApiError(401, "invalid_api_key", "unknown or revoked API key")
        if scope not in key.scopes and "admin" not in key.scopes:
            raise ApiError(403, "missing_scope",
                           f"the key of {key.app!r} lacks the {scope!r} scope "
                           f"(it has: {', '.join(sorted(key.scopes)) or 'none'})")
        return key

    return dependency
