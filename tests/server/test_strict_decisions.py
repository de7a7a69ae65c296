"""``POST /v1/decisions`` reads strict JSON within documented limits, refuses channels the
rules do not know, and says when the customer named was not found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.server.decisions import MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, MAX_PLACEMENTS
from accord.testing.http import ApiClient
from tests.server.test_decisions import bob_client

NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("strict")


@pytest.fixture(scope="module")
def client(directory: Path) -> ApiClient:
    return bob_client(directory)[1]


def _decide(client: ApiClient, raw: bytes | str, headers: dict[str, str] | None = None
            ) -> httpx.Response:
    return client.post("/v1/decisions", content=raw, headers=JSON if headers is None
                       else headers)


def _refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return str(error["message"])


def _body(**fields: Any) -> dict[str, Any]:
    return {"channel": "web", "placements": {"hero": 1}, **fields}


def test_a_valid_decision_passes(client: ApiClient) -> None:
    response = client.post("/v1/decisions", json=_body(context={"page": "/basket",
                                                                 "items": [1, 2.5]}))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          None])
def test_only_json_is_read(client: ApiClient, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    message = _refused(_decide(client, b'{"channel": "web"}', headers), 415,
                       "unsupported_media_type")
    assert "application/json" in message


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_are_finite(client: ApiClient, number: str) -> None:
    raw = f'{{"channel": "web", "context": {{"score": {number}}}}}'
    message = _refused(_decide(client, raw), 400, "invalid_request")
    assert "finite" in message


def test_integers_fit_in_64_bits(client: ApiClient) -> None:
    # orjson cannot write a larger one: the decision failed with a 500 before
    raw = f'{{"channel": "web", "context": {{"n": {2**64}}}}}'
    message = _refused(_decide(client, raw), 400, "invalid_request")
    assert "body.context.n" in message and "64 bits" in message
    raw = f'{{"channel": "web", "context": {{"n": {2**63 - 1}, "m": {-(2**63)}}}}}'
    assert _decide(client, raw).status_code == 200


def test_a_key_twice_is_refused(client: ApiClient) -> None:
    raw = '{"channel": "web", "channel": "email"}'
    message = _refused(_decide(client, raw), 400, "invalid_request")
    assert "'channel' appears twice" in message
    nested = '{"channel": "web", "context": {"a": 1, "a": 2}}'
    assert "'a' appears twice" in _refused(_decide(client, nested), 400, "invalid_request")


def test_placements_are_limited(client: ApiClient) -> None:
    many = {f"slot-{i}": 1 for i in range(MAX_PLACEMENTS + 1)}
    message = _refused(client.post("/v1/decisions", json=_body(placements=many)), 400,
                       "invalid_request")
    assert "body.placements" in message and str(MAX_PLACEMENTS) in message
    enough = {f"slot-{i}": 1 for i in range(MAX_PLACEMENTS)}
    assert client.post("/v1/decisions", json=_body(placements=enough)).status_code == 200


def test_context_size_and_depth_are_limited(client: ApiClient) -> None:
    big = {"note": "x" * MAX_CONTEXT_BYTES}
    message = _refused(client.post("/v1/decisions", json=_body(context=big)), 400,
                       "invalid_request")
    assert "body.context" in message and f"{MAX_CONTEXT_BYTES:,}" in message
    deep: Any = 1
    for _ in range(MAX_CONTEXT_DEPTH + 1):
        deep = [deep]
    message = _refused(client.post("/v1/decisions", json=_body(context={"d": deep})), 400,
                       "invalid_request")
    assert f"deeper than {MAX_CONTEXT_DEPTH}" in message
    hostile = '{"channel": "web", "context": {"d": ' + "[" * 50_000 + "]" * 50_000 + "}}"
    _refused(_decide(client, hostile), 400, "invalid_request")


def test_unknown_channels_are_refused_naming_the_known_ones(client: ApiClient) -> None:
    message = _refused(client.post("/v1/decisions", json=_body(channel="fax")), 400,
                       "unknown_channel")
    assert "'fax'" in message
    for known in ("web", "email", "app", "contact-centre"):
        assert known in message


def test_a_customer_not_found_is_said_so(client: ApiClient) -> None:
    missing = client.post("/v1/decisions", json=_body(customer="eadams547@mail.example"))
    assert missing.status_code == 200, missing.text
    body = missing.json()
    assert body["customer_id"] is None
    assert body["customer_found"] is False
    assert "eadams547@mail.example" in body["customer_reason"]
    found = client.post("/v1/decisions", json=_body(customer="BOB@example.com")).json()
    assert (found["customer_id"], found["customer_found"], found["customer_reason"]) == (
        "c_bob", True, None)
    anonymous = client.post("/v1/decisions", json=_body(anonymous_id="v-1")).json()
    assert (anonymous["customer_found"], anonymous["customer_reason"]) == (None, None)



@pytest.mark.parametrize("value", ["1e308", "1000000000.01", "-1", "0.0000001"])
def test_outcome_values_are_within_their_range(client: ApiClient, value: str) -> None:
    decision = client.post("/v1/decisions", json=_body(customer="bob@example.com")).json()
    raw = (f'{{"decision_id": "{decision["decision_id"]}", "treatment_id": '
           f'"{decision["given"][0]}", "kind": "convert", "value": {value}}}')
    message = _refused(client.post("/v1/outcomes", content=raw, headers=JSON), 400,
                       "invalid_request")
    assert "body.value" in message
    fine = raw.replace(value, "1000000000")
    assert client.post("/v1/outcomes", content=fine, headers=JSON).status_code == 200


@pytest.mark.parametrize(("method", "url"), [
    ("POST", "/v1/outcomes"), ("POST", "/v1/campaigns"), ("POST", "/v1/dmn/model"),
    ("POST", "/v1/dmn/model/decision"), ("PUT", "/v1/dmn/model/pin"),
    ("POST", "/v1/feedback"), ("POST", "/v1/rules/versions")])
def test_every_json_route_refuses_other_content_types(client: ApiClient, method: str,
                                                      url: str) -> None:
    response = client.request(method, url, content=b'{"a": 1}',
                              headers={"content-type": "text/plain"})
    assert "application/json" in _refused(response, 415, "unsupported_media_type")


def test_an_optional_body_may_be_left_out(client: ApiClient) -> None:
    # no body, no content type: the route's own checks answer (here: who is asking)
    response = client.post("/v1/rules/versions/v1/approve")
    assert response.status_code == 401
