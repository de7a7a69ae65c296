"""Events sent to ``POST /v1/events`` count in profiles and segments after the next build.

``accord logs load`` stores them in ``raw_api_events`` (text columns); the build's views take
them into the ``events`` entity, identity links them to the customer they name, and the
dimensions and segments count them like events of any configured source.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from accord.clock import FixedClock
from accord.connectors.tables import raw_columns, raw_table, refresh_views
from accord.errors import ConfigError
from accord.identity.resolve import run_identity
from accord.logs.schema import SCHEMAS, TABLES, typed
from accord.profiles.build import run_profiles
from accord.progress import SilentProgress
from accord.project.config import Dimension, Entity, Profiles, Project, Segment, Source
from accord.segments.build import run_segments
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import create_table

AS_OF = dt.date(2024, 1, 31)
CLOCK = FixedClock(dt.datetime(2024, 2, 1, 6, 0, tzinfo=dt.UTC))

PROJECT = Project(
    name="t",
    sources={"crm": Source(entity=Entity.CONTACTS, type="csv", path="crm.csv",
                           columns={"source_id": "id"}),
             "web": Source(entity=Entity.EVENTS, type="csv", path="web.csv",
                           columns={"source_id": "id"})},
    profiles=Profiles(monthly=False, dimensions=[
        Dimension(name="page_views_30d", kind="count", entity=Entity.EVENTS, window_days=30,
                  where='type = "page_view"'),
        Dimension(name="cart_value_30d", kind="sum", entity=Entity.EVENTS, field="value",
                  window_days=30, where='type = "add_to_cart"'),
    ]),
    segments=[Segment(name="browsers", condition="page_views_30d >= 3")])


def raw_rows(store: AnalyticalStore, source: str, entity: Entity,
         rows: list[dict[str, Any]]) -> None:
    columns = raw_columns(entity)
    create_table(store, raw_table(source), columns,
                 [[{"_source": source, **row}.get(name) for name in columns] for row in rows])


def api_rows(store: AnalyticalStore, rows: list[dict[str, Any]]) -> None:
    """Rows as ``accord logs load`` appends them (every declared column text; the server
    writes every field of an event, null or not)."""
    names = SCHEMAS["events"].names
    lines = [{name: row.get(name) for name in names} for row in rows]
    store.write(TABLES["events"], typed("events", pa.Table.from_pylist(lines)), mode="append")


def _build(store: AnalyticalStore) -> dict[str, dict[str, Any]]:
    """Views, identity, profiles and segments; profiles by the customer's CRM e-mail."""
    progress = SilentProgress()
    refresh_views(store, PROJECT)
    run_identity(PROJECT, store, clock=CLOCK, progress=progress)
    run_profiles(PROJECT, store, as_of=AS_OF, clock=CLOCK, progress=progress)
    run_segments(PROJECT, store, clock=CLOCK, progress=progress)
    rows = store.query(
        "SELECT c.email, p.*, coalesce(list(s.segment) FILTER (s.segment IS NOT NULL), []) "
        "AS segments FROM profiles p JOIN identity_map m ON m.customer_id = p.customer_id "
        "JOIN contacts c ON c._source = m.source AND c.source_id = m.source_id "
        "LEFT JOIN segment_members s ON s.customer_id = p.customer_id "
        "GROUP BY ALL").to_pylist()
    return {row["email"]: row for row in rows}


@pytest.fixture
def store() -> Any:
    opened = open_store("duckdb")
    raw_rows(opened, "crm", Entity.CONTACTS, [
        {"source_id": "C1", "customer_ref": "C1", "email": "ann@example.com"},
        {"source_id": "C2", "customer_ref": "C2", "email": "bob@example.com"}])
    raw_rows(opened, "web", Entity.EVENTS, [
        {"source_id": "W1", "customer_ref": "C1", "type": "page_view",
         "occurred_at": dt.datetime(2024, 1, 20, 10)},
        {"source_id": "W2", "customer_ref": "C2", "type": "page_view",
         "occurred_at": dt.datetime(2024, 1, 21, 10)}])
    yield opened
    opened.close()


def test_api_events_count_in_dimensions_and_segments_after_a_rebuild(
        store: AnalyticalStore) -> None:
    before = _build(store)
    ann = before["ann@example.com"]["customer_id"]
    assert before["ann@example.com"]["page_views_30d"] == 1
    assert before["ann@example.com"]["segments"] == []

    api_rows(store, [
        # by the hub's customer id, as a client has it from a decision or a profile
        {"event_id": "e1", "type": "page_view", "occurred_at": "2024-01-25T10:00:00+02:00",
         "customer_id": ann, "properties": '{"path": "/"}'},
        {"event_id": "e2", "type": "add_to_cart", "occurred_at": "2024-01-26T10:00:00+00:00",
         "customer_id": ann, "value": "12.50", "properties": "{}"},
        # by e-mail only (written as people type it): linked like any record with an e-mail
        {"event_id": "e3", "type": "page_view", "occurred_at": "2024-01-27T09:00:00+00:00",
         "email": " Ann@Example.com"},
        # resent after a lost answer: one event
        {"event_id": "e4", "type": "page_view", "occurred_at": "2024-01-28T09:00:00+00:00",
         "customer_id": ann},
        {"event_id": "e4", "type": "page_view", "occurred_at": "2024-01-28T09:00:00+00:00",
         "customer_id": ann},
        # 23:30 at UTC-2 on the as-of day is the next day in UTC: after the as-of
        {"event_id": "e5", "type": "page_view", "occurred_at": "2024-01-31T23:30:00-02:00",
         "customer_id": ann},
        # outside the 30 days
        {"event_id": "e6", "type": "page_view", "occurred_at": "2023-12-01T09:00:00+00:00",
         "customer_id": ann},
    ])
    after = _build(store)

    assert after["ann@example.com"]["customer_id"] == ann  # her id is kept
    assert after["ann@example.com"]["page_views_30d"] == 1 + 3  # e1, e3, e4 once
    assert after["ann@example.com"]["cart_value_30d"] == pytest.approx(12.5)
    assert after["ann@example.com"]["segments"] == ["browsers"]
    assert after["bob@example.com"]["page_views_30d"] == 1
    assert after["bob@example.com"]["segments"] == []
    # the events belong to Ann's customer: none made a customer of its own
    owners = store.query("SELECT DISTINCT customer_id FROM identity_map "
                         "WHERE source = 'api'").column(0).to_pylist()
    assert owners == [ann]


def test_api_events_follow_a_merged_customer_id(store: AnalyticalStore) -> None:
    before = _build(store)
    ann, bob = before["ann@example.com"]["customer_id"], before["bob@example.com"]["customer_id"]
    # the CRM learns that Bob is Ann (same e-mail): one of the two ids is merged away
    store.execute("UPDATE raw_crm SET email = 'ann@example.com' WHERE source_id = 'C2'")
    merged = _build(store)
    [survivor] = {row["customer_id"] for row in merged.values()}
    gone = ({ann, bob} - {survivor}).pop()
    # a client still holding the merged id sends an event with it
    api_rows(store, [{"event_id": "e1", "type": "page_view",
                  "occurred_at": "2024-01-29T10:00:00+00:00", "customer_id": gone}])
    after = _build(store)
    assert after["ann@example.com"]["customer_id"] == survivor
    assert after["ann@example.com"]["page_views_30d"] == 2 + 1


def test_an_unknown_customer_id_makes_one_customer_of_its_events(
        store: AnalyticalStore) -> None:
    _build(store)
    api_rows(store, [{"event_id": f"e{n}", "type": "page_view",
                  "occurred_at": "2024-01-29T10:00:00+00:00", "customer_id": "u-42"}
                 for n in range(2)])
    after = _build(store)
    owners = store.query("SELECT DISTINCT customer_id FROM identity_map "
                         "WHERE source = 'api'").column(0).to_pylist()
    assert len(owners) == 1 and owners[0] not in {row["customer_id"] for row in after.values()}
    [views] = store.query(f"SELECT page_views_30d FROM profiles "
                          f"WHERE customer_id = '{owners[0]}'").column(0).to_pylist()
    assert views == 2


def test_a_source_named_like_the_api_events_is_refused(store: AnalyticalStore) -> None:
    project = PROJECT.model_copy(update={"sources": {
        **PROJECT.sources, "api": PROJECT.sources["web"]}})
    api_rows(store, [{"event_id": "e1", "type": "page_view",
                  "occurred_at": "2024-01-29T10:00:00+00:00", "customer_id": "x"}])
    with pytest.raises(ConfigError, match="'api' is reserved"):
        refresh_views(store, project)
