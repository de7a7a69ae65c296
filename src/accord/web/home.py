"""The home page: what is live, the approvals waiting for me, my drafts, the SLOs, the base."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.errors import AccordError
from accord.rules.lifecycle import Role, State
from accord.server.segments import SegmentCounts
from accord.web.capacity import RESPONSE_MODEL, capacity_view
from accord.web.context import PREFIX, Web


def _slos(web: Web) -> list[dict[str, Any]]:
    """The SLOs over the last 28 days, from this process's metrics and the project's stores
    (with several workers, each sees its own requests; ``accord slo report`` scrapes one)."""
    from prometheus_client import generate_latest

    from accord.capacity.slo import DEFAULT_SLOS, project_telemetry, render, report
    from accord.server.metrics import REGISTRY

    end = web.clock.now()
    telemetry = project_telemetry(web.root, generate_latest(REGISTRY).decode(),
                                  end - dt.timedelta(days=28), end)
    return render(report(DEFAULT_SLOS, telemetry))


__all__ = ["RESPONSE_MODEL", "home_routes"]


def home_routes(web: Web, segment_summary: SegmentCounts) -> APIRouter:
    router = APIRouter()

    @router.get(PREFIX, response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        governance = web.governance()
        versions = governance.rules.versions()
        states = {v.version: governance.state(v.version) for v in versions}
        me = viewer.user.username
        waiting = [states[v.version] for v in versions
                   if states[v.version].state is State.IN_REVIEW
                   and states[v.version].author != me] if viewer.has(
                       Role.APPROVER, Role.ADMIN) else []
        mine = [states[v.version] for v in versions if states[v.version].author == me
                and states[v.version].state in (State.DRAFT, State.IN_REVIEW)]
        scheduled = [states[v.version] for v in versions
                     if states[v.version].state is State.APPROVED]
        try:
            view = capacity_view(web)
            preflights, capacity_problem = view.preflights, view.problem
        except AccordError as exc:
            preflights, capacity_problem = [], str(exc)
        try:
            summary = segment_summary.read()
            problem = None
        except AccordError as exc:
            summary, problem = None, str(exc)
        return web.page(request, "home.html", viewer, active=governance.rules.active_version(),
                        waiting=waiting, mine=mine, scheduled=scheduled, summary=summary,
                        problem=problem, slos=_slos(web), preflights=preflights,
                        capacity_problem=capacity_problem)

    return router
