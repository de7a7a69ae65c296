"""``/v1/campaigns``: keys and scopes, create with errors naming the field, reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlglot import exp

from accord.campaigns.outcomes import replace_outcomes
from accord.operational.api_keys import ApiKey
from accord.project.template import store_path
from accord.server.campaigns import campaign_routes
from accord.server.errors import install_error_handlers
from accord.store import open_store

KEYS = {"admin-key": ApiKey("k1", "console", frozenset({"admin"})),
        "reader-key": ApiKey("k2", "bi", frozenset({"profiles"})),
        "decide-key": ApiKey("k3", "web", frozenset({"decisions"}))}
SPEC = {"name": "spring-sale", "owner": "ana", "channels": ["email"],
        "costs": {"per_send": "0.05"}}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(campaign_routes(tmp_path, KEYS.get))
    with TestClient(app) as test_client:
        yield test_client


def _outcomes(project: Path) -> None:
    """40 treated customers (10 convert, 4.0 each) and 40 control (2 convert)."""
    rows = [(f"t{i}", "mail", False, 1, i < 10, 4.0 if i < 10 else 0.0) for i in range(40)]
    rows += [(f"c{i}", "none", True, 0, i < 2, 4.0 if i < 2 else 0.0) for i in range(40)]
    values = exp.values([(exp.Literal.string("spring-sale"), exp.Literal.string(c),
                          exp.Literal.string(v), exp.Boolean(this=ctl),
                          exp.Literal.number(sends), exp.Literal.number(0),
                          exp.Null(), exp.Null(), exp.Boolean(this=conv), exp.Boolean(this=conv),
                          exp.Literal.number(rev))
                         for c, v, ctl, sends, conv, rev in rows])
    store = open_store("duckdb", store_path(project))
    try:
        replace_outcomes(store, "spring-sale", exp.select(exp.Star()).from_(values))
    finally:
        store.close()


def test_scopes(client: TestClient) -> None:
    assert client.get("/v1/campaigns").status_code == 401
    response = client.post("/v1/campaigns", json=SPEC, headers=_auth("reader-key"))
    assert response.status_code == 403
    assert client.get("/v1/campaigns", headers=_auth("decide-key")).status_code == 403


def test_create_read_and_refuse(client: TestClient) -> None:
    response = client.post("/v1/campaigns", json={**SPEC, "costs": {"cpc": -1}},
                           headers=_auth("admin-key"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_campaign"
    assert "'costs.cpc'" in response.json()["error"]["message"]
    assert client.get("/v1/campaigns", headers=_auth("reader-key")).json() == []
    assert client.post("/v1/campaigns", json=SPEC,
                       headers=_auth("admin-key")).status_code == 201
    shown = client.get("/v1/campaigns/spring-sale", headers=_auth("reader-key")).json()
    assert shown["costs"]["per_send"] == "0.05"
    missing = client.get("/v1/campaigns/nope", headers=_auth("reader-key"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_campaign"


def test_report(client: TestClient, tmp_path: Path) -> None:
    client.post("/v1/campaigns", json=SPEC, headers=_auth("admin-key"))
    before = client.get("/v1/campaigns/spring-sale/report", headers=_auth("reader-key"))
    assert before.status_code == 404 and before.json()["error"]["code"] == "no_outcomes"
    _outcomes(tmp_path)
    report = client.get("/v1/campaigns/spring-sale/report", headers=_auth("reader-key")).json()
    assert [(a["variant"], a["customers"], a["conversions"]) for a in report["arms"]] == [
        ("mail", 40, 10), ("none", 40, 2)]
    conversion = next(item for item in report["lifts"] if item["metric"] == "conversion_rate")
    assert conversion["difference"] == pytest.approx(0.2)
    assert conversion["too_small"]  # 2 conversions in the control: too few to say
    economics = report["economics"]
    assert economics["cost"] == pytest.approx(2.0)  # 40 sends at 0.05
    assert economics["incremental_revenue"] == pytest.approx(40 - 8 * 40 / 40)
    page = client.get("/v1/campaigns/spring-sale/report?format=html",
                      headers=_auth("reader-key"))
    assert page.status_code == 200 and "vegaEmbed" in page.text
