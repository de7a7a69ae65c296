"""What the database connectors (SQLite, PostgreSQL) share: reading a table past a cursor.

A database source is read in chunks ordered by its cursor column (``max_id``: an increasing
id; ``modified_at``: a last-modified time), each chunk one batch that moves the cursor to the
chunk's last value. A chunk never ends inside a run of equal cursor values, so a run stopped
between chunks resumes with ``cursor > last`` and neither loses nor repeats a row. Rows
modified again later come back as new rows (an upsert is identity resolution's business).

Values are handed on as text (JSON for nested values), and cast like any other source.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
from sqlglot import exp

from accord.connectors.base import LINE, IngestError, Pending, RawBatch, SourceState

if TYPE_CHECKING:
    from accord.project.config import Source


class DbCursor(Protocol):
    """The part of a DB-API cursor the connectors use."""

    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def fetchmany(self, size: int = ...) -> Sequence[Sequence[Any]]: ...

    def close(self) -> None: ...


def to_text(value: Any) -> str | None:
    """A database value as text that the canonical casts read back.

    >>> to_text(dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC)), to_text({"a": 1}), to_text(True)
    ('2024-05-01 09:30:00+00:00', '{"a": 1}', 'true')
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, decimal.Decimal | int | float | dt.date | dt.time):
        return str(value)
    return str(value)


def hide_password(url: str) -> str:
    """A connection URL without its password, for messages and stored keys.

    >>> hide_password("postgresql://ann:s3cret@db:5432/crm")
    'postgresql://ann@db:5432/crm'
    """
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1@", url)


class DatabaseConnector:
    """Base of the database connectors; subclasses open the connection and list columns."""

    #: Rows per batch (each its own transaction and cursor step).
    chunk_rows = 50_000
    #: The sqlglot dialect the queries are generated in.
    dialect = "sqlite"

    def __init__(self, name: str, source: Source, project_dir: Path) -> None:
        self.name = name
        self.source = source
        self.project_dir = project_dir
        self.table = source.table or ""
        self.cursor_column = source.cursor_column or ""
        self.wanted = list(dict.fromkeys(source.columns.values()))
        self.where = f"{hide_password(source.url or '')}#{self.table}"

    # -- to be provided by a backend

    def connect(self) -> AbstractContextManager[Any]:
        """A read-only connection (a context manager that closes it)."""
        raise NotImplementedError

    def columns(self, connection: Any) -> list[str]:
        """The table's column names."""
        raise NotImplementedError

    def open_cursor(self, connection: Any) -> DbCursor:
        """A cursor that streams the query's rows."""
        raise NotImplementedError

    def cursor_param(self, text: str) -> Any:
        """The stored cursor text as a query parameter of the column's type."""
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else text

    # -- shared

    def pending(self, state: SourceState) -> list[Pending]:
        after = f" after {state.cursor}" if state.cursor is not None else ""
        return [Pending(label=f"{self.where}{after}", cursor=state.cursor)]

    def query(self, after: str | None) -> exp.Select:
        """Rows past the cursor, in cursor order."""
        names = list(dict.fromkeys([*self.wanted, self.cursor_column]))
        column = exp.column(self.cursor_column, quoted=True)
        query = exp.select(*(exp.column(name, quoted=True) for name in names)) \
            .from_(exp.to_table(self.table, dialect=self.dialect)).order_by(column)
        if after is not None:
            query = query.where(exp.GT(this=column, expression=exp.Placeholder()))
        return query

    def read(self, item: Pending) -> Iterator[RawBatch]:
        names = list(dict.fromkeys([*self.wanted, self.cursor_column]))
        with self.connect() as connection:
            present = self.columns(connection)
            if not present:
                raise IngestError(f"{self.where}: no such table", source=self.name,
                                  file=self.where)
            for column in names:
                if column not in present:
                    raise IngestError(
                        f"{self.where}: column {column!r} (in accord.yaml) is missing; the "
                        f"table has: {', '.join(present)}", source=self.name,
                        file=self.where, column=column)
            sql = self.query(item.cursor).sql(self.dialect)
            params = (self.cursor_param(item.cursor),) if item.cursor is not None else ()
            with closing(self.open_cursor(connection)) as cursor:
                yield from self._batches(cursor, sql, params, names, item.cursor)

    def _batches(self, cursor: DbCursor, sql: str, params: tuple[Any, ...],
                 names: list[str], before: str | None) -> Iterator[RawBatch]:
        at = names.index(self.cursor_column)
        cursor.execute(sql, params)
        line = 1
        for rows in _chunks(cursor, self.chunk_rows, at):
            after = to_text(rows[-1][at])
            data = _arrow(rows, names[:len(self.wanted)], line)
            key = f"{self.where}: {self.cursor_column} in ({before or 'start'}, {after}]"
            yield RawBatch(data=data, file=self.where, kind="query", key=key, cursor=after)
            before, line = after, line + len(rows)


def _chunks(cursor: DbCursor, size: int, at: int) -> Iterator[list[Sequence[Any]]]:
    """The cursor's rows in chunks of about ``size`` that never end inside a run of equal
    cursor values (the next chunk is fetched first, and its leading ties join this one)."""
    current = list(cursor.fetchmany(size))
    while current:
        following = list(cursor.fetchmany(size))
        last = current[-1][at]
        cut = 0
        while cut < len(following) and following[cut][at] == last:
            cut += 1
        if following and cut == len(following):  # all ties: keep reading
            current += following
            continue
        yield current + following[:cut]
        current = following[cut:]


def _arrow(rows: list[Sequence[Any]], names: list[str], first_line: int) -> pa.Table:
    """Rows as an Arrow table of text columns plus ``_line``."""
    columns = {name: pa.array([to_text(row[index]) for row in rows], pa.string())
               for index, name in enumerate(names)}
    columns[LINE] = pa.array(range(first_line, first_line + len(rows)), pa.int64())
    return pa.table(columns)
