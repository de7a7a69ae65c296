"""Build segment membership: each segment's FEEL condition compiled to SQL over ``profiles``.

A segment's members are the customers whose condition is true; null (FEEL's answer for a
comparison with a missing value) is not a member. Column names are dimension names, so a
condition reads like ``orders_count > 2 and country = "NL"``; dimension names with spaces
work too (FEEL parses them as one name, SQL quotes them).

Conditions compile with the profile columns' types, so FEEL's rules for mismatched types
hold (``country > 3`` is null, never a member) rather than SQL's coercions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from sqlglot import exp

from accord.clock import Clock
from accord.errors import ConfigError, FeelError, FeelSqlError
from accord.feel.sql import compile_expression_typed
from accord.feel.sql_values import BOOLEAN, TypeSpec, as_boolean
from accord.progress import Progress
from accord.project.config import Project, Segment
from accord.store.base import AnalyticalStore
from accord.store.sql import table as _table

__all__ = ["NotBoolean", "SegmentDefinitionError", "SegmentsReport", "compile_members",
           "condition_sql", "profile_types", "run_segments"]

#: DuckDB column type (prefix) -> the FEEL type a condition sees.
_FEEL_TYPES: dict[str, str] = {
    "VARCHAR": "string", "DECIMAL": "number", "BIGINT": "number", "INTEGER": "number",
    "HUGEINT": "number", "SMALLINT": "number", "TINYINT": "number", "DOUBLE": "number",
    "FLOAT": "number", "UBIGINT": "number", "UINTEGER": "number", "BOOLEAN": "boolean",
    "DATE": "date", "TIMESTAMP": "date and time",
}


class SegmentDefinitionError(ConfigError):
    """A segment whose condition cannot be built; the message names it and the problem."""

    def __init__(self, segment: str, problem: str) -> None:
        self.segment = segment
        self.problem = problem
        super().__init__(f"segment {segment!r}: {problem}")


@dataclass(frozen=True, slots=True)
class SegmentsReport:
    """What a segment build did."""

    #: Segment name -> members, in the project's order.
    members: dict[str, int]
    #: Customers in ``profiles``.
    customers: int
    built_at: dt.datetime


def profile_types(store: AnalyticalStore) -> dict[str, str | None]:
    """The ``profiles`` columns and their FEEL types (``None``: no FEEL type, e.g. lists)."""
    describe = exp.select("column_name", "data_type").from_("information_schema.columns").where(
        exp.and_(exp.column("table_name").eq(exp.Literal.string("profiles")),
                 exp.column("table_schema").eq(exp.Literal.string("main"))))
    rows = store.query(describe.order_by("ordinal_position")).to_pylist()
    return {row["column_name"]: _FEEL_TYPES.get(str(row["data_type"]).partition("(")[0])
            for row in rows}


class NotBoolean(FeelSqlError):
    """A segment condition whose value is not a boolean (a number, a string...)."""


def condition_sql(condition: str, columns: dict[str, str | None], *,
                  table: str | None = None) -> exp.Expr:
    """The SQL of a segment condition over profile ``columns`` (name -> FEEL type), their
    names qualified by ``table`` when given (a query joining profiles to another table that
    has a column of the same name, such as ``customer_id``, is then not ambiguous).

    Raises:
        FeelError: the condition does not parse (too long or nested too deep included) or
            cannot be compiled to SQL, naming the position.
        NotBoolean: it is not a boolean.
    """
    sql_columns = {name: exp.column(name, table=table, quoted=True) for name in columns}
    types: dict[str, TypeSpec] = {name: kind for name, kind in columns.items()
                                  if kind is not None}
    typed = compile_expression_typed(condition, sql_columns, types=types)
    if typed.kind not in (BOOLEAN, "Any", "null"):
        raise NotBoolean(f"condition {condition!r} is a {typed.kind}, not a boolean")
    return as_boolean(typed)


def _condition(segment: Segment, columns: dict[str, str | None]) -> exp.Expr:
    """The SQL condition of a segment over the profile columns."""
    try:
        return condition_sql(segment.condition, columns)
    except NotBoolean as exc:
        raise SegmentDefinitionError(segment.name, str(exc)) from None
    except FeelError as exc:
        raise SegmentDefinitionError(segment.name, f"condition {segment.condition!r}: "
                                     f"{exc}") from None


def compile_members(segments: Sequence[Segment], columns: dict[str, str | None]) -> exp.Query:
    """The ``segment_members`` query (``segment``, ``customer_id``) for ``segments`` over
    profiles with ``columns`` (name -> FEEL type). Pure.

    Raises:
        SegmentDefinitionError: naming the segment whose condition names an unknown
            dimension, is not boolean, or cannot be compiled to SQL.
    """
    seen: set[str] = set()
    selects: list[exp.Query] = []
    for segment in segments:
        if segment.name in seen:
            raise SegmentDefinitionError(segment.name, "declared twice")
        seen.add(segment.name)
        condition = _condition(segment, columns)
        selects.append(exp.select(exp.alias_(exp.Literal.string(segment.name), "segment"),
                                  exp.column("customer_id", quoted=True))
                       .from_(exp.Table(this=exp.to_identifier("profiles", quoted=True)))
                       .where(condition))
    if not selects:
        varchar = exp.DataType.build("VARCHAR")
        return exp.select(exp.alias_(exp.Cast(this=exp.Null(), to=varchar), "segment"),
                          exp.alias_(exp.Cast(this=exp.Null(), to=varchar.copy()),
                                     "customer_id")).where(exp.false())
    union: exp.Query = selects[0]
    for select in selects[1:]:
        union = exp.union(union, select, distinct=False)
    return union



def run_segments(project: Project, store: AnalyticalStore, *, clock: Clock,
                 progress: Progress) -> SegmentsReport:
    """Write ``segment_members`` and ``segments`` for the project's segments.

    Raises:
        ConfigError: when ``profiles`` has not been built.
        SegmentDefinitionError: naming a segment whose condition cannot be built.
    """
    if "profiles" not in store.tables():
        raise ConfigError("the analytical store has no profiles: build them first "
                          "('accord build')")
    built_at = clock.now()
    query = compile_members(project.segments, profile_types(store))
    task = progress.task("segments", total=len(project.segments))
    with store.transaction():
        store.execute(exp.Create(this=_table("segment_members"), kind="TABLE", replace=True,
                                 expression=query))
        counted = store.query(exp.select("segment", exp.Count(this=exp.Star()).as_("n"))
                              .from_(_table("segment_members")).group_by("segment"))
        counts = dict(zip(counted.column("segment").to_pylist(),
                          counted.column("n").to_pylist(), strict=True))
        members = {segment.name: int(counts.get(segment.name, 0))
                   for segment in project.segments}
        at = built_at.replace(tzinfo=None)
        store.write("segments", pa.table({
            "segment": pa.array([s.name for s in project.segments], pa.string()),
            "condition": pa.array([s.condition for s in project.segments], pa.string()),
            "description": pa.array([s.description for s in project.segments], pa.string()),
            "members": pa.array(list(members.values()), pa.int64()),
            "built_at": pa.array([at] * len(project.segments), pa.timestamp("us")),
        }), mode="replace")
        total = store.query(exp.select(exp.Count(this=exp.Star()).as_("n"))
                            .from_(_table("profiles")))
        task.advance(len(project.segments))
    task.done()
    return SegmentsReport(members=members, customers=int(total.column("n")[0].as_py()),
                          built_at=built_at)
