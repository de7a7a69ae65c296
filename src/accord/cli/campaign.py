"""``accord campaign``: campaigns, their outcomes and reports, funnels and abandonment.

::

    accord campaign create FILE.yaml | list | show NAME | status NAME STATUS
    accord campaign outcomes NAME FILE.csv --variant COL --control VALUE [--visit COL]
                             [--conversion COL] [--revenue COL] [--customer COL] ...
    accord campaign measure NAME          (outcomes from the hub's decisions and events)
    accord campaign report NAME [--format table|json|html] [--output FILE] [--inline]
    accord campaign funnel (--standard email|web | --step TYPE[:FEEL]... | --file F.yaml)
                           [--window 7d] [--breakdown COL] [--format table|json]
    accord campaign abandonment [--window 1d] [--horizon 30d] [--by day|campaign|segment]
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from accord.cli.common import ProjectOption, err_console, fail, guard, out_console
from accord.clock import SystemClock
from accord.errors import ConfigError

app = typer.Typer(help="Campaigns: funnels, abandonment, lift against control, ROMI.",
                  no_args_is_help=True)


class ReportFormat(enum.StrEnum):
    """Output formats of ``accord campaign report``."""

    TABLE = "table"
    JSON = "json"
    HTML = "html"


class DataFormat(enum.StrEnum):
    """Output formats of ``funnel`` and ``abandonment``."""

    TABLE = "table"
    JSON = "json"


def _campaigns(project: Path) -> Any:
    from accord.campaigns.repository import CampaignRepository
    from accord.server.runtime import open_project_operational

    return CampaignRepository(open_project_operational(project), SystemClock())


@contextmanager
def _store(project: Path, *, write: bool = False, required: bool = True) -> Iterator[Any]:
    """The project's analytical store (``None`` when absent and not ``required``)."""
    from accord.project.template import store_path
    from accord.store import open_store

    path = store_path(project)
    if not write and not path.is_file():
        if required:
            raise ConfigError(f"no analytical store at {path}: run 'accord build' or "
                              "'accord campaign outcomes' first")
        yield None
        return
    store = open_store("duckdb", path, read_only=not write)
    try:
        yield store
    finally:
        store.close()


def _read_spec(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@app.command("create")
def create_command(file: Annotated[Path, typer.Argument(help="The campaign spec (YAML).")],
                   project: ProjectOption = Path(".")) -> None:
    """Validate a campaign spec and store it (nothing is stored when it is refused)."""
    from accord.campaigns.service import segment_names

    with guard():
        data = _read_spec(file)
        with _store(project, required=False) as store:
            segments = segment_names(store)
        campaign = _campaigns(project).create(data, segments=segments)
    out_console.print(f"campaign {campaign.name} created ({campaign.status.value})")


@app.command("list")
def list_command(project: ProjectOption = Path(".")) -> None:
    """Every campaign."""
    with guard():
        campaigns = _campaigns(project).all()
    table = Table("name", "status", "owner", "channels", "audience", "control share")
    for c in campaigns:
        table.add_row(c.name, c.status.value, c.owner, ", ".join(c.channels),
                      c.audience or "", f"{c.control_share:.0%}")
    out_console.print(table)


@app.command("show")
def show_command(name: Annotated[str, typer.Argument(help="The campaign.")],
                 project: ProjectOption = Path(".")) -> None:
    """A campaign's spec (YAML)."""
    with guard():
        campaign = _campaigns(project).get(name)
    typer.echo(yaml.safe_dump(campaign.model_dump(mode="json"), sort_keys=False), nl=False)


@app.command("status")
def status_command(name: Annotated[str, typer.Argument(help="The campaign.")],
                   status: Annotated[str, typer.Argument(help="draft, scheduled, running, "
                                                         "completed or archived.")],
                   project: ProjectOption = Path(".")) -> None:
    """Move a campaign through its lifecycle."""
    from accord.campaigns.model import Status

    with guard():
        try:
            target = Status(status)
        except ValueError:
            raise ConfigError(f"unknown status {status!r}; known: "
                              f"{', '.join(s.value for s in Status)}") from None
        campaign = _campaigns(project).set_status(name, target)
    out_console.print(f"campaign {campaign.name} is {campaign.status.value}")


@app.command("outcomes")
def outcomes_command(
    name: Annotated[str, typer.Argument(help="The campaign.")],
    file: Annotated[Path, typer.Argument(help="CSV (or .csv.gz) with one row per customer.")],
    variant: Annotated[str, typer.Option(help="Column naming each customer's arm.")],
    control: Annotated[list[str], typer.Option(help="Arm value(s) of the control group.")],
    visit: Annotated[str | None, typer.Option(help="0/1 column: visited.")] = None,
    conversion: Annotated[str | None, typer.Option(help="0/1 column: converted.")] = None,
    revenue: Annotated[str | None, typer.Option(help="Amount column: revenue.")] = None,
    customer: Annotated[str | None, typer.Option(help="Customer id column.")] = None,
    sends: Annotated[str | None, typer.Option(help="Count column: messages sent.")] = None,
    opens: Annotated[str | None, typer.Option(help="Count column: opens.")] = None,
    clicks: Annotated[str | None, typer.Option(help="Count column: clicks.")] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Load an experiment's per-customer outcomes (replacing the campaign's earlier ones)."""
    from accord.campaigns.outcomes import OutcomeColumns, load_outcomes

    with guard():
        _campaigns(project).get(name)  # outcomes of a campaign that exists
        columns = OutcomeColumns(variant=variant, control=control, visit=visit,
                                 conversion=conversion, revenue=revenue, customer=customer,
                                 sends=sends, opens=opens, clicks=clicks)
        with _store(project, write=True) as store:
            rows = load_outcomes(store, name, file, columns)
    out_console.print(f"loaded outcomes of {rows:,} customers for campaign {name}")


@app.command("measure")
def measure_command(name: Annotated[str, typer.Argument(help="The campaign.")],
                    project: ProjectOption = Path(".")) -> None:
    """Build the campaign's outcomes from the hub's decision log and events.

    They replace the earlier ones; nothing is replaced when no decision of the campaign is
    found. The definitions are in docs/metrics.md ("Outcomes from the hub").
    """
    from accord.campaigns.hub_outcomes import build_hub_outcomes
    from accord.campaigns.outcomes import arm_summaries
    from accord.campaigns.service import event_types
    from accord.project.template import store_path

    with guard():
        campaign = _campaigns(project).get(name)
        if not store_path(project).is_file():  # rather than creating an empty store
            raise ConfigError(f"no analytical store at {store_path(project)}: run "
                              "'accord logs load' first")
        with _store(project, write=True) as store:
            rows = build_hub_outcomes(store, campaign, event_types(store))
            arms = arm_summaries(store, name)
    out_console.print(f"measured {rows:,} customers of campaign {name} from the hub: "
                      + ", ".join(f"{a.variant} {a.customers:,}" for a in arms))


@app.command("report")
def report_command(
    name: Annotated[str, typer.Argument(help="The campaign.")],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.TABLE,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    inline: Annotated[bool, typer.Option(help="HTML: embed the chart library "
                                         "(needs vl-convert-python).")] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Arms, lift against control with 95% intervals, economics, benchmarks, funnels."""
    from accord.campaigns.page import render_html
    from accord.campaigns.report import report_json, report_tables
    from accord.campaigns.service import campaign_report

    with guard():
        campaign = _campaigns(project).get(name)
        with _store(project) as store:
            report = campaign_report(store, campaign)
        if output_format is ReportFormat.TABLE and output is None:
            out_console.print(report_tables(report))
            return
        text = (render_html(report, inline=inline) if output_format is ReportFormat.HTML
                else json.dumps(report_json(report), indent=2, default=str))
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        out_console.print(f"wrote {output}")


def _parse_step(text: str) -> dict[str, str]:
    event_type, _, condition = text.partition(":")
    return {"event_type": event_type.strip(), **({"filter": condition} if condition else {})}


@app.command("funnel")
def funnel_command(
    standard: Annotated[str | None, typer.Option(help="A standard funnel: email or web.")] = None,
    step: Annotated[list[str] | None, typer.Option(
        help="A step: EVENT_TYPE or EVENT_TYPE:FEEL filter (repeat, in order).")] = None,
    file: Annotated[Path | None, typer.Option(help="A funnel definition (YAML).")] = None,
    window: Annotated[str | None, typer.Option(help="Conversion window: 7d, PT12H ...")] = None,
    breakdown: Annotated[str | None, typer.Option(
        help="Split by an event column (channel, campaign, variant ...) or by segment.")
    ] = None,
    output_format: Annotated[DataFormat, typer.Option("--format", "-f")] = DataFormat.TABLE,
    project: ProjectOption = Path("."),
) -> None:
    """Run a funnel over the hub's events (ingested, API events and decisions)."""
    from accord.campaigns.errors import FunnelDefinitionError, validated
    from accord.campaigns.funnel import Funnel
    from accord.campaigns.report import FunnelResult
    from accord.campaigns.results import run_funnel
    from accord.campaigns.service import event_types
    from accord.campaigns.standard import standard_funnel
    from accord.campaigns.timeline import event_source
    from accord.campaigns.window import parse_window

    if sum(x is not None for x in (standard, step, file)) != 1:
        fail("give exactly one of --standard, --step or --file")
    with guard():
        # the definition is checked before the store is opened
        funnel: Funnel | None = None
        if standard is None:
            data: Any = _read_spec(file) if file is not None else {
                "steps": [_parse_step(s) for s in step or []], "window": window or "7d"}
            if isinstance(data, dict):
                data = {**data, **({"window": window} if window and file else {}),
                        **({"breakdown": breakdown} if breakdown else {})}
            funnel = validated(Funnel, data, error=FunnelDefinitionError)
        span = parse_window(window, "--window") if window and standard else None
        with _store(project) as store:
            if funnel is None:
                funnel, omitted = standard_funnel(str(standard), event_types(store),
                                                  breakdown=breakdown, window=span)
                if omitted:
                    err_console.print(f"(no {', '.join(omitted)} events: step left out)")
            results: list[FunnelResult] = run_funnel(store, funnel, event_source(store))
    if output_format is DataFormat.JSON:
        _json([r.as_dict() for r in results])
        return
    from accord.campaigns.report import report_funnel_tables

    out_console.print(report_funnel_tables(results))


@app.command("abandonment")
def abandonment_command(
    window: Annotated[str, typer.Option(help="No purchase within this: abandoned.")] = "1d",
    horizon: Annotated[str, typer.Option(help="A purchase within this: came back.")] = "30d",
    by: Annotated[str | None, typer.Option(help="day, campaign or segment.")] = None,
    output_format: Annotated[DataFormat, typer.Option("--format", "-f")] = DataFormat.TABLE,
    project: ProjectOption = Path("."),
) -> None:
    """Carts and checkouts without a purchase, the revenue they held, what came back."""
    from accord.campaigns.abandonment import run_abandonment
    from accord.campaigns.timeline import event_source
    from accord.campaigns.window import parse_window

    with guard():
        spans = parse_window(window, "--window"), parse_window(horizon, "--horizon")
        with _store(project) as store:
            rows = run_abandonment(store, event_source(store), window=spans[0],
                                   horizon=spans[1], by=by)
    if output_format is DataFormat.JSON:
        _json([{"stage": r.stage, "key": r.key, "started": r.started,
                "abandoned": r.abandoned, "abandonment_rate": r.abandonment_rate,
                "held": r.held, "recovered": r.recovered,
                "recovered_value": r.recovered_value} for r in rows])
        return
    table = Table("stage", by or "all", "started", "abandoned", "rate", "revenue held",
                  "came back", "revenue back")
    for r in rows:
        rate = "n/a" if r.abandonment_rate is None else f"{r.abandonment_rate:.1%}"
        table.add_row(r.stage, "" if r.key is None else str(r.key), f"{r.started:,}",
                      f"{r.abandoned:,}", rate, f"{r.held:,.2f}", f"{r.recovered:,}",
                      f"{r.recovered_value:,.2f}")
    out_console.print(table)
