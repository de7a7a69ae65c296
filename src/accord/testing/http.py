"""A synchronous HTTP client for an ASGI app in the same process (tests, no sockets).

Starlette's ``TestClient`` now warns unless ``httpx2`` is installed (and warnings are errors
in our tests); this drives the app through ``httpx.ASGITransport`` instead, one event loop
per request, which is all a read-only API test needs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

__all__ = ["ApiClient"]


class ApiClient:
    """``client.get("/v1/health").json()`` against an ASGI ``app``."""

    def __init__(self, app: Any, base_url: str = "http://accord.test",
                 headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.base_url = base_url
        self.headers = dict(headers or {})  # sent with every request (an API key, say)

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """Send one request and return the whole response."""
        return asyncio.run(self._send(method, url, **options))

    def get(self, url: str, **options: Any) -> httpx.Response:
        """``GET url`` (``params=`` for the query string)."""
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> httpx.Response:
        """``POST url``."""
        return self.request("POST", url, **options)

    async def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url=self.base_url,
                                     headers=self.headers) as client:
            response = await client.request(method, url, **options)
            await response.aread()
            return response
