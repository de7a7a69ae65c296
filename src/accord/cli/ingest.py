"""``accord init DIR`` and ``accord ingest``: create a project, load its sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, err_console, guard, out_console
from accord.cli.progress import RichProgress
from accord.clock import SystemClock

if TYPE_CHECKING:
    from accord.connectors.report import IngestReport



def init_command(
    directory: Annotated[Path, typer.Argument(help="The folder to create the project in.")],
) -> None:
    """Create a project: a commented accord.yaml, sample data in data/, state in .accord/."""
    from accord.project.template import init_project

    with guard():
        written = init_project(directory)
    out_console.print(f"Created project in {directory}:")
    for path in written:
        out_console.print(f"  {path}")
    out_console.print(f"Next: accord ingest --project {directory}")


def ingest_command(
    project: ProjectOption = Path("."),
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Ingest only this source (repeatable).")] = None,
) -> None:
    """Load what is new in the project's sources into the analytical store."""
    from accord.connectors.ingest import run_ingest
    from accord.project import load_project
    from accord.project.template import store_path
    from accord.store import open_store

    with guard():
        config = load_project(project)
        store = open_store("duckdb", store_path(project))
        try:
            with RichProgress(err_console) as progress:
                report = run_ingest(config, project, store, clock=SystemClock(),
                                    progress=progress, sources=source)
        finally:
            store.close()
    print_report(report)


def print_report(report: IngestReport) -> None:
    """The summary table, then the first rejected rows of each source."""
    table = Table(title="ingest", title_justify="left")
    for header in ("source", "entity", "batches", "rows", "rejected", "seconds"):
        table.add_column(header, justify="left" if header in ("source", "entity") else "right")
    for item in report.sources:
        table.add_row(item.source, item.entity, f"{item.batches:,}", f"{item.rows:,}",
                      f"{item.rejected:,}", f"{item.seconds:.2f}")
    out_console.print(table)
    for item in report.sources:
        for error in item.errors:
            err_console.print(f"[yellow]rejected[/] {item.source}: {error}", markup=True,
                              highlight=False, soft_wrap=True)
        if item.rejected > len(item.errors):
            err_console.print(f"[yellow]... {item.rejected - len(item.errors)} more in the "
                              "rejects table[/]", markup=True)
