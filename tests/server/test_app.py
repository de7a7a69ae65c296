"""The HTTP API over a built demo: lookups by id and identifier, segment counts, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp

from accord.online import open_online
from accord.operational import ApiKey
from accord.project.template import store_path
from accord.server import create_app
from accord.store import open_store
from accord.testing.demo import BuiltDemo, built_demo
from accord.testing.http import ApiClient


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    return built_demo(tmp_path_factory.mktemp("server") / "retailer", customers=1_500)


KEY = "test-key"
READER = ApiKey("k1", "tests", frozenset({"profiles"}))


def verify(secret: str) -> ApiKey | None:
    return READER if secret == KEY else None


@pytest.fixture(scope="module")
def client(demo: BuiltDemo) -> ApiClient:
    return ApiClient(create_app(demo.directory, verify=verify),
                     headers={"Authorization": f"Bearer {KEY}"})


def test_profile_routes_need_a_key_with_the_scope(demo: BuiltDemo) -> None:
    anonymous = ApiClient(create_app(demo.directory, verify=verify))
    _error(anonymous.get("/v1/segments"), 401, "missing_api_key")
    wrong = ApiClient(create_app(demo.directory, verify=verify), headers={"X-API-Key": "nope"})
    _error(wrong.get("/v1/segments"), 401, "invalid_api_key")
    writer = ApiClient(create_app(demo.directory, verify=lambda s: ApiKey(
        "k2", "shop", frozenset({"events"}))), headers={"X-API-Key": "any"})
    _error(writer.get("/v1/segments"), 403, "missing_scope")
    assert anonymous.get("/v1/health").status_code == 200


@pytest.fixture(scope="module")
def known(demo: BuiltDemo) -> dict[str, str]:
    """A customer with an e-mail, a phone and a CRM id (from the analytical store)."""
    store = open_store("duckdb", store_path(demo.directory), read_only=True)
    try:
        rows = store.query(
            exp.select("m.customer_id", "i.kind", "i.value", "i.raw")
            .from_("identifiers AS i")
            .join("identity_map AS m",
                  on="m.source = i.source AND m.source_id = i.source_id")
            .where("i.source = 'crm'").order_by("m.customer_id", "i.kind")).to_pylist()
    finally:
        store.close()
    by_customer: dict[str, dict[str, str]] = {}
    for row in rows:
        entry = by_customer.setdefault(row["customer_id"], {"customer_id": row["customer_id"]})
        entry[row["kind"]] = row["value"]
        entry[f"raw_{row['kind']}"] = row["raw"]
    return next(e for e in by_customer.values() if {"email", "phone", "customer_ref"} <= set(e))


def _error(response: object, status: int, code: str) -> str:
    assert response.status_code == status
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    return message


def test_health(client: ApiClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "project": "retailer", "online_store": True,
                               "analytical_store": True}


def test_profile_by_customer_id(client: ApiClient, known: dict[str, str]) -> None:
    response = client.get(f"/v1/profiles/{known['customer_id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == known["customer_id"]
    profile = body["profile"]
    assert profile["customer_id"] == known["customer_id"]
    assert isinstance(profile["segments"], list)
    assert {"orders", "monetary", "recency_days", "rfm_score"} <= set(profile)


@pytest.mark.parametrize("kind", ["email", "phone", "customer_ref"])
def test_profile_by_identifier_as_typed(client: ApiClient, known: dict[str, str],
                                        kind: str) -> None:
    response = client.get("/v1/profiles", params={"kind": kind, "value": known[f"raw_{kind}"]})
    assert response.status_code == 200
    assert response.json()["customer_id"] == known["customer_id"]


def test_email_lookup_ignores_case_and_spaces(client: ApiClient, known: dict[str, str]) -> None:
    shouted = f"  {known['email'].upper()} "
    response = client.get("/v1/profiles", params={"kind": "email", "value": shouted})
    assert response.json()["customer_id"] == known["customer_id"]


def test_unknown_customer_is_404_with_the_error_body(client: ApiClient) -> None:
    message = _error(client.get("/v1/profiles/c_000000000000"), 404, "profile_not_found")
    assert "c_000000000000" in message
    message = _error(client.get("/v1/profiles", params={"kind": "email",
                                                        "value": "nobody@example.com"}),
                     404, "profile_not_found")
    assert "nobody@example.com" in message


def test_bad_requests_use_the_same_error_body(client: ApiClient) -> None:
    message = _error(client.get("/v1/profiles", params={"kind": "shoe_size", "value": "9"}),
                     400, "invalid_request")
    assert "kind" in message
    _error(client.get("/v1/profiles", params={"kind": "email"}), 400, "invalid_request")
    _error(client.get("/v1/nowhere"), 404, "not_found")
    _error(client.post("/v1/segments"), 405, "method_not_allowed")


def test_segment_counts_are_the_builds(client: ApiClient, demo: BuiltDemo) -> None:
    response = client.get("/v1/segments")
    assert response.status_code == 200
    body = response.json()
    assert body["customers"] == demo.built.profiles.customers
    assert {s["name"]: s["members"] for s in body["segments"]} == demo.built.segments.members
    assert [s["name"] for s in body["segments"]] == list(demo.built.segments.members)
    vip = body["segments"][0]
    assert vip["condition"] == "monetary > 1000 and recency_days <= 90"
    assert body["built_at"].startswith("2025-07-01")


def test_the_server_only_reads(client: ApiClient, demo: BuiltDemo) -> None:
    files = [store_path(demo.directory), demo.directory / ".accord" / "online.sqlite"]
    before = [path.stat().st_mtime_ns for path in files]
    client.get("/v1/segments")
    client.get("/v1/profiles", params={"kind": "email", "value": "x@example.com"})
    assert [path.stat().st_mtime_ns for path in files] == before


def test_openapi_describes_the_routes(client: ApiClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/health", "/v1/profiles", "/v1/profiles/{customer_id}",
            "/v1/segments"} <= set(paths)


def test_identifier_of_two_customers_is_409() -> None:
    store = open_online("memory")
    store.replace_all([("c_1", {"customer_id": "c_1"}), ("c_2", {"customer_id": "c_2"})],
                      [("email", "shared@example.com", "c_1"),
                       ("email", "shared@example.com", "c_2")])
    client = ApiClient(create_app(Path("unused"), reader=store, verify=verify),
                       headers={"X-API-Key": KEY})
    message = _error(client.get("/v1/profiles", params={"kind": "email",
                                                        "value": "Shared@Example.com"}),
                     409, "ambiguous_identifier")
    assert "c_1" in message and "c_2" in message


def test_before_a_build_segments_are_unavailable(tmp_path: Path) -> None:
    client = ApiClient(create_app(tmp_path, verify=verify), headers={"X-API-Key": KEY})
    assert client.get("/v1/health").json()["online_store"] is False
    message = _error(client.get("/v1/segments"), 503, "store_unavailable")
    assert "accord build" in message
    _error(client.get("/v1/profiles/c_1"), 503, "store_unavailable")
