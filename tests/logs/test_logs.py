"""Durable logs and their exactly-once loader."""

from __future__ import annotations

import json
from pathlib import Path

from accord.logs import DurableLog, load_logs
from accord.store import open_store


def test_loader_takes_only_new_complete_lines(tmp_path: Path) -> None:
    log = DurableLog(tmp_path, "events")
    log.append([json.dumps({"event_id": f"e{i}", "type": "page_view"}).encode()
                for i in range(3)])
    store = open_store()
    assert load_logs(tmp_path, store).rows["events"] == 3
    assert load_logs(tmp_path, store).rows["events"] == 0  # a rerun loads nothing
    with log.path.open("ab") as handle:  # a writer caught mid-line
        handle.write(b'{"event_id": "e9", "type": "cli')
    assert load_logs(tmp_path, store).rows["events"] == 0
    with log.path.open("ab") as handle:
        handle.write(b'ck"}\n')
    assert load_logs(tmp_path, store).rows["events"] == 1
    ids = store.query("SELECT event_id FROM raw_api_events ORDER BY event_id")
    assert ids.column("event_id").to_pylist() == ["e0", "e1", "e2", "e9"]
    log.close()


def test_non_durable_appends_are_flushed_in_the_background(tmp_path: Path) -> None:
    log = DurableLog(tmp_path, "decisions", flush_interval=0.01)
    log.append([b'{"decision_id": "d1", "candidates": [], "placements": {}}'], durable=False)
    log.close()
    assert log.path.read_bytes().count(b"\n") == 1
    store = open_store()
    assert load_logs(tmp_path, store).rows["decisions"] == 1
