"""Materialise profiles, segment flags and identifiers into the online store.

One query reads ``profiles`` with each customer's segments (``doc["segments"]``, sorted);
another the identifiers identity resolution recorded, mapped to customers through
``identity_map`` and kept for customers that have a profile. The writer replaces everything
at once, so a lookup never mixes two builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from accord.online.base import Document, IdentifierRow, OnlineWriter
from accord.progress import Progress, Task
from accord.project.config import Project
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["SEGMENTS_KEY", "OnlineReport", "run_online"]

#: The document key holding the customer's segment names.
SEGMENTS_KEY = "segments"
#: Arrow batch size while streaming profiles to the writer.
_BATCH = 50_000


@dataclass(frozen=True, slots=True)
class OnlineReport:
    """What materialisation wrote."""

    profiles: int
    identifiers: int
    #: Whether segment flags were included (``segment_members`` existed).
    segments: bool




#: The table of per-customer feedback dimensions (``accord feedback classify``), and the
#: document key they go under.
FEEDBACK_TABLE = "feedback_dimensions"
FEEDBACK_KEY = "feedback"


def profiles_query(with_segments: bool, with_feedback: bool = False) -> exp.Select:
    """Profiles; as ``__segments``, each customer's sorted segment names; as ``__feedback``,
    their feedback dimensions (a struct, null for a customer without feedback)."""
    query = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("p"))).from_(
        _table("profiles", "p"))
    if with_segments:
        names = exp.ArrayAgg(this=exp.Order(this=_col("segment"),
                                            expressions=[exp.Ordered(this=_col("segment"))]))
        flags = (exp.select(_col("customer_id"), exp.alias_(names, "__segments"))
                 .from_(_table("segment_members")).group_by(_col("customer_id")))
        query = query.select(_col("__segments", "s")).join(
            flags.subquery("s"), join_type="left",
            on=exp.EQ(this=_col("customer_id", "s"), expression=_col("customer_id", "p")))
    if with_feedback:
        # the whole row as one struct; customer_id is dropped from it when read
        query = query.select(exp.alias_(exp.Column(this=exp.to_identifier("f")),
                                        "__feedback")).join(
            _table(FEEDBACK_TABLE, "f"), join_type="left",
            on=exp.EQ(this=_col("customer_id", "f"), expression=_col("customer_id", "p")))
    return query


def identifiers_query() -> exp.Select:
    """Distinct ``(kind, value, customer_id)`` of customers with a profile."""
    on = exp.and_(exp.EQ(this=_col("source", "m"), expression=_col("source", "i")),
                  exp.EQ(this=_col("source_id", "m"), expression=_col("source_id", "i")))
    profiled = exp.select(_col("customer_id")).from_(_table("profiles"))
    return (exp.select(_col("kind", "i"), _col("value", "i"), _col("customer_id", "m"))
            .distinct()
            .from_(_table("identifiers", "i"))
            .join(_table("identity_map", "m"), on=on)
            .where(exp.and_(exp.Not(this=exp.Is(this=_col("value", "i"),
                                                 expression=exp.Null())),
                            exp.In(this=_col("customer_id", "m"), query=profiled.subquery()))))


def _documents(store: AnalyticalStore, with_segments: bool, with_feedback: bool = False
               ) -> Iterator[tuple[str, Document]]:
    table = store.query(profiles_query(with_segments, with_feedback))
    for batch in table.to_batches(_BATCH):
        for row in batch.to_pylist():
            segments = row.pop("__segments", None) if with_segments else None
            row[SEGMENTS_KEY] = list(segments or [])
            if with_feedback:
                row[FEEDBACK_KEY] = _feedback(row.pop("__feedback", None))
            yield str(row["customer_id"]), row


def _feedback(dimensions: dict[str, Any] | None) -> dict[str, Any] | None:
    """A customer's feedback dimensions as a document part (maps as objects)."""
    if dimensions is None or dimensions.get("customer_id") is None:
        return None
    return {key: dict(value) if isinstance(value, list) and all(
                isinstance(item, tuple) for item in value) else value
            for key, value in dimensions.items() if key != "customer_id"}


def run_online(project: Project, store: AnalyticalStore, writer: OnlineWriter, *,
               progress: Progress) -> OnlineReport:
    """Replace the online store's contents with the current profiles.

    Args:
        project: the project (for symmetry with the other steps; nothing is read from it).
        store: the analytical store with ``profiles`` (and ``segment_members``,
            ``identifiers``, ``identity_map`` when built).
        writer: the online store to fill.
        progress: reports the profiles written.
    """
    del project  # the tables carry everything; kept for the common step signature
    tables = set(store.tables())
    with_segments = "segment_members" in tables
    with_feedback = FEEDBACK_TABLE in tables
    identifiers: list[IdentifierRow] = []
    if {"identifiers", "identity_map"} <= tables:
        identifiers = [(str(row["kind"]), str(row["value"]), str(row["customer_id"]))
                       for row in store.query(identifiers_query()).to_pylist()]
    task = progress.task("online store")
    written = writer.replace_all(_counted(_documents(store, with_segments, with_feedback),
                                          task),
                                 identifiers)
    task.done()
    return OnlineReport(profiles=written, identifiers=len(identifiers),
                        segments=with_segments)


def _counted(documents: Iterator[tuple[str, Document]], task: Task
             ) -> Iterator[tuple[str, Document]]:
    for item in documents:
        task.advance()
        yield item
