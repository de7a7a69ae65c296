"""Issue 7's acceptance: a 500,000-e-mail campaign against a web site it would overload."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import optimize, stats

from accord.capacity.forecast import forecast
from accord.capacity.preflight import Status, preflight
from accord.capacity.throttle import Constraints, constraints, solve, throttle
from tests.capacity import scenario
from tests.capacity.brute import brute_force


def test_unthrottled_campaign_is_red_on_the_web_with_the_right_peak() -> None:
    grid, registry, model = scenario.grid(), scenario.registry(), scenario.model()
    result = preflight("spring-sale", forecast([scenario.plan()], model, registry, grid),
                       registry)
    assert result.status is Status.RED
    web = result.findings[0]
    assert web.resource == "web" and web.status is Status.RED
    # independently: all 500,000 go out evenly over 08:00 to 08:15; visits follow each send
    # after an exponential delay (mean 45 min). A visit lands in 08:15-08:30 if its send time
    # plus delay falls there: half of the first 15 minutes' share and half of the second's
    first, second = 1 - math.exp(-1 / 3), math.exp(-1 / 3) - math.exp(-2 / 3)
    visits = 500_000 * 0.04 * (first + second) / 2
    mean = visits * 10  # 10 requests per visit
    sd = math.sqrt(visits * 100)  # Poisson count, times 10 requests per visit
    assert web.at == scenario.MONDAY.replace(hour=8, minute=15)
    assert web.mean == pytest.approx(mean, rel=1e-6)
    assert web.p90 == pytest.approx(mean + stats.norm.ppf(0.9) * sd, rel=1e-3)
    assert web.capacity == 30 * 900


def test_throttled_plan_keeps_p90_under_capacity_and_sends_everyone() -> None:
    grid, registry, model = scenario.grid(), scenario.registry(), scenario.model()
    plan = scenario.plan()
    empty = forecast([], model, registry, grid)
    throttled = throttle(plan, model, registry, empty)
    assert throttled.unsent == 0 and int(throttled.sends.sum()) == 500_000
    assert throttled.proof == "monotone-greedy" or throttled.proof.startswith("milp")
    after = forecast([throttled.apply(plan)], model, registry, grid)
    finite = np.isfinite(after.capacity)
    assert np.all(after.p90[finite] <= after.capacity[finite] + 0.5)
    assert preflight(plan.id, after, registry).status is not Status.RED
    # every batch inside the window (08:00 to 20:00 UTC)
    hours = {b.at.hour for b in throttled.batches()}
    assert hours <= set(range(8, 20))
    # the web is the binding resource: its P90 reaches capacity in some slot
    web = after.resources.index("web")
    assert after.p90[web].max() == pytest.approx(after.capacity[web, 0], rel=0.02)
    # earliest: 08:00 to 09:00; no plan, even with fractional sends, ends by 08:45
    assert throttled.proof == "milp-certificate"
    assert grid.at(throttled.finish or 0) == scenario.MONDAY.replace(hour=9)
    assert not _relaxation_feasible(constraints(plan, model, registry, empty), 500_000,
                                    throttled.finish - 1)
    assert _relaxation_feasible(constraints(plan, model, registry, empty), 500_000,
                                throttled.finish)


def _relaxation_feasible(c: Constraints, audience: int, finish: int) -> bool:
    """An LP (scipy.optimize.linprog) over real-valued sends, built here from the row
    kernels: is there any plan sending ``audience`` by ``finish`` within every slack?"""
    slots = [int(s) for s in np.flatnonzero(c.allowed) if s <= finish]
    resources, total = c.slack.shape
    matrix = np.zeros((resources, total, len(slots)))
    for column, slot in enumerate(slots):
        kernel = c.row_kernels(slot)
        matrix[:, slot:slot + kernel.shape[1], column] = kernel
    finite = np.isfinite(c.slack)
    rows, bounds = matrix[finite], c.slack[finite]
    result = optimize.linprog(np.zeros(len(slots)), A_ub=rows, b_ub=bounds,
                              A_eq=np.ones((1, len(slots))), b_eq=[audience],
                              bounds=(0, None), method="highs")
    return bool(result.status == 0)


def test_throttled_plan_finishes_earliest_on_a_reduced_case_brute_force() -> None:
    """The 500,000 campaign's own kernels, in sends of 25,000 (20 units) over ten slots of a
    30 requests per second: every integer plan is searched for the earliest finish."""
    grid, model = scenario.grid(1), scenario.model()
    registry = scenario.registry(web_rps=30.0)
    plan = scenario.plan(500_000, windows=[], quiet_hours=None,
                         start=scenario.MONDAY + dt.timedelta(hours=9),
                         deadline=scenario.MONDAY + dt.timedelta(hours=11, minutes=30))
    full = constraints(plan, model, registry, forecast([], model, registry, grid))
    unit = 25_000
    reduced = Constraints(base=full.base * unit, poisson=full.poisson * unit,
                          scale=full.scale, slack=full.slack, allowed=full.allowed)
    sends, unsent, _ = solve(reduced, 20)
    slots = [int(s) for s in np.flatnonzero(reduced.allowed)]
    assert len(slots) == 10
    best = next(slots[end] for end in range(len(slots))
                if brute_force(reduced, slots[:end + 1], 20))
    assert unsent == 0 and int(np.flatnonzero(sends)[-1]) == best
    assert best > slots[2]  # the web binds: it cannot all go at once
