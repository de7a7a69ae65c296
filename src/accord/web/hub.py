"""What the web app reads from the analytical store: a customer's timeline, and a segment
condition's live count, overlaps and comparison with the base.

The store is opened read-only for each read and closed at once, as the API does, so a build
can always take its write lock. Conditions are FEEL, compiled to SQL over the ``profiles``
columns by :mod:`accord.feel.sql` (the same compiler segments are built with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from accord.errors import ConfigError, FeelError, FeelSqlError
from accord.feel.sql import compile_expression_sql
from accord.project.config import Segment
from accord.segments.build import (
    SegmentDefinitionError,
    compile_members,
    condition_sql,
    profile_types,
)
from accord.store import open_store
from accord.store.base import AnalyticalStore

#: Timeline sources: table, time column, kind shown, columns summarised.
TIMELINE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("orders", "ordered_at", "order", ("total", "currency", "channel", "status")),
    ("events", "occurred_at", "event", ("type", "channel", "campaign", "value")),
    ("tickets", "opened_at", "ticket", ("topic", "status", "channel", "text")),
)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: dt.datetime | None
    kind: str
    summary: str


@dataclass(frozen=True, slots=True)
class SegmentPreview:
    """A condition over the base: its members, and how they compare with everyone."""

    members: int
    customers: int
    overlaps: list[tuple[str, int]]
    comparison: list[dict[str, Any]]


class HubReader:
    """Reads the project's analytical store (DuckDB file) for the web pages."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def store(self) -> Iterator[AnalyticalStore]:
        """The store, opened read-only and closed at the end (a build can take its lock).

        Raises:
            ConfigError: not built yet, or locked by a build in progress.
        """
        if not self.path.is_file():
            raise ConfigError("no analytical store yet: build the project first")
        try:
            store = open_store("duckdb", self.path, read_only=True)
        except duckdb.Error as exc:
            raise ConfigError(f"the analytical store cannot be read now: {exc}") from None
        try:
            yield store
        finally:
            store.close()

    def check_segment(self, segment: Segment) -> None:
        """Compile a segment to SQL exactly as ``accord build`` will, over the columns and
        types of the built profiles: what passes here builds.

        Raises:
            accord.errors.ConfigError: naming the segment and what does not compile (a
                FEEL construct SQL cannot express, an unknown field, a non-boolean
                condition), or that the store cannot be read now.
        """
        if not self.path.is_file():
            # nothing built yet: no columns to check against, but SQL must still express it
            try:
                compile_expression_sql(segment.condition)
            except FeelError as exc:
                raise SegmentDefinitionError(segment.name, f"condition {segment.condition!r}: "
                                             f"{exc}") from None
            return
        with self.store() as store:
            compile_members([segment], profile_types(store))

    def timeline(self, customer_id: str, limit: int = 50) -> list[TimelineEntry]:
        """The customer's orders, events, tickets and classified feedback, newest first."""
        entries: list[TimelineEntry] = []
        with self.store() as store:
            tables = set(store.tables())
            for table, at, kind, columns in TIMELINE:
                if table not in tables or "identity_map" not in tables:
                    continue
                query = (exp.select(exp.column(at, "t").as_("at"),
                                    *(exp.column(c, "t").as_(c) for c in columns))
                         .from_(exp.alias_(exp.to_table(table), "t"))
                         .join(exp.alias_(exp.to_table("identity_map"), "m"), on=exp.and_(
                             exp.column("source", "m").eq(exp.column("_source", "t")),
                             exp.column("source_id", "m").eq(exp.column("source_id", "t"))))
                         .where(exp.column("customer_id", "m").eq(
                             exp.Literal.string(customer_id)))
                         .order_by(exp.Ordered(this=exp.column("at"), desc=True))
                         .limit(limit))
                for row in store.query(query).to_pylist():
                    summary = ", ".join(f"{c} {row[c]}" for c in columns
                                        if row.get(c) not in (None, ""))
                    entries.append(TimelineEntry(row["at"], kind, summary))
            if "feedback" in tables:  # classified texts carry their customer already
                query = (exp.select("at", "topic", "sentiment", "urgency", "text")
                         .from_("feedback")
                         .where(exp.column("customer_id").eq(exp.Literal.string(customer_id)))
                         .order_by(exp.Ordered(this=exp.column("at"), desc=True)).limit(limit))
                for row in store.query(query).to_pylist():
                    entries.append(TimelineEntry(row["at"], "feedback", (
                        f"{row['topic']}, {row['sentiment']}, urgency {row['urgency']}: "
                        f"{row['text']}")))
        entries.sort(key=lambda e: (e.at is not None, e.at), reverse=True)
        return entries[:limit]

    def preview(self, condition: str, attributes: tuple[str, ...] = ()) -> SegmentPreview:
        """Members of a FEEL condition now, their overlap with each built segment, and the
        mean of numeric profile columns in the segment against the base (``index``: the
        segment's mean as a percentage of everyone's, 100 = the same).

        Raises:
            accord.errors.AccordError: the condition does not parse or cannot be compiled
                to SQL (the message names the position).
        """
        with self.store() as store, _runnable(condition):
            schema = store.query(exp.select("*").from_("profiles").limit(0)).schema
            # qualified: the overlap query joins segment_members, which has a customer_id too
            where = condition_sql(condition, profile_types(store), table="p")
            member = exp.Coalesce(this=where, expressions=[exp.false()])
            profiles = exp.alias_(exp.to_table("profiles"), "p")
            counted = store.query(exp.select(
                exp.func("count_if", member.copy()).as_("members"),
                exp.Count(this=exp.Star()).as_("customers")).from_(profiles.copy())
            ).to_pylist()[0]
            overlaps: list[tuple[str, int]] = []
            if "segment_members" in set(store.tables()):
                rows = store.query(
                    exp.select("s.segment", exp.Count(this=exp.Star()).as_("n"))
                    .from_(exp.alias_(exp.to_table("segment_members"), "s"))
                    .join(profiles.copy(),
                          on=exp.column("customer_id", "s").eq(exp.column("customer_id", "p")))
                    .where(member.copy()).group_by("s.segment").order_by("s.segment")
                ).to_pylist()
                overlaps = [(str(r["segment"]), int(r["n"])) for r in rows]
            numeric = [f.name for f in schema if _is_number(f.type)
                       and (not attributes or f.name in attributes)][:8]
            comparison: list[dict[str, Any]] = []
            if numeric:
                selects = []
                for name in numeric:
                    col = exp.column(name, table="p", quoted=True)
                    selects.append(exp.func("avg", col).as_(f"base_{name}"))
                    in_segment = exp.Case(ifs=[exp.If(this=member.copy(), true=col.copy())])
                    selects.append(exp.func("avg", in_segment).as_(f"seg_{name}"))
                means = store.query(exp.select(*selects).from_(profiles.copy())
                                    ).to_pylist()[0]
                for name in numeric:
                    segment, everyone = _float(means[f"seg_{name}"]), _float(
                        means[f"base_{name}"])
                    index = round(100 * segment / everyone) if segment is not None and \
                        everyone else None
                    comparison.append({"attribute": name, "segment": segment,
                                       "everyone": everyone, "index": index})
        return SegmentPreview(int(counted["members"] or 0), int(counted["customers"] or 0),
                              overlaps, comparison)


@contextmanager
def _runnable(condition: str) -> Iterator[None]:
    """A condition that compiles but that DuckDB refuses to run (a number beyond its
    integers as a ``substring`` argument, say) is the condition's problem, said as such."""
    try:
        yield
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FeelSqlError(f"condition {condition!r} cannot be run over the profiles: "
                           f"{reason}") from None


def _is_number(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_decimal(kind))


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)
