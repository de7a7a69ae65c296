"""Capacity benchmark: forecast and throttle 50 overlapping campaigns over a quarter.

    python bench/forecast.py            # 50 campaigns, 13 weeks of 15-minute slots, 5 rounds
    python bench/forecast.py --quick    # 20 campaigns, 3 rounds

Four resources (web site, contact centre, e-mail provider, warehouse), two channels (e-mail
and SMS) with five response steps each; calls and orders peak hours after the send, so the
throttle's greedy is not optimal by the monotone argument and every campaign's plan is
decided by the MILP (``scipy.optimize.milp``, HiGHS). Campaigns start on random weekdays of
the quarter (seeded), 50,000 to 800,000 people each, several on the same days.

Timed side by side in this process:

* ``forecast``: Accord's vectorised forecast of all campaigns (``accord.capacity.forecast``:
  one batched FFT convolution, mean and P90) on the quarter's 8,736 slots;
* ``loop``: the same numbers from a plain loop of ``numpy.convolve`` per campaign, step and
  resource (checked equal to the vectorised result), the peer it is compared with;
* ``plan``: throttled plans for every campaign in start order, each on top of the ones
  before it (``throttle`` with the MILP certificate), then the forecast of the result;
* ``plan_greedy``: the same without the certificate (greedy only).

Medians over ``--rounds``; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from accord.capacity.forecast import Z90, Forecast, forecast, noise, spread, weights
from accord.capacity.grid import Grid
from accord.capacity.plans import CampaignPlan, SendWindow, schedule
from accord.capacity.resources import STEPS, Registry, parse_registry
from accord.capacity.response import ResponseModel
from accord.capacity.simulate import gamma_curve, true_model
from accord.capacity.throttle import throttle

QUARTER_START = dt.datetime(2026, 4, 6, tzinfo=dt.UTC)  # a Monday
WEEKS = 13


def registry() -> Registry:
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    return parse_registry({"resources": [
        {"name": "web", "kind": "web", "owner": "it@example.com", "department": "it",
         "requests_per_second": 120, "requests_per_visit": 12},
        {"name": "contact-centre", "kind": "contact_centre", "owner": "svc@example.com",
         "department": "service", "calls_per_agent_hour": 7, "timezone": "Europe/London",
         "agents": {d: [0] * 8 + [40] * 10 + [0] * 6 for d in weekdays}},
        {"name": "esp", "kind": "email", "owner": "crm@example.com",
         "department": "marketing", "sends_per_hour": 1_200_000},
        {"name": "warehouse", "kind": "fulfilment", "owner": "ops@example.com",
         "department": "sales", "orders_per_day": 60_000},
    ]})


def model() -> ResponseModel:
    email = {"open": 0.22, "click": 0.04, "visit": 0.035, "call": 0.0006, "order": 0.004}
    sms = {"open": 0.0, "click": 0.08, "visit": 0.06, "call": 0.001, "order": 0.006}
    curves = {channel: {"open": gamma_curve(60, 0.8), "click": gamma_curve(40, 0.9),
                        "visit": gamma_curve(35 if channel == "email" else 20, 1.0),
                        "call": gamma_curve(240, 2.0), "order": gamma_curve(180, 2.0)}
              for channel in ("email", "sms")}
    return true_model({"email": email, "sms": sms}, curves)


def campaigns(count: int, seed: int = 7) -> list[CampaignPlan]:
    rng = np.random.default_rng(seed)
    out = []
    for index in range(count):
        day = int(rng.integers(0, WEEKS * 7 - 3))
        start = QUARTER_START + dt.timedelta(days=day, hours=int(rng.integers(7, 12)))
        out.append(CampaignPlan(
            id=f"c{index:02d}", channel="sms" if index % 5 == 0 else "email",
            owner="marketing@example.com", start=start,
            audience=int(rng.integers(50_000, 800_000)), timezone="Europe/London",
            windows=(SendWindow(days=(0, 1, 2, 3, 4), start=dt.time(8), end=dt.time(20)),),
            quiet_hours=(dt.time(21), dt.time(8))))
    return sorted(out, key=lambda p: p.start)


def loop_forecast(plans: list[CampaignPlan], response: ResponseModel, reg: Registry,
                  grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """The peer: per campaign, step and resource, one numpy.convolve."""
    w, n = weights(reg), noise(weights(reg))
    mean = np.zeros((len(reg), grid.slots))
    variance = np.zeros_like(mean)
    for plan in plans:
        sends = schedule(plan, grid)
        rate_part = np.zeros((len(reg), grid.slots))
        for s, step in enumerate(STEPS):
            rate = 1.0 if step == "send" else response.rate(plan.channel, None, step).mean
            sd = 0.0 if step == "send" else response.rate(plan.channel, None, step).sd
            curve = np.ones(1) if step == "send" else spread(response.curve(plan.channel, step))
            expected = np.convolve(sends, curve)[:grid.slots]
            for r in range(len(reg)):
                mean[r] += w[r, s] * rate * expected
                variance[r] += n[r, s] * rate * expected
                rate_part[r] += w[r, s] * sd * expected
        variance += rate_part ** 2
    return mean, mean + Z90 * np.sqrt(variance)


def plan_all(plans: list[CampaignPlan], response: ResponseModel, reg: Registry, grid: Grid,
             certify: bool) -> tuple[Forecast, dict[str, int], int]:
    background = forecast([], response, reg, grid)
    proofs: dict[str, int] = {}
    unsent = 0
    for plan in plans:
        result = throttle(plan, response, reg, background, certify=certify)
        proofs[result.proof] = proofs.get(result.proof, 0) + 1
        unsent += result.unsent
        background = background.plus(forecast([result.apply(plan)], response, reg, grid))
    return background, proofs, unsent


def timed(call: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--campaigns", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    count = args.campaigns or (20 if args.quick else 50)
    rounds = args.rounds or (3 if args.quick else 5)
    reg, response = registry(), model()
    grid = Grid(QUARTER_START, WEEKS * 7 * 96)
    plans = campaigns(count)

    forecast_s, unthrottled = timed(lambda: forecast(plans, response, reg, grid), rounds)
    loop_s, (loop_mean, loop_p90) = timed(
        lambda: loop_forecast(plans, response, reg, grid), max(1, rounds // 2))
    assert np.allclose(unthrottled.mean, loop_mean, atol=1e-6), "forecasts disagree"
    # the square root amplifies FFT round-off where the variance is ~0: compare to 1e-3
    assert np.allclose(unthrottled.p90, loop_p90, atol=1e-3), "P90s disagree"
    plan_s, (planned, proofs, unsent) = timed(
        lambda: plan_all(plans, response, reg, grid, True), rounds)
    greedy_s, (greedy_planned, greedy_proofs, _) = timed(
        lambda: plan_all(plans, response, reg, grid, False), rounds)
    finite = np.isfinite(planned.capacity)
    over_before = int(np.sum(unthrottled.p90[finite] > unthrottled.capacity[finite] + 0.5))
    over_after = int(np.sum(planned.p90[finite] > planned.capacity[finite] + 0.5))

    print(f"{count} campaigns, {grid.slots:,} slots, {len(reg)} resources, "
          f"{sum(p.size for p in plans):,} messages; {rounds} rounds")
    print(f"forecast (accord)          {forecast_s * 1000:9.1f} ms")
    print(f"forecast (numpy loop peer) {loop_s * 1000:9.1f} ms   "
          f"({loop_s / forecast_s:.1f}x accord's)")
    print(f"throttled plans + forecast {plan_s * 1000:9.1f} ms   proofs {proofs}")
    print(f"greedy plans + forecast    {greedy_s * 1000:9.1f} ms   proofs {greedy_proofs}")
    print(f"slot-resources over capacity: unthrottled {over_before}, planned {over_after}; "
          f"unsent {unsent}")
    print(json.dumps({
        "bench": "forecast", "campaigns": count, "slots": grid.slots,
        "resources": len(reg), "rounds": rounds,
        "forecast_ms": round(forecast_s * 1000, 1), "loop_ms": round(loop_s * 1000, 1),
        "loop_vs_forecast": round(loop_s / forecast_s, 2),
        "plan_ms": round(plan_s * 1000, 1), "plan_greedy_ms": round(greedy_s * 1000, 1),
        "forecast_plus_plan_ms": round((forecast_s + plan_s) * 1000, 1),
        "target_ms": 2000, "proofs": proofs, "unsent": unsent,
        "over_capacity_before": over_before, "over_capacity_after": over_after,
        "greedy_finish_equal": bool(np.allclose(greedy_planned.mean, planned.mean)),
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "argv": sys.argv[1:]}))


if __name__ == "__main__":
    main()
