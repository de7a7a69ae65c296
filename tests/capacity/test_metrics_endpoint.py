"""The decision API serves /metrics and its middleware counts every request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from accord.capacity.slo import from_prometheus
from accord.server.app import create_app


def test_app_serves_metrics_counting_requests(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path))
    before = from_prometheus(client.get("/metrics").text)[1]
    assert client.get("/v1/health").status_code == 200
    assert client.get("/v1/profiles/c_000000000000").status_code == 401
    page = client.get("/metrics")
    assert page.status_code == 200
    _, after = from_prometheus(page.text)
    assert after.get("401", 0) - before.get("401", 0) == 1
    assert "accord_http_request_duration_seconds_bucket" in page.text
    assert 'route="/v1/health"' in page.text
