"""The SQLite online store, the default: ``DIR/.accord/online.sqlite``.

Tables ``profiles(customer_id PRIMARY KEY, doc)`` (JSON text) and ``identifiers(kind, value,
customer_id)`` indexed on ``(kind, value)``. ``replace_all`` loads new tables beside the live
ones and swaps them in one transaction; in WAL mode readers keep reading the old snapshot
until the swap commits and never see half a rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TypeVar

from accord.errors import ConfigError
from accord.online.base import (
    Document,
    IdentifierRow,
    OnlineCapabilities,
    decode_document,
    encode_document,
    normalise_identifier,
)
from accord.permissions import private_file

__all__ = ["SqliteOnlineStore"]

_BATCH = 10_000
_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS {profiles} (customer_id TEXT PRIMARY KEY, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {identifiers} "
    "(kind TEXT NOT NULL, value TEXT NOT NULL, customer_id TEXT NOT NULL)",
)
_INDEX = "CREATE INDEX IF NOT EXISTS identifiers_kind_value ON identifiers (kind, value)"


def _batches(items: Iterable[_T]) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


class SqliteOnlineStore:
    """An online store in a SQLite file (in memory when ``path`` is None)."""

    capabilities = OnlineCapabilities(persistent=True, atomic_replace=True, shared=True)

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 default_region: str = "GB") -> None:
        self.default_region = default_region
        if path is None:
            target, uri = ":memory:", False
        elif read_only:
            if not Path(path).is_file():
                raise ConfigError(f"no online store at {path}: build it first "
                                  "('accord build')")
            target, uri = f"{Path(path).resolve().as_uri()}?mode=ro", True
        else:
            private_file(path)  # SQLite gives its -wal and -shm files the same mode
            target, uri = str(path), False
        # autocommit: transactions are explicit BEGIN/COMMIT below
        self.connection = sqlite3.connect(target, uri=uri, isolation_level=None,
                                          check_same_thread=False)
        if not read_only:
            if path is not None:
                self.connection.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                self.connection.execute(statement.format(profiles="profiles",
                                                         identifiers="identifiers"))
            self.connection.execute(_INDEX)

    def get(self, customer_id: str) -> Document | None:
        row = self.connection.execute("SELECT doc FROM profiles WHERE customer_id = ?",
                                      (customer_id,)).fetchone()
        return decode_document(row[0]) if row is not None else None

    def customers(self, kind: str, value: str) -> list[str]:
        normalised = normalise_identifier(kind, value, self.default_region)
        if normalised is None:
            return []
        rows = self.connection.execute(
            "SELECT DISTINCT customer_id FROM identifiers WHERE kind = ? AND value = ? "
            "ORDER BY customer_id", (kind, normalised)).fetchall()
        return [row[0] for row in rows]

    def replace_all(self, profiles: Iterable[tuple[str, Document]],
                    identifiers: Iterable[IdentifierRow]) -> int:
        db = self.connection
        db.execute("DROP TABLE IF EXISTS profiles_new")
        db.execute("DROP TABLE IF EXISTS identifiers_new")
        for statement in _SCHEMA:
            db.execute(statement.format(profiles="profiles_new",
                                        identifiers="identifiers_new"))
        written = 0
        db.execute("BEGIN")
        try:
            for batch in _batches(profiles):
                db.executemany("INSERT INTO profiles_new VALUES (?, ?)",
                               [(customer, encode_document(doc)) for customer, doc in batch])
                written += len(batch)
            for rows in _batches(identifiers):
                db.executemany("INSERT INTO identifiers_new VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        # the swap: readers see the old tables until this commits
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DROP TABLE profiles")
            db.execute("ALTER TABLE profiles_new RENAME TO profiles")
            db.execute("DROP TABLE identifiers")
            db.execute("ALTER TABLE identifiers_new RENAME TO identifiers")
            db.execute(_INDEX)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return written

    def upsert(self, customer_id: str, document: Document,
               identifiers: Iterable[tuple[str, str]] = ()) -> None:
        db = self.connection
        db.execute("BEGIN")
        try:
            db.execute("INSERT OR REPLACE INTO profiles VALUES (?, ?)",
                       (customer_id, encode_document(document)))
            for kind, value in identifiers:
                db.execute("DELETE FROM identifiers WHERE kind = ? AND value = ? "
                           "AND customer_id = ?", (kind, value, customer_id))
                db.execute("INSERT INTO identifiers VALUES (?, ?, ?)",
                           (kind, value, customer_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.connection.close()
