"""Contact state: outcomes linked to decisions, totals and propensities updated at once."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from accord.decisioning import BetaEstimate, OutcomeKind
from accord.online.contacts import ContactStore, RecentEvent, UnknownDecision, rewind_wal

AT = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ContactStore:
    return ContactStore(None if request.param == "memory" else tmp_path / "contacts.sqlite")


def test_outcomes_update_history_totals_and_propensities(store: ContactStore) -> None:
    store.record_decision("d1", "c_1", "web", AT, ["vip"], ["offer-a"])
    first = store.record_outcome("d1", "offer-a", OutcomeKind.IMPRESSION, AT, cost=Decimal(2),
                                 segment_keys=("", "vip"))
    assert first.trial and not first.success and first.customer_key == "c_1"
    assert store.propensities()[("offer-a", "")] == BetaEstimate(1, 2)
    store.record_outcome("d1", "offer-a", OutcomeKind.ACCEPT, AT + dt.timedelta(minutes=1),
                         segment_keys=("", "vip"))
    # the impression's failure became a success
    assert store.propensities()[("offer-a", "vip")] == BetaEstimate(2, 1)
    convert = store.record_outcome("d1", "offer-a", OutcomeKind.CONVERT,
                                   AT + dt.timedelta(minutes=2), value=Decimal("19.90"))
    assert not convert.success  # one success per decision and treatment
    totals = store.totals()["offer-a"]
    assert totals.spent == Decimal(2) and totals.accepted == 1
    history = store.history("c_1", AT - dt.timedelta(days=1))
    assert [o.kind for o in history.outcomes] == [OutcomeKind.IMPRESSION, OutcomeKind.ACCEPT,
                                                  OutcomeKind.CONVERT]
    assert history.outcomes[-1].value == Decimal("19.90")


def test_outcome_of_an_unknown_decision_or_treatment_is_refused(store: ContactStore) -> None:
    with pytest.raises(UnknownDecision, match="no decision 'nope'"):
        store.record_outcome("nope", "x", OutcomeKind.CLICK, AT)
    store.record_decision("d2", "c_2", "email", AT, [], ["offer-b"])
    with pytest.raises(UnknownDecision, match="did not give 'offer-a'"):
        store.record_outcome("d2", "offer-a", OutcomeKind.CLICK, AT)
    assert store.history("c_2", AT - dt.timedelta(days=1)).outcomes == ()


def test_recent_events_are_deduplicated(store: ContactStore) -> None:
    event = RecentEvent("e1", "c_1", "add_to_cart", "web", AT, Decimal(30), {"sku": "A"})
    assert store.record_events([event, event]) == 1
    assert store.record_events([event]) == 0
    assert store.recent_events("c_1", AT - dt.timedelta(hours=1)) == [event]


def test_recent_events_are_the_newest_within_the_limit_oldest_first(
        store: ContactStore) -> None:
    events = [RecentEvent(f"e{i}", "c_1", "page_view", "web", AT + dt.timedelta(minutes=i),
                          None, {}) for i in range(8)]
    store.record_events(list(reversed(events)))
    since = AT - dt.timedelta(hours=1)
    assert store.recent_events("c_1", since) == events
    assert store.recent_events("c_1", since, limit=3) == events[-3:]
    assert store.recent_events("c_1", AT + dt.timedelta(minutes=5), limit=3) == events[6:]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite"
    ContactStore(path).record_decision("d", "c", "web", AT, [], ["t"])

    def clicks() -> None:
        store = ContactStore(path)  # as another worker would
        for i in range(50):
            store.record_outcome("d", "t", OutcomeKind.IMPRESSION, AT + dt.timedelta(seconds=i))

    threads = [threading.Thread(target=clicks) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = ContactStore(path).history("c", AT - dt.timedelta(days=1)).outcomes
    assert len(outcomes) == 200


def test_another_workers_outcome_is_seen_by_the_next_read(tmp_path: Path) -> None:
    """Totals and propensities are cached per connection until the state changes: an
    outcome recorded by another process must show at the very next read."""
    path = tmp_path / "contacts.sqlite"
    reader, writer = ContactStore(path), ContactStore(path)
    writer.record_decision("d1", "c_1", "web", AT, [], ["t"])
    assert reader.propensities() == {}  # read and cached
    writer.record_outcome("d1", "t", OutcomeKind.IMPRESSION, AT, cost=Decimal(3))
    assert reader.propensities() == {("t", ""): BetaEstimate(1, 2)}
    assert reader.totals()["t"].spent == Decimal(3)
    # this connection's own write drops its cache too
    reader.record_decision("d2", "c_1", "web", AT, [], ["t"])
    reader.record_outcome("d2", "t", OutcomeKind.IMPRESSION, AT, cost=Decimal(3))
    assert reader.totals()["t"].spent == Decimal(6)


def test_a_wal_that_readers_kept_from_restarting_is_rewound(tmp_path: Path) -> None:
    # Readers that always overlap (two workers deciding all the time) keep SQLite from
    # starting its WAL over, however often a PASSIVE checkpoint copies it: the decision
    # index's WAL reached 1.4 GB in four minutes of bench/soak.py. rewind_wal empties it.
    path = tmp_path / "contacts.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x BLOB)")
    readers = [sqlite3.connect(path, isolation_level=None) for _ in range(2)]
    checkpointer = sqlite3.connect(path, isolation_level=None, timeout=5)
    for i in range(300):
        reader = readers[i % 2]
        if reader.in_transaction:
            reader.execute("COMMIT")
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM t").fetchone()
        writer.execute("INSERT INTO t VALUES (?)", (b"x" * 3000,))
        checkpointer.execute("PRAGMA main.wal_checkpoint(PASSIVE)")
    wal = tmp_path / "contacts.sqlite-wal"
    assert wal.stat().st_size > 300 * 4096
    for reader in readers:
        reader.execute("COMMIT")
    assert rewind_wal(checkpointer, "main", rewind_frames=10_000)[1] > 300  # short enough
    frames, left = rewind_wal(checkpointer, "main", rewind_frames=100)
    assert frames > 300 and left == 0 and wal.stat().st_size == 0
    assert writer.execute("SELECT COUNT(*) FROM t").fetchone() == (300,)
