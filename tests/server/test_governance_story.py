"""Issue 5's acceptance story, told through the HTTP API of a running demo project.

A marketer drafts a change; a scenario fails and approval is refused with expected against
actual; they fix it; on submission the stored simulation says how many customers move from
the newsletter to the VIP lounge (the same count the Python engine gives for those profiles);
the marketer cannot approve it; an approver does, for a later time; when the clock passes
that time the running server's decisions change; a rollback restores the earlier decisions
exactly.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.clock import FixedClock
from accord.decisioning.catalogue_file import build_ruleset
from accord.decisioning.decide import DecisionRequest, decide
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import Propensities
from accord.demo.rules import install_rules
from accord.rules.simulation_store import simulation_store
from accord.rules.tokens import TokenRepository
from accord.rules.users import UserRepository
from accord.server import create_app
from accord.server.runtime import open_project_operational
from accord.testing.demo import BuiltDemo, built_demo
from accord.testing.http import ApiClient

NOW = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)
VIP_FILE = "eligibility-value.dmn"
#: A scenario the marketer adds with the change: a 500 spender should now be a VIP.
MID_SPENDER = """
- name: a mid spender on the web gets the VIP lounge
  channel: web
  placements: {hero: 1}
  profile: {monetary: 500, recency_days: 12, orders: 4, segments: []}
  expect: {hero: [vip-lounge]}
"""


@dataclass
class World:
    """A built demo project with the retail rules active (v1), two people with personal
    tokens (mia the marketer, ola the approver), and the API over it."""

    directory: Path
    clock: FixedClock
    client: ApiClient
    api_key: str
    tokens: dict[str, str]

    def call(self, user: str, method: str, url: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.request(method, url, headers=headers, **options)

    def ok(self, user: str, method: str, url: str, **options: Any) -> Any:
        response = self.call(user, method, url, **options)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def decide(self, customer: str) -> dict[str, Any]:
        response = self.client.post(
            "/v1/decisions", headers={"Authorization": f"Bearer {self.api_key}"},
            json={"customer": customer, "channel": "web", "placements": {"hero": 1},
                  "explore": False})
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    return built_demo(tmp_path_factory.mktemp("demo") / "retailer", customers=300)


def copy_world(template: World, directory: Path) -> World:
    """A fresh copy of ``template`` in ``directory`` (users' passwords are hashed once, not
    per test)."""
    shutil.copytree(template.directory, directory)
    clock = FixedClock(NOW)
    return World(directory, clock, ApiClient(create_app(directory, clock=clock)),
                 template.api_key, dict(template.tokens))


def make_world(directory: Path) -> World:
    """The retail rules active in the project at ``directory`` (built or not), its people
    and the API over it."""
    clock = FixedClock(NOW)
    rules = install_rules(directory, clock)
    store = open_project_operational(directory)
    users, tokens = UserRepository(store, clock), TokenRepository(store, clock)
    secrets = {}
    for name, role in (("mia", "marketer"), ("ola", "approver"), ("ada", "admin")):
        user = users.create(name, f"{name} has a long password", [role])
        secrets[name] = tokens.create(user, "tests")[1]
    return World(directory, clock, ApiClient(create_app(directory, clock=clock)),
                 rules.api_key, secrets)


@pytest.fixture
def world(demo: BuiltDemo, tmp_path: Path) -> World:
    # a fresh copy of the built demo: the test changes its operational store
    shutil.copytree(demo.directory, tmp_path / "retailer")
    return make_world(tmp_path / "retailer")


def with_vip_threshold(files: dict[str, str], threshold: int) -> dict[str, str]:
    return {**files, VIP_FILE: files[VIP_FILE].replace("&gt;= 1000", f"&gt;= {threshold}")}


def _python_moves(world: World, old: dict[str, str], new: dict[str, str], catalogue: str
                  ) -> Counter[tuple[str | None, str | None]]:
    """The independent count: the Python engine over the same profiles, web / hero, rules
    only (no holdouts, no history, the mean propensities) as the simulation defines it."""
    catalogue = catalogue.replace("holdout_share: 0.1", "holdout_share: 0.0")
    rule_sets = [build_ruleset(v, catalogue, files) for v, files in (("a", old), ("b", new))]
    store = simulation_store(world.directory)
    try:
        profiles = store.query("SELECT * FROM profiles").to_pylist()
    finally:
        store.close()
    moves: Counter[tuple[str | None, str | None]] = Counter()
    for profile in profiles:
        given = []
        for rules in rule_sets:
            request = DecisionRequest("web", {"hero": 1}, {}, profile["customer_id"],
                                      explore=False)
            hero = decide(request, profile, CustomerHistory(), {}, Propensities(), rules,
                          world.clock.now()).placements["hero"]
            given.append(hero[0] if hero else None)
        moves[given[0], given[1]] += 1
    return moves


def _without_identity(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision response without what differs on every call (its id and time)."""
    return {k: v for k, v in decision.items() if k not in ("decision_id", "at")}


def _serving(world: World, customer: str, version: str) -> dict[str, Any]:
    """The decision once the running server has switched to ``version`` (it looks at the
    active version once a second)."""
    deadline = time.monotonic() + 5
    while True:
        decision = world.decide(customer)
        if decision["rule_version"] == version or time.monotonic() > deadline:
            assert decision["rule_version"] == version
            return decision
        time.sleep(0.05)


def test_the_governed_change_story_over_http(world: World) -> None:
    v1 = world.ok("mia", "GET", "/v1/rules/versions/v1")
    assert v1["state"] == "active" and v1["active"] and v1["simulation"] is None
    catalogue = v1["files"].pop("catalogue.yaml")
    files = v1["files"]

    # the marketer drafts a change: VIP from 600, and a scenario saying a 500 spender is VIP
    broken = with_vip_threshold(files, 600)
    broken["scenarios.yaml"] = files["scenarios.yaml"] + MID_SPENDER
    draft = world.ok("mia", "POST", "/v1/rules/versions", json={
        "catalogue": catalogue, "files": broken, "based_on": "v1", "note": "more VIPs"})
    assert (draft["version"], draft["state"], draft["author"]) == ("v2", "draft", "mia")
    assert world.ok("mia", "POST", "/v1/rules/versions/v2/submit")["state"] == "in_review"
    failing = [s for s in world.ok("ola", "GET", "/v1/rules/versions/v2/scenarios")
               if not s["passed"]]
    assert [s["name"] for s in failing] == ["a mid spender on the web gets the VIP lounge"]
    assert failing[0]["actual"] == {"hero": ["newsletter"]}
    refused = world.call("ola", "POST", "/v1/rules/versions/v2/approve")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "scenarios_failed"
    assert ("expected {'hero': ['vip-lounge']}, got {'hero': ['newsletter']}"
            in error["message"])
    world.ok("ola", "POST", "/v1/rules/versions/v2/reject", json={"reason": "scenario fails"})

    # they fix it: a new draft based on the failing one, VIP from 300
    fixed = with_vip_threshold(files, 300)
    fixed["scenarios.yaml"] = broken["scenarios.yaml"]
    world.ok("mia", "POST", "/v1/rules/versions", json={
        "catalogue": catalogue, "files": fixed, "based_on": "v2", "note": "VIP from 300"})
    assert world.ok("mia", "POST", "/v1/rules/versions/v3/submit")["state"] == "in_review"

    # the simulation stored with the proposal: who moves from the newsletter to the lounge
    view = world.ok("ola", "GET", "/v1/rules/versions/v3")
    simulation = view["simulation"]
    assert simulation["status"] == "ran" and simulation["against"] == "v1"
    report = simulation["report"]
    assert report["customers"] == 300
    hero = next(v for v in report["views"] if (v["channel"], v["placement"]) == ("web", "hero"))
    moved = {(t["from"], t["to"]): t["customers"] for t in hero["transitions"]}
    expected = _python_moves(world, files, fixed, catalogue)
    assert moved == dict(expected)
    to_lounge = moved[("newsletter", "vip-lounge")]
    assert to_lounge > 0
    assert (f"web / hero: {to_lounge:,} customers move from newsletter to vip-lounge"
            in simulation["summary"])

    # the marketer cannot approve it; the approver does, for two hours from now
    refused = world.call("mia", "POST", "/v1/rules/versions/v3/approve")
    assert refused.status_code == 403
    assert "needs the role admin or approver" in refused.json()["error"]["message"]
    later = NOW + dt.timedelta(hours=2)
    approved = world.ok("ola", "POST", "/v1/rules/versions/v3/approve",
                        json={"reason": "checked", "effective_from": later.isoformat()})
    assert approved["state"] == "approved" and not approved["active"]

    # decisions before: the running server still decides with v1
    customers = sorted(p["customer_id"] for p in _profiles(world))
    before = {c: world.decide(c) for c in customers[:40]}
    assert {d["rule_version"] for d in before.values()} == {"v1"}

    world.clock.advance(dt.timedelta(hours=2, minutes=1))
    after = {c: _serving(world, c, "v3") for c in before}
    changed = {c for c in before if after[c]["placements"] != before[c]["placements"]}
    assert changed, "some of the 40 customers should now see the VIP lounge"
    for customer in changed:
        assert before[customer]["placements"] == {"hero": ["newsletter"]}
        assert after[customer]["placements"] == {"hero": ["vip-lounge"]}
    assert world.ok("ola", "GET", "/v1/rules/versions/v3")["state"] == "active"

    # a rollback restores the earlier decisions exactly
    world.ok("ola", "POST", "/v1/rules/versions/v1/rollback", json={"reason": "too costly"})
    restored = {c: _serving(world, c, "v1") for c in before}
    assert {c: _without_identity(d) for c, d in restored.items()} == {
        c: _without_identity(d) for c, d in before.items()}

    log = world.ok("ada", "GET", "/v1/rules/audit")
    assert [(e["actor"], e["action"], e["subject"]) for e in log[:4]] == [
        ("ola", "rollback", "v1"), ("scheduler", "activate", "v3"), ("ola", "approve", "v3"),
        ("mia", "submit", "v3")]
    assert [e["action"] for e in world.ok("ada", "GET", "/v1/rules/audit",
                                          params={"version": "v2"})] == [
        "reject", "submit", "draft"]


def _profiles(world: World) -> list[dict[str, Any]]:
    store = simulation_store(world.directory)
    try:
        return list(store.query("SELECT customer_id FROM profiles").to_pylist())
    finally:
        store.close()
