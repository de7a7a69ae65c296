"""The loop that makes the hub worth having, end to end, as a user runs it.

A small demo is built and served by ``accord serve`` (real uvicorn, 2 workers); decisions,
outcomes, events and feedback go in over HTTP; the server stops; ``accord logs load`` moves
them into the analytical store; the campaign report, funnels and abandonment show them; and
``accord build`` again keeps them in the rebuilt timeline. Every step a user would run is a
CLI command or an HTTP request; nothing is reached into.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from accord.cli.main import app
from accord.project.template import state_dir, store_path
from accord.store import open_store
from tests.e2e.served import api_key, served

pytestmark = pytest.mark.slow

CUSTOMERS = 300
DECIDED = 12


def accord(*args: str) -> str:
    """Run an ``accord`` command in this process; its output (it must succeed)."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def sql(project: Path, query: str) -> list[dict[str, Any]]:
    store = open_store("duckdb", store_path(project), read_only=True)
    try:
        rows: list[dict[str, Any]] = store.query(query).to_pylist()
    finally:
        store.close()
    return rows


def private_state(project: Path) -> list[str]:
    """Everything in the state folder that group or others may read, write or enter."""
    found = []
    for path in [state_dir(project), *state_dir(project).rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{oct(mode)} {path.relative_to(project)}")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("loop") / "demo"
    accord("demo", "--no-serve", "--customers", str(CUSTOMERS), "--dir", str(project))
    return project


def _funnel(project: Path) -> list[int]:
    out = accord("campaign", "funnel", "--step", "decision", "--step", "page_view",
                 "--step", "purchase", "--window", "1d", "--format", "json",
                 "--project", str(project))
    [result] = json.loads(out)
    return [step["customers"] for step in result["steps"]]


def _carts(project: Path) -> int:
    out = accord("campaign", "abandonment", "--format", "json", "--project", str(project))
    return sum(row["started"] for row in json.loads(out) if row["stage"] == "cart")


def test_decisions_outcomes_events_and_feedback_go_round_the_loop(demo: Path) -> None:
    from tests.feedback.corpus import save_models

    save_models(state_dir(demo))  # POST /v1/feedback triages with the project's models
    customers = [row["customer_id"] for row in sql(
        demo, f"SELECT customer_id FROM profiles ORDER BY customer_id LIMIT {DECIDED}")]
    carts_before = _carts(demo)
    # the demo logged a decision of its own, not yet loaded
    earlier = sum(len(path.read_bytes().splitlines())
                  for path in (state_dir(demo) / "logs").glob("decisions-*.ndjson"))
    auth = {"Authorization": f"Bearer {api_key(demo)}"}

    decisions: dict[str, dict[str, Any]] = {}
    with served(demo, workers=2) as server, httpx.Client(base_url=server.url,
                                                         headers=auth, timeout=30) as http:
        for customer in customers:
            response = http.post("/v1/decisions", json={
                "customer": customer, "channel": "web", "placements": {"hero": 1}})
            assert response.status_code == 200, response.text
            decision = response.json()
            assert decision["customer_id"] == customer
            decisions[decision["decision_id"]] = decision
        given = {d_id: d["given"][0] for d_id, d in decisions.items() if d["given"]}
        assert given, "the demo's rules gave nobody anything on the web"
        for decision_id, treatment in given.items():
            for kind in ("impression", "click"):
                response = http.post("/v1/outcomes", json={
                    "decision_id": decision_id, "treatment_id": treatment, "kind": kind})
                assert response.status_code == 200, response.text
        # after each decision: a visit and a purchase; and one cart left behind, days ago
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
        lines = []
        for n, decision in enumerate(decisions.values()):
            who = decision["customer_id"]
            lines.append({"event_id": f"loop-view-{n}", "type": "page_view",
                          "customer_id": who, "occurred_at": soon.isoformat(),
                          "channel": "web", "properties": {"path": "/spring"}})
            lines.append({"event_id": f"loop-buy-{n}", "type": "purchase", "customer_id": who,
                          "occurred_at": (soon + dt.timedelta(minutes=5)).isoformat(),
                          "channel": "web", "value": 42.5})
        lines.append({"event_id": "loop-cart", "type": "add_to_cart",
                      "customer_id": customers[0], "channel": "web", "value": 99,
                      "occurred_at": (soon - dt.timedelta(days=20)).isoformat()})
        response = http.post("/v1/events", content="\n".join(json.dumps(x) for x in lines),
                             headers={"Content-Type": "application/x-ndjson"})
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": len(lines)}
        response = http.post("/v1/feedback", json={
            "text": "my card was stolen, this is terrible and I am furious",
            "customer": customers[0], "channel": "chat", "source": "app"})
        assert response.status_code == 200, response.text
        assert response.json()["topic"] == "card_lost"
        # the state folder, now with the server's logs and contact state, is owner-only
        assert private_state(demo) == []

    out = accord("logs", "load", "--project", str(demo))
    assert f"loaded {DECIDED + earlier} decisions and {len(lines)} events" in out
    assert "event timeline" not in out  # appended to, not rebuilt
    logged = {row["decision_id"] for row in sql(demo, "SELECT decision_id FROM decision_log")}
    assert set(decisions) <= logged
    outcomes = sql(demo, "SELECT decision_id, treatment_id, kind FROM outcome_log")
    assert sorted((o["decision_id"], o["kind"]) for o in outcomes) == sorted(
        (d, kind) for d in given for kind in ("impression", "click"))
    assert sql(demo, "SELECT customer_id, topic, channel FROM feedback_log") == [
        {"customer_id": customers[0], "topic": "card_lost", "channel": "chat"}]
    assert accord("logs", "load", "--project", str(demo)).startswith(
        "loaded 0 decisions and 0 events")  # read positions advanced: nothing twice

    # funnels and abandonment read the appended timeline
    funnel_after = _funnel(demo)
    [deciding] = sql(demo, "SELECT count(DISTINCT customer_id) AS n FROM decision_log")
    assert funnel_after[0] == deciding["n"] >= DECIDED
    assert funnel_after[2] >= DECIDED  # each decided customer bought within the day
    assert _carts(demo) == carts_before + 1

    # the campaign measured from the hub: its arms are the treatments given on the web
    treatments = sorted({t for d in decisions.values() for t in d["given"] + d["holdouts"]})
    spec = demo.parent / "spring.yaml"
    spec.write_text(yaml.safe_dump({"name": "spring", "owner": "ana", "channels": ["web"],
                                    "treatments": treatments}), encoding="utf-8")
    accord("campaign", "create", str(spec), "--project", str(demo))
    out = accord("campaign", "measure", "spring", "--project", str(demo))
    decided = {row["customer_id"] for row in sql(  # the demo's own decision included
        demo, "SELECT customer_id, given, holdouts FROM decision_log WHERE channel = 'web'")
        if set(json.loads(row["given"]) + json.loads(row["holdouts"])) & set(treatments)}
    assert {d["customer_id"] for d in decisions.values()} <= decided
    assert f"measured {len(decided)} customers of campaign spring" in out
    report = json.loads(accord("campaign", "report", "spring", "--format", "json",
                               "--project", str(demo)))
    arms = {arm["variant"]: arm for arm in report["arms"]}
    for treatment in set(given.values()):
        ours = sum(1 for t in given.values() if t == treatment)  # each bought after it
        assert arms[treatment]["customers"] >= ours
        assert arms[treatment]["conversions"] >= ours
        assert arms[treatment]["revenue"] >= 42.5 * ours

    # a new build rebuilds the timeline whole: the API's events and decisions stay in it
    accord("build", "--project", str(demo))
    assert _funnel(demo) == funnel_after
    assert _carts(demo) == carts_before + 1
    timeline = sql(demo, "SELECT event_type, count(*) AS n FROM event_timeline "
                         "WHERE event_id LIKE 'api:loop-%' OR event_id LIKE 'decision:%' "
                         "GROUP BY event_type ORDER BY event_type")
    assert {row["event_type"]: row["n"] for row in timeline} == {
        "add_to_cart": 1, "decision": DECIDED + earlier, "page_view": DECIDED,
        "purchase": DECIDED}
    assert private_state(demo) == []
