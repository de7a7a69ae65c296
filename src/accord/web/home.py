"""The home page: what is live, the approvals waiting for me, my drafts, the SLOs, the base."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.errors import AccordError
from accord.rules.lifecycle import Role, State
from accord.server.segments import SegmentCounts
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


#: Where ``accord capacity fit --out`` is expected to put the project's response model.
RESPONSE_MODEL = "response-model.json"


def _preflights(web: Web) -> tuple[list[dict[str, Any]], str | None]:
    """Every saved campaign plan's preflight over the next days (amber and red first), or
    why there are none (no resources, no response model)."""
    import json

    from accord.capacity.forecast import forecast
    from accord.capacity.grid import Grid, utc
    from accord.capacity.preflight import preflight
    from accord.capacity.repository import CapacityRepository
    from accord.capacity.response import model_from_data
    from accord.project.template import state_dir

    repository = CapacityRepository(web.operational().engine, web.clock)
    plans = repository.plans()
    if not plans:
        return [], None
    registry = repository.registry()
    path = state_dir(web.root) / RESPONSE_MODEL
    if not len(registry) or not path.is_file():
        return [], ("capacity is not set up: register resources ('accord capacity resources "
                    f"load') and fit a response model into .accord/{RESPONSE_MODEL} "
                    "('accord capacity fit --out')")
    model = model_from_data(json.loads(path.read_text(encoding="utf-8")))
    starts = [utc(p.start) for p in plans]
    load = forecast(plans, model, registry,
                    Grid.between(min(starts), max(starts) + dt.timedelta(days=3)))
    found = []
    for plan in plans:
        result = preflight(plan.id, load, registry)
        worst = max(result.findings, key=lambda f: f.share, default=None)
        found.append({"campaign": plan.id, "status": result.status.value,
                      "detail": worst.describe() if worst is not None else ""})
    order = {"red": 0, "amber": 1, "green": 2}
    return sorted(found, key=lambda f: (order.get(f["status"], 3), f["campaign"])), None


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
            preflights, capacity_problem = _preflights(web)
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
