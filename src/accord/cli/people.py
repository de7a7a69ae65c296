"""Who acts in ``accord rules`` and ``accord users``: a user with a password
(``--user``, password from ``$ACCORD_PASSWORD`` or a prompt) or a personal token
(``--token`` or ``$ACCORD_TOKEN``), and the ``accord users`` commands that manage both.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, fail, guard, out_console
from accord.clock import SystemClock
from accord.operational.store import OperationalStore
from accord.rules.governance import Governance
from accord.rules.simulation_store import project_simulator
from accord.rules.tokens import TokenRepository
from accord.rules.users import User, UserRepository

UserOption = Annotated[str | None, typer.Option(
    "--user", "-u", help="Who acts (password from $ACCORD_PASSWORD or a prompt); without "
    "it, a personal token acts.")]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar="ACCORD_TOKEN", show_envvar=True,
    help="A personal token ('accord users token create'), instead of --user.")]


def governance(project: Path) -> Governance:
    """The project's governed rules, simulating submissions over its built profiles."""
    from accord.server.runtime import open_project_operational

    return Governance(open_project_operational(project), SystemClock(),
                      project_simulator(project))


def _store(governance: Governance) -> OperationalStore:
    return OperationalStore(governance.engine)


def _password(username: str) -> str:
    return os.environ.get("ACCORD_PASSWORD") or typer.prompt(
        f"password for {username}", hide_input=True)


def login(governance: Governance, username: str | None, token: str | None) -> User:
    """The user who acts: ``--user`` with a password, else the personal token."""
    if username is not None:
        user = UserRepository(_store(governance), governance.clock).authenticate(
            username, _password(username))
        if user is None:
            fail(f"wrong user name or password for {username!r}")
        return user
    if not token:
        fail("who acts? give --user NAME (password from $ACCORD_PASSWORD or a prompt) or a "
             "personal token (--token or $ACCORD_TOKEN)")
    found = TokenRepository(_store(governance), governance.clock).verify(token.strip())
    if found is None:
        fail("unknown, expired or revoked personal token ($ACCORD_TOKEN or --token)")
    return found


users_app = typer.Typer(help="Users of the governed rules (marketer, approver, admin) and "
                        "their personal tokens.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal tokens: act from scripts and CI without a password.",
                         no_args_is_help=True)
users_app.add_typer(tokens_app, name="token")


@users_app.command("create")
def create_user_command(
    username: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[list[str], typer.Option(help="marketer, approver or admin (repeat).")],
    project: ProjectOption = Path("."),
) -> None:
    """Create a user; the password comes from $ACCORD_PASSWORD or a prompt (hashed)."""
    password = os.environ.get("ACCORD_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True)
    with guard():
        rules = governance(project)
        user = UserRepository(_store(rules), rules.clock).create(username, password, role)
    out_console.print(f"user {user.username} ({', '.join(sorted(user.roles))}) created")


@tokens_app.command("create")
def create_token_command(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. laptop or ci.")],
    user: Annotated[str, typer.Option("--user", "-u", help="Whose token (password from "
                                      "$ACCORD_PASSWORD or a prompt).")],
    expires_in_days: Annotated[int | None, typer.Option(
        min=1, help="Expire after this many days (never, when not given).")] = None,
    project: ProjectOption = Path("."),
) -> None:
    """A new personal token, printed once (only a digest of it is stored)."""
    with guard():
        rules = governance(project)
        actor = login(rules, user, None)
        expires = (rules.clock.now() + dt.timedelta(days=expires_in_days)
                   if expires_in_days else None)
        record, secret = TokenRepository(_store(rules), rules.clock).create(
            actor, name, expires_at=expires)
    until = (f", expires {record.expires_at.isoformat(timespec='seconds')}"
             if record.expires_at else "")
    out_console.print(f"token {record.id} of {actor.username} ({name}{until}); keep it "
                      "secret, it is not shown again:")
    out_console.print(secret, soft_wrap=True)


@tokens_app.command("list")
def list_tokens_command(user: UserOption = None, token: TokenOption = None,
                        project: ProjectOption = Path(".")) -> None:
    """Your tokens (never their secrets)."""
    with guard():
        rules = governance(project)
        actor = login(rules, user, token)
        found = TokenRepository(_store(rules), rules.clock).of(actor.username)
    table = Table("id", "name", "created", "expires", "revoked")

    def when(at: dt.datetime | None) -> str:
        return at.isoformat(timespec="seconds") if at else ""

    for record in found:
        table.add_row(record.id, record.name, when(record.created_at),
                      when(record.expires_at), when(record.revoked_at))
    out_console.print(table)


@tokens_app.command("revoke")
def revoke_token_command(
    token_id: Annotated[str, typer.Argument(help="The token's id (from 'list').")],
    user: UserOption = None, token: TokenOption = None, project: ProjectOption = Path("."),
) -> None:
    """Revoke one of your tokens (an admin: anybody's); it stops working at once."""
    with guard():
        rules = governance(project)
        actor = login(rules, user, token)
        TokenRepository(_store(rules), rules.clock).revoke(actor, token_id)
    out_console.print(f"token {token_id} revoked")
