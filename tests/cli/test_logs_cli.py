"""``accord logs load`` says what it loaded from every stream the server logs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accord.cli.logs import loaded_summary
from accord.cli.main import app
from accord.server.runtime import logs_path

LINES = {
    "decisions": [{"decision_id": "d1", "at": "2026-03-02T09:00:00+00:00",
                   "customer_id": "c1", "channel": "web", "placements": {}, "given": [],
                   "holdouts": [], "candidates": []}],
    "events": [{"event_id": f"e{n}", "type": "page_view", "customer_id": "c1",
                "occurred_at": "2026-03-02T09:00:00+00:00"} for n in range(3)],
    "outcomes": [{"decision_id": "d1", "treatment_id": "t", "kind": kind,
                  "at": "2026-03-02T09:01:00+00:00", "value": None, "customer_id": "c1"}
                 for kind in ("impression", "click")],
    "feedback": [{"customer_id": "c1", "at": "2026-03-02T09:02:00+00:00", "text": "slow",
                  "topic": "delivery"}],
}


def test_logs_load_names_every_stream_it_loaded(tmp_path: Path) -> None:
    folder = logs_path(tmp_path)
    folder.mkdir(parents=True)
    for stream, lines in LINES.items():
        (folder / f"{stream}-0001.ndjson").write_text(
            "".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["logs", "load", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert ("loaded 1 decision, 3 events, 2 outcomes and 1 feedback text from 4 log files"
            in result.output)
    again = CliRunner().invoke(app, ["logs", "load", "--project", str(tmp_path)])
    assert again.output.startswith(
        "loaded 0 decisions, 0 events, 0 outcomes and 0 feedback texts from 0 log files")


def test_summary_of_streams_it_does_not_know_yet() -> None:
    assert loaded_summary({"events": 1, "clicks": 2}, 1) == (
        "loaded 1 event and 2 clicks from 1 log files")
    assert loaded_summary({}, 0) == "loaded nothing from 0 log files"
