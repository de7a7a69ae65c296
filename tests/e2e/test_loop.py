"""The loop that makes the hub worth having, end to end, as a user runs it.

A small demo is built and served by ``accord serve`` (real uvicorn, 2 workers); decisions,
outcomes, events and feedback go in over HTTP; the server stops; ``accord logs load`` moves
them into the analytical store; the campaign report, funnels and abandonment show them; and
``accord build`` again keeps them in the rebuilt timeline and counts the events in the
profiles the online store serves. Every step a user would run is a CLI command or an HTTP
request; nothing is reached into (the profiles are read where the API reads them).
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
from accord.online import open_online
from accord.pipeline import online_path
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


def served_profile(project: Path, customer: str) -> dict[str, Any]:
    """``customer``'s profile as the online store serves it (what ``GET /v1/profiles``
    answers)."""
    online = open_online("sqlite", online_path(project), read_only=True)
    try:
        document = online.get(customer)
    finally:
        online.close()
    assert document is not None, f"no profile for {customer}"
    return dict(document)


def _browsing(customer: str, email: str, day: dt.date) -> list[dict[str, Any]]:
    """A customer's visit the day before ``day`` (at UTC+2), sent as a web shop would: three
    page views and two cart adds by the hub's customer id, one page view by e-mail only."""
    at = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10),
                             dt.timezone(dt.timedelta(hours=2)))
    lines: list[dict[str, Any]] = [
        {"event_id": f"browse-view-{n}", "type": "page_view", "customer_id": customer,
         "occurred_at": (at + dt.timedelta(minutes=n)).isoformat(), "channel": "web",
         "properties": {"path": f"/p/{n}"}} for n in range(3)]
    lines += [{"event_id": f"browse-cart-{n}", "type": "add_to_cart", "customer_id": customer,
               "occurred_at": (at + dt.timedelta(minutes=10 + n)).isoformat(),
               "channel": "web", "value": "19.90"} for n in range(2)]
    lines.append({"event_id": "browse-view-mail", "type": "page_view", "email": email.upper(),
                  "occurred_at": (at + dt.timedelta(minutes=20)).isoformat(),
                  "channel": "web"})
    return lines


def test_decisions_outcomes_events_and_feedback_go_round_the_loop(demo: Path) -> None:
    from tests.feedback.corpus import save_models

    save_models(state_dir(demo))  # POST /v1/feedback triages with the project's models
    customers = [row["customer_id"] for row in sql(
        demo, f"SELECT customer_id FROM profiles ORDER BY customer_id LIMIT {DECIDED}")]
    carts_before = _carts(demo)
    # a customer nobody decides for, known by an e-mail no one else has, browses the shop
    [browser] = sql(demo, f"""
        SELECT p.customer_id, p.email, p.as_of FROM profiles p
        WHERE p.email IS NOT NULL AND p.customer_id NOT IN ({", ".join(
            f"'{customer}'" for customer in customers)})
          AND (SELECT count(DISTINCT m.customer_id) FROM identifiers i JOIN identity_map m
               ON m.source = i.source AND m.source_id = i.source_id
               WHERE i.kind = 'email' AND i.value = lower(trim(p.email))) = 1
        ORDER BY p.customer_id LIMIT 1""")
    profile_before = served_profile(demo, browser["customer_id"])
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
        browsing = _browsing(browser["customer_id"], browser["email"], browser["as_of"])
        for attempt in range(2):  # the shop resends a batch it got no answer for
            response = http.post("/v1/events",
                                 content="\n".join(json.dumps(x) for x in browsing),
                                 headers={"Content-Type": "application/x-ndjson"})
            assert response.status_code == 200, (attempt, response.text)
        carted = sum(1 for line in browsing if line["type"] == "add_to_cart")  # once each
        response = http.post("/v1/feedback", json={
            "text": "my card was stolen, this is terrible and I am furious",
            "customer": customers[0], "channel": "chat", "source": "app"})
        assert response.status_code == 200, response.text
        assert response.json()["topic"] == "card_lost"
        # the state folder, now with the server's logs and contact state, is owner-only
        assert private_state(demo) == []

    out = accord("logs", "load", "--project", str(demo))
    assert (f"loaded {DECIDED + earlier} decisions, {len(lines) + 2 * len(browsing)} events, "
            f"{2 * len(given)} outcomes and 1 feedback text from ") in out
    assert "event timeline" not in out  # appended to, not rebuilt
    logged = {row["decision_id"] for row in sql(demo, "SELECT decision_id FROM decision_log")}
    assert set(decisions) <= logged
    outcomes = sql(demo, "SELECT decision_id, treatment_id, kind FROM outcome_log")
    assert sorted((o["decision_id"], o["kind"]) for o in outcomes) == sorted(
        (d, kind) for d in given for kind in ("impression", "click"))
    assert sql(demo, "SELECT customer_id, topic, channel FROM feedback_log") == [
        {"customer_id": customers[0], "topic": "card_lost", "channel": "chat"}]
    assert accord("logs", "load", "--project", str(demo)).startswith(
        "loaded 0 decisions, 0 events, 0 outcomes and 0 feedback texts")  # nothing twice

    # funnels and abandonment read the appended timeline
    funnel_after = _funnel(demo)
    [deciding] = sql(demo, "SELECT count(DISTINCT customer_id) AS n FROM decision_log")
    assert funnel_after[0] == deciding["n"] >= DECIDED
    assert funnel_after[2] >= DECIDED  # each decided customer bought within the day
    assert _carts(demo) == carts_before + 1 + carted

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

    # a new build (as of the same day) rebuilds the timeline whole: the API's events and
    # decisions stay in it; and the profiles count the events sent over HTTP
    accord("build", "--project", str(demo), "--as-of", browser["as_of"].isoformat())
    profile_after = served_profile(demo, browser["customer_id"])
    assert profile_after["page_views_30d"] == profile_before["page_views_30d"] + 4
    assert profile_after["cart_adds_30d"] == profile_before["cart_adds_30d"] + 2
    assert profile_after["orders_90d"] == profile_before["orders_90d"]
    assert _funnel(demo) == funnel_after
    assert _carts(demo) == carts_before + 1 + carted
    timeline = sql(demo, "SELECT event_type, count(*) AS n FROM event_timeline "
                         "WHERE event_id LIKE 'api:loop-%' OR event_id LIKE 'decision:%' "
                         "GROUP BY event_type ORDER BY event_type")
    assert {row["event_type"]: row["n"] for row in timeline} == {
        "add_to_cart": 1, "decision": DECIDED + earlier, "page_view": DECIDED,
        "purchase": DECIDED}
    # the browser's events once each (a resent batch, and an event in both the profile's
    # and the API's part of the timeline, count once), all theirs, the e-mail one included
    browsed = sql(demo, "SELECT customer_id, count(*) AS n FROM event_timeline "
                        "WHERE event_id LIKE 'api:browse-%' GROUP BY customer_id")
    assert browsed == [{"customer_id": browser["customer_id"], "n": len(browsing)}]
    assert private_state(demo) == []
