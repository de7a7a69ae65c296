"""The governance API's refusals (each leaves the database exactly as it was), its
authentication by personal tokens, and its reading routes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from accord.operational.schema import metadata
from accord.rules.tokens import TokenRepository
from accord.rules.users import UserRepository
from accord.server.runtime import open_project_operational
from tests.server.test_governance_story import (
    NOW,
    World,
    copy_world,
    make_world,
    with_vip_threshold,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The retail rules (v1 active) and the people, in a project that was never built."""
    return make_world(tmp_path_factory.mktemp("governance") / "shop")


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    """A fresh copy of the template (users' passwords are hashed once, not per test)."""
    return copy_world(template, tmp_path / "shop")


def database(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the operational store."""
    engine = open_project_operational(world.directory).engine
    with engine.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(sa.select(table)).all()),
                                   key=repr)
                for table in metadata.sorted_tables}


def draft_v2(world: World, author: str = "mia") -> dict[str, Any]:
    v1 = world.ok(author, "GET", "/v1/rules/versions/v1")
    catalogue = v1["files"].pop("catalogue.yaml")
    return dict(world.ok(author, "POST", "/v1/rules/versions", json={
        "catalogue": catalogue.replace("value: 60", "value: 65"), "files": v1["files"],
        "based_on": "v1", "note": "a richer lounge"}))


def refused(world: World, user: str, method: str, url: str, status: int, code: str,
            **options: Any) -> str:
    """Send a request that must be refused: its message; the database is unchanged."""
    before = database(world)
    response = world.call(user, method, url, **options)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert database(world) == before
    return str(error["message"])


def test_activating_an_unapproved_version_is_refused(world: World) -> None:
    draft_v2(world)
    message = refused(world, "ola", "POST", "/v1/rules/versions/v2/activate", 409,
                      "invalid_transition")
    assert message == ("a version in state 'draft' cannot be activated (allowed: submit)")
    world.ok("mia", "POST", "/v1/rules/versions/v2/submit")
    message = refused(world, "ola", "POST", "/v1/rules/versions/v2/activate", 409,
                      "invalid_transition")
    assert "in state 'in_review' cannot be activated" in message


def test_approving_ones_own_change_is_refused(world: World) -> None:
    draft_v2(world, author="ada")  # an admin may author and approve, but not both
    world.ok("ada", "POST", "/v1/rules/versions/v2/submit")
    message = refused(world, "ada", "POST", "/v1/rules/versions/v2/approve", 403, "forbidden",
                      json={"reason": "looks good to me"})
    assert message == ("'ada' authored this version and may not approve it: another "
                       "approver must (maker-checker)")
    assert world.ok("ola", "POST", "/v1/rules/versions/v2/approve")["state"] == "approved"


def test_saving_on_a_stale_version_is_refused_with_what_changed(world: World) -> None:
    v1 = world.ok("mia", "GET", "/v1/rules/versions/v1")
    catalogue = v1["files"].pop("catalogue.yaml")
    draft_v2(world)
    message = refused(world, "mia", "POST", "/v1/rules/versions", 409, "stale_base", json={
        "catalogue": catalogue, "files": with_vip_threshold(v1["files"], 800),
        "based_on": "v1"})
    assert message.startswith("your change is based on v1, but v2 has been saved since")
    assert 'Treatment "vip-lounge": value 60 → 65' in message


@pytest.mark.parametrize(("change", "says"), [
    (lambda c, f: (c.replace("value: 60", "value: sixty"), f),
     "catalogue.yaml, line 9: treatments.0.value"),
    (lambda c, f: (c, {**f, "eligibility-value.dmn": "<definitions"}),
     "eligibility-value.dmn: malformed XML at line 1"),
    (lambda c, f: (c.replace("[VIP eligible]", "[VIP qualified]", 1), f), "VIP qualified"),
    (lambda c, f: (c, {**f, "scenarios.yaml": "- name: x\n  chanel: web\n"}),
     "scenarios.yaml, scenario 1"),
    (lambda c, f: (c, {**f, "../escape.dmn": f["eligibility-value.dmn"]}),
     "'../escape.dmn': a rule set holds catalogue.yaml, scenarios.yaml and *.dmn files"),
    (lambda c, f: (c, {**f, "catalogue.yaml": c}), "'catalogue.yaml': a rule set holds"),
])
def test_a_rule_set_that_does_not_compile_is_refused_naming_the_problem(
        world: World, change: Any, says: str) -> None:
    v1 = world.ok("mia", "GET", "/v1/rules/versions/v1")
    catalogue, files = change(v1["files"].pop("catalogue.yaml"), v1["files"])
    message = refused(world, "mia", "POST", "/v1/rules/versions", 422, "invalid_rule_set",
                      json={"catalogue": catalogue, "files": files, "based_on": "v1"})
    assert says in message


def test_roles_are_checked_on_every_route(world: World) -> None:
    v1 = world.ok("ola", "GET", "/v1/rules/versions/v1")
    message = refused(world, "ola", "POST", "/v1/rules/versions", 403, "forbidden", json={
        "catalogue": v1["files"].pop("catalogue.yaml"), "files": v1["files"],
        "based_on": "v1"})
    assert message == ("'ola' (approver) may not author rules: it needs the role admin or "
                       "marketer")
    draft_v2(world)
    message = refused(world, "ola", "POST", "/v1/rules/versions/v2/submit", 403, "forbidden")
    assert "may not submit: it needs the role admin or marketer" in message
    world.ok("mia", "POST", "/v1/rules/versions/v2/submit")
    refused(world, "mia", "POST", "/v1/rules/versions/v2/reject", 403, "forbidden")
    refused(world, "mia", "POST", "/v1/rules/versions/v9/submit", 404, "unknown_version")


def test_people_authenticate_with_personal_tokens(world: World) -> None:
    assert world.client.get("/v1/rules/versions").json()["error"]["code"] == "missing_token"
    as_key = world.client.get("/v1/rules/versions",
                              headers={"Authorization": f"Bearer {world.api_key}"})
    assert as_key.status_code == 401 and as_key.json()["error"]["code"] == "invalid_token"
    store = open_project_operational(world.directory)
    tokens = TokenRepository(store, world.clock)
    mia = UserRepository(store, world.clock).get("mia")
    assert mia is not None
    record, secret = tokens.create(mia, "ci", expires_at=NOW + dt.timedelta(hours=1))
    world.tokens["ci"] = secret
    assert [v["version"] for v in world.ok("ci", "GET", "/v1/rules/versions")] == ["v1"]
    world.clock.advance(dt.timedelta(hours=1))
    assert world.call("ci", "GET", "/v1/rules/versions").status_code == 401  # expired
    tokens.revoke(mia, next(t.id for t in tokens.of("mia") if t.name == "tests"))
    assert world.call("mia", "GET", "/v1/rules/versions").status_code == 401  # revoked
    assert record.expires_at == NOW + dt.timedelta(hours=1)


def test_diff_scenarios_simulation_and_audit(world: World) -> None:
    draft_v2(world)
    diff = world.ok("ola", "GET", "/v1/rules/diff", params={"old": "v1", "new": "v2"})
    assert diff["sentences"] == ['Treatment "vip-lounge": value 60 → 65']
    assert diff["changes"]["catalogue"]["treatments"]["changed"] == [
        {"id": "vip-lounge", "fields": [{"field": "value", "old": "60", "new": "65"}]}]
    assert all(s["passed"] for s in world.ok("ola", "GET", "/v1/rules/versions/v2/scenarios"))
    missing = world.call("ola", "GET", "/v1/rules/versions/v2/simulation")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_simulation"
    world.ok("mia", "POST", "/v1/rules/versions/v2/submit", json={"reason": "richer"})
    stored = world.ok("ola", "GET", "/v1/rules/versions/v2/simulation")
    # this project was never built: the proposal records that no simulation could be run
    assert stored["status"] == "not_run" and stored["report"] is None
    assert "build the project" in stored["message"]
    assert stored["summary"] == [f"no simulation: {stored['message']}"]
    again = world.ok("ola", "POST", "/v1/rules/versions/v2/simulation")
    assert again["status"] == "not_run" and again["against"] == "v1"
    versions = world.ok("ola", "GET", "/v1/rules/versions")
    assert [(v["version"], v["state"], v["active"]) for v in versions] == [
        ("v1", "active", True), ("v2", "in_review", False)]
    entries = world.ok("ola", "GET", "/v1/rules/audit", params={"version": "v2"})
    assert [(e["actor"], e["action"], e["reason"]) for e in entries][:2] == [
        ("ola", "simulate", again["message"]), ("mia", "submit", "richer")]
