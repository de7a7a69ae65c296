"""``accord rules``: governed changes to the treatment rules.

A marketer drafts a version from a rule set folder (or imports one decision table from a
spreadsheet) and submits it; the whole-base simulation against the active version is stored
with it, and shown to the approver (another person), who approves it, now or for a time, and
activates it; a rollback activates an earlier version. Each command acts as ``--user``
(password from ``$ACCORD_PASSWORD`` or a prompt) or with a personal token (``--token`` or
``$ACCORD_TOKEN``), and is refused, changing nothing, when the lifecycle or the user's role
does not allow it. Running servers switch to an activated version within a second, with no
restart.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli import rules_io
from accord.cli.common import ProjectOption, guard, out_console
from accord.cli.people import TokenOption, UserOption, governance, login, users_app
from accord.rules.proposal import StoredSimulation

__all__ = ["app", "audit_command", "users_app"]

app = typer.Typer(help="Governed rule versions: draft, submit, approve, activate, roll back, "
                  "export and import.", no_args_is_help=True)

ReasonOption = Annotated[str, typer.Option(help="Why (kept in the audit log).")]
FolderArgument = Annotated[Path, typer.Argument(
    help="A rule set folder: catalogue.yaml, *.dmn, scenarios.yaml.")]
BasedOnOption = Annotated[str | None, typer.Option(
    help="The version the change starts from (the newest, or refused).")]


def _show(simulation: StoredSimulation | None) -> None:
    lines = simulation.summary() if simulation else ["no simulation is stored"]
    for line in lines:
        out_console.print(f"  {line}", soft_wrap=True)


@app.command("draft")
def draft_command(folder: FolderArgument, user: UserOption = None, token: TokenOption = None,
                  based_on: BasedOnOption = None, note: ReasonOption = "",
                  project: ProjectOption = Path(".")) -> None:
    """Save a folder as a new draft version (refused if it does not compile)."""
    from accord.decisioning.catalogue_file import read_folder

    with guard():
        rules = governance(project)
        actor = login(rules, user, token)
        catalogue, files = read_folder(folder)
        saved = rules.draft(actor, catalogue, files, based_on=based_on, note=note)
    out_console.print(f"{saved.version} saved as a draft (based on {based_on or 'nothing'})")


@app.command("import")
def import_command(folder: FolderArgument, user: UserOption = None, token: TokenOption = None,
                   based_on: BasedOnOption = None, note: ReasonOption = "",
                   project: ProjectOption = Path(".")) -> None:
    """Import a rule set folder (as 'export' writes it) as a new draft: the same as 'draft'."""
    draft_command(folder, user=user, token=token, based_on=based_on, note=note,
                  project=project)


def _transition(name: str) -> None:
    def command(version: Annotated[str, typer.Argument(help="The version, e.g. v3.")],
                user: UserOption = None, token: TokenOption = None, reason: ReasonOption = "",
                project: ProjectOption = Path(".")) -> None:
        with guard():
            rules = governance(project)
            actor = login(rules, user, token)
            result = getattr(rules, name)(actor, version, reason)
        out_console.print(f"{version}: {name} done by {actor.username}")
        if isinstance(result, StoredSimulation):
            _show(result)

    command.__doc__ = {
        "submit": "Submit a draft for review; its whole-base simulation against the active "
                  "version is stored with it (and printed).",
        "reject": "Send a version in review back to draft.",
        "activate": "Activate an approved version now (the active one is retired).",
        "rollback": "Activate an earlier, retired version again.",
    }[name]
    app.command(name)(command)


for _name in ("submit", "reject", "activate", "rollback"):
    _transition(_name)


@app.command("approve")
def approve_command(
    version: Annotated[str, typer.Argument(help="The version, e.g. v3.")],
    user: UserOption = None,
    token: TokenOption = None,
    at: Annotated[str | None, typer.Option(help="Activate at this ISO time (UTC if no "
                                           "offset) instead of by hand.")] = None,
    reason: ReasonOption = "",
    project: ProjectOption = Path("."),
) -> None:
    """Approve a version in review (not your own; its test scenarios must pass), after
    showing the simulation stored with it."""
    with guard():
        rules = governance(project)
        actor = login(rules, user, token)
        when = dt.datetime.fromisoformat(at) if at else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        out_console.print(f"{version}: what the simulation said when it was submitted")
        _show(rules.simulation(version))
        rules.approve(actor, version, reason, effective_from=when)
    out_console.print(f"{version} approved by {actor.username}"
                      + (f", active from {when}" if when else ""))


@app.command("list")
def list_command(project: ProjectOption = Path(".")) -> None:
    """Every version with its state."""
    with guard():
        rules = governance(project)
        versions = rules.rules.versions()
        states = {v.version: rules.state(v.version) for v in versions}
    table = Table("version", "state", "author", "based on", "effective from", "note")
    for version in versions:
        state = states[version.version]
        effective = state.effective_from
        table.add_row(version.version, state.state.value, version.created_by,
                      state.based_on or "",
                      effective.isoformat(timespec="minutes") if effective else "",
                      version.note)
    out_console.print(table)


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The earlier version.")],
    new: Annotated[str, typer.Argument(help="The later version.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of sentences.")] = False,
    project: ProjectOption = Path("."),
) -> None:
    """What changed between two versions, per table and cell."""
    from accord.rules.diff import diff_rule_sets

    with guard():
        rules = governance(project)
        changes = diff_rule_sets(rules.rules.files(old), rules.rules.files(new))
    if as_json:
        out_console.print_json(json.dumps(changes.to_json()))
    else:
        for line in changes.describe() or ["no differences"]:
            out_console.print(line, soft_wrap=True)


@app.command("scenarios")
def scenarios_command(
    version: Annotated[str, typer.Argument(help="The version.")],
    project: ProjectOption = Path("."),
) -> None:
    """Run a version's test scenarios; exit 1 if any fails."""
    with guard():
        results = governance(project).scenarios(version)
    for result in results:
        mark = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
        out_console.print(f"{mark} {result.explain() if not result.passed else result.name}",
                          soft_wrap=True)
    if any(not r.passed for r in results):
        raise typer.Exit(1)


@app.command("audit")
def audit_command(
    subject: Annotated[str | None, typer.Option(help="Only entries about this version.")]
        = None,
    project: ProjectOption = Path("."),
) -> None:
    """The audit log, newest first: who did what, when, and why."""
    from accord.rules import audit

    with guard():
        entries = audit.read(governance(project).engine, subject=subject)
    table = Table("when", "who", "action", "version", "why")
    for entry in entries:
        table.add_row(entry.at.isoformat(timespec="seconds"), entry.actor, entry.action,
                      entry.subject, entry.reason)
    out_console.print(table)


@app.command("simulate")
def simulate_command(
    old: Annotated[str, typer.Argument(help="The version in force (e.g. the active one).")],
    new: Annotated[str, typer.Argument(help="The proposed version.")],
    channel: Annotated[str, typer.Option(help="The channel asking.")] = "web",
    placement: Annotated[str, typer.Option(help="The placement filled.")] = "hero",
    project: ProjectOption = Path("."),
) -> None:
    """What a change would do to every profile: customers per treatment before and after,
    who moves where, and the expected value (rules only: no holdouts or contact history)."""
    from accord.rules.simulation_store import simulate_views

    with guard():
        rules = governance(project)
        [(_, _, report)] = simulate_views(project, rules.rules.load(old), rules.rules.load(new),
                                          rules.clock.now(), only=[(channel, placement)])
    table = Table("treatment", f"customers with {old}", f"with {new}", "change",
                  title=f"{report.customers:,} customers, {channel} / {placement}")
    for treatment in sorted(set(report.before) | set(report.after), key=str):
        before, after = report.before.get(treatment, 0), report.after.get(treatment, 0)
        table.add_row(treatment or "(nothing)", f"{before:,}", f"{after:,}",
                      f"{after - before:+,}")
    out_console.print(table)
    moves = sorted(((n, a, b) for (a, b), n in report.transitions.items() if a != b),
                   reverse=True)
    for count, was, becomes in moves[:10]:
        out_console.print(f"{count:,} customers move from {was or '(nothing)'} to "
                          f"{becomes or '(nothing)'}")
    out_console.print(f"expected value: {report.expected_before} -> {report.expected_after} "
                      f"({report.expected_change:+})")


app.command("export")(rules_io.export_command)
app.command("import-table")(rules_io.import_table_command)
