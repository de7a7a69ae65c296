"""The funnel engine against known answers and a pure-Python windowFunnel reference."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.funnel import Funnel
from accord.campaigns.results import run_funnel
from accord.store import open_store
from accord.store.base import AnalyticalStore

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)
STEPS = ("sent", "opened", "clicked", "visit", "purchase")


def _table(rows: Sequence[tuple[str, str, str, dt.datetime, str]]) -> pa.Table:
    customers, ids, types, times, channels = zip(*rows, strict=True) if rows else ((),) * 5
    return pa.table({"customer_id": pa.array(customers, pa.string()),
                     "event_id": pa.array(ids, pa.string()),
                     "event_type": pa.array(types, pa.string()),
                     "ts": pa.array(times, pa.timestamp("us")),
                     "channel": pa.array(channels, pa.string())})


def _generated() -> tuple[list[tuple[str, str, str, dt.datetime, str]], int]:
    """500 customers, 100 stopping at each step; gaps of 60*k seconds before step k.

    Noise that must change nothing: every third event duplicated, rows shuffled, the next
    step's event out of the window, and the next step's event before the first step.
    """
    rows: list[tuple[str, str, str, dt.datetime, str]] = []
    serial = 0

    def add(customer: str, kind: str, at: dt.datetime, channel: str) -> None:
        nonlocal serial
        serial += 1
        row = (customer, f"e{serial}", kind, at, channel)
        rows.append(row)
        if serial % 3 == 0:
            rows.append(row)  # a duplicate delivery of the same event

    for person in range(500):
        customer, level = f"c{person:04d}", 1 + person % 5
        channel = "web" if person % 2 else "app"
        at = T0 + dt.timedelta(hours=person)
        start = at
        for k in range(1, level + 1):
            at += dt.timedelta(seconds=60 * k if k > 1 else 0)
            add(customer, STEPS[k - 1], at, channel)
        if level < 5:
            add(customer, STEPS[level], start + dt.timedelta(days=1, seconds=1), channel)
            add(customer, STEPS[level], start - dt.timedelta(minutes=5), channel)
    random.Random(7).shuffle(rows)  # arrival order is not time order
    return rows, serial


def test_generated_funnel_is_recovered_exactly(store: AnalyticalStore) -> None:
    rows, _ = _generated()
    store.write("funnel_events", _table(rows))
    funnel = Funnel(steps=[{"event_type": s} for s in STEPS], window="1d")
    [result] = run_funnel(store, funnel)
    assert [s.customers for s in result.steps] == [500, 400, 300, 200, 100]
    assert [s.dropped for s in result.steps] == [0, 100, 100, 100, 100]
    assert [s.median_seconds for s in result.steps] == [None, 120.0, 180.0, 240.0, 300.0]
    assert [s.from_previous for s in result.steps] == [1.0, 0.8, 0.75, 200 / 300, 0.5]
    assert result.conversion == 0.2


def test_breakdown_splits_by_the_first_step_value(store: AnalyticalStore) -> None:
    rows, _ = _generated()
    store.write("funnel_events", _table(rows))
    funnel = Funnel(steps=[{"event_type": s} for s in STEPS], window="P1D",
                    breakdown="channel")
    results = run_funnel(store, funnel)
    # odd people are web; levels cycle over 5, so both channels hold every level equally
    assert [r.breakdown for r in results] == ["app", "web"]
    assert [[s.customers for s in r.steps] for r in results] == [[250, 200, 150, 100, 50]] * 2


def test_step_filter_narrows_a_step(store: AnalyticalStore) -> None:
    rows, _ = _generated()
    store.write("funnel_events", _table(rows))
    funnel = Funnel(steps=[{"event_type": "sent"},
                           {"event_type": "opened", "filter": 'channel = "web"'}],
                    window="1d")
    [result] = run_funnel(store, funnel)
    assert [s.customers for s in result.steps] == [500, 200]


def test_window_cuts_late_steps(store: AnalyticalStore) -> None:
    rows, _ = _generated()
    store.write("funnel_events", _table(rows))
    # step 3 comes 60*2 + 60*3 = 300 s after step 1: a 299 s window stops at step 2
    funnel = Funnel(steps=[{"event_type": s} for s in STEPS[:3]], window="299s")
    [result] = run_funnel(store, funnel)
    assert [s.customers for s in result.steps] == [500, 400, 0]


# ---- bad input --------------------------------------------------------------------------


def test_unknown_event_type_names_the_step(store: AnalyticalStore) -> None:
    store.write("funnel_events", _table(_generated()[0]))
    funnel = Funnel(steps=[{"event_type": "sent"}, {"event_type": "opend"}], window="7d")
    with pytest.raises(FunnelDefinitionError, match=r"steps\.1\.event_type.*'opend'"):
        run_funnel(store, funnel)


@pytest.mark.parametrize("window", ["7 days", "P1M", "P1Y", "0d", "-3h", "PT", "P", "soon"])
def test_window_that_is_not_a_duration(window: str) -> None:
    from accord.campaigns.errors import validated

    with pytest.raises(FunnelDefinitionError, match=r"'window'.*not a duration"):
        validated(Funnel, {"steps": [{"event_type": "a"}, {"event_type": "b"}],
                           "window": window}, error=FunnelDefinitionError)


def test_filter_must_be_boolean_and_known(store: AnalyticalStore) -> None:
    store.write("funnel_events", _table(_generated()[0]))
    not_boolean = Funnel(steps=[{"event_type": "sent"},
                                {"event_type": "opened", "filter": "channel"}], window="1d")
    with pytest.raises(FunnelDefinitionError, match=r"steps\.1\.filter.*not a boolean"):
        run_funnel(store, not_boolean)
    breakdown = Funnel(steps=[{"event_type": "sent"}, {"event_type": "opened"}],
                       window="1d", breakdown="variant")
    with pytest.raises(FunnelDefinitionError, match=r"'breakdown'.*'variant'"):
        run_funnel(store, breakdown)


def test_missing_source(store: AnalyticalStore) -> None:
    funnel = Funnel(steps=[{"event_type": "a"}, {"event_type": "b"}], window="1d")
    with pytest.raises(FunnelDefinitionError, match="no table or view 'funnel_events'"):
        run_funnel(store, funnel)


# ---- property: the SQL agrees with a pure-Python windowFunnel ----------------------------


def reference_levels(events: Sequence[tuple[str, str, str, int]], steps: Sequence[str],
                     window: int) -> dict[str, int]:
    """ClickHouse's windowFunnel (strict order), one customer at a time.

    ``best[k]`` is the latest first-step time of any chain reaching step k so far (a later
    start leaves more of the window); events at the same instant cannot follow each other.
    """
    once = {event_id: (customer, kind, at) for customer, event_id, kind, at in events}
    levels: dict[str, int] = {}
    for customer in {c for c, _, _ in once.values()}:
        mine = sorted((at, kind) for c, kind, at in once.values() if c == customer)
        best: list[int | None] = [None] * len(steps)
        for instant in sorted({at for at, _ in mine}):
            updates = list(best)
            for _, kind in (e for e in mine if e[0] == instant):
                for k, step in enumerate(steps):
                    if kind != step:
                        continue
                    start = instant if k == 0 else best[k - 1]
                    if start is not None and instant - start <= window and (
                            updates[k] is None or start > updates[k]):  # type: ignore[operator]
                        updates[k] = start
            best = updates
        levels[customer] = max((k + 1 for k, s in enumerate(best) if s is not None),
                               default=0)
    return levels


_event = st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.integers(0, 12),
                   st.sampled_from(["a", "b", "c", "x"]), st.integers(0, 8))


@settings(max_examples=60, deadline=None)
@given(events=st.lists(_event, min_size=1, max_size=25), window=st.integers(1, 6),
       steps=st.sampled_from([("a", "b", "c"), ("a", "b", "a"), ("b", "a", "b", "c")]))
def test_matches_reference_window_funnel(events: list[tuple[str, int, str, int]],
                                         window: int, steps: tuple[str, ...]) -> None:
    # the same event id always carries the same event: a duplicate is a repeated row
    first: dict[int, tuple[str, int, str, int]] = {}
    for event in events:
        first.setdefault(event[1], event)
    rows = [(c, f"e{i}", kind, at) for c, i, kind, at in (first[e[1]] for e in events)]
    store = open_store("duckdb")
    try:
        store.write("funnel_events", _table(
            [(c, i, kind, T0 + dt.timedelta(seconds=at), "web") for c, i, kind, at in rows]))
        present = {kind for _, _, kind, _ in rows}
        if not set(steps) <= present:
            with pytest.raises(FunnelDefinitionError):
                run_funnel(store, Funnel(steps=[{"event_type": s} for s in steps],
                                         window=f"{window}s"))
            return
        [result] = run_funnel(store, Funnel(steps=[{"event_type": s} for s in steps],
                                            window=f"{window}s"))
    finally:
        store.close()
    levels = reference_levels(rows, steps, window)
    expected = [sum(1 for level in levels.values() if level >= k)
                for k in range(1, len(steps) + 1)]
    assert [s.customers for s in result.steps] == expected


def test_a_duplicate_counts_at_its_earliest_copy(store: AnalyticalStore) -> None:
    # e2 was delivered twice, the copy re-stamped later: the first time it happened counts
    rows = [("u1", "e1", "sent", T0 + dt.timedelta(minutes=10), "web"),
            ("u1", "e2", "opened", T0 + dt.timedelta(minutes=5), "web"),
            ("u1", "e2", "opened", T0 + dt.timedelta(minutes=15), "web"),
            ("u2", "e3", "sent", T0, "app"),
            ("u2", "e4", "opened", T0 + dt.timedelta(minutes=1), "app")]
    store.write("funnel_events", _table(rows))
    funnel = Funnel(steps=[{"event_type": "sent"}, {"event_type": "opened"}], window="1h")
    [result] = run_funnel(store, funnel)
    assert [s.customers for s in result.steps] == [2, 1]
