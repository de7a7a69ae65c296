"""SLOs measured from Accord's own telemetry: the /metrics page, the audit log, the logs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from accord.capacity.grid import CapacityError
from accord.capacity.slo import (
    DEFAULT_SLOS,
    Histogram,
    Indicator,
    Telemetry,
    approvals,
    event_lags,
    from_prometheus,
    parse_slos,
    render,
    report,
)
from accord.operational.store import open_operational, sqlite_url
from accord.rules import audit
from accord.server.metrics import RequestMetrics, metrics_router
from accord.store import open_store

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _app() -> FastAPI:
    app = FastAPI()
    app.include_router(metrics_router())
    app.add_middleware(RequestMetrics)

    @app.post("/v1/decisions-slo-test/{n}")
    def decide(n: int) -> dict[str, int]:
        if n % 10 == 0:
            raise HTTPException(503, "overloaded")
        return {"n": n}

    return app


def test_metrics_page_feeds_latency_and_availability() -> None:
    client = TestClient(_app())
    before = from_prometheus(client.get("/metrics").text)
    for n in range(1, 41):
        client.post(f"/v1/decisions-slo-test/{n}")
    page = client.get("/metrics")
    assert page.headers["content-type"].startswith("text/plain")
    latency, statuses = from_prometheus(page.text)
    route = "/v1/decisions-slo-test/{n}"  # the route template, not the path
    count = latency[route].count - before[0].get(route, Histogram(())).count
    assert count == 40
    assert statuses["503"] - before[1].get("503", 0) == 4
    spec = parse_slos([{"name": "fast", "indicator": "decision_latency", "objective": 0.9,
                        "threshold_seconds": 5.0, "route": route}])[0]
    (result,) = report([spec], Telemetry(T0, T0, latency=latency, requests=statuses))
    assert result.sli == 1.0 and result.value is not None and result.value < 5.0


def test_histogram_quantile_and_budget() -> None:
    h = Histogram(((0.01, 50.0), (0.05, 90.0), (0.1, 99.0), (float("inf"), 100.0)))
    assert h.quantile(0.5) == pytest.approx(0.01)
    assert h.quantile(0.95) == pytest.approx(0.05 + 0.05 * 5 / 9)
    assert h.under(0.03) == pytest.approx(70.0)
    spec = DEFAULT_SLOS[0]  # 99 % under 50 ms: 100 requests allow 1 slow one; 10 were
    (result,) = report([spec], Telemetry(T0, T0, latency={"/v1/decisions": h}))
    assert result.good == 90 and result.budget_left == pytest.approx(1 - 10 / 1)
    assert result.met is False


def test_approval_to_live_from_the_audit_log(tmp_path: Path) -> None:
    store = open_operational(sqlite_url(tmp_path / "op.db"))
    with store.engine.begin() as connection:
        for at, action, subject in [(T0, "approve", "v1"), (T0 + dt.timedelta(minutes=20),
                                    "activate", "v1"), (T0, "approve", "v2"),
                                    (T0 + dt.timedelta(hours=3), "activate", "v2"),
                                    (T0 + dt.timedelta(hours=4), "approve", "v3")]:
            audit.append(connection, at=at, actor="ana", action=action, subject=subject)
    found = approvals(store.engine, T0, T0 + dt.timedelta(days=1))
    assert found == ((T0, T0 + dt.timedelta(minutes=20)), (T0, T0 + dt.timedelta(hours=3)),
                     (T0 + dt.timedelta(hours=4), None))
    spec = next(s for s in DEFAULT_SLOS if s.indicator is Indicator.APPROVAL_TO_LIVE)
    (result,) = report([spec], Telemetry(T0, T0, approvals=found))
    assert (result.good, result.total) == (1, 3)


def test_event_to_decision_lag_from_the_logs(tmp_path: Path) -> None:
    store = open_store("duckdb", tmp_path / "a.duckdb")
    try:
        store.write("raw_api_events", pa.table({
            "customer_id": ["a", "b", "c"],
            "occurred_at": [(T0 + dt.timedelta(minutes=m)).isoformat() for m in (0, 1, 2)]}))
        store.write("decision_log", pa.table({
            "customer_id": ["a", "a", "b"],
            "at": [(T0 + dt.timedelta(seconds=s)).isoformat() for s in (-5, 30, 60 + 900)]}))
        lags = event_lags(store, T0, T0 + dt.timedelta(hours=1))
    finally:
        store.close()
    assert sorted(lags, key=lambda v: (v is None, v)) == [30.0, 900.0, None]
    spec = next(s for s in DEFAULT_SLOS if s.indicator is Indicator.EVENT_TO_DECISION)
    (result,) = report([spec], Telemetry(T0, T0, event_lags=lags))
    assert (result.good, result.total) == (1, 3)


def test_profile_freshness_counts_fresh_minutes() -> None:
    spec = parse_slos([{"name": "fresh", "indicator": "profile_freshness",
                        "objective": 0.9, "threshold_seconds": 3600}])[0]
    builds = (T0, T0 + dt.timedelta(hours=2))
    (result,) = report([spec], Telemetry(T0, T0 + dt.timedelta(hours=4), builds=builds))
    assert (result.good, result.total) == (120.0, 240.0)
    assert render([result])[0]["sli"] == 0.5


def test_slo_specs_name_the_bad_field() -> None:
    with pytest.raises(CapacityError, match=r"\[0.objective\]"):
        parse_slos([{"name": "x", "indicator": "availability", "objective": 2}])
    with pytest.raises(CapacityError, match="needs threshold_seconds"):
        parse_slos([{"name": "x", "indicator": "decision_latency", "objective": 0.9}])
