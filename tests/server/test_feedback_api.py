"""POST /v1/feedback: a text triaged with the project's models, for a resolved customer."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from accord.clock import FixedClock
from accord.online import open_online
from accord.operational import ApiKey
from accord.project.template import state_dir
from accord.server import create_app
from accord.server.runtime import logs_path
from accord.testing.http import ApiClient
from tests.feedback.corpus import save_models

NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)
KEY = "k-feedback"
SENDER = ApiKey("k1", "contact-centre", frozenset({"feedback"}))
READER = ApiKey("k2", "shop", frozenset({"profiles"}))


def verify(secret: str) -> ApiKey | None:
    return {KEY: SENDER, "reader": READER}.get(secret)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("feedback-api")
    save_models(state_dir(root))
    return root


def _client(root: Path, key: str = KEY) -> ApiClient:
    online = open_online("memory")
    online.replace_all(
        [("c_rich", {"customer_id": "c_rich", "monetary": Decimal("2500.00")}),
         ("c_small", {"customer_id": "c_small", "monetary": Decimal("40")}),
         ("c_bare", {"monetary": Decimal("3000")})],
        [("email", "rich@example.com", "c_rich"), ("email", "shared@example.com", "c_rich"),
         ("email", "shared@example.com", "c_small"), ("email", "bare@example.com", "c_bare")])
    return ApiClient(create_app(root, reader=online, verify=verify, clock=FixedClock(NOW)),
                     headers={"Authorization": f"Bearer {key}"})


@pytest.fixture(scope="module")
def client(project: Path) -> ApiClient:
    return _client(project)


def _logged(root: Path) -> list[dict[str, object]]:
    lines = []
    for path in sorted(logs_path(root).glob("feedback-*.ndjson")):
        lines += [json.loads(line) for line in path.read_bytes().splitlines()]
    return lines


def test_a_lost_card_of_a_high_value_customer_goes_to_the_priority_queue(
        client: ApiClient, project: Path) -> None:
    response = client.post("/v1/feedback", json={
        "text": "my card was stolen, this is terrible and I am furious",
        "customer": " Rich@Example.com", "channel": "chat", "source": "app"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["customer_id"], body["topic"], body["sentiment"]) == (
        "c_rich", "card_lost", "negative")
    assert body["urgency"] == "high"
    assert body["route"] == {"priority": "critical", "queue": "priority"}
    assert body["alerts"] == ["critical priority feedback"]
    assert any("2500" in reason for reason in body["reasons"])
    logged = [line for line in _logged(project) if line["customer_id"] == "c_rich"]
    assert logged[-1]["channel"] == "chat" and logged[-1]["app"] == "contact-centre"
    assert logged[-1]["queue"] == "priority" and logged[-1]["at"] == NOW.isoformat()


def test_the_same_text_from_a_small_customer_is_not_critical(client: ApiClient) -> None:
    body = client.post("/v1/feedback", json={
        "text": "my card was stolen, this is terrible and I am furious",
        "customer": "c_small"}).json()
    assert body["customer_id"] == "c_small"
    assert body["route"]["priority"] != "critical"


def test_a_document_without_its_id_is_named_only_when_found_by_id(client: ApiClient) -> None:
    text = "my card was stolen, this is terrible and I am furious"
    by_id = client.post("/v1/feedback", json={"text": text, "customer": "c_bare"}).json()
    by_email = client.post("/v1/feedback", json={"text": text,
                                                 "customer": "bare@example.com"}).json()
    assert by_id["customer_id"] == "c_bare" and by_email["customer_id"] is None
    # the profile's value still counts
    assert by_id["route"]["priority"] == by_email["route"]["priority"] == "critical"


def test_an_unknown_or_ambiguous_customer_is_triaged_for_nobody(client: ApiClient) -> None:
    for customer in ("nobody@example.com", "shared@example.com", None):
        response = client.post("/v1/feedback", json={
            "text": "thanks so much, great help with my refund", "customer": customer})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["customer_id"] is None
        assert (body["topic"], body["sentiment"], body["alerts"]) == ("refund", "positive", [])


@pytest.mark.parametrize("payload", [{"text": ""}, {"text": "   "}, {"text": "12.50 !"},
                                     {"channel": "chat"}, {"text": "hi", "colour": "red"}])
def test_bad_bodies_are_400(client: ApiClient, payload: dict[str, str]) -> None:
    response = client.post("/v1/feedback", json=payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_text"}


def test_the_feedback_scope_is_needed(project: Path) -> None:
    response = _client(project, "reader").post("/v1/feedback", json={"text": "lost my card"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


def test_without_a_trained_model_the_route_is_unavailable(tmp_path: Path) -> None:
    response = _client(tmp_path).post("/v1/feedback", json={"text": "lost my card"})
    assert response.status_code == 503
    assert "accord feedback train" in response.json()["error"]["message"]
