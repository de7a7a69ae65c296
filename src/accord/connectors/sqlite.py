"""Tables of SQLite databases (the standard library's ``sqlite3``), opened read-only.

``url`` is the database file, relative to the project directory (``sqlite:///`` in front is
allowed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from accord.connectors.base import IngestError
from accord.connectors.database import DatabaseConnector, DbCursor


class SqliteConnector(DatabaseConnector):
    """A SQLite table (``type: sqlite``) read past a ``max_id`` or ``modified_at`` cursor."""

    dialect = "sqlite"

    def path(self) -> Path:
        """The database file."""
        url = (self.source.url or "").removeprefix("sqlite:///")
        return self.project_dir / url

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        path = self.path()
        if not path.is_file():
            raise IngestError(f"{self.where}: no SQLite database at {path}", source=self.name,
                              file=self.where)
        try:
            connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise IngestError(f"{self.where}: cannot open: {exc}", source=self.name,
                              file=self.where) from None
        with closing(connection):
            try:
                yield connection
            except sqlite3.Error as exc:
                raise IngestError(f"{self.where}: {exc}", source=self.name,
                                  file=self.where) from None

    def columns(self, connection: Any) -> list[str]:
        rows = connection.execute("SELECT name FROM pragma_table_info(?)",
                                  (self.table,)).fetchall()
        return [row[0] for row in rows]

    def open_cursor(self, connection: Any) -> DbCursor:
        cursor: DbCursor = connection.cursor()
        return cursor
