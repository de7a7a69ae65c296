"""Fixtures for the connector tests: project folders, ingest runs, store snapshots, and a
real, throw-away PostgreSQL server.

The PostgreSQL fixture runs Debian's ``initdb`` and ``pg_ctl`` (installed by
``scripts/services.sh``) into a fresh temporary folder on a free localhost port, with its
socket in that folder too; as root it runs them as the ``postgres`` user (the server refuses
to run as root). Where the binaries are absent the PostgreSQL tests skip, saying why.
"""

from __future__ import annotations

import datetime as dt
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlglot import exp

from accord.clock import FixedClock
from accord.connectors import IngestReport, run_ingest
from accord.progress import SilentProgress
from accord.project import Project, parse_project
from accord.store import AnalyticalStore, open_store

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


class RecordingProgress:
    """A :class:`accord.progress.Progress` that remembers what it was told."""

    def __init__(self) -> None:
        self.tasks: list[RecordingTask] = []

    def task(self, description: str, total: int | None = None) -> RecordingTask:
        task = RecordingTask(description, total)
        self.tasks.append(task)
        return task


class RecordingTask:
    def __init__(self, description: str, total: int | None) -> None:
        self.description = description
        self.total = total
        self.advances: list[int] = []
        self.finished = False

    def advance(self, amount: int = 1) -> None:
        self.advances.append(amount)

    def done(self) -> None:
        self.finished = True


class Hub:
    """A project folder and its store, with helpers to write config and data and ingest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources: dict[str, dict[str, Any]] = {}
        self.store = open_store("duckdb", root / ".accord" / "analytics.duckdb")
        self.clock = FixedClock(NOW)

    def source(self, name: str, **settings: Any) -> None:
        self.sources[name] = settings

    def project(self) -> Project:
        text = yaml.safe_dump({"name": "test", "sources": self.sources}, sort_keys=False)
        (self.root / "accord.yaml").write_text(text, encoding="utf-8")
        return parse_project(text, self.root / "accord.yaml")

    def write(self, relative: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    def ingest(self, sources: list[str] | None = None,
               progress: Any = None) -> IngestReport:
        return run_ingest(self.project(), self.root, self.store, clock=self.clock,
                          progress=progress or SilentProgress(), sources=sources)

    def rows(self, table: str, order: str = "_line") -> list[dict[str, Any]]:
        query = exp.select("*").from_(exp.to_table(table)).order_by(order)
        return self.store.query(query).to_pylist()

    def snapshot(self) -> dict[str, Any]:
        """Every table and view: its rows, count and a checksum (order-insensitive)."""
        return snapshot(self.store)


def snapshot(store: AnalyticalStore) -> dict[str, Any]:
    shot: dict[str, Any] = {}
    for name in store.tables():
        table = exp.to_table(exp.to_identifier(name, quoted=True))
        check = store.query(exp.select("count(*) AS n", "bit_xor(hash(t)) AS h")
                            .from_(table.as_("t"))).to_pylist()[0]
        rows = store.query(exp.select("*").from_(table)).to_pylist()
        shot[name] = (check["n"], check["h"],
                      sorted(rows, key=lambda row: repr(sorted(row.items()))))
    return shot


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    built = Hub(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def progress() -> RecordingProgress:
    return RecordingProgress()


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on the PATH, else Debian's newest."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3]
                   .isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A running PostgreSQL server for the session (``postgresql://postgres@127.0.0.1:PORT``)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install "
                        "'accord[postgres]')")
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl): run scripts/services.sh")
    root = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log, port = root / "data", root / "server.log", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
        "-E", "UTF8", "--locale=C", "--no-sync")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", options, "start")
    except subprocess.CalledProcessError:
        print(log.read_text(errors="replace") if log.exists() else "no server log")
        raise
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """A fresh database on the session's server; its URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


_counter = itertools.count(1)
