"""What the web app shows of capacity planning: each saved campaign plan's preflight, and
each day's peak load per resource as a share of its capacity (P90), from the registered
resources and the response model in ``.accord/response-model.json``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accord.web.context import Web

#: Where ``accord capacity fit --out`` is expected to put the project's response model.
RESPONSE_MODEL = "response-model.json"
_ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True, slots=True)
class CapacityView:
    """Preflights (red and amber first), daily peak shares, or why there are none."""

    preflights: list[dict[str, Any]] = field(default_factory=list)
    daily: dict[dt.date, list[tuple[str, float]]] = field(default_factory=dict)
    problem: str | None = None

    def status(self, campaign: str) -> str | None:
        return next((p["status"] for p in self.preflights if p["campaign"] == campaign), None)


def capacity_view(web: Web) -> CapacityView:
    """The saved plans' forecast over their days and three more."""
    import numpy as np

    from accord.capacity.forecast import forecast
    from accord.capacity.plans import planning_grid
    from accord.capacity.preflight import preflight
    from accord.capacity.repository import CapacityRepository
    from accord.capacity.response import read_model
    from accord.project.template import state_dir

    repository = CapacityRepository(web.operational().engine, web.clock)
    plans = repository.plans()
    if not plans:
        return CapacityView()
    registry = repository.registry()
    path = state_dir(web.root) / RESPONSE_MODEL
    if not len(registry) or not path.is_file():
        return CapacityView(problem=(
            "capacity is not set up: register resources ('accord capacity resources load') "
            f"and fit a response model into .accord/{RESPONSE_MODEL} ('accord capacity fit "
            "--out')"))
    load = forecast(plans, read_model(path), registry, planning_grid(plans, days=3))
    found = []
    for plan in plans:
        result = preflight(plan.id, load, registry)
        worst = max(result.findings, key=lambda f: f.share, default=None)
        found.append({"campaign": plan.id, "status": result.status.value,
                      "detail": worst.describe() if worst is not None else ""})
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(load.capacity > 0, load.p90 / load.capacity, 0.0)
    daily: dict[dt.date, list[tuple[str, float]]] = {}
    days = [load.grid.at(slot).date() for slot in range(share.shape[1])]
    for day in sorted(set(days)):
        columns = [slot for slot, d in enumerate(days) if d == day]
        peaks = [(name, float(share[row, columns].max()))
                 for row, name in enumerate(load.resources)]
        daily[day] = [(name, peak) for name, peak in peaks if peak > 0]
    return CapacityView(sorted(found, key=lambda f: (_ORDER.get(f["status"], 3),
                                                      f["campaign"])), daily)
