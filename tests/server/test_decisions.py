"""The decision API over HTTP: the whole loop, and bad requests that change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from accord.clock import FixedClock
from accord.demo.rules import install_rules
from accord.online import open_online
from accord.online.contacts import ContactStore
from accord.operational import ApiKeyRepository
from accord.server import create_app
from accord.server.runtime import contacts_path, logs_path, open_project_operational
from accord.testing.http import ApiClient

NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


def bob_client(directory: Path) -> tuple[str, ApiClient]:
    """The retail rules in ``directory``, one known customer (Bob, c_bob, bob@example.com)
    and a client holding the rules' API key; returns the key and the client."""
    clock = FixedClock(NOW)
    rules = install_rules(directory, clock)
    profiles = open_online("memory")
    profiles.replace_all(
        [("c_bob", {"customer_id": "c_bob", "monetary": Decimal(80),
                    "recency_days": Decimal(200), "orders": Decimal(2),
                    "segments": [], "consent_email": True})],
        [("email", "bob@example.com", "c_bob")])
    return rules.api_key, ApiClient(create_app(directory, reader=profiles, clock=clock),
                                    headers={"Authorization": f"Bearer {rules.api_key}"})


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str, ApiClient]:
    key, client = bob_client(tmp_path)
    return tmp_path, key, client


def _state(directory: Path) -> str:
    """A digest of everything the decision path stores: contact rows and log lines."""
    digest = hashlib.sha256()
    if contacts_path(directory).is_file():
        with sqlite3.connect(contacts_path(directory)) as connection:
            index = ContactStore(contacts_path(directory)).index_path
            connection.execute("ATTACH DATABASE ? AS idx", (index,))
            for table in ("idx.decisions", "outcomes", "recent_events", "totals",
                          "propensities"):
                for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                    digest.update(repr(row).encode())
    for path in sorted(logs_path(directory).glob("*.ndjson")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_decide_convert_decide_again_over_http(project: tuple[Path, str, ApiClient]) -> None:
    _, _, client = project
    body = {"customer": "BOB@example.com", "channel": "email",
            "placements": {"email-body": 1}, "explore": False, "trace": True}
    first = client.post("/v1/decisions", json=body).json()
    assert first["given"] == ["win-back-15"]
    assert first["treatments"]["win-back-15"]["payload"] == {"code": "COMEBACK15"}
    assert first["trace"]["Win-back eligible"][0]["matched"]
    for kind in ("impression", "convert"):
        response = client.post("/v1/outcomes", json={
            "decision_id": first["decision_id"], "treatment_id": "win-back-15", "kind": kind,
            "value": "42.5"})
        assert response.status_code == 200, response.text
    second = client.post("/v1/decisions", json=body).json()
    reasons = {c["treatment_id"]: (c["reason"], c["detail"]) for c in second["candidates"]}
    assert reasons["win-back-15"][0] == "suppressed_conversion"
    assert "suppressed for 90 days" in reasons["win-back-15"][1]
    assert second["given"] == ["newsletter"]


def test_events_are_durable_then_seen_by_the_next_decision(
        project: tuple[Path, str, ApiClient]) -> None:
    directory, _, client = project
    lines = b'{"event_id": "e1", "type": "add_to_cart", "email": "bob@example.com", ' \
            b'"occurred_at": "2026-11-22T11:59:00Z", "value": 35, "channel": "web"}\n'
    response = client.post("/v1/events", content=lines,
                           headers={"content-type": "application/x-ndjson"})
    assert response.json() == {"accepted": 1}
    assert any(b'"e1"' in p.read_bytes() for p in logs_path(directory).glob("events-*"))
    decision = client.post("/v1/decisions", json={"customer": "c_bob", "channel": "web",
                                                  "placements": {"banner": 1}}).json()
    assert decision["given"] == ["cart-reminder"]


@pytest.mark.parametrize(("request_kwargs", "status", "code", "says"), [
    ({"json": {"channel": "web", "placements": {"hero": 0}}}, 400, "invalid_request",
     "body.placements.hero"),
    ({"json": {"channel": "web", "colour": "red"}}, 400, "invalid_request", "body.colour"),
    ({"content": b'{"channel": "web",', "headers": {"content-type": "application/json"}},
     400, "invalid_request", "malformed JSON"),
    ({"json": {"channel": "web", "context": {"blob": "x" * (2 << 20)}}}, 413,
     "payload_too_large", "over 1,048,576 bytes"),
    ({"json": {"channel": "web", "customer": "nobody@example.com"}, "strict": True}, 404,
     "unknown_customer", "nobody@example.com"),
])
def test_bad_decision_requests_change_nothing(project: tuple[Path, str, ApiClient],
                                              request_kwargs: dict[str, object], status: int,
                                              code: str, says: str) -> None:
    directory, key, client = project
    if request_kwargs.pop("strict", False):
        from accord.decisioning.catalogue_file import read_folder
        from accord.demo.rules import RULES_DIR
        from accord.operational import RuleRepository

        catalogue, dmn = read_folder(RULES_DIR)
        repository = RuleRepository(open_project_operational(directory), FixedClock(NOW))
        saved = repository.save(catalogue.replace("unknown_customer: anonymous",
                                                  "unknown_customer: reject"), dmn, author="t")
        repository.activate(saved.version, by="t")
        client = ApiClient(create_app(directory, reader=open_online("memory"),
                                      clock=FixedClock(NOW)),
                           headers={"Authorization": f"Bearer {key}"})
    before = _state(directory)
    response = client.post("/v1/decisions", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and says in error["message"]
    assert _state(directory) == before


def test_keys_are_checked_before_anything_happens(project: tuple[Path, str, ApiClient]) -> None:
    directory, _, client = project
    before = _state(directory)
    body = {"channel": "web", "placements": {"hero": 1}}
    missing = ApiClient(client.app).post("/v1/decisions", json=body)
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "missing_api_key")
    wrong = ApiClient(client.app, headers={"X-API-Key": "acc_nope"}).post("/v1/decisions",
                                                                          json=body)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "invalid_api_key")
    _, reader_key = ApiKeyRepository(open_project_operational(directory),
                                     FixedClock(NOW)).create("dashboard", {"profiles"})
    scoped = ApiClient(client.app, headers={"X-API-Key": reader_key}).post("/v1/decisions",
                                                                          json=body)
    assert (scoped.status_code, scoped.json()["error"]["code"]) == (403, "missing_scope")
    assert _state(directory) == before


def test_bad_outcomes_and_event_batches_change_nothing(
        project: tuple[Path, str, ApiClient]) -> None:
    directory, _, client = project
    before = _state(directory)
    unknown = client.post("/v1/outcomes", json={"decision_id": "nope", "treatment_id": "x",
                                                "kind": "click"})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_decision")
    bad_kind = client.post("/v1/outcomes", json={"decision_id": "d", "treatment_id": "x",
                                                 "kind": "like"})
    assert bad_kind.status_code == 400 and "body.kind" in bad_kind.json()["error"]["message"]
    batch = (b'{"event_id": "ok", "type": "page_view", "customer_id": "c_bob", '
             b'"occurred_at": "2026-11-22T10:00:00Z"}\n'
             b'{"event_id": "bad", "type": "page_view", "occurred_at": "yesterday", '
             b'"customer_id": "c_bob"}\n')
    response = client.post("/v1/events", content=batch)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("line 2: occurred_at:")
    assert _state(directory) == before
