"""The hub's HTTP events in the ``events`` view: canonical types, one row per event id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pyarrow as pa
import pytest

from accord.connectors.tables import API_SOURCE, HUB_CUSTOMER, refresh_views
from accord.logs.schema import SCHEMAS, TABLES, typed
from accord.project.config import ENTITY_FIELDS, Entity, Project
from accord.store import AnalyticalStore, open_store

LINE = {"event_id": "e1", "type": "add_to_cart", "occurred_at": "2025-03-01T23:30:00-02:00",
        "customer_id": "c_1", "email": None, "anonymous_id": "a-9", "channel": "web",
        "value": "19.905", "properties": '{"sku": "S1"}'}


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    yield opened
    opened.close()


def _load(store: AnalyticalStore, *lines: dict[str, str | None]) -> None:
    rows = [{name: line.get(name) for name in SCHEMAS["events"].names} for line in lines]
    store.write(TABLES["events"], typed("events", pa.Table.from_pylist(rows)), mode="append")


def test_api_events_take_the_events_entitys_types(store: AnalyticalStore) -> None:
    _load(store, LINE)
    refresh_views(store, Project(name="t"))
    types = {row["column_name"]: row["data_type"] for row in store.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'events'").to_pylist()}
    assert types == {**ENTITY_FIELDS[Entity.EVENTS], "_source": "VARCHAR",
                     HUB_CUSTOMER: "VARCHAR"} | {"value": "DECIMAL(18,2)"}
    [row] = store.query("SELECT * FROM events").to_pylist()
    assert row == {
        "source_id": "e1", "customer_ref": None, "email": None, "anonymous_id": "a-9",
        "type": "add_to_cart", "channel": "web",
        "occurred_at": dt.datetime(2025, 3, 2, 1, 30),  # UTC, as ingest stores times
        "campaign": None, "value": Decimal("19.91"), "properties": '{"sku": "S1"}',
        "_source": API_SOURCE, HUB_CUSTOMER: "c_1"}


def test_a_resent_event_is_one_row_and_bad_values_no_failed_build(
        store: AnalyticalStore) -> None:
    _load(store, LINE, {**LINE, "occurred_at": "2025-03-02T09:00:00+00:00"},
          {**LINE, "event_id": "e2", "value": "1e30", "occurred_at": "not a time"})
    refresh_views(store, Project(name="t"))
    rows = store.query("SELECT source_id, occurred_at, value FROM events "
                       "ORDER BY source_id").to_pylist()
    assert rows == [
        {"source_id": "e1", "occurred_at": dt.datetime(2025, 3, 2, 1, 30),  # the earliest
         "value": Decimal("19.91")},
        {"source_id": "e2", "occurred_at": None, "value": None}]


def test_without_api_events_the_view_is_the_sources_alone(store: AnalyticalStore) -> None:
    refresh_views(store, Project(name="t"))
    assert store.query("SELECT count(*) AS n FROM events").to_pylist() == [{"n": 0}]
