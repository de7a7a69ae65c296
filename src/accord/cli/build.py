"""``accord build``: ingest, resolve identities, build profiles and segments, fill the
online store; then a one-table summary of what each step did."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, err_console, fail, guard, out_console
from accord.cli.progress import RichProgress
from accord.clock import SystemClock

if TYPE_CHECKING:
    from accord.clock import Clock
    from accord.pipeline import BuildReport

__all__ = ["build_command", "parse_day", "print_build", "run_build"]



def parse_day(text: str | None) -> dt.date | None:
    """An ISO date (``2025-06-30``) from the command line; exits with an error otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of must be a date like 2025-06-30, not {text!r}")


def run_build(project: Path, *, as_of: dt.date | None, clock: Clock) -> BuildReport:
    """Build with progress bars on stderr (errors end the command, as every command's)."""
    from accord.pipeline import build

    with guard(), RichProgress(err_console) as progress:
        return build(project, as_of=as_of, clock=clock, progress=progress)


def print_build(report: BuildReport) -> None:
    """One row per step: what it produced and how long it took."""
    ingested = sum(source.rows for source in report.ingest.sources)
    rejected = sum(source.rejected for source in report.ingest.sources)
    identity = report.identity
    rows = {
        "ingest": f"{ingested:,} new records from {len(report.ingest.sources)} sources"
                  + (f" ({rejected:,} rejected)" if rejected else ""),
        "identity": f"{identity.records:,} records -> {identity.customers:,} customers",
        "profiles": f"{report.profiles.customers:,} profiles x "
                    f"{len(report.profiles.dimensions)} dimensions, as of "
                    f"{report.profiles.as_of.isoformat()}",
        "segments": f"{len(report.segments.members)} segments",
        **({"feedback": f"{report.feedback.texts:,} texts classified, "
                        f"{report.feedback.customers:,} customers with feedback"}
           if report.feedback is not None else {}),
        **({"timeline": f"{report.timeline.events:,} events of "
                        f"{report.timeline.customers:,} customers"}
           if report.timeline is not None else {}),
        "online": f"{report.online.profiles:,} profiles, {report.online.identifiers:,} "
                  "identifiers",
    }
    table = Table(title="build", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    table.add_column("seconds", justify="right")
    for step, text in rows.items():
        table.add_row(step, text, f"{report.seconds.get(step, 0.0):.1f}")
    out_console.print(table)


def build_command(
    project: ProjectOption = Path("."),
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Build profiles as of this day (YYYY-MM-DD; default today).")] = None,
) -> None:
    """Ingest, resolve identities, build profiles and segments, fill the online store."""
    report = run_build(project, as_of=parse_day(as_of), clock=SystemClock())
    print_build(report)
