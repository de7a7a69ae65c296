"""Every failure answers the error body: an unexpected exception too (a 500 with a code,
nothing of the server in it), each status documented in the OpenAPI document; no message
shows where the server keeps the project; roles are checked before states; times carry
their UTC offset both ways."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
import uvicorn

from accord.operational import ApiKey
from accord.server import create_app
from accord.server.dmn import MAX_VERSION
from accord.server.segments import SegmentCounts
from accord.testing.http import ApiClient
from tests.server.test_governance_api import draft_v2, refused
from tests.server.test_governance_story import World, copy_world, make_world


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The retail rules (v1 active) and the people, in a project never built."""
    return make_world(tmp_path_factory.mktemp("errors") / "shop")


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    """A fresh copy of the template."""
    return copy_world(template, tmp_path / "shop")


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    return str(body["error"]["message"])


def test_an_unexpected_exception_is_a_json_500_without_the_servers_details(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(tmp_path)

    def boom() -> None:
        raise RuntimeError(f"cannot open {tmp_path}/secret.db")

    app.add_api_route("/v1/boom", boom)

    async def twice() -> tuple[httpx.Response, httpx.Response]:
        # one connection, as a keep-alive client has: the second request still gets through
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/v1/boom"), await client.get("/v1/health")

    with caplog.at_level(logging.ERROR, logger="accord.server"):
        failed, after = asyncio.run(twice())
    message = _error(failed, 500, "internal_error")
    assert str(tmp_path) not in failed.text and "Traceback" not in failed.text
    assert "secret.db" not in message
    assert after.status_code == 200
    assert any("secret.db" in (r.exc_text or "") for r in caplog.records)


def test_after_a_500_the_same_connection_serves_the_next_request(tmp_path: Path) -> None:
    # a real server (uvicorn, h11): Starlette's own last resort answered plain text and
    # re-raised, and a keep-alive client's next request on the connection was reset
    app = create_app(tmp_path)

    def boom() -> None:
        raise ValueError("unexpected")

    app.add_api_route("/v1/boom", boom)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "no server"
            time.sleep(0.05)
        peers = set()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(3):
                failed = client.get("/v1/boom")
                _error(failed, 500, "internal_error")
                assert failed.headers.get("connection") != "close"
                stream = failed.extensions["network_stream"]
                peers.add(stream.get_extra_info("client_addr"))
                assert client.get("/v1/health").status_code == 200
        assert len(peers) == 1  # one connection, kept alive throughout
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_every_operation_documents_its_errors_in_the_error_shape(tmp_path: Path) -> None:
    document = ApiClient(create_app(tmp_path)).get("/openapi.json").json()
    assert "HTTPValidationError" not in str(document)
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "500"):
                assert responses[status]["content"]["application/json"]["schema"] == error, (
                    method, path, status)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), (method, path)
            if path.startswith("/v1/") and path != "/v1/health":
                assert {"401", "403"} <= set(responses), (method, path)
    body = document["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["code", "message"]


def test_no_message_shows_the_servers_path(tmp_path: Path) -> None:
    project = tmp_path / "never-built"
    project.mkdir()
    world = make_world(project)
    client = ApiClient(create_app(project),
                       headers={"Authorization": f"Bearer {world.api_key}"})
    for url in ("/v1/segments", "/v1/profiles/c_000000000000"):
        response = client.get(url)
        message = _error(response, 503, "store_unavailable")
        assert str(tmp_path) not in response.text, message
    # the simulation stored on submission says why none ran, without the path either
    draft_v2(world)
    simulation = world.ok("mia", "POST", "/v1/rules/versions/v2/submit")
    stored = world.ok("ola", "GET", "/v1/rules/versions/v2/simulation")
    assert "no analytical store" in stored["message"]
    assert str(tmp_path) not in str(stored) and str(tmp_path) not in str(simulation)


def test_a_marketer_learns_the_role_before_the_state(world: World) -> None:
    draft_v2(world)  # v2 is a draft: activating it is refused for its state as well
    message = refused(world, "mia", "POST", "/v1/rules/versions/v2/activate", 403,
                      "forbidden")
    assert "'mia' (marketer) may not activate" in message
    refused(world, "mia", "POST", "/v1/rules/versions/v1/rollback", 403, "forbidden",
            json={"reason": "r"})
    refused(world, "ola", "POST", "/v1/rules/versions/v2/activate", 409,
            "invalid_transition")


@pytest.mark.parametrize(("effective_from", "problem"), [
    (0, "numbers are not read as times"),
    (1_800_000_000, "numbers are not read as times"),
    ("2026-12-01T08:00:00", "has no UTC offset"),
    ("tomorrow", "not an ISO 8601 time"),
])
def test_effective_from_is_an_iso_time_with_an_offset(world: World, effective_from: Any,
                                                      problem: str) -> None:
    draft_v2(world)
    world.ok("mia", "POST", "/v1/rules/versions/v2/submit")
    message = refused(world, "ola", "POST", "/v1/rules/versions/v2/approve", 400,
                      "invalid_request", json={"effective_from": effective_from})
    assert "effective_from" in message and problem in message


def test_effective_from_with_an_offset_schedules(world: World) -> None:
    draft_v2(world)
    world.ok("mia", "POST", "/v1/rules/versions/v2/submit")
    approved = world.ok("ola", "POST", "/v1/rules/versions/v2/approve",
                        json={"effective_from": "2027-01-01T09:00:00+01:00"})
    assert approved["state"] == "approved"
    assert dt.datetime.fromisoformat(approved["effective_from"]) == dt.datetime(
        2027, 1, 1, 8, tzinfo=dt.UTC)
    # kept in UTC: before, 09:00+01:00 was stored, and would have activated, as 09:00 UTC


def test_built_at_carries_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as connection:  # as a build writes it: naive, in UTC
        connection.execute("CREATE TABLE segments (segment VARCHAR, description VARCHAR, "
                           "condition VARCHAR, members BIGINT, built_at TIMESTAMP)")
        connection.execute("INSERT INTO segments VALUES ('vip', '', 'orders > 5', 3, "
                           "TIMESTAMP '2026-11-22 06:00:00')")
    reader = ApiKey("k1", "tests", frozenset({"profiles"}))
    client = ApiClient(create_app(tmp_path, segments=SegmentCounts(path),
                                  verify=lambda secret: reader),
                       headers={"Authorization": "Bearer any"})
    built_at = client.get("/v1/segments").json()["built_at"]
    assert dt.datetime.fromisoformat(built_at) == dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)


@pytest.mark.parametrize("version", [MAX_VERSION + 1, 10**30])
def test_dmn_versions_beyond_sqlites_integers_are_a_bad_request(world: World,
                                                                version: int) -> None:
    client = ApiClient(world.client.app, headers={"Authorization": f"Bearer {world.api_key}"})
    for response in (client.get(f"/v1/dmn/model?version={version}"),
                     client.post(f"/v1/dmn/model/decision?version={version}", json={}),
                     client.request("PUT", "/v1/dmn/model/pin", json={"version": version})):
        assert "less than or equal to" in _error(response, 400, "invalid_request")
    unknown = client.get(f"/v1/dmn/model?version={MAX_VERSION}")
    _error(unknown, 404, "dmn_not_found")

