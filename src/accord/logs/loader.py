"""Move new log lines into the analytical store, incrementally and exactly once.

Each segment file's loaded byte offset is kept in ``log_offsets`` and advanced in the same
transaction as the rows it covers, so a crash or a rerun never loads a line twice. Only
complete lines (ending in a newline) are taken: a writer may be mid-line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from accord.logs.schema import NESTED, TABLES, typed
from accord.store.base import AnalyticalStore


@dataclass(frozen=True, slots=True)
class LoadReport:
    files: int
    rows: dict[str, int]


def _offsets(store: AnalyticalStore) -> dict[str, int]:
    if "log_offsets" not in store.tables():
        store.execute("CREATE TABLE log_offsets (file VARCHAR PRIMARY KEY, loaded BIGINT)")
        return {}
    table = store.query("SELECT file, loaded FROM log_offsets")
    return dict(zip(table.column("file").to_pylist(), table.column("loaded").to_pylist(),
                    strict=True))


def _rows(stream: str, lines: list[bytes]) -> pa.Table:
    records: list[dict[str, Any]] = [json.loads(line) for line in lines]
    for record in records:
        for key in NESTED[stream]:
            value = record.get(key)
            record[key] = json.dumps({} if value is None and key == "properties" else value)
    return typed(stream, pa.Table.from_pylist(records))


#: Called with (table, rows) inside the transaction that appended ``rows`` to ``table``.
OnBatch = Callable[[str, pa.Table], object]


def load_logs(folder: Path, store: AnalyticalStore, *,
              on_batch: OnBatch | None = None) -> LoadReport:
    """Load every complete new line of every segment in ``folder``.

    Args:
        folder: the log segments (``<stream>-*.ndjson``).
        store: the analytical store.
        on_batch: told of each batch inside its transaction (the event timeline appends it
            there, so both commit or neither).
    """
    offsets = _offsets(store)
    loaded = dict.fromkeys(TABLES, 0)
    files = 0
    for path in sorted(folder.glob("*.ndjson")):
        stream = path.name.split("-", 1)[0]
        if stream not in TABLES:
            continue
        start = offsets.get(path.name, 0)
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read()
        end = data.rfind(b"\n") + 1
        if end == 0:
            continue
        lines = [line for line in data[:end].split(b"\n") if line]
        with store.transaction():
            rows = _rows(stream, lines)
            store.write(TABLES[stream], rows)
            if on_batch is not None:
                on_batch(TABLES[stream], rows)
            name = exp.Literal.string(path.name)
            store.execute(exp.delete("log_offsets", where=exp.column("file").eq(name)))
            store.execute(exp.insert(
                exp.values([(name, exp.Literal.number(start + end))]), "log_offsets"))
        loaded[stream] += len(lines)
        files += 1
    return LoadReport(files, loaded)
