"""Logged batches join the event timeline without a rebuild, with the same answers."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from accord.campaigns.events import hub_events
from accord.campaigns.funnel import Funnel
from accord.campaigns.results import run_funnel
from accord.campaigns.timeline import (
    CUSTOMERS,
    TIMELINE,
    EventSource,
    as_event_source,
    build_timeline,
    event_source,
    refresh_timeline,
)
from accord.campaigns.timeline_delta import append_logged
from accord.logs import DurableLog, load_logs
from accord.store.base import AnalyticalStore

FUNNEL = Funnel(steps=[{"event_type": "decision"}, {"event_type": "page_view"},
                       {"event_type": "purchase"}], window="1d")


def _event(event_id: str, customer: str, kind: str, at: str) -> dict[str, object]:
    return {"event_id": event_id, "type": kind, "occurred_at": at, "customer_id": customer,
            "email": None, "anonymous_id": None, "channel": "web", "value": "5",
            "properties": {"path": "/"}}


def _decision(decision_id: str, customer: str, at: str) -> dict[str, object]:
    return {"decision_id": decision_id, "customer_id": customer, "at": at, "channel": "web",
            "placements": [], "candidates": [], "holdouts": [], "given": ["banner"]}


def _log(folder: Path, events: list[dict[str, object]],
         decisions: list[dict[str, object]]) -> None:
    for stream, records in (("events", events), ("decisions", decisions)):
        if records:
            log = DurableLog(folder, stream)
            log.append([json.dumps(record).encode() for record in records])
            log.close()


def _live(store: AnalyticalStore) -> EventSource:
    """The union with copies removed on the fly: what the timeline must agree with."""
    return as_event_source(hub_events(store.tables()))


def _load(folder: Path, store: AnalyticalStore) -> None:
    load_logs(folder, store, on_batch=lambda table, rows: append_logged(store, table, rows))


def _built(folder: Path, store: AnalyticalStore, events: list[dict[str, object]],
           decisions: list[dict[str, object]]) -> None:
    """Logged, loaded and the timeline built: the starting point of each test."""
    _log(folder, events, decisions)
    _load(folder, store)
    build_timeline(store)


def test_batches_are_appended_and_agree_with_the_union(tmp_path: Path,
                                                       store: AnalyticalStore) -> None:
    _built(tmp_path / "1", store, [_event("e1", "c1", "page_view", "2026-03-02T09:05:00+00:00")],
           [_decision("d1", "c1", "2026-03-02T09:00:00+00:00")])
    keys = store.query(f"SELECT customer_id, customer_key FROM {CUSTOMERS}").to_pylist()
    assert keys == [{"customer_id": "c1", "customer_key": 1}]

    _log(tmp_path / "2", [
        _event("e2", "c2", "page_view", "2026-03-02T10:05:00+00:00"),
        _event("e3", "c2", "purchase", "2026-03-02T10:09:00+00:00"),
        _event("e3", "c2", "purchase", "2026-03-02T10:09:00+00:00"),  # a copy in the batch
        _event("e1", "c1", "page_view", "2026-03-02T09:07:00+00:00"),  # a later copy
        _event("e4", "c1", "purchase", "2026-03-02T09:10:00+00:00")],
        [_decision("d2", "c2", "2026-03-02T10:00:00+00:00")])
    _load(tmp_path / "2", store)

    source = event_source(store)
    assert source.unique_ids  # appended, not left stale
    assert run_funnel(store, FUNNEL, source) == run_funnel(store, FUNNEL, _live(store))
    assert [s.customers for s in run_funnel(store, FUNNEL, source)[0].steps] == [2, 2, 2]
    rows = store.query(f"SELECT event_id, customer_key, ts FROM {TIMELINE} "
                       "ORDER BY event_id").to_pylist()
    # c2 arrived with the batch: the next key
    assert [(r["event_id"], r["customer_key"]) for r in rows] == [
        ("api:e1", 1), ("api:e2", 2), ("api:e3", 2), ("api:e4", 1), ("decision:d1", 1),
        ("decision:d2", 2)]
    assert rows[0]["ts"].minute == 5  # the stored copy was the earlier one


def test_an_earlier_copy_replaces_the_stored_one(tmp_path: Path,
                                                 store: AnalyticalStore) -> None:
    _built(tmp_path / "1", store, [_event("e1", "c1", "page_view", "2026-03-02T09:30:00+00:00")],
           [_decision("d1", "c1", "2026-03-02T09:00:00+00:00")])
    _log(tmp_path / "2", [_event("e1", "c1", "page_view", "2026-03-02T09:10:00+00:00")], [])
    _load(tmp_path / "2", store)
    assert event_source(store).unique_ids
    [row] = store.query(f"SELECT ts FROM {TIMELINE} WHERE event_id = 'api:e1'").to_pylist()
    assert row["ts"].minute == 10
    two_steps = FUNNEL.model_copy(update={"steps": FUNNEL.steps[:2]})
    assert run_funnel(store, two_steps, event_source(store)) == run_funnel(
        store, two_steps, _live(store))


def test_a_stale_timeline_is_left_for_a_rebuild(tmp_path: Path,
                                                store: AnalyticalStore) -> None:
    _built(tmp_path / "1", store, [], [_decision("d1", "c1", "2026-03-02T09:00:00+00:00")])
    store.write("decision_log", pa.Table.from_pylist([{  # loaded some other way
        "decision_id": "d9", "customer_id": "c9", "at": "2026-03-02T09:00:00+00:00",
        "channel": "web", "given": '["banner"]'}]))
    _log(tmp_path / "2", [], [_decision("d2", "c2", "2026-03-02T10:00:00+00:00")])
    _load(tmp_path / "2", store)
    assert not event_source(store).unique_ids
    report = refresh_timeline(store)
    assert report is not None and (report.events, report.customers) == (3, 3)


def test_a_failed_append_rolls_back_the_batch_too(store: AnalyticalStore) -> None:
    store.write("decision_log", pa.Table.from_pylist([{
        "decision_id": "d1", "customer_id": "c1", "at": "2026-03-02T09:00:00+00:00",
        "channel": "web", "given": '["banner"]'}]))
    build_timeline(store)
    bad = pa.Table.from_pylist([{"decision_id": "d2", "customer_id": "c2",
                                 "at": "not a time", "channel": "web", "given": "[]"}])
    with pytest.raises(Exception, match="not a time"), store.transaction():
        store.write("decision_log", bad)
        append_logged(store, "decision_log", bad)
    assert store.query("SELECT count(*) AS n FROM decision_log").to_pylist() == [{"n": 1}]
    assert event_source(store).unique_ids  # timeline and log still agree
    assert not any(name.startswith("_timeline") for name in store.tables())


def test_a_timeline_without_decisions_takes_them_later(tmp_path: Path,
                                                       store: AnalyticalStore) -> None:
    """A timeline built before any decision has no value in ``variant`` or ``campaign``:
    its columns still get their declared types, so a decision batch appends to it (it was
    created with type NULL and every load failed: ``Unimplemented type for cast``)."""
    _built(tmp_path / "1", store, [_event("e1", "c1", "page_view", "2026-03-02T09:05:00+00:00")],
           [])
    types = {row["column_name"]: row["data_type"] for row in store.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_name = '{TIMELINE}'").to_pylist()}
    assert types["variant"] == "VARCHAR" and types["campaign"] == "VARCHAR"
    _log(tmp_path / "2", [], [_decision("d1", "c1", "2026-03-02T09:00:00+00:00")])
    _load(tmp_path / "2", store)
    assert event_source(store).unique_ids  # appended, not left stale
    rows = store.query(f"SELECT event_id, variant FROM {TIMELINE} ORDER BY event_id").to_pylist()
    assert rows == [{"event_id": "api:e1", "variant": None},
                    {"event_id": "decision:d1", "variant": "banner"}]


def test_a_timeline_of_an_earlier_version_is_rebuilt_not_appended(
        tmp_path: Path, store: AnalyticalStore) -> None:
    _built(tmp_path / "1", store, [_event("e1", "c1", "page_view", "2026-03-02T09:05:00+00:00")],
           [])
    # as versions before the declared types built it: a column of type NULL
    store.execute(f"CREATE OR REPLACE TABLE {TIMELINE} AS "
                  f"SELECT * REPLACE (NULL AS variant) FROM {TIMELINE}")
    _log(tmp_path / "2", [], [_decision("d1", "c1", "2026-03-02T09:00:00+00:00")])
    _load(tmp_path / "2", store)  # the batch loads; the timeline is left stale
    assert store.query("SELECT count(*) AS n FROM decision_log").to_pylist() == [{"n": 1}]
    assert not event_source(store).unique_ids
    report = refresh_timeline(store)
    assert report is not None and report.events == 2
    assert event_source(store).unique_ids
