"""``accord logs load``: move the server's decision and event logs into the analytical store
(incremental and exactly once; run it on a schedule, or after a load test)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import typer

from accord.cli.common import ProjectOption, guard, out_console

app = typer.Typer(help="The decision and event logs.", no_args_is_help=True)

#: Stream -> how one and several of its lines are called, in the order they are reported.
STREAM_NOUNS = {"decisions": ("decision", "decisions"), "events": ("event", "events"),
                "outcomes": ("outcome", "outcomes"),
                "feedback": ("feedback text", "feedback texts")}


def loaded_summary(rows: Mapping[str, int], files: int) -> str:
    """What one load moved, every stream named (those it loaded nothing of too).

    >>> loaded_summary({"decisions": 2, "events": 1000, "outcomes": 0, "feedback": 1}, 3)
    'loaded 2 decisions, 1,000 events, 0 outcomes and 1 feedback text from 3 log files'
    """
    streams = [*(name for name in STREAM_NOUNS if name in rows),
               *sorted(name for name in rows if name not in STREAM_NOUNS)]
    parts = [f"{rows[name]:,} {STREAM_NOUNS.get(name, (name, name))[rows[name] != 1]}"
             for name in streams]
    counted = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    return f"loaded {counted or 'nothing'} from {files} log files"


@app.command("load")
def load_command(project: ProjectOption = Path(".")) -> None:
    """Load new log lines into the analytical store (tables decision_log, raw_api_events,
    outcome_log, feedback_log), then bring the event timeline that funnels read up to date.
    The next ``accord build`` counts the events in profiles and segments."""
    from accord.campaigns.timeline import refresh_timeline
    from accord.campaigns.timeline_delta import append_logged
    from accord.logs import load_logs
    from accord.project.template import store_path
    from accord.server.runtime import logs_path
    from accord.store import open_store

    with guard():
        store = open_store("duckdb", store_path(project))
        try:
            # each batch joins the timeline in its own transaction; a timeline that was
            # out of date before is rebuilt whole afterwards
            report = load_logs(logs_path(project), store,
                               on_batch=lambda table, rows: append_logged(store, table, rows))
            timeline = refresh_timeline(store)
        finally:
            store.close()
    out_console.print(loaded_summary(report.rows, report.files))
    if timeline is not None:
        out_console.print(f"event timeline: {timeline.events:,} events of "
                          f"{timeline.customers:,} customers")
