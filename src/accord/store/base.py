"""The analytical engine seam: run sqlglot trees, Arrow in and out.

Every hub module builds SQL as sqlglot trees and hands them to an :class:`AnalyticalStore`;
the store knows its dialect. A backend declares what it can do in :class:`Capabilities` and is
chosen by name in :data:`BACKENDS`; its driver is imported only when it is opened.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from accord.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do."""

    dialect: str
    transactions: bool
    embedded: bool
    read_csv: bool


class AnalyticalStore(Protocol):
    """A connection to the analytical engine."""

    capabilities: Capabilities

    def query(self, tree: exp.Expression | str) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    def execute(self, tree: exp.Expression | str) -> None:
        """Run a statement (DDL, INSERT ... SELECT)."""

    def write(self, table: str, data: pa.Table, *, mode: str = "append") -> None:
        """Write Arrow data into ``table`` (``append``, or ``replace`` to recreate it)."""

    def tables(self) -> list[str]:
        """Names of the tables in the store."""

    def transaction(self) -> AbstractContextManager[None]:
        """All or nothing: a block that commits at its end or rolls back on error."""

    def sql(self, tree: exp.Expression) -> str:
        """The SQL text the engine runs for ``tree`` (for logs and ``--explain``)."""

    def close(self) -> None:
        """Release the connection."""


#: Backend name -> "module:class" (imported on open).
BACKENDS = {
    "duckdb": "accord.store.duckdb:DuckDBStore",
}


def open_store(kind: str = "duckdb", path: Path | str | None = None, *,
               read_only: bool = False, **options: Any) -> AnalyticalStore:
    """Open the analytical store of backend ``kind`` at ``path`` (in memory when None)."""
    target = BACKENDS.get(kind)
    if target is None:
        raise ConfigError(f"unknown analytical store {kind!r}; known: {', '.join(BACKENDS)}")
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    store: AnalyticalStore = cls(path, read_only=read_only, **options)
    return store


def iter_batches(table: pa.Table, size: int) -> Iterator[pa.Table]:
    """Slices of ``table`` of at most ``size`` rows."""
    for offset in range(0, table.num_rows, size):
        yield table.slice(offset, size)
