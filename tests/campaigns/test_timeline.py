"""The event timeline: copies removed, customers keyed and sorted, never read when stale."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from accord.campaigns.abandonment import run_abandonment
from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.funnel import Funnel
from accord.campaigns.results import run_funnel
from accord.campaigns.timeline import (
    CUSTOMER_KEY,
    TIMELINE,
    EventSource,
    build_timeline,
    event_source,
    refresh_timeline,
    timeline_query,
)
from accord.store import open_store
from accord.store.base import AnalyticalStore
from accord.store.sql import table

T0 = dt.datetime(2026, 3, 2, 9, 0)
M = dt.timedelta(minutes=1)
COLUMNS = ("customer_id", "event_id", "event_type", "ts", "channel")


def _events(rows: list[tuple[str | None, str, str, dt.datetime | None, str]]) -> pa.Table:
    customers, ids, types, times, channels = zip(*rows, strict=True)
    return pa.table({"customer_id": pa.array(customers, pa.string()),
                     "event_id": pa.array(ids, pa.string()),
                     "event_type": pa.array(types, pa.string()),
                     "ts": pa.array(times, pa.timestamp("us")),
                     "channel": pa.array(channels, pa.string())})


def _timeline(store: AnalyticalStore, source: str = "raw") -> EventSource:
    store.execute(exp.Create(this=table("timeline"), kind="TABLE", replace=True,
                             expression=timeline_query(table(source), COLUMNS)))
    return EventSource(table("timeline"), CUSTOMER_KEY, unique_ids=True)


def test_one_row_per_event_its_earliest_copy_keyed_and_sorted(store: AnalyticalStore) -> None:
    store.write("raw", _events([
        ("zoe", "e1", "visit", T0 + 5 * M, "web"),
        ("amy", "e2", "visit", T0 + 9 * M, "web"),
        ("amy", "e2", "visit", T0 + 2 * M, "app"),  # the re-sent copy is the earlier one
        ("amy", "e3", "purchase", T0 + 4 * M, "web"),
        ("amy", "e3", "purchase", T0 + 4 * M, "web"),  # an identical copy
        ("bob", "e4", "visit", None, "web"),  # no time: cannot be placed
        (None, "e5", "visit", T0, "web"),  # no customer
    ]))
    _timeline(store)
    rows = store.query("SELECT * FROM timeline").to_pylist()
    assert [(r[CUSTOMER_KEY], r["customer_id"], r["event_id"], r["ts"], r["channel"])
            for r in rows] == [
        (1, "amy", "e2", T0 + 2 * M, "app"), (1, "amy", "e3", T0 + 4 * M, "web"),
        (2, "zoe", "e1", T0 + 5 * M, "web")]


_event = st.tuples(st.sampled_from(["u1", "u2", "u3", "u4"]), st.integers(0, 15),
                   st.sampled_from(["a", "b", "c", "x"]), st.integers(0, 10),
                   st.sampled_from(["web", "app"]))


@settings(max_examples=40, deadline=None)
@given(events=st.lists(_event, min_size=1, max_size=30),
       restamped=st.lists(st.tuples(st.integers(0, 15), st.integers(1, 5)), max_size=5),
       window=st.integers(1, 6))
def test_a_funnel_reads_the_same_from_the_timeline(
        events: list[tuple[str, int, str, int, str]], restamped: list[tuple[int, int]],
        window: int) -> None:
    first: dict[int, tuple[str, int, str, int, str]] = {}
    for event in events:
        first.setdefault(event[1], event)
    rows: list[tuple[str | None, str, str, dt.datetime | None, str]] = [
        (c, f"e{i}", kind, T0 + dt.timedelta(seconds=at), channel)
        for c, i, kind, at, channel in (first[e[1]] for e in events)]
    # copies delivered again later with a new time: the earliest still counts
    rows += [(c, f"e{i}", kind, T0 + dt.timedelta(seconds=at + later), channel)
             for i, later in restamped if i in first
             for c, _, kind, at, channel in [first[i]]]
    store = open_store("duckdb")
    try:
        store.write("raw", _events(rows))
        timeline = _timeline(store)
        kinds = {kind for _, _, kind, _, _ in rows}
        steps = [s for s in ("a", "b", "c") if s in kinds]
        if len(steps) < 2:
            return
        web_last = [*({"event_type": s} for s in steps[:-1]),
                    {"event_type": steps[-1], "filter": 'channel = "web"'}]
        for shape, breakdown in (([{"event_type": s} for s in steps], None),
                                 ([{"event_type": s} for s in steps], "channel"),
                                 (web_last, None)):
            funnel = Funnel(steps=shape, window=f"{window}s", breakdown=breakdown)
            assert run_funnel(store, funnel, timeline) == run_funnel(store, funnel, "raw")
    finally:
        store.close()


def _hub(store: AnalyticalStore) -> None:
    """Ingested events (with a copy), API events and decisions, as a build leaves them."""
    ingested = [("1", "c1", "add_to_cart", T0, 30.0), ("2", "c1", "purchase", T0 + 9 * M, 30.0),
                ("2", "c1", "purchase", T0 + 9 * M, 30.0), ("3", "c2", "add_to_cart", T0, 20.0)]
    ids, customers, types, times, values = zip(*ingested, strict=True)
    size = len(ingested)
    store.write("events", pa.table({
        "source_id": list(ids), "type": list(types),
        "occurred_at": pa.array(times, pa.timestamp("us")), "channel": ["web"] * size,
        "campaign": pa.nulls(size, pa.string()), "value": list(values),
        "properties": ["{}"] * size, "_source": ["shop"] * size}))
    owners = dict(zip(ids, customers, strict=True))
    store.write("identity_map", pa.table({"source": ["shop"] * len(owners),
                                          "source_id": list(owners),
                                          "customer_id": list(owners.values())}))
    store.write("decision_log", _decisions(["d1"], ["c2"]))


def _decisions(ids: list[str], customers: list[str]) -> pa.Table:
    return pa.table({"decision_id": ids, "customer_id": customers,
                     "at": ["2026-03-02T08:00:00+00:00"] * len(ids),
                     "channel": ["web"] * len(ids), "given": ['["banner"]'] * len(ids)})


def test_build_then_stale_then_refreshed(store: AnalyticalStore) -> None:
    assert build_timeline(store) is None  # no events: nothing written
    assert TIMELINE not in store.tables()
    _hub(store)
    report = build_timeline(store)
    assert report is not None and (report.events, report.customers) == (4, 2)
    fresh = event_source(store)
    assert fresh.unique_ids and fresh.customer == CUSTOMER_KEY
    funnel = Funnel(steps=[{"event_type": "decision"}, {"event_type": "add_to_cart"}],
                    window="1d")
    assert [s.customers for s in run_funnel(store, funnel, fresh)[0].steps] == [1, 1]

    # a decision loaded after the build: the timeline is stale and is not read
    store.write("decision_log", _decisions(["d2"], ["c1"]))
    stale = event_source(store)
    assert not stale.unique_ids and stale.customer == "customer_id"
    live = run_funnel(store, funnel, stale)
    assert [s.customers for s in live[0].steps] == [2, 2]

    refreshed = refresh_timeline(store)
    assert refreshed is not None and refreshed.events == 5
    assert refresh_timeline(store) is None  # up to date: nothing to do
    assert event_source(store).unique_ids
    assert run_funnel(store, funnel, event_source(store)) == live


def test_abandonment_reads_the_same_from_the_timeline(store: AnalyticalStore) -> None:
    _hub(store)
    window, horizon = dt.timedelta(minutes=5), dt.timedelta(days=1)
    live = run_abandonment(store, event_source(store), window=window, horizon=horizon)
    build_timeline(store)
    source = event_source(store)
    assert source.unique_ids
    assert run_abandonment(store, source, window=window, horizon=horizon) == live
    [cart] = live
    assert (cart.started, cart.abandoned, cart.held, cart.recovered) == (2, 2, 50.0, 1)


def test_breakdown_by_segment_counts_each_membership(store: AnalyticalStore) -> None:
    _hub(store)
    funnel = Funnel(steps=[{"event_type": "add_to_cart"}, {"event_type": "purchase"}],
                    window="1d", breakdown="segment")
    with pytest.raises(FunnelDefinitionError, match="no segments are built"):
        run_funnel(store, funnel, event_source(store))
    store.write("segment_members", pa.table({"segment": ["vip", "all"],
                                             "customer_id": ["c1", "c1"]}))
    live = run_funnel(store, funnel, event_source(store))
    # c1 (carted and bought) in both of its segments, c2 (carted) in none
    assert [(r.breakdown, [s.customers for s in r.steps]) for r in live] == [
        ("all", [1, 1]), ("vip", [1, 1]), (None, [1, 0])]
    build_timeline(store)
    assert event_source(store).unique_ids
    assert run_funnel(store, funnel, event_source(store)) == live
    with pytest.raises(FunnelDefinitionError, match="or segment"):
        run_funnel(store, funnel.model_copy(update={"breakdown": "colour"}),
                   event_source(store))
