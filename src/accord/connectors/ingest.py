"""``accord ingest``: load what is new in each source into the analytical store.

Plan, then change (style point 7): every selected source is asked first what is new (files
not yet loaded, the cursor to read past), so that an inconsistent source (a loaded file that
changed) stops the run before anything is written. Then each batch is read, cast to the
canonical types, and written in **one transaction** with its ``ingest_batches`` row, its
rejects and the source's new cursor: a batch is loaded completely or not at all.

Malformed rows follow the source's ``on_error``: ``reject`` writes them to ``rejects`` (file,
line, column, error, raw row) and loads the rest; ``refuse`` raises :class:`IngestError`
naming the first bad file and line, and writes nothing of the batch. Rerunning is safe: a file
is loaded once (by content hash) and database rows once (by cursor), so a second run with no
new data writes nothing.

Afterwards the per-entity views (``contacts``, ``orders``, ...) are refreshed over the raw
tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Sequence
from contextlib import closing, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from accord.connectors.base import (
    Connector,
    IngestError,
    Pending,
    RawBatch,
    RowError,
    connector_for,
)
from accord.connectors.casting import CastResult, Formats, cast_batch
from accord.connectors.report import MAX_SHOWN_ERRORS, IngestReport, SourceReport
from accord.connectors.tables import (
    BATCHES,
    CURSORS,
    INGEST_TABLES,
    REJECTS,
    batch_row,
    create_table,
    raw_columns,
    raw_table,
    read_state,
    refresh_views,
    reject_rows,
    set_cursor,
    with_lineage,
)
from accord.errors import ConfigError
from accord.project.config import ENTITY_FIELDS

if TYPE_CHECKING:
    from accord.clock import Clock
    from accord.progress import Progress, Task
    from accord.project.config import Project, Source
    from accord.store.base import AnalyticalStore


@dataclass(frozen=True, slots=True)
class _Plan:
    name: str
    source: Source
    connector: Connector
    items: list[Pending]


def select_sources(project: Project, sources: Sequence[str] | None) -> list[str]:
    """The sources to ingest: all of them, or the named ones in configuration order.

    Raises:
        ConfigError: a named source is not in the project.
    """
    if sources is None:
        return list(project.sources)
    unknown = [name for name in sources if name not in project.sources]
    if unknown:
        known = ", ".join(project.sources) or "none"
        raise ConfigError(f"unknown source(s) {', '.join(unknown)}; known: {known}")
    return [name for name in project.sources if name in sources]


def run_ingest(project: Project, project_dir: Path, store: AnalyticalStore, *, clock: Clock,
               progress: Progress, sources: Sequence[str] | None = None) -> IngestReport:
    """Load what is new in the project's sources (or the named ones).

    Args:
        project: the project.
        project_dir: its directory (file paths are relative to it).
        store: the analytical store written to.
        clock: tells the time for ``_loaded_at`` and the report.
        progress: shown rows per source.
        sources: names of the sources to ingest (all when None).

    Returns:
        Batches, rows and rejected rows per source.

    Raises:
        IngestError: a refused batch (nothing of it is written; earlier batches stay), a
            missing column, an unreadable or changed file.
        ConfigError: an unknown source name.
    """
    started = clock.now()
    plans = []
    for name in select_sources(project, sources):
        source = project.sources[name]
        connector = connector_for(name, source, project_dir)
        plans.append(_Plan(name, source, connector, connector.pending(read_state(store, name))))
    reports: list[SourceReport] = []
    finished = False
    try:
        for plan in plans:
            reports.append(_ingest_source(plan, store, clock=clock, progress=progress))
        finished = True
    finally:
        # after a refused batch, earlier batches of the run are in: the views must show them
        # (a store that nothing was ever loaded into is left untouched)
        if finished or BATCHES in store.tables():
            refresh_views(store, project)
    return IngestReport(tuple(reports), (clock.now() - started).total_seconds())


def _ingest_source(plan: _Plan, store: AnalyticalStore, *, clock: Clock,
                   progress: Progress) -> SourceReport:
    started = clock.now()
    report = SourceReport(source=plan.name, entity=plan.source.entity.value)
    task = progress.task(plan.name)
    try:
        for item in plan.items:
            batches = plan.connector.read(item)
            # closed explicitly: a database reader holds its connection until it is closed
            with closing(batches) if isinstance(batches, Generator) else nullcontext():
                for raw in batches:
                    report = _load(plan, raw, report, store, clock, task)
    finally:
        task.done()
    return replace(report, seconds=(clock.now() - started).total_seconds())


def _load(plan: _Plan, raw: RawBatch, report: SourceReport, store: AnalyticalStore,
          clock: Clock, task: Task) -> SourceReport:
    """Cast and write one batch (or refuse it); the source's report with it counted."""
    cast = _cast(plan, raw)
    errors = tuple(sorted(raw.rejects + cast.errors, key=lambda error: error.line or 0))
    if errors and plan.source.on_error == "refuse":
        raise _refused(plan.name, raw.file, errors)
    _write(plan, raw, cast, errors, store, clock)
    task.advance(cast.table.num_rows + len(errors))
    return replace(report, batches=report.batches + 1, rows=report.rows + cast.table.num_rows,
                   rejected=report.rejected + len(errors), files=(*report.files, raw.file),
                   errors=(report.errors + errors)[:MAX_SHOWN_ERRORS])


def _cast(plan: _Plan, raw: RawBatch) -> CastResult:
    formats = Formats(date=plan.source.csv.date_format,
                      timestamp=plan.source.csv.timestamp_format)
    return cast_batch(raw.data, plan.source.columns, ENTITY_FIELDS[plan.source.entity],
                      file=raw.file, formats=formats)


def _refused(source: str, file: str, errors: tuple[RowError, ...]) -> IngestError:
    first = errors[0]
    count = f"{len(errors)} malformed row{'s' if len(errors) != 1 else ''}"
    return IngestError(f"refused {file} ({count}, on_error: refuse); first: {first}",
                       source=source, file=first.file, line=first.line, column=first.column,
                       errors=errors)


def batch_id(source: str, key: str) -> str:
    """A batch's id: a UUID derived from its source and key, so that the same batch has the
    same id in every store.

    >>> batch_id("crm", "data/a.csv sha256=00") == batch_id("crm", "data/a.csv sha256=00")
    True
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"accord-ingest:{source}:{key}"))


def _write(plan: _Plan, raw: RawBatch, cast: CastResult, errors: tuple[RowError, ...],
           store: AnalyticalStore, clock: Clock) -> None:
    """Write a batch, its bookkeeping row, its rejects and the cursor: all or nothing."""
    at = clock.now().replace(tzinfo=None)  # stored as UTC without a zone, like every timestamp
    batch = batch_id(plan.name, raw.key)
    table = raw_table(plan.name)
    with store.transaction():
        for name, columns in (*INGEST_TABLES.items(), (table, raw_columns(plan.source.entity))):
            store.execute(create_table(name, columns))
        if cast.table.num_rows:
            store.write(table, with_lineage(cast.table, source=plan.name, batch=batch,
                                            file=raw.file, at=at))
        store.write(BATCHES, batch_row(batch=batch, source=plan.name, kind=raw.kind,
                                       key=raw.key, file=raw.file, sha256=raw.sha256,
                                       rows=cast.table.num_rows, rejected=len(errors), at=at))
        if errors:
            store.write(REJECTS, reject_rows(plan.name, batch, errors))
        if raw.cursor is not None:
            delete, row = set_cursor(plan.name, raw.cursor, at)
            store.execute(delete)
            store.write(CURSORS, row)
