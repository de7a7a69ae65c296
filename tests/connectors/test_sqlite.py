"""SQLite tables read past a max-id or modified-at cursor, in chunks that never split ties."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from accord.connectors import IngestError
from accord.connectors.database import _chunks
from tests.connectors.conftest import Hub

COLUMNS = {"source_id": "id", "email": "email", "consent_email": "optin",
           "updated_at": "changed"}


def database(path: Path, rows: list[tuple[object, ...]]) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY, "
                           "email TEXT, optin INTEGER, changed TEXT, extra BLOB)")
        connection.executemany("INSERT INTO people (id, email, optin, changed) "
                               "VALUES (?, ?, ?, ?)", rows)
    connection.close()


def test_max_id_cursor_loads_only_new_rows(hub: Hub) -> None:
    hub.source("crm", entity="contacts", type="sqlite", url="crm.sqlite", table="people",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    db = hub.root / "crm.sqlite"
    database(db, [(1, "a@x.org", 1, "2024-01-01 10:00:00"), (2, "b@x.org", 0, None)])
    first = hub.ingest()
    assert (first.batches, first.rows) == (1, 2)
    assert hub.rows("ingest_cursors", order="source") [0]["cursor"] == "2"
    before = hub.snapshot()
    assert hub.ingest().rows == 0
    assert hub.snapshot() == before
    database(db, [(3, "c@x.org", None, "bad date"), (10, "d@x.org", 1, None)])
    second = hub.ingest()
    assert (second.rows, second.rejected) == (1, 1)
    rows = hub.rows("contacts", order="source_id")
    assert [(row["source_id"], row["consent_email"]) for row in rows] == \
        [("1", True), ("10", True), ("2", False)]
    reject = hub.rows("rejects", order="line")[0]
    assert (reject["file"], reject["line"], reject["column"]) == \
        ("crm.sqlite#people", 1, "changed")
    assert '"id": "3"' in reject["raw"]
    assert hub.rows("ingest_cursors", order="source")[0]["cursor"] == "10"


def test_modified_at_cursor(hub: Hub) -> None:
    hub.source("crm", entity="contacts", type="sqlite", url="sqlite:///crm.sqlite",
               table="people", cursor="modified_at", cursor_column="changed", columns=COLUMNS)
    db = hub.root / "crm.sqlite"
    database(db, [(1, "a@x.org", 1, "2024-01-01 10:00:00"),
                  (2, "b@x.org", 1, "2024-01-02 10:00:00")])
    assert hub.ingest().rows == 2
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE people SET email = 'new@x.org', "
                           "changed = '2024-01-03 09:00:00' WHERE id = 1")
    connection.close()
    hub.clock.advance(dt.timedelta(hours=1))
    assert hub.ingest().rows == 1
    assert [row["email"] for row in hub.rows("raw_crm", order="_loaded_at, _line")] == \
        ["a@x.org", "b@x.org", "new@x.org"]


def test_missing_table_and_column(hub: Hub) -> None:
    hub.source("crm", entity="contacts", type="sqlite", url="crm.sqlite", table="nobody",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    database(hub.root / "crm.sqlite", [])
    with pytest.raises(IngestError, match=r"crm\.sqlite#nobody: no such table"):
        hub.ingest()
    hub.source("crm", entity="contacts", type="sqlite", url="crm.sqlite", table="people",
               cursor="max_id", cursor_column="id",
               columns={**COLUMNS, "phone": "mobile"})
    with pytest.raises(IngestError, match="column 'mobile'"):
        hub.ingest()
    hub.source("crm", entity="contacts", type="sqlite", url="none.sqlite", table="people",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    with pytest.raises(IngestError, match="no SQLite database"):
        hub.ingest()


def test_chunks_end_where_the_cursor_value_changes(hub: Hub) -> None:
    db = hub.root / "t.sqlite"
    database(db, [(i, "x", 1, f"2024-01-0{1 + i // 4}") for i in range(1, 10)])
    with sqlite3.connect(db) as connection:
        cursor = connection.execute("SELECT id, changed FROM people ORDER BY changed, id")
        sizes = [[row[0] for row in chunk] for chunk in _chunks(cursor, 2, 1)]
    connection.close()
    assert sizes == [[1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_chunked_batches_move_the_cursor(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.connectors.database import DatabaseConnector

    monkeypatch.setattr(DatabaseConnector, "chunk_rows", 2)
    hub.source("crm", entity="contacts", type="sqlite", url="crm.sqlite", table="people",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    database(hub.root / "crm.sqlite", [(i, f"{i}@x.org", 1, None) for i in range(1, 6)])
    report = hub.ingest()
    assert (report.batches, report.rows) == (3, 5)
    keys = {row["key"] for row in hub.rows("ingest_batches", order="key")}
    assert keys == {"crm.sqlite#people: id in (start, 2]", "crm.sqlite#people: id in (2, 4]",
                    "crm.sqlite#people: id in (4, 5]"}
    assert [row["_line"] for row in hub.rows("raw_crm", order="source_id")] == [1, 2, 3, 4, 5]
