"""Contact state for the decision path: outcomes, treatment totals, propensity estimates.

It lives beside the online profile store but in its own SQLite file
(``.accord/contacts.sqlite``): profiles are rebuilt and swapped wholesale, contacts must
persist. Every server worker opens it; SQLite's WAL mode lets readers run beside the one
writer, so an outcome recorded by any worker is seen by the next decision in every worker.

Propensity learning counts each impression as a trial that failed, and turns it into a
success when the first click, accept or conversion of that decision's treatment arrives, so
``alpha + beta`` is the number of trials (plus the prior).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from accord.decisioning.history import (
    SUCCESSES,
    CustomerHistory,
    Outcome,
    OutcomeKind,
    TreatmentTotals,
)
from accord.decisioning.propensity import BetaEstimate
from accord.errors import AccordError
from accord.permissions import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idx.decisions (
    decision_id TEXT PRIMARY KEY, customer_key TEXT, channel TEXT, at TEXT NOT NULL,
    segments TEXT NOT NULL, given TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (
    customer_key TEXT, treatment_id TEXT NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL,
    at TEXT NOT NULL, value TEXT, decision_id TEXT);
CREATE INDEX IF NOT EXISTS outcomes_customer ON outcomes (customer_key, at);
CREATE INDEX IF NOT EXISTS outcomes_decision ON outcomes (decision_id, treatment_id);
CREATE TABLE IF NOT EXISTS recent_events (
    event_id TEXT PRIMARY KEY, customer_key TEXT NOT NULL, type TEXT NOT NULL, channel TEXT,
    at TEXT NOT NULL, value TEXT, properties TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS recent_events_customer ON recent_events (customer_key, at);
CREATE TABLE IF NOT EXISTS totals (
    treatment_id TEXT PRIMARY KEY, spent TEXT NOT NULL, accepted INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS propensities (
    treatment_id TEXT NOT NULL, segment TEXT NOT NULL, alpha REAL NOT NULL, beta REAL NOT NULL,
    PRIMARY KEY (treatment_id, segment));
"""


class UnknownDecision(AccordError):
    """An outcome names a decision (or a treatment of it) that was never made."""


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """What recording an outcome changed."""

    customer_key: str | None
    success: bool  # counted as a success for propensity learning
    trial: bool  # counted as a new trial (an impression)


@dataclass(frozen=True, slots=True)
class RecentEvent:
    """An event kept for the decision path (a cart add, a page view)."""

    event_id: str
    customer_key: str
    type: str
    channel: str | None
    at: dt.datetime
    value: Decimal | None
    properties: dict[str, Any]

    def as_feel(self) -> dict[str, Any]:
        """The event as eligibility tables see it (``recent events`` entries)."""
        return {"type": self.type, "channel": self.channel, "at": self.at,
                "value": self.value, "properties": self.properties}


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


#: WAL frames (pages of 4 KiB) past which a checkpoint also rewinds the WAL to empty.
WAL_REWIND_FRAMES = 8192


def rewind_wal(connection: sqlite3.Connection, schema: str,
               rewind_frames: int = WAL_REWIND_FRAMES) -> tuple[int, int]:
    """Checkpoint ``schema``'s WAL, and rewind it once it is long; returns its frames before
    and after.

    A PASSIVE checkpoint never blocks readers or writers and copies every frame it can, but
    SQLite starts the WAL over only when a writer finds no reader using it, which never
    happens while several workers decide all the time: the decision index's WAL grew to
    1.4 GB in four minutes of load, its shared-memory index with it (each worker's memory)
    and every read slowed down. Past ``rewind_frames``, a TRUNCATE checkpoint waits for the
    readers of older snapshots (single statements here) and empties the file.
    """
    _busy, frames, _copied = connection.execute(
        f"PRAGMA {schema}.wal_checkpoint(PASSIVE)").fetchone()
    if frames < rewind_frames:
        return frames, frames
    _busy, left, _copied = connection.execute(
        f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)").fetchone()
    return frames, max(left, 0)


class ContactStore:
    """SQLite contact state. One instance per process; safe across threads."""

    def __init__(self, path: Path | str | None = None, *, prior: BetaEstimate | None = None
                 ) -> None:
        self.path = str(path) if path is not None else ":memory:"
        if path is not None:
            # owner-only (SQLite gives its -wal and -shm files the same mode)
            private_file(path)
            private_file(self.index_path)
        self.prior = prior or BetaEstimate(1.0, 1.0)
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self.checkpoint_interval = 1.0
        self._checkpointer: threading.Thread | None = None
        self._checkpointer_lock = threading.Lock()
        self._closed = threading.Event()
        # executescript commits on its own: it runs outside a transaction block
        self._connection().executescript(_SCHEMA)

    @property
    def index_path(self) -> str:
        """The decision index's own file: decisions are written on every request, and kept
        apart so that the contact state's ``data_version`` changes only with outcomes."""
        if self.path == ":memory:":
            return ":memory:"
        base = Path(self.path)
        return str(base.with_name(f"{base.stem}-decisions{base.suffix}"))

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                     check_same_thread=self.path != ":memory:")
        connection.execute("ATTACH DATABASE ? AS idx", (self.index_path,))
        for schema in ("main", "idx"):
            connection.execute(f"PRAGMA {schema}.journal_mode=WAL")
            # Commits survive a process crash; an OS crash may lose the last moments, which
            # the durable decision and event logs (fsynced) can replay.
            connection.execute(f"PRAGMA {schema}.synchronous=NORMAL")
            # Checkpoints (copying the WAL into the database, with fsync) run in a
            # background thread instead of inside whichever commit crosses the threshold:
            # that commit would stall a decision for milliseconds.
            connection.execute(f"PRAGMA {schema}.wal_autocheckpoint=0")
        return connection

    def _connection(self) -> sqlite3.Connection:
        if self.path == ":memory:":  # one shared connection: each would be its own database
            if self._memory is None:
                self._memory = self._open()
            return self._memory
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open()
            self._local.connection = connection
            self._start_checkpointer()
        return connection

    def _start_checkpointer(self) -> None:
        if self._checkpointer is not None:
            return
        with self._checkpointer_lock:
            if self._checkpointer is None:
                self._checkpointer = threading.Thread(
                    target=self._checkpoint_loop, daemon=True, name="contacts-checkpoint")
                self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        connection = self._open()
        while not self._closed.wait(self.checkpoint_interval):
            for schema in ("main", "idx"):
                rewind_wal(connection, schema)
        connection.close()

    def close(self) -> None:
        """Stop the background checkpoints (the connections close with their threads)."""
        self._closed.set()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        # this connection's own commits do not move its data_version: drop the cache
        self._local.globals = None

    # ---- reads (the decision path) -------------------------------------------------------

    def history(self, customer_key: str | None, since: dt.datetime) -> CustomerHistory:
        """The customer's outcomes since ``since``, oldest first."""
        if customer_key is None:
            return CustomerHistory()
        rows = self._connection().execute(
            "SELECT treatment_id, channel, kind, at, value, decision_id FROM outcomes "
            "WHERE customer_key = ? AND at > ? ORDER BY at", (customer_key, _iso(since)))
        return CustomerHistory(tuple(
            Outcome(t, c, OutcomeKind(k), dt.datetime.fromisoformat(at),
                    Decimal(v) if v is not None else None, d)
            for t, c, k, at, v, d in rows))

    def totals(self) -> dict[str, TreatmentTotals]:
        return self._globals()[0]

    def propensities(self) -> dict[tuple[str, str], BetaEstimate]:
        return self._globals()[1]

    def _globals(self) -> tuple[dict[str, TreatmentTotals],
                                dict[tuple[str, str], BetaEstimate]]:
        """Totals and propensities, read again only when the contact state changed: SQLite's
        ``data_version`` moves when another connection commits, and this connection's own
        writes drop the cache. Every decision needs both; they change only with outcomes."""
        connection = self._connection()
        version = connection.execute("PRAGMA main.data_version").fetchone()[0]
        cached = getattr(self._local, "globals", None)
        if cached is not None and cached[0] == version and self.path != ":memory:":
            return cached[1], cached[2]
        totals = {t: TreatmentTotals(Decimal(s), a) for t, s, a in connection.execute(
            "SELECT treatment_id, spent, accepted FROM totals")}
        propensities = {(t, s): BetaEstimate(a, b) for t, s, a, b in connection.execute(
            "SELECT treatment_id, segment, alpha, beta FROM propensities")}
        self._local.globals = (version, totals, propensities)
        return totals, propensities

    # ---- writes ----------------------------------------------------------------------------

    def record_decision(self, decision_id: str, customer_key: str | None, channel: str,
                        at: dt.datetime, segments: Sequence[str], given: Sequence[str]
                        ) -> None:
        """Remember a decision so that its outcomes can be linked to it."""
        # one statement, autocommitted: the busiest write of the decision path
        self._connection().execute(
            "INSERT OR REPLACE INTO idx.decisions VALUES (?, ?, ?, ?, ?, ?)",
            (decision_id, customer_key, channel, _iso(at), orjson.dumps(list(segments)),
             orjson.dumps(list(given))))

    def record_outcome(self, decision_id: str, treatment_id: str, kind: OutcomeKind,
                       at: dt.datetime, *, value: Decimal | None = None,
                       cost: Decimal = Decimal(0), segment_keys: Sequence[str] = ("",)
                       ) -> RecordedOutcome:
        """Record an outcome of a decision's treatment; update totals and propensities in the
        same transaction, so the next decision sees all of it.

        ``segment_keys`` are the propensity estimates to update (the base ``""`` and the
        customer's own segment estimate, if any); ``cost`` is what an impression spends.

        Raises:
            UnknownDecision: the decision was never recorded, or did not give the treatment.
        """
        with self._tx() as connection:
            row = connection.execute(
                "SELECT customer_key, channel, given FROM idx.decisions WHERE decision_id = ?",
                (decision_id,)).fetchone()
            if row is None:
                raise UnknownDecision(f"no decision {decision_id!r}")
            customer_key, channel, given = row
            if treatment_id not in json.loads(given):
                raise UnknownDecision(f"decision {decision_id!r} did not give "
                                      f"{treatment_id!r}")
            earlier = {k for (k,) in connection.execute(
                "SELECT kind FROM outcomes WHERE decision_id = ? AND treatment_id = ?",
                (decision_id, treatment_id))}
            connection.execute(
                "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (customer_key, treatment_id, channel, kind.value, _iso(at),
                 str(value) if value is not None else None, decision_id))
            had_trial = OutcomeKind.IMPRESSION.value in earlier
            had_success = bool(earlier & {s.value for s in SUCCESSES})
            trial = kind is OutcomeKind.IMPRESSION and not had_trial
            success = kind in SUCCESSES and not had_success
            spent = cost if trial else Decimal(0)
            accepted = 1 if kind is OutcomeKind.ACCEPT and OutcomeKind.ACCEPT.value \
                not in earlier else 0
            if spent or accepted:
                self._add_totals(connection, treatment_id, spent, accepted)
            for segment in segment_keys:
                if trial:
                    self._bump(connection, treatment_id, segment, 0.0, 1.0)
                elif success:
                    # an earlier impression counted a failure: make it a success
                    self._bump(connection, treatment_id, segment, 1.0, -1.0 if had_trial else 0.0)
        return RecordedOutcome(customer_key, success, trial)

    def record_events(self, events: Sequence[RecentEvent]) -> int:
        """Keep events for the decision path (an event id seen before is ignored); returns
        how many were new."""
        with self._tx() as connection:
            before = connection.total_changes
            connection.executemany(
                "INSERT OR IGNORE INTO recent_events VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e.event_id, e.customer_key, e.type, e.channel, _iso(e.at),
                  str(e.value) if e.value is not None else None, json.dumps(e.properties))
                 for e in events])
            return connection.total_changes - before

    def recent_events(self, customer_key: str | None, since: dt.datetime, *,
                      limit: int | None = None) -> list[RecentEvent]:
        """The customer's events since ``since``, oldest first: the newest ``limit`` of
        them when given (a decision's cost must not grow with a busy customer's events)."""
        if customer_key is None:
            return []
        rows = self._connection().execute(
            "SELECT event_id, customer_key, type, channel, at, value, properties "
            "FROM recent_events WHERE customer_key = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (customer_key, _iso(since), -1 if limit is None else limit)).fetchall()
        return [RecentEvent(i, k, t, c, dt.datetime.fromisoformat(at),
                            Decimal(v) if v is not None else None, json.loads(p))
                for i, k, t, c, at, v, p in reversed(rows)]

    def decision_segments(self, decision_id: str) -> list[str] | None:
        row = self._connection().execute(
            "SELECT segments FROM idx.decisions WHERE decision_id = ?",
            (decision_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _add_totals(self, connection: sqlite3.Connection, treatment_id: str, spent: Decimal,
                    accepted: int) -> None:
        row = connection.execute("SELECT spent, accepted FROM totals WHERE treatment_id = ?",
                                 (treatment_id,)).fetchone()
        current_spent, current_accepted = (Decimal(row[0]), row[1]) if row else (Decimal(0), 0)
        connection.execute("INSERT OR REPLACE INTO totals VALUES (?, ?, ?)",
                           (treatment_id, str(current_spent + spent), current_accepted + accepted))

    def _bump(self, connection: sqlite3.Connection, treatment_id: str, segment: str,
              alpha: float, beta: float) -> None:
        row = connection.execute(
            "SELECT alpha, beta FROM propensities WHERE treatment_id = ? AND segment = ?",
            (treatment_id, segment)).fetchone()
        current_alpha, current_beta = row if row else (self.prior.alpha, self.prior.beta)
        # beta never drops below the prior's: a success without a recorded impression
        # only adds to alpha
        new_beta = max(current_beta + beta, self.prior.beta)
        connection.execute("INSERT OR REPLACE INTO propensities VALUES (?, ?, ?, ?)",
                           (treatment_id, segment, current_alpha + alpha, new_beta))
