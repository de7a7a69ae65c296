"""Capacity planning: what campaigns do to the web site, contact centre, e-mail provider and
warehouse, and what every department should know about it (issue 7).

Modules: ``resources`` (the capacity registry), ``response`` (the response model fitted from
history), ``plans`` (planned campaigns), ``forecast`` (load per resource and 15-minute slot
with a P90), ``preflight`` (green, amber, red; owners' overrides), ``throttle`` (the
earliest-finishing plan within capacity), ``calendars`` (the shared calendar and iCalendar
feeds), ``notifications`` with ``webhook`` and ``mail``, ``slo`` (objectives and error
budgets), ``repository`` (the operational store), ``simulate`` (generated history).
"""

from __future__ import annotations

from accord.capacity.forecast import Forecast, forecast
from accord.capacity.grid import SLOT, CapacityError, Grid
from accord.capacity.plans import Batch, CampaignPlan, SendWindow, resolve_audience
from accord.capacity.preflight import (
    LaunchBlocked,
    Override,
    Preflight,
    Status,
    check_launch,
    override,
    preflight,
)
from accord.capacity.resources import Registry, load_registry, parse_registry
from accord.capacity.response import ResponseModel, StepRate, fit
from accord.capacity.throttle import ThrottledPlan, throttle

__all__ = [
    "SLOT",
    "Batch",
    "CampaignPlan",
    "CapacityError",
    "Forecast",
    "Grid",
    "LaunchBlocked",
    "Override",
    "Preflight",
    "Registry",
    "ResponseModel",
    "SendWindow",
    "Status",
    "StepRate",
    "ThrottledPlan",
    "check_launch",
    "fit",
    "forecast",
    "load_registry",
    "override",
    "parse_registry",
    "preflight",
    "resolve_audience",
    "throttle",
]
