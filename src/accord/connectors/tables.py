"""The tables ingest writes in the analytical store, and the per-entity views over them.

See the table of tables in ``docs/hub-design.md``. Every statement is a sqlglot tree; the
tables are created inside the transaction of the batch that first needs them, so that a
refused batch leaves even a fresh store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from accord.connectors.base import LINE, RowError, SourceState
from accord.errors import ConfigError
from accord.logs.schema import TABLES as LOG_TABLES
from accord.project.config import ENTITY_FIELDS, Entity
from accord.store.sql import table as _table

if TYPE_CHECKING:
    from accord.project.config import Project
    from accord.store.base import AnalyticalStore

BATCHES = "ingest_batches"
CURSORS = "ingest_cursors"
REJECTS = "rejects"

#: Lineage columns of every raw table, after the entity's canonical fields.
RAW_META = {"_source": "VARCHAR", "_batch": "VARCHAR", "_file": "VARCHAR", LINE: "BIGINT",
            "_loaded_at": "TIMESTAMP"}

#: Ingest's bookkeeping tables and their columns.
INGEST_TABLES: dict[str, dict[str, str]] = {
    BATCHES: {"batch": "VARCHAR", "source": "VARCHAR", "kind": "VARCHAR", "key": "VARCHAR",
              "file": "VARCHAR", "sha256": "VARCHAR", "rows": "BIGINT", "rejected": "BIGINT",
              "loaded_at": "TIMESTAMP"},
    CURSORS: {"source": "VARCHAR", "cursor": "VARCHAR", "updated_at": "TIMESTAMP"},
    REJECTS: {"source": "VARCHAR", "batch": "VARCHAR", "file": "VARCHAR", "line": "BIGINT",
              "column": "VARCHAR", "error": "VARCHAR", "raw": "VARCHAR"},
}


def raw_table(source: str) -> str:
    """The raw table of a source.

    >>> raw_table("crm")
    'raw_crm'
    """
    return f"raw_{source}"


def raw_columns(entity: Entity) -> dict[str, str]:
    """The columns of a raw table of ``entity``: canonical fields, then lineage."""
    return {**ENTITY_FIELDS[entity], **RAW_META}


def _type(type_name: str) -> exp.DataType:
    return exp.DataType.build(type_name, dialect="duckdb")


def create_table(name: str, columns: Mapping[str, str]) -> exp.Create:
    """``CREATE TABLE IF NOT EXISTS name (columns)``.

    >>> create_table("t", {"a": "DECIMAL(18,2)"}).sql("duckdb")
    'CREATE TABLE IF NOT EXISTS "t" ("a" DECIMAL(18, 2))'
    """
    schema = exp.Schema(this=exp.Table(this=exp.to_identifier(name, quoted=True)),
                        expressions=[exp.ColumnDef(this=exp.to_identifier(column, quoted=True),
                                                   kind=_type(type_name))
                                     for column, type_name in columns.items()])
    return exp.Create(this=schema, kind="TABLE", exists=True)



def _source_is(source: str) -> exp.Expr:
    return exp.EQ(this=exp.column("source", quoted=True), expression=exp.Literal.string(source))


def read_state(store: AnalyticalStore, source: str) -> SourceState:
    """What is already loaded from ``source``: its files and hashes, and its cursor."""
    existing = set(store.tables())
    files: dict[str, str] = {}
    cursor = None
    if BATCHES in existing:
        query = exp.select("file", "sha256").from_(_table(BATCHES)) \
            .where(exp.and_(_source_is(source), exp.column("kind").eq("file")))
        for row in store.query(query).to_pylist():
            files[row["file"]] = row["sha256"]
    if CURSORS in existing:
        rows = store.query(exp.select("cursor").from_(_table(CURSORS))
                           .where(_source_is(source))).to_pylist()
        cursor = rows[0]["cursor"] if rows else None
    return SourceState(files=files, cursor=cursor)


def batch_row(*, batch: str, source: str, kind: str, key: str, file: str,
              sha256: str | None, rows: int, rejected: int, at: dt.datetime) -> pa.Table:
    """The ``ingest_batches`` row of a batch."""
    return pa.table({"batch": [batch], "source": [source], "kind": [kind], "key": [key],
                     "file": [file], "sha256": pa.array([sha256], pa.string()),
                     "rows": pa.array([rows], pa.int64()),
                     "rejected": pa.array([rejected], pa.int64()),
                     "loaded_at": pa.array([at], pa.timestamp("us"))})


def reject_rows(source: str, batch: str, errors: Iterable[RowError]) -> pa.Table:
    """The ``rejects`` rows of a batch's row errors."""
    errors = list(errors)
    return pa.table({
        "source": pa.array([source] * len(errors), pa.string()),
        "batch": pa.array([batch] * len(errors), pa.string()),
        "file": pa.array([error.file for error in errors], pa.string()),
        "line": pa.array([error.line for error in errors], pa.int64()),
        "column": pa.array([error.column for error in errors], pa.string()),
        "error": pa.array([error.error for error in errors], pa.string()),
        "raw": pa.array([error.raw for error in errors], pa.string()),
    })


def with_lineage(data: pa.Table, *, source: str, batch: str, file: str,
                 at: dt.datetime) -> pa.Table:
    """Cast rows with the lineage columns added (constants, built without a Python loop)."""
    rows = data.num_rows
    return data.append_column("_source", pa.repeat(pa.scalar(source), rows)) \
        .append_column("_batch", pa.repeat(pa.scalar(batch), rows)) \
        .append_column("_file", pa.repeat(pa.scalar(file), rows)) \
        .append_column("_loaded_at", pa.repeat(pa.scalar(at, pa.timestamp("us")), rows))


def set_cursor(source: str, cursor: str, at: dt.datetime) -> tuple[exp.Delete, pa.Table]:
    """The statement that clears ``source``'s cursor, and the row that replaces it."""
    delete = exp.Delete(this=_table(CURSORS), where=exp.Where(this=_source_is(source)))
    row = pa.table({"source": [source], "cursor": [cursor],
                    "updated_at": pa.array([at], pa.timestamp("us"))})
    return delete, row


#: The hub's own HTTP events (``POST /v1/events``), as ``accord logs load`` stores them: a
#: source of the ``events`` entity like any configured one, under this source name.
API_TABLE = LOG_TABLES["events"]
API_SOURCE = "api"
#: Column of the ``events`` view holding the hub's customer id an event was sent for (API
#: events name their customer by it; records of configured sources leave it NULL).
HUB_CUSTOMER = "_customer_id"


def _utc(value: exp.Expr) -> exp.Expr:
    """ISO text with an offset -> the UTC instant without zone, as ingest stores times
    (NULL for text that is no time, rather than failing the build)."""
    instant = exp.TryCast(this=value, to=_type("TIMESTAMPTZ"))
    return exp.Cast(this=exp.AtTimeZone(this=instant, zone=exp.Literal.string("UTC")),
                    to=_type("TIMESTAMP"))


#: Canonical event field -> its value from a row of :data:`API_TABLE` (text columns, see
#: ``accord.logs.schema``), cast to the field's type; fields absent here are NULL.
_API_FIELDS: dict[str, exp.Expr] = {
    "source_id": exp.column("event_id", quoted=True),
    "email": exp.column("email", quoted=True),
    "anonymous_id": exp.column("anonymous_id", quoted=True),
    "type": exp.column("type", quoted=True),
    "channel": exp.column("channel", quoted=True),
    "occurred_at": _utc(exp.column("occurred_at", quoted=True)),
    # exact decimal text; one beyond the field's range becomes NULL, not a failed build
    "value": exp.TryCast(this=exp.column("value", quoted=True),
                         to=_type(ENTITY_FIELDS[Entity.EVENTS]["value"])),
    "properties": exp.TryCast(this=exp.column("properties", quoted=True), to=_type("JSON")),
}


def _fields(entity: Entity) -> dict[str, str]:
    """The columns of ``entity``'s view: canonical fields, ``_source`` (and for events the
    hub customer id of API events)."""
    extra = {HUB_CUSTOMER: "VARCHAR"} if entity is Entity.EVENTS else {}
    return {**ENTITY_FIELDS[entity], "_source": "VARCHAR", **extra}


def _null(type_name: str) -> exp.Expr:
    return exp.Cast(this=exp.Null(), to=_type(type_name))


def api_events() -> exp.Select:
    """The hub's HTTP events as rows of the ``events`` view. Pure.

    One row per ``event_id`` (a client that resends an event it got no answer for must not
    count twice): the earliest copy, as the event timeline keeps it. Times become UTC without
    zone, values decimals and properties JSON, as ingest casts a configured source; the
    customer id the event was sent with goes to :data:`HUB_CUSTOMER`, for identity
    resolution to link.
    """
    values = {**_API_FIELDS, "_source": exp.Literal.string(API_SOURCE),
              HUB_CUSTOMER: exp.column("customer_id", quoted=True)}
    first = exp.EQ(this=exp.Window(this=exp.RowNumber(), partition_by=[
        exp.column("event_id", quoted=True)], order=exp.Order(expressions=[
            exp.Ordered(this=_utc(exp.column("occurred_at", quoted=True)))])),
        expression=exp.Literal.number(1))
    select = exp.select(*(
        exp.alias_(values[field] if field in values else _null(type_name), field, quoted=True)
        for field, type_name in _fields(Entity.EVENTS).items())).from_(_table(API_TABLE))
    return select.where(exp.Not(this=exp.Is(this=exp.column("event_id", quoted=True),
                                            expression=exp.Null()))).qualify(first)


def entity_view(entity: Entity, tables: Mapping[str, set[str]], *,
                api: bool = False) -> exp.Create:
    """``CREATE OR REPLACE VIEW <entity>``: the union of the entity's raw tables with every
    canonical field (NULL where a table lacks it) and ``_source``; empty when there are
    none, so that later steps can always read it.

    Args:
        entity: the entity.
        tables: raw table -> its columns, for the sources of that entity.
        api: the ``events`` view also takes the hub's HTTP events (:func:`api_events`).
    """
    fields = _fields(entity)
    selects: list[exp.Select] = []
    for table, columns in sorted(tables.items()):
        selects.append(exp.select(*(
            exp.column(field, quoted=True) if field in columns
            else exp.alias_(_null(type_name), field, quoted=True)
            for field, type_name in fields.items())).from_(_table(table)))
    if api and entity is Entity.EVENTS:
        selects.append(api_events())
    if not selects:
        selects.append(exp.select(*(
            exp.alias_(_null(type_name), field, quoted=True)
            for field, type_name in fields.items())).where(exp.false()))
    body: exp.Query = selects[0]
    for select in selects[1:]:
        body = exp.union(body, select, distinct=False)
    return exp.Create(this=_table(entity.value), kind="VIEW", replace=True, expression=body)


def refresh_views(store: AnalyticalStore, project: Project) -> None:
    """Create or replace the view of every entity over the raw tables that exist, the hub's
    HTTP events (once ``accord logs load`` stored some) among the events.

    Raises:
        ConfigError: a configured source is named like the HTTP events' source.
    """
    existing = set(store.tables())
    api = API_TABLE in existing
    if api and API_SOURCE in project.sources:
        raise ConfigError(f"source name {API_SOURCE!r} is reserved for the hub's HTTP events "
                          f"(POST /v1/events); rename the source in accord.yaml")
    wanted = {raw_table(name): source.entity for name, source in project.sources.items()
              if raw_table(name) in existing}
    columns: dict[str, set[str]] = {table: set() for table in wanted}
    if wanted:
        query = exp.select("table_name", "column_name").from_("information_schema.columns") \
            .where(exp.and_(exp.column("table_schema").eq("main"),
                            exp.column("table_name").isin(*wanted)))
        for row in store.query(query).to_pylist():
            columns[row["table_name"]].add(row["column_name"])
    with store.transaction():
        for entity in Entity:
            tables = {table: columns[table] for table, of in wanted.items() if of is entity}
            store.execute(entity_view(entity, tables, api=api))
