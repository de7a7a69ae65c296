"""Segment counts for the API, read from the analytical store's ``segments`` table.

The server never writes the analytical store: it opens the DuckDB file read-only for each
read and closes it at once (so a later ``accord build`` can take the write lock), and keeps
the answer until the file changes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from accord.errors import ConfigError
from accord.server.times import aware
from accord.store import open_store

__all__ = ["SegmentCount", "SegmentCounts", "SegmentSummary"]


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """One segment and how many customers are in it."""

    name: str
    description: str
    condition: str
    members: int


@dataclass(frozen=True, slots=True)
class SegmentSummary:
    """Every segment's count, out of how many profiled customers, built when."""

    customers: int
    built_at: dt.datetime | None
    segments: tuple[SegmentCount, ...]


class SegmentCounts:
    """Reads :class:`SegmentSummary` from the DuckDB file at ``path``, cached by its stat."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], SegmentSummary] | None = None

    def read(self) -> SegmentSummary:
        """The current counts.

        Raises:
            ConfigError: the store is missing, or locked by a build in progress.
        """
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise ConfigError("no analytical store yet: build the project first "
                              "('accord build')") from None
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._cached is not None and self._cached[0] == key:
                return self._cached[1]
            summary = self._query()
            self._cached = (key, summary)
            return summary

    def _query(self) -> SegmentSummary:
        try:
            store = open_store("duckdb", self.path, read_only=True)
        except duckdb.Error as exc:  # most often the write lock of a running build
            raise ConfigError(f"the analytical store cannot be read now: {exc}") from None
        try:
            tables = set(store.tables())
            customers = 0
            if "profiles" in tables:
                counted = store.query(exp.select(exp.Count(this=exp.Star()).as_("n"))
                                      .from_("profiles"))
                customers = int(counted.column("n")[0].as_py())
            if "segments" not in tables:
                return SegmentSummary(customers=customers, built_at=None, segments=())
            # rowid keeps the project's order, the order the build wrote them in
            rows = store.query(exp.select("segment", "description", "condition", "members",
                                          "built_at")
                               .from_("segments").order_by("rowid")).to_pylist()
        finally:
            store.close()
        segments = tuple(SegmentCount(name=str(row["segment"]),
                                      description=str(row["description"] or ""),
                                      condition=str(row["condition"]),
                                      members=int(row["members"])) for row in rows)
        built_at = max((aware(row["built_at"]) for row in rows if row["built_at"] is not None),
                       default=None)  # written in UTC, read back naive
        return SegmentSummary(customers=customers, built_at=built_at, segments=segments)
