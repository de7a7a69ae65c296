"""Tables of PostgreSQL databases, through psycopg 3 (imported only when used).

``url`` is a libpq connection string or URL (``postgresql://user@host:5432/db``); ``table`` may
be qualified with its schema (``shop.orders``). Rows stream through a server-side cursor in
a read-only transaction. Install the driver with ``pip install 'accord[postgres]'``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from accord.connectors.base import IngestError
from accord.connectors.database import DatabaseConnector, DbCursor


class PostgresConnector(DatabaseConnector):
    """A PostgreSQL table (``type: postgres``) read past a ``max_id`` or ``modified_at``
    cursor."""

    dialect = "postgres"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        try:
            import psycopg
        except ImportError:
            raise IngestError("PostgreSQL sources need psycopg: pip install "
                              "'accord[postgres]'", source=self.name) from None
        try:
            connection = psycopg.connect(self.source.url or "", autocommit=False)
        except psycopg.Error as exc:
            raise IngestError(f"{self.where}: cannot connect: {exc}", source=self.name,
                              file=self.where) from None
        with connection:
            connection.read_only = True
            try:
                yield connection
            except psycopg.Error as exc:
                raise IngestError(f"{self.where}: {exc}", source=self.name,
                                  file=self.where) from None

    def columns(self, connection: Any) -> list[str]:
        schema, _, table = self.table.rpartition(".")
        rows = connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND table_schema = COALESCE(NULLIF(%s, ''), "
            "current_schema()) ORDER BY ordinal_position", (table, schema)).fetchall()
        return [row[0] for row in rows]

    def open_cursor(self, connection: Any) -> DbCursor:
        cursor: DbCursor = connection.cursor(name="accord_ingest")
        return cursor

    def cursor_param(self, text: str) -> Any:
        # typed parameters, so that the comparison is numeric or temporal, not textual
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return text
