"""``accord demo``: generate a retailer, build everything, show it, serve it.

Generates the demo retailer (:mod:`accord.demo`) into ``--dir`` with history up to today,
builds it with progress bars, prints what was built (records per source, identity against
the generator's truth, a sample profile, segment counts, commands to try) and serves the API
on 127.0.0.1 until Ctrl-C (``--no-serve`` stops after the summary).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer
from rich.table import Table

from accord.cli.build import print_build, run_build
from accord.cli.common import err_console, guard, out_console
from accord.cli.progress import RichProgress
from accord.clock import SystemClock
from accord.demo.rules import KEY_FILE, PEOPLE, USERS_FILE, DemoRules, install_people, install_rules

if TYPE_CHECKING:
    from accord.demo import DemoReport
    from accord.demo.showcase import Sample
    from accord.pipeline import BuildReport

__all__ = ["demo_command"]

HOST = "127.0.0.1"
#: Profile fields shown for the sample customer, in this order.
SHOWN = ("first_name", "last_name", "email", "phone", "city", "orders", "monetary",
         "recency_days", "top_category", "email_clicks_90d", "open_tickets", "rfm_score",
         "segments")


def _print_sources(report: DemoReport) -> None:
    table = Table(title=f"generated: {report.people:,} people (seed {report.spec.seed}, "
                        f"history to {report.spec.as_of.isoformat()})", title_justify="left")
    table.add_column("file")
    table.add_column("records", justify="right")
    table.add_column("what")
    events = f"data/events/events-*.{report.spec.events_format}"
    for path, count, what in (
            ("data/crm/contacts-*.csv", report.contacts,
             "CRM contacts: duplicates, e-mail and phone typed many ways"),
            ("data/shop/orders-*.parquet", report.orders,
             "web shop orders: CRM id, or only an e-mail for guests"),
            ("data/shop/order_lines-*.parquet", report.order_lines, "their lines"),
            (events, report.events, "web, app and e-mail events"),
            ("data/service.sqlite", report.tickets, "service desk tickets (SQLite table)")):
        table.add_row(path, f"{count:,}", what)
    out_console.print(table)


def _print_identity(directory: Path) -> Sample | None:
    from accord.demo.showcase import sample_customer
    from accord.demo.truth import read_truth, score_identity
    from accord.project.template import store_path
    from accord.store import open_store

    store = open_store("duckdb", store_path(directory), read_only=True)
    try:
        scores = score_identity(store, read_truth(directory))
        sample = sample_customer(store)
    finally:
        store.close()
    out_console.print(
        f"identity: {scores.records:,} records -> {scores.customers:,} customers for "
        f"{scores.people:,} real people; pairwise precision {scores.precision:.4f} (people "
        f"never merged), recall {scores.recall:.4f} (records put back together)",
        soft_wrap=True)
    return sample


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    return "-" if value is None else str(value)


def _print_sample(directory: Path, sample: Sample) -> None:
    from accord.online import open_online
    from accord.pipeline import online_path

    reader = open_online("sqlite", online_path(directory), read_only=True)
    try:
        document = reader.get(sample.customer_id) or {}
    finally:
        reader.close()
    records = ", ".join(f"{source} {count}" for source, count in sorted(sample.records.items()))
    table = Table(title=f"sample profile {sample.customer_id} (records: {records})",
                  title_justify="left")
    table.add_column("dimension")
    table.add_column("value")
    for name in SHOWN:
        if name in document:
            table.add_row(name, _shown(document[name]))
    out_console.print(table)


def _print_segments(report: BuildReport) -> None:
    from accord.project import load_project

    conditions = {s.name: s.condition for s in load_project(report.project_dir).segments}
    table = Table(title=f"segments (of {report.segments.customers:,} customers)",
                  title_justify="left")
    table.add_column("segment")
    table.add_column("members", justify="right")
    table.add_column("condition (FEEL)")
    for name, members in report.segments.members.items():
        table.add_row(name, f"{members:,}", conditions.get(name, ""))
    out_console.print(table)


def _print_decision(directory: Path, sample: Sample | None, rules: DemoRules) -> None:
    """What the hub would do for the sample customer on the web site now, and why."""
    from accord.decisioning.service import decision_record
    from accord.online import open_online
    from accord.pipeline import online_path
    from accord.server.runtime import decision_service

    if sample is None:
        return
    reader = open_online("sqlite", online_path(directory), read_only=True)
    try:
        service = decision_service(directory, reader)
        decision = decision_record(service.decide("web", {"hero": 1, "banner": 1},
                                                  customer=sample.customer_id, explore=False))
    finally:
        reader.close()
    table = Table(title=f"decision for {sample.customer_id} on the web (rules {rules.version}): "
                        f"{decision['placements']}", title_justify="left")
    table.add_column("treatment")
    table.add_column("reason")
    table.add_column("detail")
    for candidate in decision["candidates"]:
        table.add_row(candidate["treatment_id"], candidate["reason"], candidate["detail"])
    out_console.print(table)


def _print_try(directory: Path, sample: Sample | None, port: int, serving: bool,
               key: str) -> None:
    base = f"http://{HOST}:{port}"
    auth = f"-H 'Authorization: Bearer {key}'"
    lines = [] if serving else [f"accord serve --project {directory} --port {port}"]
    if sample is not None:
        lines.append(f"curl {auth} {base}/v1/profiles/{sample.customer_id}")
        if sample.email:
            shouted = quote(sample.email.upper(), safe="@")  # lookups normalise e-mails
            lines.append(f"curl {auth} '{base}/v1/profiles?kind=email&value={shouted}'")
            body = ('{"customer": "' + sample.email + '", "channel": "web", '
                    '"placements": {"hero": 1}, "trace": true}')
            lines.append(f"curl {auth} -H 'content-type: application/json' "
                         f"-d '{body}' {base}/v1/decisions")
    lines += [f"curl {auth} {base}/v1/segments", f"open {base}/docs",
              f"accord sql --project {directory} "
              "\"SELECT segment, members FROM segments ORDER BY members DESC\""]
    # soft wrap: a command broken over two lines could not be pasted
    out_console.print("try:" + "".join(f"\n  {line}" for line in lines), soft_wrap=True)


def demo_command(
    directory: Annotated[Path, typer.Option(
        "--dir", help="Where to generate the demo project (replaces an earlier demo).")]
        = Path("accord-demo"),
    customers: Annotated[int, typer.Option(
        help="People to generate (up to 10,000,000).", min=1, max=10_000_000)] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    no_serve: Annotated[bool, typer.Option(
        "--no-serve", help="Stop after the summary instead of serving the API.")] = False,
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8000,
) -> None:
    """Generate a multi-source retailer, build its profiles and segments, serve the API."""
    from accord.demo import DemoSpec, generate_demo

    clock = SystemClock()
    today = clock.now().date()
    spec = DemoSpec(customers=customers, seed=seed, as_of=today)
    out_console.print(f"Generating a retailer of {customers:,} customers in {directory} ...")
    with guard(), RichProgress(err_console, unit="people") as progress:
        generated = generate_demo(directory, spec, progress=progress)
    _print_sources(generated)
    report = run_build(directory, as_of=today, clock=clock)
    print_build(report)
    sample = _print_identity(directory)
    if sample is not None:
        _print_sample(directory, sample)
    _print_segments(report)
    with guard():
        rules = install_rules(directory, clock)
        passwords = install_people(directory, clock)
    _print_decision(directory, sample, rules)
    out_console.print(f"API key (all scopes, kept in {directory}/.accord/{KEY_FILE}): "
                      f"{rules.api_key}", soft_wrap=True)
    out_console.print(f"Web app: http://{HOST}:{port}/app, log in as (kept in "
                      f"{directory}/.accord/{USERS_FILE}):" + "".join(
                          f"\n  {name} ({role}): {passwords[name]}" for name, role in PEOPLE),
                      soft_wrap=True)
    _print_try(directory, sample, port, serving=not no_serve, key=rules.api_key)
    if not no_serve:
        from accord.cli.serve import serve

        serve(directory, host=HOST, port=port)
