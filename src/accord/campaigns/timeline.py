"""The event timeline: the hub's events stored once each, in customer and time order.

Funnels and abandonment read the hub's events (:func:`~accord.campaigns.events.hub_events`,
a union of ingested events, API events and decisions) where copies of one event (same
``event_id``) must count once. Removing the copies at every query is a third of a funnel's
time, and joining on text customer ids and unsorted rows costs more again: at 20 million
events a five-step funnel took about 10 s over the union and about 2 s over the timeline
(``bench/funnel.py``). So ``accord build`` and ``accord logs load`` store the union the way
ClickHouse and PostHog keep events for funnels: copies removed (the earliest kept), an
integer ``customer_key`` beside the ``customer_id`` and rows sorted by customer and time.

The timeline remembers how many rows each of its source tables had when it was built; when
they no longer match (rows loaded some other way, or a build interrupted), queries fall back
to the union with copies removed on the fly, slower but never stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from accord.campaigns.events import EVENT_COLUMNS, SOURCE_TABLES, hub_events
from accord.errors import ConfigError
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import subquery as _subquery
from accord.store.sql import table as _table

__all__ = ["CUSTOMER_KEY", "TIMELINE", "EventSource", "TimelineReport", "as_event_source",
           "build_timeline", "event_source", "refresh_timeline", "timeline_query"]

#: The timeline's table, the table of its sources' row counts when it was built, and its
#: customers' keys.
TIMELINE = "event_timeline"
SOURCES = "event_timeline_sources"
CUSTOMERS = "event_timeline_customers"
#: Segment membership, as the segments step builds it.
MEMBERS = "segment_members"
#: The timeline's integer customer column (dense, from 1, in ``customer_id`` order).
CUSTOMER_KEY = "customer_key"


@dataclass(frozen=True, slots=True)
class EventSource:
    """Where a funnel reads the hub's events, and what it may assume of them."""

    relation: exp.Expr
    #: The column telling customers apart.
    customer: str
    #: One row per ``event_id`` already.
    unique_ids: bool
    #: Segment membership (``customer_id`` in the terms of :attr:`customer`, ``segment``),
    #: when segments are built.
    members: exp.Select | None = None


def as_event_source(source: str | exp.Expr | EventSource) -> EventSource:
    """Any events relation as an :class:`EventSource`: a table or view name, or a query
    (customers by ``customer_id``, copies not yet removed), or an event source as it is."""
    if isinstance(source, EventSource):
        return source
    relation = _table(source) if isinstance(source, str) else _subquery(source, "events")
    return EventSource(relation, "customer_id", unique_ids=False)


@dataclass(frozen=True, slots=True)
class TimelineReport:
    """What :func:`build_timeline` stored."""

    events: int
    customers: int


def timeline_query(source: exp.Expr, columns: tuple[str, ...] = EVENT_COLUMNS) -> exp.Select:
    """The timeline of the events relation ``source`` (with ``columns``). Pure.

    One row per ``event_id``: the earliest copy's values (``arg_min`` by time per column, a
    hash aggregate several times faster than numbering copies or taking whole rows; copies
    sharing their earliest time should be identical, else each column comes from one of
    them). Rows without a time or a customer cannot be placed and are left out. Then
    :data:`CUSTOMER_KEY` and the order by key and time.
    """
    once = once_query(source, columns)
    keys = exp.select(_col("customer_id"), exp.alias_(
        exp.Cast(this=key_rank(), to=exp.DataType.build("BIGINT")), CUSTOMER_KEY)).from_(
        _subquery(exp.select(_col("customer_id")).distinct().from_(_table("once")), "c"))
    return (exp.select(_col(CUSTOMER_KEY, "k"), *(_col(name, "o") for name in columns))
            .from_(_table("once", "o"))
            .join(_table("keys", "k"),
                  on=exp.EQ(this=_col("customer_id", "o"), expression=_col("customer_id", "k")))
            .order_by(_col(CUSTOMER_KEY, "k"), _col("ts", "o"))
            .with_(exp.to_identifier("once", quoted=True), as_=once)
            .with_(exp.to_identifier("keys", quoted=True), as_=keys))


def key_rank() -> exp.Window:
    """1, 2, ... over customers in ``customer_id`` order: how new customers get keys."""
    return exp.Window(this=exp.RowNumber(), order=exp.Order(
        expressions=[exp.Ordered(this=_col("customer_id"))]))


def once_query(source: exp.Expr, columns: tuple[str, ...] = EVENT_COLUMNS) -> exp.Select:
    """One row per ``event_id`` of ``source``, its earliest copy (see :func:`timeline_query`),
    without a customer key. Pure."""
    carried = [name for name in columns if name not in ("event_id", "ts")]
    return (exp.select(_col("event_id"),
                       *(exp.alias_(exp.ArgMin(this=_col(name), expression=_col("ts")), name)
                         for name in carried),
                       exp.alias_(exp.Min(this=_col("ts")), "ts"))
            .from_(source)
            .where(exp.and_(exp.Not(this=exp.Is(this=_col("ts"), expression=exp.Null())),
                            exp.Not(this=exp.Is(this=_col("customer_id"),
                                                expression=exp.Null()))))
            .group_by(_col("event_id")))


def source_counts(store: AnalyticalStore, tables: list[str]) -> dict[str, int]:
    """Rows in each of the hub's event tables the store has."""
    present = [name for name in SOURCE_TABLES if name in tables]
    if not present:
        return {}
    parts = [exp.select(exp.alias_(exp.Literal.string(name), "source"),
                        exp.alias_(exp.Count(this=exp.Star()), "rows")).from_(_table(name))
             for name in present]
    query: exp.Expression = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False)
    rows = store.query(query).to_pylist()
    return {str(row["source"]): int(row["rows"]) for row in rows}


def build_timeline(store: AnalyticalStore) -> TimelineReport | None:
    """(Re)build the timeline from the hub's event tables, in one transaction.

    Returns:
        What was stored, or None when the store has no events yet (nothing is written).
    """
    tables = store.tables()
    try:
        source = hub_events(tables)
    except ConfigError:
        return None
    counts = source_counts(store, tables)
    with store.transaction():
        store.execute(exp.Create(this=_table(TIMELINE), kind="TABLE", replace=True,
                                 expression=timeline_query(_subquery(source, "h"))))
        store.execute(exp.Create(
            this=_table(CUSTOMERS), kind="TABLE", replace=True,
            expression=exp.select(_col("customer_id"), _col(CUSTOMER_KEY)).distinct()
            .from_(_table(TIMELINE))))
        record_counts(store, counts)
    [row] = store.query(exp.select(
        exp.alias_(exp.Count(this=exp.Star()), "events"),
        exp.alias_(exp.Max(this=_col(CUSTOMER_KEY)), "customers")).from_(
        _table(TIMELINE))).to_pylist()
    return TimelineReport(events=int(row["events"]), customers=int(row["customers"] or 0))


def _sources_values(counts: dict[str, int]) -> exp.Query:
    """``(source, rows)`` rows of ``counts`` (typed even when empty)."""
    typed = exp.select(
        exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")), "source"),
        exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build("BIGINT")), "rows"))
    query: exp.Query = typed.where(exp.false())
    for name, rows in counts.items():
        query = exp.union(query, exp.select(exp.Literal.string(name),
                                            exp.Literal.number(rows)), distinct=False)
    return query


def stored_counts(store: AnalyticalStore, tables: list[str]) -> dict[str, int] | None:
    """The source row counts the timeline was built from (None: there is no timeline)."""
    if not {TIMELINE, SOURCES, CUSTOMERS} <= set(tables):
        return None
    return {str(row["source"]): int(row["rows"])
            for row in store.query(exp.select(_col("source"), _col("rows"))
                                   .from_(_table(SOURCES))).to_pylist()}


def record_counts(store: AnalyticalStore, counts: dict[str, int]) -> None:
    """Remember the source row counts the timeline now reflects."""
    store.execute(exp.Create(this=_table(SOURCES), kind="TABLE", replace=True,
                             expression=_sources_values(counts)))


def _fresh(store: AnalyticalStore, tables: list[str]) -> bool:
    stored = stored_counts(store, tables)
    return stored is not None and stored == source_counts(store, tables)


def refresh_timeline(store: AnalyticalStore) -> TimelineReport | None:
    """Rebuild the timeline when its sources changed since it was built (``accord logs
    load`` appends API events and decisions).

    Returns:
        What was stored, or None when it was up to date (or there are no events).
    """
    if _fresh(store, store.tables()):
        return None
    return build_timeline(store)


def event_source(store: AnalyticalStore) -> EventSource:
    """The timeline when it is up to date with its sources, else the live union.

    Raises:
        ConfigError: when the store has no events at all.
    """
    tables = store.tables()
    if _fresh(store, tables):
        return EventSource(_table(TIMELINE), CUSTOMER_KEY, unique_ids=True,
                           members=_members(tables, keyed=True))
    return EventSource(_subquery(hub_events(tables), "hub_events"), "customer_id", unique_ids=False,
                       members=_members(tables, keyed=False))


def _members(tables: list[str], *, keyed: bool) -> exp.Select | None:
    """``segment_members`` by customer id, or by the timeline's key (``keyed``)."""
    if MEMBERS not in tables:
        return None
    if not keyed:
        return exp.select(_col("customer_id"), _col("segment")).from_(_table(MEMBERS))
    return (exp.select(exp.alias_(_col(CUSTOMER_KEY, "k"), "customer_id"), _col("segment", "s"))
            .from_(_table(MEMBERS, "s"))
            .join(_table(CUSTOMERS, "k"), on=exp.EQ(this=_col("customer_id", "s"),
                                                    expression=_col("customer_id", "k"))))
