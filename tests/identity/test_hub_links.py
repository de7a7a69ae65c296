"""API events link to the customer whose hub id they carry, build after build.

The store is built as ingest and ``accord logs load`` leave it: raw tables of two configured
sources, ``raw_api_events`` in the logs' text columns, views refreshed before each identity
run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from accord.clock import FixedClock
from accord.connectors.tables import refresh_views
from accord.identity.explain import explain
from accord.identity.resolve import IdentityReport, run_identity
from accord.progress import SilentProgress
from accord.project.config import Entity, Project, Source
from accord.store import AnalyticalStore, open_store
from tests.profiles.test_api_events import api_rows, raw_rows

CLOCK = FixedClock(dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC))
PROJECT = Project(name="t", sources={
    "crm": Source(entity=Entity.CONTACTS, type="csv", path="c.csv", columns={"source_id": "i"}),
    "shop": Source(entity=Entity.ORDERS, type="csv", path="o.csv", columns={"source_id": "i"})})


def _api(store: AnalyticalStore, rows: list[dict[str, Any]]) -> None:
    api_rows(store, [{"type": "page_view", "occurred_at": "2025-02-27T10:00:00+00:00", **row}
                     for row in rows])


def _identity(store: AnalyticalStore) -> IdentityReport:
    refresh_views(store, PROJECT)
    return run_identity(PROJECT, store, clock=CLOCK, progress=SilentProgress())


def _map(store: AnalyticalStore) -> dict[str, str]:
    return {row["source_id"]: row["customer_id"] for row in store.query(
        "SELECT source_id, customer_id FROM identity_map").to_pylist()}


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    raw_rows(opened, "crm", Entity.CONTACTS, [
        {"source_id": "C1", "email": "ann@example.com"},
        {"source_id": "C2", "email": "bob@example.com"}])
    raw_rows(opened, "shop", Entity.ORDERS, [{"source_id": "O1", "email": "ann@example.com"}])
    yield opened
    opened.close()


def test_events_stay_with_their_customer_build_after_build(store: AnalyticalStore) -> None:
    _identity(store)
    ann = _map(store)["C1"]
    _api(store, [{"event_id": "e1", "customer_id": ann},
                 {"event_id": "e2", "customer_id": f"  {ann} "}])  # ids are trimmed
    for _ in range(3):  # the events were in the map last time: still linked, not split off
        report = _identity(store)
        assert _map(store) == {"C1": ann, "O1": ann, "C2": _map(store)["C2"], "e1": ann,
                               "e2": ann}
        assert report.customers == 2 and report.split == () and report.merges == ()


def test_the_hub_link_adds_no_link_between_a_customers_own_records(
        store: AnalyticalStore) -> None:
    _identity(store)
    ann = _map(store)["C1"]
    _api(store, [{"event_id": "e1", "customer_id": ann}])
    _identity(store)
    # the shop's order turns out to be someone else's: Ann's records come apart as they
    # would without the event, and the event stays with the part that keeps her id
    store.execute("UPDATE raw_shop SET email = 'cy@example.com' WHERE source_id = 'O1'")
    report = _identity(store)
    after = _map(store)
    assert after["C1"] == after["e1"] == ann != after["O1"]
    assert report.split == (ann,)


def test_an_event_naming_two_customers_merges_them(store: AnalyticalStore) -> None:
    _identity(store)
    ann, bob = _map(store)["C1"], _map(store)["C2"]
    # sent with Ann's id and Bob's e-mail: the same person, as any record with both says
    _api(store, [{"event_id": "e1", "customer_id": ann, "email": "BOB@example.com"}])
    report = _identity(store)
    assert len(set(_map(store).values())) == 1
    [merge] = report.merges
    assert {merge.survivor, merge.merged} == {ann, bob}


def test_without_api_events_the_graph_is_unchanged(store: AnalyticalStore) -> None:
    first = _identity(store)
    again = _identity(store)
    assert (again.records, again.identifiers, again.customers) == (
        first.records, first.identifiers, first.customers) == (3, 3, 2)
    assert "_customer_id" in store.query("SELECT * FROM events LIMIT 0").column_names


def test_explain_shows_the_hub_id_an_event_was_sent_with(store: AnalyticalStore) -> None:
    _identity(store)
    ann = _map(store)["C1"]
    _api(store, [{"event_id": "e1", "customer_id": f"{ann} "}])
    _identity(store)
    explanation = explain(store, ann)
    [event] = [record for record in explanation.records if record.source == "api"]
    assert [(i.kind, i.value, i.raw) for i in event.identifiers] == [
        ("customer_id", ann, f"{ann} ")]
    assert event.fields["type"] == "page_view"
