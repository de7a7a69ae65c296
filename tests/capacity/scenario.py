"""A shared scenario: a retailer's web site, contact centre, e-mail provider and warehouse,
and an e-mail response model with known curves."""

from __future__ import annotations

import datetime as dt

from accord.capacity.grid import Grid
from accord.capacity.plans import CampaignPlan, SendWindow
from accord.capacity.resources import Registry, parse_registry
from accord.capacity.response import ResponseModel
from accord.capacity.simulate import gamma_curve, true_model

MONDAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
RATES = {"email": {"open": 0.25, "click": 0.05, "visit": 0.04, "call": 0.0005,
                   "order": 0.004}}


def curves() -> dict[str, dict[str, object]]:
    return {"email": {"open": gamma_curve(60.0, 0.8), "click": gamma_curve(50.0, 0.9),
                      "visit": gamma_curve(45.0, 1.0), "call": gamma_curve(240.0, 2.0),
                      "order": gamma_curve(180.0, 2.0)}}


def model() -> ResponseModel:
    return true_model(RATES, curves())  # type: ignore[arg-type]


def registry(web_rps: float = 30.0) -> Registry:
    return parse_registry({"resources": [
        {"name": "web", "kind": "web", "owner": "it-ops@example.com", "department": "it",
         "requests_per_second": web_rps, "requests_per_visit": 10},
        {"name": "contact-centre", "kind": "contact_centre", "owner": "service@example.com",
         "department": "service", "calls_per_agent_hour": 8,
         "agents": {day: [0] * 8 + [20] * 12 + [0] * 4
                    for day in ("mon", "tue", "wed", "thu", "fri")}},
        {"name": "esp", "kind": "email", "owner": "crm@example.com",
         "department": "marketing", "sends_per_hour": 2_000_000},
        {"name": "warehouse", "kind": "fulfilment", "owner": "sales@example.com",
         "department": "sales", "orders_per_day": 50_000},
    ]})


def grid(days: int = 3) -> Grid:
    return Grid(MONDAY, days * 96)


def plan(audience: int = 500_000, **changes: object) -> CampaignPlan:
    data: dict[str, object] = {
        "id": "spring-sale", "channel": "email", "owner": "marketing@example.com",
        "start": MONDAY + dt.timedelta(hours=8), "audience": audience,
        "windows": [SendWindow(start=dt.time(8), end=dt.time(20))],
        "quiet_hours": (dt.time(21), dt.time(8))}
    data.update(changes)
    return CampaignPlan.model_validate(data)
