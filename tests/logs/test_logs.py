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
