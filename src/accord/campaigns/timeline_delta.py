"""Appending a batch of logged events or decisions to the event timeline.

``accord logs load`` appends API events and decisions every few minutes; rebuilding the
whole timeline each time would cost as much as a build's timeline step (about 20 s at 20
million events). :func:`append_logged` adds just the batch, inside the loader's transaction:
its copies removed, events the timeline already has kept at their earliest copy, new
customers given the next keys. The appended rows sit after the sorted ones; the next
``accord build`` sorts everything again.

It only appends to a timeline that was up to date before the batch; otherwise it leaves the
timeline stale, and :func:`~accord.campaigns.timeline.refresh_timeline` rebuilds it whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from accord.campaigns.events import EVENT_COLUMNS, EVENT_TYPES, LOGGED
from accord.campaigns.timeline import (
    CUSTOMER_KEY,
    CUSTOMERS,
    TIMELINE,
    key_rank,
    once_query,
    record_counts,
    source_counts,
    stored_counts,
)
from accord.store.sql import column as _col
from accord.store.sql import subquery
from accord.store.sql import table as _table

if TYPE_CHECKING:
    import pyarrow as pa

    from accord.store.base import AnalyticalStore

__all__ = ["append_logged"]

#: Work tables, dropped before the transaction ends.
_BATCH = "_timeline_batch"
_NEW = "_timeline_new"


def _in(column: str, query: exp.Select) -> exp.Expr:
    return exp.In(this=_col(column), query=exp.Subquery(this=query))


def _statements() -> list[exp.Expression]:
    """After ``_NEW`` holds the batch's events once each: merge them into the timeline."""
    stored, new = _table(TIMELINE, "t"), _table(_NEW, "n")
    # the timeline's copy is as early or earlier: the batch's copy changes nothing
    known = (exp.select(_col("event_id", "t")).from_(stored)
             .join(new, on=exp.EQ(this=_col("event_id", "t"), expression=_col("event_id", "n")))
             .where(exp.LTE(this=_col("ts", "t"), expression=_col("ts", "n"))))
    # the rest are new, or earlier copies of stored events, which they replace
    replaced = exp.select(_col("event_id")).from_(_table(_NEW))
    unseen = (exp.select(_col("customer_id")).distinct().from_(_table(_NEW))
              .where(exp.Not(this=_in("customer_id", exp.select(_col("customer_id"))
                                      .from_(_table(CUSTOMERS))))))
    last = exp.Subquery(this=exp.select(exp.func(
        "COALESCE", exp.Max(this=_col(CUSTOMER_KEY)), exp.Literal.number(0))).from_(
        _table(CUSTOMERS)))
    keys = exp.select(_col("customer_id"), exp.alias_(exp.Add(this=last, expression=key_rank()),
                                                      CUSTOMER_KEY)).from_(
        subquery(unseen, "u"))
    rows = (exp.select(_col(CUSTOMER_KEY, "k"), *(_col(name, "n") for name in EVENT_COLUMNS))
            .from_(new.copy())
            .join(_table(CUSTOMERS, "k"), on=exp.EQ(this=_col("customer_id", "n"),
                                                    expression=_col("customer_id", "k")))
            .order_by(_col(CUSTOMER_KEY, "k"), _col("ts", "n")))
    return [
        exp.delete(_NEW, where=_in("event_id", known)),
        exp.delete(TIMELINE, where=_in("event_id", replaced)),
        exp.insert(keys, CUSTOMERS),
        exp.insert(rows, TIMELINE),
    ]


def _declared_types(store: AnalyticalStore) -> bool:
    """Whether the stored timeline's columns have their declared types (a timeline built
    before they were declared may have a column of type ``NULL``, which takes no value)."""
    rows = store.query(exp.select(_col("column_name"), _col("data_type"))
                       .from_(exp.table_("columns", db="information_schema"))
                       .where(exp.column("table_name").eq(exp.Literal.string(TIMELINE))))
    types = dict(zip(rows.column("column_name").to_pylist(),
                     rows.column("data_type").to_pylist(), strict=True))
    return all(types.get(name) == kind for name, kind in EVENT_TYPES.items())


def append_logged(store: AnalyticalStore, table: str, batch: pa.Table) -> bool:
    """Add ``batch``, just appended to the log table ``table``, to the timeline.

    Call it inside the transaction that appended the batch, so the timeline and its sources
    commit together.

    Returns:
        Whether the batch was added (False: no timeline, not a log table, or a timeline
        that was already out of date, left for a rebuild).
    """
    tables = store.tables()
    stored = stored_counts(store, tables)
    if stored is None or table not in LOGGED:
        return False
    counts = source_counts(store, tables)
    if counts != {**stored, table: stored.get(table, 0) + batch.num_rows}:
        return False
    if not _declared_types(store):
        return False  # built by an earlier version from the values' types: rebuild it
    with store.transaction():
        # work tables inside the transaction: an error rolls them back with the rest. The
        # batch gets the log table's columns and types, as the append into it did.
        store.execute(exp.Create(this=_table(_BATCH), kind="TABLE", replace=True,
                                 expression=exp.select(exp.Star()).from_(_table(table))
                                 .limit(0)))
        store.write(_BATCH, batch)
        source = subquery(LOGGED[table](_BATCH), "b")
        store.execute(exp.Create(this=_table(_NEW), kind="TABLE", replace=True,
                                 expression=once_query(source)))
        for statement in _statements():
            store.execute(statement)
        record_counts(store, counts)
        for name in (_BATCH, _NEW):
            store.execute(exp.Drop(tables=[_table(name)], kind="TABLE", exists=True))
    return True
