"""The capacity registry's capacities and errors; plans' send slots and audiences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from accord.capacity.grid import CapacityError, Grid
from accord.capacity.plans import SendWindow, allowed, resolve_audience, schedule
from accord.capacity.resources import load_registry
from tests.capacity import scenario

REGISTRY = """
resources:
  - name: web
    kind: web
    owner: ops@example.com
    department: it
    concurrent_sessions: 3000
    session_minutes: 6
    maintenance:
      - {start: 2026-03-02T02:00:00Z, end: 2026-03-02T03:00:00Z, capacity_share: 0.5}
  - name: cc
    kind: contact_centre
    owner: svc@example.com
    department: service
    timezone: America/New_York
    calls_per_agent_hour: 10
    agents: {mon: [0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0]}
"""


def test_capacities_per_slot(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(REGISTRY)
    registry = load_registry(path)
    grid = Grid(scenario.MONDAY, 96)
    web = registry.get("web")
    capacity = web.capacity(grid)
    assert capacity[0] == 3000 and capacity[8] == capacity[11] == 1500 and capacity[12] == 3000
    assert web.weights() == {"visit": 6 / 15}
    calls = registry.get("cc").capacity(grid)
    # 09:00 to 17:00 New York (UTC-5 in early March): 14:00 to 22:00 UTC, 8 agents x 10 / 4
    open_slots = np.flatnonzero(np.isfinite(calls))
    assert open_slots[0] == 14 * 4 and open_slots[-1] == 22 * 4 - 1
    assert calls[14 * 4] == 20.0


@pytest.mark.parametrize(("text", "message"), [
    ("resources: [{name: w, kind: web, owner: a, department: it}]",
     "resources[0]: Value error, give exactly one of requests_per_second"),
    ("resources: [{name: w, kind: mainframe, owner: a, department: it}]",
     "resources[0]: Input tag 'mainframe' found using 'kind' does not match"),
    ("resources: [{name: c, kind: contact_centre, owner: a, department: service,\n"
     "  calls_per_agent_hour: 5, agents: {mon: [1, 2]}}]",
     "resources[0].agents.mon: List should have at least 24 items"),
    ("resources: [{name: e, kind: email, owner: a, department: finance, sends_per_hour: 1}]",
     "resources[0].department: Input should be"),
    ("resources: {}", "expected a mapping with a 'resources' list"),
    ("resources: [a: [", "not valid YAML"),
])
def test_registry_errors_name_the_file_and_field(tmp_path: Path, text: str,
                                                 message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CapacityError) as info:
        load_registry(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_allowed_slots_follow_windows_quiet_hours_and_local_time() -> None:
    grid = Grid(scenario.MONDAY, 7 * 96)
    plan = scenario.plan(10, timezone="Europe/Paris", start=scenario.MONDAY,
                         windows=[SendWindow(days=(0, 2), start=dt.time(9), end=dt.time(18))],
                         quiet_hours=(dt.time(12), dt.time(14)))
    slots = np.flatnonzero(allowed(plan, grid))
    hours = {grid.at(int(s)).hour for s in slots}  # UTC: Paris is UTC+1 in early March
    assert hours == {8, 9, 10, 13, 14, 15, 16}
    assert {grid.at(int(s)).weekday() for s in slots} == {0, 2}
    assert schedule(plan, grid)[slots[0]] == 10


def test_audience_from_a_segment_and_plan_errors() -> None:
    plan = scenario.plan(None, segment="loyal")
    with pytest.raises(CapacityError, match="size of segment 'loyal' has not been resolved"):
        _ = plan.size
    assert resolve_audience(plan, {"loyal": 1234}.__getitem__).size == 1234
    with pytest.raises(ValidationError, match="give an audience size or a segment"):
        scenario.plan(None)
    with pytest.raises(ValidationError, match="unknown timezone"):
        scenario.plan(5, timezone="Mars/Olympus")
    closed = scenario.plan(5, start=scenario.MONDAY + dt.timedelta(days=30))
    with pytest.raises(CapacityError, match="no slot it may send in"):
        schedule(closed, Grid(scenario.MONDAY, 96))
