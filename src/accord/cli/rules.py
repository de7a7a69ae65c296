"""``accord rules``: governed changes to the treatment rules.

A marketer drafts a version from a rule set folder and submits it; an approver (another
person) approves it, now or for a time, and activates it; a rollback activates an earlier
version. Each command acts as ``--user`` (password from ``$ACCORD_PASSWORD`` or a prompt)
and is refused, changing nothing, when the lifecycle or the user's role does not allow it.
Running servers switch to an activated version within a second, with no restart.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, fail, guard, out_console
from accord.clock import SystemClock
from accord.rules.governance import Governance
from accord.rules.users import User

app = typer.Typer(help="Governed rule versions: draft, submit, approve, activate, roll back.",
                  no_args_is_help=True)

UserOption = Annotated[str, typer.Option("--user", "-u", help="Who acts (password from "
                                         "$ACCORD_PASSWORD or a prompt).")]
ReasonOption = Annotated[str, typer.Option(help="Why (kept in the audit log).")]


def _governance(project: Path) -> Governance:
    from accord.server.runtime import open_project_operational

    return Governance(open_project_operational(project), SystemClock())


def _login(governance: Governance, username: str) -> User:
    from accord.operational.store import OperationalStore
    from accord.rules.users import UserRepository

    password = os.environ.get("ACCORD_PASSWORD") or typer.prompt(
        f"password for {username}", hide_input=True)
    users = UserRepository(OperationalStore(governance.engine), governance.clock)
    user = users.authenticate(username, password)
    if user is None:
        fail(f"wrong user name or password for {username!r}")
    return user


@app.command("draft")
def draft_command(
    folder: Annotated[Path, typer.Argument(help="A rule set folder: catalogue.yaml, *.dmn, "
                                           "scenarios.yaml.")],
    user: UserOption,
    based_on: Annotated[str | None, typer.Option(help="The version the change starts from "
                                                 "(the newest, or refused).")] = None,
    note: ReasonOption = "",
    project: ProjectOption = Path("."),
) -> None:
    """Save a folder as a new draft version (refused if it does not compile)."""
    from accord.decisioning.catalogue_file import read_folder

    with guard():
        governance = _governance(project)
        actor = _login(governance, user)
        catalogue, files = read_folder(folder)
        saved = governance.draft(actor, catalogue, files, based_on=based_on, note=note)
    out_console.print(f"{saved.version} saved as a draft (based on {based_on or 'nothing'})")


def _transition(name: str) -> None:
    def command(version: Annotated[str, typer.Argument(help="The version, e.g. v3.")],
                user: UserOption, reason: ReasonOption = "",
                project: ProjectOption = Path(".")) -> None:
        with guard():
            governance = _governance(project)
            actor = _login(governance, user)
            getattr(governance, name)(actor, version, reason)
        out_console.print(f"{version}: {name} done by {user}")

    command.__doc__ = {
        "submit": "Submit a draft for review.",
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
    user: UserOption,
    at: Annotated[str | None, typer.Option(help="Activate at this ISO time (UTC if no "
                                           "offset) instead of by hand.")] = None,
    reason: ReasonOption = "",
    project: ProjectOption = Path("."),
) -> None:
    """Approve a version in review (not your own; its test scenarios must pass)."""
    with guard():
        governance = _governance(project)
        actor = _login(governance, user)
        when = dt.datetime.fromisoformat(at) if at else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        governance.approve(actor, version, reason, effective_from=when)
    out_console.print(f"{version} approved by {user}" + (f", active from {when}" if when else ""))


@app.command("list")
def list_command(project: ProjectOption = Path(".")) -> None:
    """Every version with its state."""
    with guard():
        governance = _governance(project)
        versions = governance.rules.versions()
        states = {v.version: governance.state(v.version) for v in versions}
    table = Table("version", "state", "author", "based on", "note")
    for version in versions:
        state = states[version.version]
        table.add_row(version.version, state.state.value, version.created_by,
                      state.based_on or "", version.note)
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
        governance = _governance(project)
        changes = diff_rule_sets(governance.rules.files(old), governance.rules.files(new))
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
        results = _governance(project).scenarios(version)
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
        entries = audit.read(_governance(project).engine, subject=subject)
    table = Table("when", "who", "action", "version", "why")
    for entry in entries:
        table.add_row(entry.at.isoformat(timespec="seconds"), entry.actor, entry.action,
                      entry.subject, entry.reason)
    out_console.print(table)


users_app = typer.Typer(help="Users of the governed rules (marketer, approver, admin).",
                        no_args_is_help=True)


@users_app.command("create")
def create_user_command(
    username: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[list[str], typer.Option(help="marketer, approver or admin (repeat).")],
    project: ProjectOption = Path("."),
) -> None:
    """Create a user; the password comes from $ACCORD_PASSWORD or a prompt (hashed)."""
    from accord.operational.store import OperationalStore
    from accord.rules.users import UserRepository

    password = os.environ.get("ACCORD_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True)
    with guard():
        governance = _governance(project)
        user = UserRepository(OperationalStore(governance.engine),
                              governance.clock).create(username, password, role)
    out_console.print(f"user {user.username} ({', '.join(sorted(user.roles))}) created")


def _simulation_store(project: Path):  # type: ignore[no-untyped-def]
    """An in-memory store holding the project's profiles with each customer's segments as a
    list (the simulation's input); the project's own store is only read."""
    from sqlglot import exp

    from accord.project.template import store_path
    from accord.store import open_store

    store = open_store()
    path = exp.Literal.string(str(store_path(project).resolve())).sql("duckdb")
    store.execute(f"ATTACH {path} AS hub (READ_ONLY)")
    store.execute(
        "CREATE TABLE profiles AS SELECT p.*, coalesce(s.segments, []::VARCHAR[]) AS segments "
        "FROM hub.profiles p LEFT JOIN (SELECT customer_id, list(segment ORDER BY segment) "
        "AS segments FROM hub.segment_members GROUP BY customer_id) s USING (customer_id)")
    return store


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
    from accord.decisioning.propensity import Propensities
    from accord.rules.simulation import simulate
    from accord.server.runtime import contacts_path

    with guard():
        governance = _governance(project)
        rules_old, rules_new = governance.rules.load(old), governance.rules.load(new)
        estimates = {}
        if contacts_path(project).is_file():
            from accord.online.contacts import ContactStore

            estimates = ContactStore(contacts_path(project)).propensities()
        store = _simulation_store(project)
        try:
            report = simulate(store, rules_old, rules_new, channel=channel,
                              placement=placement, at=governance.clock.now(),
                              propensities=Propensities(estimates))
        finally:
            store.close()
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
