"""``accord keys``: API keys for channel applications (create shows the secret once)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, guard, out_console
from accord.clock import SystemClock

app = typer.Typer(help="API keys of channel applications.", no_args_is_help=True)


def _keys(project: Path):  # type: ignore[no-untyped-def]
    from accord.operational import ApiKeyRepository
    from accord.server.runtime import open_project_operational

    return ApiKeyRepository(open_project_operational(project), SystemClock())


@app.command("create")
def create_command(
    application: Annotated[str, typer.Argument(help="The application, e.g. web-shop.")],
    scope: Annotated[list[str], typer.Option(
        help="decisions, outcomes, events, profiles or admin (repeat for several).")],
    project: ProjectOption = Path("."),
) -> None:
    """A new key; its secret is printed once and stored only as a digest."""
    with guard():
        key, secret = _keys(project).create(application, set(scope))
    out_console.print(f"key {key.id} for {key.app} ({', '.join(sorted(key.scopes))}):")
    out_console.print(secret, soft_wrap=True)


@app.command("list")
def list_command(project: ProjectOption = Path(".")) -> None:
    """Every key that is not revoked."""
    with guard():
        keys = _keys(project).all()
    table = Table("id", "application", "scopes")
    for key in keys:
        table.add_row(key.id, key.app, ", ".join(sorted(key.scopes)))
    out_console.print(table)


@app.command("revoke")
def revoke_command(key_id: Annotated[str, typer.Argument(help="The key's id.")],
                   project: ProjectOption = Path(".")) -> None:
    """Revoke a key (servers stop accepting it within 30 seconds)."""
    with guard():
        _keys(project).revoke(key_id)
    out_console.print(f"key {key_id} revoked")
