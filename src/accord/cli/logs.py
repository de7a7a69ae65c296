"""``accord logs load``: move the server's decision and event logs into the analytical store
(incremental and exactly once; run it on a schedule, or after a load test)."""

from __future__ import annotations

from pathlib import Path

import typer

from accord.cli.common import ProjectOption, guard, out_console

app = typer.Typer(help="The decision and event logs.", no_args_is_help=True)


@app.command("load")
def load_command(project: ProjectOption = Path(".")) -> None:
    """Load new log lines into the analytical store (tables decision_log, raw_api_events),
    then bring the event timeline that funnels read up to date."""
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
    out_console.print(f"loaded {report.rows['decisions']:,} decisions and "
                      f"{report.rows['events']:,} events from {report.files} log files")
    if timeline is not None:
        out_console.print(f"event timeline: {timeline.events:,} events of "
                          f"{timeline.customers:,} customers")
