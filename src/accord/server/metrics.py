"""``GET /metrics`` in the Prometheus text format, and the ASGI middleware that measures
every request (the SLO report reads both: :mod:`accord.capacity.slo`).

The middleware's cost per request is one ``perf_counter`` pair, one dict lookup and two
``observe``/``inc`` calls on pre-resolved children. Requests count under the template of the
route that answered them (``/v1/profiles/{customer_id}``, ``/v1/dmn/{model}/{decision}``),
and every path no route matches under one label, :data:`UNMATCHED`: the label sets are as
few as the routes, whatever paths clients invent.
Metrics live in :data:`REGISTRY` (not prometheus-client's global one), per process: run
one scrape target per worker.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LATENCY_BUCKETS", "REGISTRY", "UNMATCHED", "RequestMetrics", "metrics_router"]

#: Every Accord metric.
REGISTRY = CollectorRegistry(auto_describe=True)
#: Latency buckets (seconds): fine below 50 ms, where the decision API's objectives are.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter("accord_http_requests", "HTTP requests by route and status code.",
                   ["route", "status"], registry=REGISTRY)
LATENCY = Histogram("accord_http_request_duration_seconds",
                    "HTTP request duration, from the request's start to the response's end.",
                    ["route"], buckets=LATENCY_BUCKETS, registry=REGISTRY)


#: The label of every request no route matched (unknown paths: one label, not one each).
UNMATCHED = "unmatched"


def _route(scope: Scope) -> str:
    """The template of the route that matched (the router leaves it in the scope), or
    :data:`UNMATCHED`."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


class RequestMetrics:
    """ASGI middleware: counts requests by route and status, and times them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def _child(self, route: str, status: int) -> tuple[Any, Any]:
        key = (route, status)
        found = self._children.get(key)
        if found is None:
            found = (REQUESTS.labels(route, str(status)), LATENCY.labels(route))
            self._children[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception before the response starts is a server error

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            counter, histogram = self._child(_route(scope), status)
            counter.inc()
            histogram.observe(time.perf_counter() - start)


def metrics_router() -> APIRouter:
    """The ``/metrics`` route (no API key: scrapers sit on the internal network)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
