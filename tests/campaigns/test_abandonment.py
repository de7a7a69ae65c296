"""Abandoned carts and checkouts, the revenue they held and what came back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pytest

from accord.campaigns.abandonment import run_abandonment
from accord.campaigns.errors import FunnelDefinitionError
from accord.store import open_store
from accord.store.base import AnalyticalStore

DAY1 = dt.datetime(2026, 3, 2, 10, 0)
DAY2 = dt.datetime(2026, 3, 3, 10, 0)
H = dt.timedelta(hours=1)

EVENTS = [  # customer, event id, type, at, value, campaign
    ("c1", "1", "add_to_cart", DAY1, 20.0, "spring"),
    ("c1", "2", "purchase", DAY1 + H, 20.0, None),          # bought within the window
    ("c2", "3", "add_to_cart", DAY1, 30.0, "spring"),
    ("c2", "4", "purchase", DAY1 + 72 * H, 30.0, None),     # came back after three days
    ("c3", "5", "add_to_cart", DAY2, 50.0, None),
    ("c3", "6", "checkout", DAY2 + H, 50.0, None),          # never bought
    ("c4", "7", "add_to_cart", DAY2, 10.0, "spring"),
    ("c4", "7", "add_to_cart", DAY2, 10.0, "spring"),       # the same event delivered twice
    ("c5", "9", "add_to_cart", DAY2, 5.0, None),
    ("c5", "8", "purchase", DAY2 - H, 5.0, None),           # bought before, not after
]


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    customers, ids, types, times, values, campaigns = zip(*EVENTS, strict=True)
    opened.write("funnel_events", pa.table({
        "customer_id": pa.array(customers), "event_id": pa.array(ids),
        "event_type": pa.array(types), "ts": pa.array(times, pa.timestamp("us")),
        "value": pa.array(values), "campaign": pa.array(campaigns, pa.string())}))
    opened.write("segment_members", pa.table({
        "segment": ["loyal", "loyal", "new"], "customer_id": ["c1", "c2", "c3"]}))
    yield opened
    opened.close()


def test_totals(store: AnalyticalStore) -> None:
    rows = run_abandonment(store, "funnel_events", window=dt.timedelta(days=1),
                           horizon=dt.timedelta(days=30))
    cart, checkout = rows
    assert (cart.stage, cart.started, cart.abandoned, cart.held) == ("cart", 5, 4, 95.0)
    assert (cart.recovered, cart.recovered_value) == (1, 30.0)
    assert cart.abandonment_rate == 0.8
    assert (checkout.stage, checkout.started, checkout.abandoned, checkout.held) == (
        "checkout", 1, 1, 50.0)
    assert checkout.recovered == 0


def test_a_short_horizon_recovers_nothing(store: AnalyticalStore) -> None:
    cart, _ = run_abandonment(store, "funnel_events", window=dt.timedelta(days=1),
                              horizon=dt.timedelta(days=2))
    assert (cart.abandoned, cart.recovered, cart.recovered_value) == (4, 0, 0.0)


def test_by_day_campaign_and_segment(store: AnalyticalStore) -> None:
    window, horizon = dt.timedelta(days=1), dt.timedelta(days=30)
    by_day = run_abandonment(store, "funnel_events", window=window, horizon=horizon, by="day")
    assert [(r.stage, r.key, r.started, r.abandoned, r.held) for r in by_day] == [
        ("cart", DAY1.date(), 2, 1, 30.0), ("cart", DAY2.date(), 3, 3, 65.0),
        ("checkout", DAY2.date(), 1, 1, 50.0)]
    by_campaign = run_abandonment(store, "funnel_events", window=window, horizon=horizon,
                                  by="campaign")
    assert [(r.key, r.started, r.abandoned) for r in by_campaign if r.stage == "cart"] == [
        ("spring", 3, 2), (None, 2, 2)]
    by_segment = run_abandonment(store, "funnel_events", window=window, horizon=horizon,
                                 by="segment")
    assert [(r.stage, r.key, r.started, r.abandoned, r.recovered_value)
            for r in by_segment] == [("cart", "loyal", 2, 1, 30.0), ("cart", "new", 1, 1, 0.0),
                                     ("checkout", "new", 1, 1, 0.0)]


def test_bad_breakdown_and_horizon(store: AnalyticalStore) -> None:
    with pytest.raises(FunnelDefinitionError, match=r"'by'.*'week'"):
        run_abandonment(store, "funnel_events", window=dt.timedelta(days=1),
                        horizon=dt.timedelta(days=2), by="week")
    with pytest.raises(FunnelDefinitionError, match="'horizon'"):
        run_abandonment(store, "funnel_events", window=dt.timedelta(days=3),
                        horizon=dt.timedelta(days=2))
