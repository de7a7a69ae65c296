"""``accord capacity``: resources, response model, forecasts, preflights, throttled plans,
overrides and the shared calendar; ``accord slo report``: the SLOs and their error budgets.

Campaign plans come from a YAML file (``campaigns: [{id, channel, owner, start, audience,
windows, quiet_hours, ...}]``, see ``docs/capacity.md``); saved plans (``plan --save``) are
the other scheduled campaigns every forecast adds up.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli.common import ProjectOption, fail, guard, out_console

if TYPE_CHECKING:
    from accord.capacity.forecast import Forecast
    from accord.capacity.notifications import Notification
    from accord.capacity.plans import CampaignPlan
    from accord.capacity.repository import CapacityRepository
    from accord.capacity.resources import Registry
    from accord.capacity.response import ResponseModel

app = typer.Typer(help="Capacity: forecast campaign load, preflight, throttle, calendar.",
                  no_args_is_help=True)
slo_app = typer.Typer(help="Service level objectives and their error budgets.",
                      no_args_is_help=True)

PlansArg = Annotated[Path, typer.Argument(help="YAML file with a 'campaigns' list.")]
ModelOption = Annotated[Path, typer.Option("--model", help="Response model JSON (capacity "
                                           "fit --out).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DaysOption = Annotated[int, typer.Option("--days", min=1, max=400,
                                         help="Days to forecast after the last start.")]
RecipientsOption = Annotated[Path | None, typer.Option(
    "--recipients", help="Notify the owners (YAML of recipients and SMTP settings).")]


def _repository(project: Path) -> CapacityRepository:
    from accord.capacity.repository import CapacityRepository
    from accord.clock import SystemClock
    from accord.server.runtime import open_project_operational

    return CapacityRepository(open_project_operational(project).engine, SystemClock())


def _plans(path: Path) -> list[CampaignPlan]:
    import yaml
    from pydantic import ValidationError

    from accord.capacity.grid import CapacityError
    from accord.capacity.plans import CampaignPlan

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CapacityError(f"cannot read campaign plans {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("campaigns"), list):
        raise CapacityError(f"{path}: expected a mapping with a 'campaigns' list")
    out = []
    for index, item in enumerate(data["campaigns"]):
        try:
            out.append(CampaignPlan.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CapacityError(f"{path}: campaigns[{index}].{where}: {first['msg']}") from None
    return out


def _model(path: Path) -> ResponseModel:
    from accord.capacity.response import read_model  # numpy and scipy: only when needed

    return read_model(path)


def _grid(plans: list[CampaignPlan], days: int) -> Any:
    from accord.capacity.plans import planning_grid

    return planning_grid(plans, days)


def _context(project: Path, plans_file: Path, model_file: Path
             ) -> tuple[Registry, ResponseModel, list[CampaignPlan], CapacityRepository]:
    from accord.capacity.grid import CapacityError

    repository = _repository(project)
    registry = repository.registry()
    if not len(registry):
        raise CapacityError("no resources registered: run 'accord capacity resources "
                            "load FILE.yaml' first")
    given = _plans(plans_file)
    ids = {p.id for p in given}
    saved = [p for p in repository.plans() if p.id not in ids]
    return registry, _model(model_file), saved + given, repository


def _find(plans: list[CampaignPlan], campaign: str) -> CampaignPlan:
    found = next((p for p in plans if p.id == campaign), None)
    if found is None:
        fail(f"no campaign {campaign!r} in the plans (known: "
             f"{', '.join(p.id for p in plans) or 'none'})")
    return found


def _notify(repository: CapacityRepository, recipients: Path | None,
            notification: Notification) -> None:
    """Send a notification to the owners concerned, when a recipients file is given."""
    if recipients is None:
        return
    import httpx

    from accord.capacity.directory import load_directory, notifier
    from accord.capacity.repository import SqlDeadLetters
    from accord.clock import SystemClock

    people, smtp = load_directory(recipients)
    with httpx.Client(timeout=10) as client:
        deliveries = notifier(people, smtp, client, SqlDeadLetters(repository.engine),
                              SystemClock()).notify(notification)
    failed = sum(1 for d in deliveries if not d.ok)
    out_console.print(f"notified: {len(deliveries) - failed} delivered, {failed} "
                      "dead-lettered")


def _peaks(forecast: Forecast) -> list[dict[str, Any]]:
    import numpy as np

    out = []
    for row, name in enumerate(forecast.resources):
        slot = int(np.argmax(forecast.p90[row]))
        out.append({"resource": name, "at": forecast.grid.at(slot).isoformat(),
                    "mean": round(float(forecast.mean[row, slot]), 1),
                    "p90": round(float(forecast.p90[row, slot]), 1),
                    "capacity": float(forecast.capacity[row, slot])})
    return out


@app.command("resources")
def resources_command(project: ProjectOption = Path("."),
                      load: Annotated[Path | None, typer.Option(
                          "--load", help="Replace the registry with this YAML file.")] = None,
                      by: Annotated[str, typer.Option("--by")] = "cli",
                      as_json: JsonOption = False) -> None:
    """List the registered resources, or replace them from a YAML file."""
    from accord.capacity.resources import load_registry

    with guard():
        repository = _repository(project)
        if load is not None:
            repository.save_registry(load_registry(load), by)
        registry = repository.registry()
    rows = registry.to_data()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        out_console.print(f"{row['name']:<20} {row['kind']:<15} {row['department']:<10} "
                          f"owner {row['owner']}")


@app.command("fit")
def fit_command(sends: Annotated[Path, typer.Option("--sends", help="Parquet file of sends.")],
                responses: Annotated[Path, typer.Option("--responses",
                                                        help="Parquet file of responses.")],
                out: Annotated[Path, typer.Option("--out", help="Model JSON to write.")],
                min_sends: Annotated[int, typer.Option("--min-sends", min=1)] = 1000) -> None:
    """Fit the response model from an event log (sends and responses)."""
    import pyarrow.parquet as pq

    from accord.capacity.grid import CapacityError
    from accord.capacity.response import fit

    with guard():
        try:
            sends_table, responses_table = pq.read_table(sends), pq.read_table(responses)
        except OSError as exc:
            raise CapacityError(f"cannot read the event log: {exc}") from None
        model = fit(sends_table, responses_table, min_sends=min_sends)
    out.write_text(json.dumps(model.to_data()), encoding="utf-8")
    out_console.print(f"fitted {len(model.rates)} channel/segment rate sets and "
                      f"{len(model.curves)} curves to {out}")


@app.command("forecast")
def forecast_command(plans: PlansArg, model: ModelOption, project: ProjectOption = Path("."),
                     days: DaysOption = 3, as_json: JsonOption = False) -> None:
    """Forecast every resource's load (saved plans and these), peaks per resource."""
    from accord.capacity.forecast import forecast

    with guard():
        registry, response, all_plans, _ = _context(project, plans, model)
        result = forecast(all_plans, response, registry, _grid(all_plans, days))
    peaks = _peaks(result)
    if as_json:
        typer.echo(json.dumps(peaks, indent=2))
        return
    for peak in peaks:
        out_console.print(f"{peak['resource']:<20} P90 peak {peak['p90']:>12,.0f} at "
                          f"{peak['at']}  capacity {peak['capacity']:,.0f}")


@app.command("preflight")
def preflight_command(plans: PlansArg, model: ModelOption,
                      campaign: Annotated[str, typer.Option("--campaign")],
                      project: ProjectOption = Path("."), days: DaysOption = 3,
                      recipients: RecipientsOption = None,
                      as_json: JsonOption = False) -> None:
    """Green, amber or red per resource; exit 1 when red and not overridden (a red result
    notifies marketing and the red resources' owners when ``--recipients`` is given)."""
    from accord.capacity.forecast import forecast
    from accord.capacity.notifications import preflight_red
    from accord.capacity.preflight import LaunchBlocked, Status, check_launch, preflight

    with guard():
        registry, response, all_plans, repository = _context(project, plans, model)
        _find(all_plans, campaign)
        result = preflight(campaign, forecast(all_plans, response, registry,
                                              _grid(all_plans, days)), registry)
        overrides = repository.overrides(campaign)
        if result.status is Status.RED:
            _notify(repository, recipients, preflight_red(result, dt.datetime.now(dt.UTC)))
    if as_json:
        typer.echo(json.dumps({"campaign": campaign, "status": result.status.value,
                               "findings": [{"resource": f.resource, "status": f.status.value,
                                             "at": f.at.isoformat(), "p90": f.p90,
                                             "capacity": f.capacity, "owner": f.owner}
                                            for f in result.findings]}, indent=2))
    else:
        out_console.print(f"{campaign}: {result.status.value}")
        for finding in result.findings:
            out_console.print(f"  {finding.describe()}")
    try:
        check_launch(result, overrides)
    except LaunchBlocked as exc:
        fail(str(exc), code=1)


@app.command("override")
def override_command(plans: PlansArg, model: ModelOption,
                     campaign: Annotated[str, typer.Option("--campaign")],
                     resource: Annotated[str, typer.Option("--resource")],
                     by: Annotated[str, typer.Option("--by", help="The resource's owner.")],
                     reason: Annotated[str, typer.Option("--reason")],
                     project: ProjectOption = Path("."), days: DaysOption = 3) -> None:
    """Record the resource owner's override of a red preflight."""
    from accord.capacity.forecast import forecast
    from accord.capacity.preflight import override, preflight

    with guard():
        registry, response, all_plans, repository = _context(project, plans, model)
        _find(all_plans, campaign)
        result = preflight(campaign, forecast(all_plans, response, registry,
                                              _grid(all_plans, days)), registry)
        repository.add_override(override(result, resource, by, reason,
                                         dt.datetime.now(dt.UTC)))
    out_console.print(f"override of {resource} for {campaign} by {by} recorded")


@app.command("plan")
def plan_command(plans: PlansArg, model: ModelOption,
                 campaign: Annotated[str, typer.Option("--campaign")],
                 project: ProjectOption = Path("."), days: DaysOption = 3,
                 save: Annotated[bool, typer.Option("--save", help="Save the plan.")] = False,
                 by: Annotated[str, typer.Option("--by")] = "cli",
                 recipients: RecipientsOption = None,
                 as_json: JsonOption = False) -> None:
    """The throttled send plan: batches that keep every P90 under capacity, earliest finish
    (saved with ``--save``; sales, service and IT are told with ``--recipients``)."""
    from accord.capacity.forecast import forecast
    from accord.capacity.notifications import changed, scheduled
    from accord.capacity.throttle import throttle

    with guard():
        registry, response, all_plans, repository = _context(project, plans, model)
        target = _find(all_plans, campaign)
        others = [p for p in all_plans if p.id != campaign]
        grid = _grid(all_plans, days)
        result = throttle(target, response, registry, forecast(others, response, registry,
                                                                grid))
        finish = grid.at(result.finish) if result.finish is not None else None
        if save:
            before = next((p for p in repository.plans() if p.id == campaign), None)
            after = result.apply(target)
            repository.save_plan(after, result.proof, finish, by)
            now = dt.datetime.now(dt.UTC)
            if before is None:
                _notify(repository, recipients, scheduled(after, now))
            elif before != after:
                _notify(repository, recipients, changed(before, after, now))
    batches = [{"at": b.at.isoformat(), "size": b.size} for b in result.batches()]
    if as_json:
        typer.echo(json.dumps({"campaign": campaign, "proof": result.proof,
                               "unsent": result.unsent, "batches": batches,
                               "finish": finish.isoformat() if finish else None}, indent=2))
        return
    for batch in batches:
        out_console.print(f"{batch['at']}  {batch['size']:>10,}")
    out_console.print(f"{len(batches)} batches, last at {finish}, unsent {result.unsent:,} "
                      f"(optimality: {result.proof})")


@app.command("calendar")
def calendar_command(department: Annotated[str, typer.Option("--department")],
                     project: ProjectOption = Path("."),
                     model: Annotated[Path | None, typer.Option(
                         "--model", help="Response model: adds over-capacity conflicts.")
                     ] = None,
                     days: DaysOption = 3,
                     out: Annotated[Path | None, typer.Option("--out")] = None) -> None:
    """The department's iCalendar feed of saved campaigns, maintenance, staffing and
    conflicts."""
    from accord.capacity.calendars import (
        audience_conflicts,
        campaign_entry,
        capacity_conflicts,
        feed,
        resource_entries,
    )
    from accord.capacity.forecast import forecast

    with guard():
        repository = _repository(project)
        saved = repository.plans()
        registry = repository.registry()
        entries = [campaign_entry(p) for p in saved] + resource_entries(registry)
        entries += [c.entry() for c in audience_conflicts(saved)]
        if model is not None and saved:
            load = forecast(saved, _model(model), registry, _grid(saved, days))
            entries += [c.entry() for c in capacity_conflicts(load, registry)]
        ics = feed(entries, department, stamp=dt.datetime.now(dt.UTC))
    if out is None:
        typer.echo(ics.decode())
    else:
        out.write_bytes(ics)


@app.command("remind")
def remind_command(recipients: Annotated[Path, typer.Option(
                       "--recipients", help="YAML of recipients and SMTP settings.")],
                   project: ProjectOption = Path(".")) -> None:
    """Notify the owners of every saved campaign launching within 24 hours (once each; run
    it on a schedule). Failed deliveries land in the dead letters."""
    import httpx

    from accord.capacity.directory import load_directory, notifier
    from accord.capacity.notifications import launch_reminders
    from accord.capacity.repository import SqlDeadLetters
    from accord.clock import SystemClock

    with guard():
        repository = _repository(project)
        people, smtp = load_directory(recipients)
        clock = SystemClock()
        with httpx.Client(timeout=10) as client:
            send = notifier(people, smtp, client, SqlDeadLetters(repository.engine), clock)
            for notice in launch_reminders(repository.plans(), clock,
                                           lambda c: repository.noticed(f"{c}:launch_24h")):
                deliveries = send.notify(notice)
                repository.mark_noticed(f"{notice.campaign}:launch_24h")
                failed = sum(1 for d in deliveries if not d.ok)
                out_console.print(f"{notice.campaign}: {len(deliveries) - failed} delivered, "
                                  f"{failed} dead-lettered")


@app.command("dead-letters")
def dead_letters_command(project: ProjectOption = Path("."),
                         as_json: JsonOption = False) -> None:
    """Notifications that failed for good, oldest first."""
    from accord.capacity.repository import SqlDeadLetters

    with guard():
        letters = SqlDeadLetters(_repository(project).engine).list()
    if as_json:
        typer.echo(json.dumps([{"channel": d.channel, "target": d.target, "event": d.event,
                                "campaign": d.campaign, "error": d.error,
                                "attempts": d.attempts, "at": d.at.isoformat()}
                               for d in letters], indent=2))
        return
    for d in letters:
        out_console.print(f"{d.at:%Y-%m-%d %H:%M} {d.channel} {d.target} {d.event} "
                          f"{d.campaign}: {d.error} after {d.attempts} attempts")


@slo_app.command("report")
def slo_report_command(project: ProjectOption = Path("."),
                       metrics_url: Annotated[str | None, typer.Option(
                           "--metrics-url", help="Scrape this /metrics page.")] = None,
                       metrics_file: Annotated[Path | None, typer.Option(
                           "--metrics-file", help="A saved /metrics page.")] = None,
                       config: Annotated[Path | None, typer.Option(
                           "--config", help="YAML list of objectives.")] = None,
                       days: Annotated[int, typer.Option("--days", min=1)] = 28,
                       as_json: JsonOption = False) -> None:
    """Each SLO's indicator, objective and error budget left, from Accord's telemetry."""
    from accord.capacity.slo import (
        DEFAULT_SLOS,
        parse_slos,
        project_telemetry,
        render,
        report,
    )

    with guard():
        end = dt.datetime.now(dt.UTC)
        start = end - dt.timedelta(days=days)
        specs = DEFAULT_SLOS if config is None else tuple(parse_slos(
            _yaml(config), source=str(config)))
        telemetry = project_telemetry(project, _metrics_text(metrics_url, metrics_file),
                                      start, end)
        rows = render(report(specs, telemetry))
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    for row in rows:
        sli = "no data" if row["sli"] is None else f"{row['sli']:.4%}"
        left = "" if row["error_budget_left"] is None else \
            f", budget left {row['error_budget_left']:.0%}"
        out_console.print(f"{row['name']}: {sli} (objective {row['objective']:.2%}{left})")


def _yaml(path: Path) -> Any:
    import yaml

    from accord.capacity.grid import CapacityError

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CapacityError(f"cannot read {path}: {exc}") from None


def _metrics_text(url: str | None, file: Path | None) -> str:
    from accord.capacity.grid import CapacityError

    if url is not None:
        import httpx

        try:
            return httpx.get(url, timeout=10).raise_for_status().text
        except httpx.HTTPError as exc:
            raise CapacityError(f"cannot scrape {url}: {exc}") from None
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CapacityError(f"cannot read {file}: {exc.strerror}") from None
    return ""
