"""``accord identity``: resolve identities; ``accord identity explain ID``: show why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from accord.cli.common import ProjectOption, err_console, guard, out_console
from accord.cli.progress import RichProgress
from accord.clock import SystemClock

if TYPE_CHECKING:
    from accord.identity.explain import Explanation
    from accord.identity.resolve import IdentityReport


#: Over-shared identifiers listed in the report (the table holds them all).
SHOWN_IGNORED = 10

app = typer.Typer(help="Identity resolution: link records into customers.",
                  invoke_without_command=True, no_args_is_help=False)


def _store_path(project: Path) -> Path:
    return project / ".accord" / "analytics.duckdb"


@app.callback()
def identity_command(ctx: typer.Context, project: ProjectOption = Path(".")) -> None:
    """Link the project's records into customers and print what was linked."""
    if ctx.invoked_subcommand is not None:
        return
    from accord.identity.resolve import run_identity
    from accord.project import load_project
    from accord.store import open_store

    with guard():
        config = load_project(project)
        store = open_store("duckdb", _store_path(project))
        try:
            with RichProgress(err_console) as progress:
                report = run_identity(config, store, clock=SystemClock(), progress=progress)
        finally:
            store.close()
    print_report(report)


def print_report(report: IdentityReport) -> None:
    """Totals, links per rule, then the most shared ignored identifiers."""
    totals = Table(title="identity", title_justify="left")
    totals.add_column("")
    totals.add_column("count", justify="right")
    for label, value in (("records", report.records), ("identifiers", report.identifiers),
                         ("customers", report.customers), ("kept ids", report.kept),
                         ("new ids", report.created), ("merges", len(report.merges)),
                         ("split", len(report.split)),
                         ("phone numbers looked up", report.phone_lookups),
                         *((f"invalid {kind}", n) for kind, n in sorted(report.invalid.items()))):
        totals.add_row(label, f"{value:,}")
    out_console.print(totals)
    links = Table(title="links per rule", title_justify="left")
    links.add_column("rule")
    links.add_column("shared values", justify="right")
    for rule, count in report.links.items():
        links.add_row(rule, f"{count:,}")
    out_console.print(links)
    if report.ignored:
        ignored = Table(title=f"ignored identifiers ({len(report.ignored):,}, over-shared)",
                        title_justify="left")
        for header in ("kind", "value", "records"):
            ignored.add_column(header, justify="right" if header == "records" else "left")
        for item in report.ignored[:SHOWN_IGNORED]:
            ignored.add_row(item.kind, item.value, f"{item.records:,}")
        out_console.print(ignored)
    for merge in report.merges[:SHOWN_IGNORED]:
        out_console.print(f"merged {merge.merged} into {merge.survivor} ({merge.reason})")


@app.command("explain")
def explain_command(
    customer_id: Annotated[str, typer.Argument(help="The customer id (c_...).")],
    project: ProjectOption = Path("."),
) -> None:
    """Show a customer's records, the identifiers that link them, and its merges."""
    from accord.identity.explain import explain
    from accord.store import open_store

    with guard():
        store = open_store("duckdb", _store_path(project), read_only=True)
        try:
            explanation = explain(store, customer_id)
        finally:
            store.close()
    out_console.print(explanation_tree(explanation))


def explanation_tree(explanation: Explanation) -> Tree:
    """The explanation as a Rich tree."""
    title = f"[bold]customer {explanation.customer_id}[/]"
    if explanation.requested != explanation.customer_id:
        title += f" ({explanation.requested} was merged into it)"
    tree = Tree(title)
    records = tree.add(f"records ({len(explanation.records)})")
    for record in explanation.records:
        fields = ", ".join(f"{k}={v}" for k, v in record.fields.items())
        node = records.add(f"{escape(record.source)}/{escape(record.source_id)} "
                           f"[dim]{record.entity}[/]" + (f"  {escape(fields)}" if fields else ""))
        for identifier in record.identifiers:
            node.add(f"{identifier.kind}: {escape(identifier.value)} "
                     f"[dim](raw {escape(repr(identifier.raw))})[/]")
    links = tree.add(f"links ({len(explanation.links)})")
    for link in explanation.links:
        links.add(escape(f"{link.kind} {link.value}: " + ", ".join(
            f"{source}/{source_id}" for source, source_id in link.records)))
    if explanation.ignored:
        ignored = tree.add("ignored (over-shared)")
        for kind, value, count in explanation.ignored:
            ignored.add(escape(f"{kind} {value}: on {count:,} records"))
    if explanation.merges:
        merges = tree.add("merges")
        for merge in explanation.merges:
            merges.add(escape(f"{merge.at:%Y-%m-%d %H:%M} {merge.merged} into "
                              f"{merge.survivor} ({merge.reason})"))
    return tree
