"""Customer 360: find a customer by any identifier; their profile, segments, timeline, and
the decision the hub would make now in each channel, with every treatment's reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.responses import Response as BaseResponse

from accord.decisioning.decide import Decision
from accord.errors import AccordError
from accord.online import OnlineReader
from accord.online.base import ProfileLookupError, resolve
from accord.rules.simulation_store import views
from accord.web.context import PREFIX, Web, redirect


def _decisions(web: Web, customer_id: str) -> tuple[list[dict[str, Any]], str | None]:
    """Per channel, the preview decision with its placements and candidates."""
    service = web.decisions()
    try:
        rules = service.rules.current()
    except AccordError as exc:
        return [], str(exc)
    by_channel: dict[str, list[str]] = {}
    for channel, placement in views([rules]):
        by_channel.setdefault(channel, []).append(placement)
    found = []
    for channel, placements in sorted(by_channel.items()):
        decision: Decision = service.preview(channel, dict.fromkeys(placements, 1),
                                             customer=customer_id)
        found.append({"channel": channel, "version": decision.rule_version,
                      "placements": decision.placements,
                      "candidates": decision.candidates})
    return found, None


def _plain(profile: dict[str, Any]) -> list[tuple[str, Any]]:
    skip = {"customer_id", "segments", "identifiers"}
    return sorted((k, v) for k, v in profile.items() if k not in skip)


def customer_routes(web: Web, profiles: OnlineReader) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/customers", response_class=HTMLResponse, response_model=None)
    def search(request: Request, q: str | None = None) -> BaseResponse:
        viewer = web.viewer(request)
        if not q:
            return web.page(request, "customers.html", viewer, q="", error=None)
        try:
            document = resolve(profiles, q.strip())
        except ProfileLookupError as exc:
            return web.page(request, "customers.html", viewer, q=q, error=str(exc),
                            status=404)
        return redirect(f"{PREFIX}/customers/{document['customer_id']}")

    @router.get(f"{PREFIX}/customers/{{customer_id}}", response_class=HTMLResponse,
                response_model=None)
    def customer(request: Request, customer_id: str) -> HTMLResponse | RedirectResponse:
        viewer = web.viewer(request)
        document = profiles.get(customer_id)
        if document is None:
            return web.page(request, "customers.html", viewer, q=customer_id, status=404,
                            error=f"no customer with id {customer_id!r}")
        profile = dict(document)
        try:
            timeline, timeline_error = web.hub.timeline(customer_id), None
        except AccordError as exc:
            timeline, timeline_error = [], str(exc)
        decisions, decision_error = _decisions(web, customer_id)
        return web.page(request, "customer.html", viewer, customer_id=customer_id,
                        attributes=_plain(profile),
                        segments=list(profile.get("segments") or ()),
                        identifiers=profile.get("identifiers") or {},
                        timeline=timeline, timeline_error=timeline_error,
                        decisions=decisions, decision_error=decision_error)

    return router
