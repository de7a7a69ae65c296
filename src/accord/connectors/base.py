"""What every connector shares: raw batches, row errors, the ``Connector`` protocol, the registry.

A connector reads one configured source. Ingest asks it what is new
(:meth:`Connector.pending`, cheap: listing and hashing files, or the cursor to read past) and
then reads each pending item as :class:`RawBatch` es: Arrow tables of the mapped source
columns, still as read, plus a ``_line`` column that says where each row came from. Casting to
the canonical types happens afterwards, the same way for every connector
(:mod:`accord.connectors.casting`).

Connectors are chosen by the source's ``type:`` through :data:`CONNECTORS`, the registry that
the built-ins use too (:func:`register_connector`); each is imported only when used, so
``import accord`` never imports psycopg.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from accord.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa

    from accord.project.config import Source

#: The name of the column every raw batch carries: the row's line in its file (1-based), or
#: its position in a database batch.
LINE = "_line"


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be read or cast.

    Attributes:
        file: where the row came from (a path relative to the project, or ``db#table``).
        line: its 1-based line in the file (position in the batch for databases).
        column: the source column at fault, when one is.
        error: what is wrong, in words.
        raw: the row as read (the CSV line, the JSON text, or the values as JSON).
    """

    file: str
    line: int | None
    column: str | None
    error: str
    raw: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        column = f": column {self.column!r}" if self.column else ""
        return f"{where}{column}: {self.error}"


class IngestError(ConfigError):
    """A batch that cannot be loaded: a missing column, malformed rows under the ``refuse``
    policy, an unreadable or changed file. Nothing of the batch was written.

    Attributes:
        source: the source's name.
        file: the file (or ``db#table``) at fault, when one is.
        line: the first bad line, when the problem is a row.
        column: the source column at fault, when one is.
        errors: every row error of a refused batch.
    """

    def __init__(self, message: str, *, source: str | None = None, file: str | None = None,
                 line: int | None = None, column: str | None = None,
                 errors: tuple[RowError, ...] = ()) -> None:
        self.source = source
        self.file = file
        self.line = line
        self.column = column
        self.errors = errors
        prefix = f"source {source!r}: " if source else ""
        super().__init__(prefix + message)


@dataclass(frozen=True, slots=True)
class RawBatch:
    """Rows read from a source, before casting.

    Attributes:
        data: the mapped source columns as read, plus :data:`LINE` (int64).
        file: where the rows came from, for messages and the ``_file`` column.
        kind: ``file`` or ``query``.
        key: what identifies the batch in ``ingest_batches`` (file + size + mtime + sha256,
            or the cursor range).
        rejects: rows the reader itself could not parse (too many columns, invalid JSON).
        sha256: the file's content hash (files only).
        cursor: the source's cursor after this batch (databases only).
    """

    data: pa.Table
    file: str
    kind: str
    key: str
    rejects: tuple[RowError, ...] = ()
    sha256: str | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class SourceState:
    """What is already loaded from a source.

    Attributes:
        files: file path (as stored) -> sha256 of every file loaded.
        cursor: the database cursor (max id or modified-at, as text), when there is one.
    """

    files: Mapping[str, str] = field(default_factory=dict)
    cursor: str | None = None

    @property
    def hashes(self) -> frozenset[str]:
        """The content hashes already loaded."""
        return frozenset(self.files.values())


@dataclass(frozen=True, slots=True)
class Pending:
    """Something new to read: a file, or the rows of a table past a cursor.

    Attributes:
        label: what it is, in words (the file path, or ``table after cursor``).
        path: the file (files only).
        sha256: its content hash (files only).
        size: its size in bytes (files only).
        mtime: its modification time, ISO (files only).
        cursor: the cursor to read past (databases only; None reads from the start).
    """

    label: str
    path: Path | None = None
    sha256: str | None = None
    size: int | None = None
    mtime: str | None = None
    cursor: str | None = None


class Connector(Protocol):
    """Reads one source as raw batches."""

    def pending(self, state: SourceState) -> list[Pending]:
        """What is new since ``state``; raises :class:`IngestError` before anything is read
        when the source is inconsistent with it (a loaded file whose content changed)."""

    def read(self, item: Pending) -> Iterator[RawBatch]:
        """Read a pending item as one or more batches (a file is one batch; a table is read
        in chunks, each advancing the cursor)."""


#: Builds a connector from the source's name, its configuration and the project directory.
ConnectorFactory = Callable[[str, "Source", Path], Connector]

#: Source ``type`` -> factory, or ``"module:attribute"`` imported on first use.
CONNECTORS: dict[str, ConnectorFactory | str] = {
    "csv": "accord.connectors.csv:CsvConnector",
    "parquet": "accord.connectors.parquet:ParquetConnector",
    "ndjson": "accord.connectors.ndjson:NdjsonConnector",
    "sqlite": "accord.connectors.sqlite:SqliteConnector",
    "postgres": "accord.connectors.postgres:PostgresConnector",
}


def register_connector(kind: str, factory: ConnectorFactory | str) -> None:
    """Register (or replace) the connector for source type ``kind``."""
    CONNECTORS[kind] = factory


def connector_for(name: str, source: Source, project_dir: Path) -> Connector:
    """The connector for a configured source.

    Raises:
        ConfigError: no connector is registered for the source's type.
    """
    factory = CONNECTORS.get(source.type)
    if factory is None:
        raise ConfigError(f"source {name!r}: no connector for type {source.type!r}; "
                          f"known: {', '.join(sorted(CONNECTORS))}")
    if isinstance(factory, str):
        module, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module), attribute)
        CONNECTORS[source.type] = factory
    return factory(name, source, project_dir)
