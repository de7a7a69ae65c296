"""Nothing acknowledged is lost when the server is killed: ``kill -9`` of ``accord serve``
(2 workers) while decisions, outcomes and events stream in from several threads, then
``accord logs load``: every decision, outcome and event the API answered 200 for is in
the analytical store."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.project.template import store_path
from accord.store import open_store
from tests.e2e.served import api_key, served

pytestmark = pytest.mark.slow

#: Kill once this many decisions were acknowledged (and traffic ran this long, seconds).
KILL_AFTER = 150
MIN_SECONDS = 1.5


def _stored(project: Path, table: str, columns: str) -> set[Any]:
    """The values of ``columns`` in ``table`` (none when there is no such table)."""
    store = open_store("duckdb", store_path(project), read_only=True)
    try:
        if table not in store.tables():
            return set()
        query = f"SELECT {columns} FROM {table}"
        return {tuple(row.values()) if len(row) > 1 else next(iter(row.values()))
                for row in store.query(query).to_pylist()}
    finally:
        store.close()


class Traffic:
    """Decisions, outcomes of their treatments and event batches, each from its own threads,
    remembering what the server acknowledged."""

    def __init__(self, url: str, key: str, customers: list[str]) -> None:
        self.url, self.customers = url, customers
        self.headers = {"Authorization": f"Bearer {key}"}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.decisions: set[str] = set()
        self.outcomes: set[tuple[str, str, str]] = set()
        self.events: set[str] = set()
        self.given: queue.Queue[tuple[str, str]] = queue.Queue()

    def _loop(self, send: Any) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=10) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    send(http, n)
                except httpx.TransportError:
                    return  # the server is gone
                except queue.Empty:
                    continue

    def decide(self, thread: int) -> Any:
        def send(http: httpx.Client, n: int) -> None:
            customer = self.customers[(thread * 7919 + n) % len(self.customers)]
            response = http.post("/v1/decisions", json={
                "customer": customer, "channel": "web", "placements": {"hero": 1}})
            if response.status_code == 200:
                body = response.json()
                with self.lock:
                    self.decisions.add(body["decision_id"])
                if body["given"]:
                    self.given.put((body["decision_id"], body["given"][0]))
        return send

    def report(self, http: httpx.Client, n: int) -> None:
        decision_id, treatment = self.given.get(timeout=0.2)
        response = http.post("/v1/outcomes", json={
            "decision_id": decision_id, "treatment_id": treatment, "kind": "impression"})
        if response.status_code == 200:
            with self.lock:
                self.outcomes.add((decision_id, treatment, "impression"))

    def send_events(self, thread: int) -> Any:
        def send(http: httpx.Client, n: int) -> None:
            at = dt.datetime.now(dt.UTC).isoformat()
            ids = [f"kill-{thread}-{n}-{i}" for i in range(20)]
            body = "\n".join(json.dumps({
                "event_id": event_id, "type": "page_view", "occurred_at": at,
                "customer_id": self.customers[i % len(self.customers)], "channel": "web"})
                for i, event_id in enumerate(ids))
            response = http.post("/v1/events", content=body,
                                 headers={"Content-Type": "application/x-ndjson"})
            if response.status_code == 200:
                with self.lock:
                    self.events.update(ids)
        return send

    def threads(self) -> list[threading.Thread]:
        senders = ([self.decide(t) for t in range(6)] + [self.report] * 2
                   + [self.send_events(t) for t in range(2)])
        return [threading.Thread(target=self._loop, args=(send,), daemon=True)
                for send in senders]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("kill") / "demo"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "200",
                                      "--dir", str(project)])
    assert result.exit_code == 0, result.output
    return project


def test_kill_9_loses_no_acknowledged_decision_outcome_or_event(demo: Path) -> None:
    customers = sorted(_stored(demo, "profiles", "customer_id"))
    with served(demo, workers=2) as server:
        traffic = Traffic(server.url, api_key(demo), customers)
        threads = traffic.threads()
        for thread in threads:
            thread.start()
        started = time.monotonic()
        deadline = started + 120
        while (len(traffic.decisions) < KILL_AFTER
               or time.monotonic() - started < MIN_SECONDS):
            assert time.monotonic() < deadline, "too few decisions were acknowledged"
            time.sleep(0.05)
        server.kill()  # mid-stream: requests are in flight in both workers
        traffic.stop.set()
        for thread in threads:
            thread.join(30)
    result = CliRunner().invoke(app, ["logs", "load", "--project", str(demo)])
    assert result.exit_code == 0, result.output

    stored_decisions = _stored(demo, "decision_log", "decision_id")
    stored_outcomes = _stored(demo, "outcome_log", "decision_id, treatment_id, kind")
    stored_events = _stored(demo, "raw_api_events", "event_id")
    for name, acknowledged, stored in (
            ("decisions", traffic.decisions, stored_decisions),
            ("outcomes", traffic.outcomes, stored_outcomes),
            ("events", traffic.events, stored_events)):
        print(f"{name}: {len(acknowledged)} acknowledged, {len(stored)} stored, "
              f"{len(acknowledged - stored)} lost")
    assert traffic.outcomes and traffic.events
    assert traffic.decisions - stored_decisions == set()
    assert traffic.outcomes - stored_outcomes == set()
    assert traffic.events - stored_events == set()
