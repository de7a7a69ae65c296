"""DuckDB, the embedded default analytical store.

DuckDB allows one writer per file: the CLI's build steps open it read-write; the server and
``accord sql`` open it read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from accord.permissions import make_private, private_dir
from accord.store.base import Capabilities


class DuckDBStore:
    """An :class:`~accord.store.base.AnalyticalStore` on a DuckDB file (or in memory)."""

    capabilities = Capabilities(dialect="duckdb", transactions=True, embedded=True,
                                read_csv=True)

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 threads: int | None = None, memory_limit: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        created = False
        if self.path is not None and not read_only:
            private_dir(self.path.parent)
            created = not self.path.exists()
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.connection = duckdb.connect(str(self.path) if self.path else ":memory:",
                                         read_only=read_only, config=config)
        if created:  # it holds personal data: owner-only, as its folder
            make_private(str(self.path))
        # DuckDB (re)creates its write-ahead log after each checkpoint with the umask's mode;
        # it is made owner-only after each statement (its folder is owner-only meanwhile)
        self._wal = f"{self.path}.wal" if self.path is not None and not read_only else None
        self._depth = 0

    def _private_wal(self) -> None:
        if self._wal is not None:
            make_private(self._wal)

    def sql(self, tree: exp.Expression) -> str:
        return tree.sql(dialect="duckdb")

    def _text(self, tree: exp.Expression | str) -> str:
        return tree if isinstance(tree, str) else self.sql(tree)

    def query(self, tree: exp.Expression | str) -> pa.Table:
        relation = self.connection.sql(self._text(tree))
        if relation is None:  # a statement, not a query
            self._private_wal()
            return pa.table({})
        return relation.to_arrow_table()

    def execute(self, tree: exp.Expression | str) -> None:
        self.connection.execute(self._text(tree))
        self._private_wal()

    def write(self, table: str, data: pa.Table, *, mode: str = "append") -> None:
        self.connection.register("__accord_write", data)
        try:
            quoted = exp.to_identifier(table, quoted=True).sql("duckdb")
            if mode == "replace":
                self.connection.execute(
                    f"CREATE OR REPLACE TABLE {quoted} AS SELECT * FROM __accord_write")
            elif table in self.tables():
                self.connection.execute(
                    f"INSERT INTO {quoted} BY NAME SELECT * FROM __accord_write")
            else:
                self.connection.execute(f"CREATE TABLE {quoted} AS SELECT * FROM __accord_write")
        finally:
            self.connection.unregister("__accord_write")
            self._private_wal()

    def tables(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name").fetchall()
        return [row[0] for row in rows]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:  # nested blocks join the outer transaction
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.connection.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            self.connection.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self.connection.close()
