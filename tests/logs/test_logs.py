"""Durable logs and their exactly-once loader."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

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


def test_non_durable_appends_are_synced_on_close(tmp_path: Path) -> None:
    log = DurableLog(tmp_path, "decisions")
    log.append([b'{"decision_id": "d1", "candidates": [], "placements": {}}'], durable=False)
    log.close()
    log.close()  # idempotent
    assert log.path.read_bytes().count(b"\n") == 1
    store = open_store()
    assert load_logs(tmp_path, store).rows["decisions"] == 1
    with pytest.raises(ValueError, match="closed log"):
        log.append([b"{}"])


def test_concurrent_appends_share_syncs_and_lose_nothing(tmp_path: Path) -> None:
    """Group commit: every append returns once on disk, and threads appending at once are
    released by shared syncs (one per append would cap a worker at the disk's fsync rate)."""
    log = DurableLog(tmp_path, "decisions")
    threads, each = 16, 40

    def append(thread: int) -> None:
        for i in range(each):
            log.append([json.dumps({"decision_id": f"d{thread}-{i}"}).encode()])

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(append, range(threads)))
    print(f"{threads * each} appends, {log.syncs} syncs")
    assert log.syncs < threads * each
    lines = log.path.read_bytes().splitlines()
    assert len(lines) == len(set(lines)) == threads * each
    log.close()


def test_first_batches_do_not_fix_the_tables_column_types(tmp_path: Path) -> None:
    """A first batch of anonymous decisions and events without values (all null) must not
    create columns of type NULL: the next batch, with values, would then never load."""
    decisions, events = DurableLog(tmp_path, "decisions"), DurableLog(tmp_path, "events")
    decisions.append([json.dumps({"decision_id": "d1", "customer_id": None,
                                  "at": "2026-03-02T09:00:00+00:00", "given": []}).encode()])
    events.append([json.dumps({"event_id": "e1", "type": "page_view", "customer_id": None,
                               "anonymous_id": "a1", "value": None}).encode()])
    store = open_store()
    rows = load_logs(tmp_path, store).rows
    assert (rows["decisions"], rows["events"]) == (1, 1)
    decisions.append([json.dumps({"decision_id": "d2", "customer_id": "c1",
                                  "at": "2026-03-02T09:01:00+00:00",
                                  "given": ["banner"]}).encode()])
    events.append([json.dumps({"event_id": "e2", "type": "purchase", "customer_id": "c1",
                               "value": "12.50", "properties": {"sku": "x"}}).encode()])
    rows = load_logs(tmp_path, store).rows
    assert (rows["decisions"], rows["events"]) == (1, 1)
    assert store.query("SELECT customer_id, given FROM decision_log ORDER BY decision_id"
                       ).to_pylist() == [{"customer_id": None, "given": "[]"},
                                         {"customer_id": "c1", "given": '["banner"]'}]
    assert store.query("SELECT value FROM raw_api_events ORDER BY event_id").to_pylist() == [
        {"value": None}, {"value": "12.50"}]
    decisions.close()
    events.close()


def test_segments_and_their_folder_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "logs"
    log = DurableLog(folder, "events")
    log.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_feedback_triage_lines_load_into_their_own_table(tmp_path: Path) -> None:
    import datetime as dt

    from accord.feedback.hub import FeedbackRecord

    record = FeedbackRecord("c_1", dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC), "lost my card",
                            "card_lost", 0.93, "negative", -0.8, "high", "critical",
                            "priority", True)
    log = DurableLog(tmp_path, "feedback")
    log.append([record.to_json({"channel": "chat"})])
    log.close()
    store = open_store()
    assert load_logs(tmp_path, store).rows["feedback"] == 1
    row = store.query("SELECT customer_id, topic, queue, alert, channel FROM feedback_log"
                      ).to_pylist()
    assert row == [{"customer_id": "c_1", "topic": "card_lost", "queue": "priority",
                    "alert": True, "channel": "chat"}]
