"""The state folder and its files are owner-only, whatever the umask."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.logs import DurableLog
from accord.online import open_online
from accord.online.contacts import ContactStore
from accord.operational.store import open_operational, sqlite_url
from accord.permissions import private_dir, private_file, private_tree
from accord.store import open_store


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: every mode below is the one given at creation."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): stat.S_IMODE(path.lstat().st_mode)
            for path in [root, *root.rglob("*")]}


def test_helpers_give_owner_only_modes_and_leave_existing_parents(
        tmp_path: Path, open_umask: None) -> None:
    tmp_path.chmod(0o755)
    assert private_file(tmp_path / "state" / "logs" / "a.db")
    assert not private_file(tmp_path / "state" / "logs" / "a.db")  # there already
    assert private_dir(tmp_path / "state") == tmp_path / "state"
    modes = _modes(tmp_path)
    assert modes == {".": 0o755, "state": 0o700, "state/logs": 0o700,
                     "state/logs/a.db": 0o600}


def test_every_store_creates_its_files_owner_only(tmp_path: Path, open_umask: None) -> None:
    state = tmp_path / ".accord"
    analytical = open_store("duckdb", state / "analytics.duckdb")
    analytical.execute("CREATE TABLE t AS SELECT 1 AS x")
    online = open_online("sqlite", state / "online.sqlite")
    contacts = ContactStore(state / "contacts.sqlite")
    contacts.record_decision("d1", "c1", "web", dt.datetime.now(dt.UTC), [], ["t1"])
    operational = open_operational(sqlite_url(state / "operational.sqlite"))
    log = DurableLog(state / "logs", "decisions")
    log.append([b"{}"])
    try:
        loose = {name: oct(mode) for name, mode in _modes(state).items() if mode & 0o077}
        assert loose == {}
        assert (state / "contacts.sqlite-wal").exists()  # SQLite's own files covered too
    finally:
        log.close()
        operational.engine.dispose()
        contacts.close()
        online.close()
        analytical.close()


def test_a_state_folder_of_an_earlier_version_is_made_private(tmp_path: Path) -> None:
    state = tmp_path / ".accord"
    (state / "logs").mkdir(parents=True, mode=0o755)
    state.chmod(0o755)
    (state / "logs" / "events-1.ndjson").write_text("{}\n")
    (state / "logs" / "events-1.ndjson").chmod(0o644)
    private_tree(state)
    assert set(_modes(state).values()) == {0o700, 0o600}
