"""PostgreSQL tables on a real, throw-away server (see ``conftest.postgres_url``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from accord.connectors import IngestError
from tests.connectors.conftest import Hub

COLUMNS = {"source_id": "id", "email": "email", "type": "kind", "occurred_at": "at",
           "value": "amount", "properties": "payload"}


def setup_table(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("CREATE SCHEMA web")
        connection.execute("CREATE TABLE web.events (id bigint PRIMARY KEY, email text, "
                           "kind text, at timestamptz, amount numeric(10, 2), payload jsonb, "
                           "modified timestamptz NOT NULL)")


def insert(url: str, rows: list[tuple[object, ...]]) -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(url) as connection:
        connection.cursor().executemany(
            "INSERT INTO web.events VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(*row[:5], Jsonb(row[5]), row[6]) for row in rows])


def at(hour: int, minute: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2024, 5, 1, hour, minute, 0, micro, tzinfo=dt.UTC)


def test_modified_at_cursor_on_a_real_server(hub: Hub, pg_database: str) -> None:
    setup_table(pg_database)
    paris = dt.timezone(dt.timedelta(hours=2))
    insert(pg_database, [
        (1, "a@x.org", "open", dt.datetime(2024, 5, 1, 12, tzinfo=paris), Decimal("1.50"),
         {"campaign": "spring", "tags": ["a"]}, at(10, micro=123456)),
        (2, "b@x.org", "click", None, None, None, at(10, micro=123456)),
    ])
    hub.source("web", entity="events", type="postgres",
               url=pg_database.replace("postgres@", "postgres:secret@"), table="web.events",
               cursor="modified_at", cursor_column="modified", columns=COLUMNS)
    first = hub.ingest()
    assert (first.rows, first.rejected) == (2, 0)
    rows = hub.rows("events", order="source_id")
    assert [(row["source_id"], row["occurred_at"], row["value"]) for row in rows] == [
        ("1", dt.datetime(2024, 5, 1, 10), Decimal("1.50")), ("2", None, None)]
    assert json.loads(rows[0]["properties"]) == {"campaign": "spring", "tags": ["a"]}
    cursor = hub.rows("ingest_cursors", order="source")[0]["cursor"]
    assert cursor == "2024-05-01 10:00:00.123456+00:00"
    assert "secret" not in repr(hub.rows("ingest_batches", order="key"))

    before = hub.snapshot()
    assert hub.ingest().rows == 0
    assert hub.snapshot() == before

    # one microsecond later is new; the same instant again is not
    insert(pg_database, [(3, "c@x.org", "open", None, None, {}, at(10, micro=123457)),
                         (4, "d@x.org", "open", None, Decimal("2"), {}, at(11))])
    hub.clock.advance(dt.timedelta(minutes=5))
    second = hub.ingest()
    assert second.rows == 2
    assert [row["source_id"] for row in hub.rows("raw_web", order="source_id")] == \
        ["1", "2", "3", "4"]


def test_max_id_cursor_and_a_missing_column(hub: Hub, pg_database: str) -> None:
    setup_table(pg_database)
    insert(pg_database, [(5, "a@x.org", "open", None, None, None, at(9)),
                         (7, "b@x.org", "open", None, None, None, at(9))])
    hub.source("web", entity="events", type="postgres", url=pg_database, table="web.events",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    assert hub.ingest().rows == 2
    insert(pg_database, [(6, "late@x.org", "open", None, None, None, at(9)),
                         (8, "c@x.org", "open", None, None, None, at(9))])
    assert hub.ingest().rows == 1  # a smaller id arriving late is behind the cursor
    hub.source("web", entity="events", type="postgres", url=pg_database, table="web.events",
               cursor="max_id", cursor_column="id", columns={**COLUMNS, "channel": "medium"})
    with pytest.raises(IngestError, match=r"web\.events: column 'medium'"):
        hub.ingest()


def test_an_unreachable_server_is_a_clear_error(hub: Hub, postgres_url: str) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    hub.source("web", entity="events", type="postgres", url=url, table="events",
               cursor="max_id", cursor_column="id", columns=COLUMNS)
    with pytest.raises(IngestError, match="cannot connect"):
        hub.ingest()
