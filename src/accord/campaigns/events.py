"""The hub's events as one funnel relation: ingested events, API events and decisions.

Columns: ``customer_id``, ``event_id``, ``event_type``, ``ts`` (UTC, no zone), ``channel``,
``campaign``, ``value`` (DOUBLE), ``path`` (a page event's ``properties.path``) and ``variant``
(the first treatment a decision gave). Ingested events reach their customer through
``identity_map``; API events carry their customer id; decisions are events of type
``decision``, so "decided, then clicked, then bought" is a funnel like any other. Event ids
are prefixed by where they come from, so ids only need to be unique within a source.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlglot import exp

from accord.errors import ConfigError
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["EVENT_COLUMNS", "EVENT_TYPES", "LOGGED", "SOURCE_TABLES", "hub_events"]

#: The relation's columns, in order, with their types. Declared, not taken from the values:
#: a part with no value for a column (ingested events have no ``variant``) would otherwise
#: give a table built from the union alone the type ``NULL`` there, and no later batch with a
#: value could be appended to it.
EVENT_TYPES = {"customer_id": "VARCHAR", "event_id": "VARCHAR", "event_type": "VARCHAR",
               "ts": "TIMESTAMP", "channel": "VARCHAR", "campaign": "VARCHAR",
               "value": "DOUBLE", "path": "VARCHAR", "variant": "VARCHAR"}
EVENT_COLUMNS = tuple(EVENT_TYPES)


def _type(kind: str) -> exp.DataType:
    return exp.DataType.build(kind)


def _text(value: exp.Expr) -> exp.Expr:
    return exp.Cast(this=value, to=_type("VARCHAR"))


def _utc(value: exp.Expr) -> exp.Expr:
    """ISO text with an offset -> the UTC instant without zone, as ingested events hold it."""
    instant = exp.Cast(this=value, to=_type("TIMESTAMPTZ"))
    return exp.Cast(this=exp.AtTimeZone(this=instant, zone=exp.Literal.string("UTC")),
                    to=_type("TIMESTAMP"))


def _path(properties: exp.Expr) -> exp.Expr:
    return exp.func("json_extract_string", properties, exp.Literal.string("$.path"))


def _id(prefix: str, value: exp.Expr) -> exp.Expr:
    return exp.DPipe(this=exp.Literal.string(prefix), expression=_text(value))


def _select(values: dict[str, exp.Expr], table: str, alias: str | None = None) -> exp.Select:
    return exp.select(*(exp.alias_(_typed(values[name], EVENT_TYPES[name]), name, quoted=True)
                        for name in EVENT_COLUMNS)).from_(_table(table, alias))


def _typed(value: exp.Expr, kind: str) -> exp.Expr:
    """``value`` as the column's declared type (a no-op where it already is)."""
    if isinstance(value, exp.Cast) and value.to.is_type(kind):
        return value
    return exp.Cast(this=value, to=_type(kind))


def _ingested() -> exp.Select:
    values: dict[str, exp.Expr] = {
        "customer_id": _col("customer_id", "m"),
        "event_id": exp.DPipe(this=exp.DPipe(this=_col("_source", "e"),
                                             expression=exp.Literal.string(":")),
                              expression=_col("source_id", "e")),
        "event_type": _col("type", "e"), "ts": _col("occurred_at", "e"),
        "channel": _col("channel", "e"), "campaign": _col("campaign", "e"),
        "value": exp.Cast(this=_col("value", "e"), to=_type("DOUBLE")),
        "path": _path(_col("properties", "e")), "variant": exp.Null(),
    }
    on = exp.and_(exp.EQ(this=_col("source", "m"), expression=_col("_source", "e")),
                  exp.EQ(this=_col("source_id", "m"), expression=_col("source_id", "e")))
    return _select(values, "events", "e").join(_table("identity_map", "m"), on=on)


def _api(table: str = "raw_api_events") -> exp.Select:
    values: dict[str, exp.Expr] = {
        "customer_id": _col("customer_id"), "event_id": _id("api:", _col("event_id")),
        "event_type": _col("type"), "ts": _utc(_col("occurred_at")),
        "channel": _col("channel"), "campaign": exp.Null(),
        "value": exp.Cast(this=_col("value"), to=_type("DOUBLE")),
        "path": _path(_col("properties")), "variant": exp.Null(),
    }
    return _select(values, table).where(
        exp.Not(this=exp.Is(this=_col("customer_id"), expression=exp.Null())))


def _decisions(table: str = "decision_log") -> exp.Select:
    values: dict[str, exp.Expr] = {
        "customer_id": _col("customer_id"), "event_id": _id("decision:", _col("decision_id")),
        "event_type": exp.Literal.string("decision"), "ts": _utc(_col("at")),
        "channel": _col("channel"), "campaign": exp.Null(),
        "value": exp.Cast(this=exp.Null(), to=_type("DOUBLE")), "path": exp.Null(),
        "variant": exp.func("json_extract_string", _col("given"), exp.Literal.string("$[0]")),
    }
    return _select(values, table).where(
        exp.Not(this=exp.Is(this=_col("customer_id"), expression=exp.Null())))


#: Tables that must exist for each part.
_PARTS = ((("events", "identity_map"), _ingested), (("raw_api_events",), _api),
          (("decision_log",), _decisions))
#: Every table the relation may read.
SOURCE_TABLES = tuple(name for needs, _ in _PARTS for name in needs)
#: The log tables ``accord logs load`` appends to -> their part of the relation, over rows
#: stored under another name (a batch just loaded).
LOGGED: dict[str, Callable[[str], exp.Select]] = {"raw_api_events": _api,
                                                   "decision_log": _decisions}


def hub_events(tables: Collection[str]) -> exp.Query:
    """The funnel relation over whichever of the hub's event tables exist. Pure.

    Args:
        tables: the tables and views in the analytical store.

    Raises:
        ConfigError: when none of them does.
    """
    parts: list[exp.Query] = [build() for needs, build in _PARTS
                              if all(name in tables for name in needs)]
    if not parts:
        raise ConfigError("no events in the analytical store: run 'accord build' (ingested "
                          "events) or 'accord logs load' (API events and decisions) first")
    query = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False)
    return query
