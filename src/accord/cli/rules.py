"""``accord rules``: rule set versions in the operational store (load a folder, activate,
list); a running server switches to an activated version within a second, no restart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import ProjectOption, guard, out_console
from accord.clock import SystemClock

app = typer.Typer(help="Rule set versions: load, activate, list.", no_args_is_help=True)


def _repository(project: Path):  # type: ignore[no-untyped-def]
    from accord.operational import RuleRepository
    from accord.server.runtime import open_project_operational

    return RuleRepository(open_project_operational(project), SystemClock())


@app.command("load")
def load_command(
    folder: Annotated[Path, typer.Argument(help="A rule set folder: catalogue.yaml + *.dmn.")],
    project: ProjectOption = Path("."),
    author: Annotated[str, typer.Option(help="Who made the change.")] = "cli",
    note: Annotated[str, typer.Option(help="Why.")] = "",
    activate: Annotated[bool, typer.Option(help="Activate it at once.")] = False,
) -> None:
    """Save a rule set folder as a new version (refused if it does not compile)."""
    from accord.decisioning.catalogue_file import read_folder

    with guard():
        catalogue, dmn = read_folder(folder)
        repository = _repository(project)
        saved = repository.save(catalogue, dmn, author=author, note=note)
        if activate:
            repository.activate(saved.version, by=author)
    state = "active" if activate else "saved"
    out_console.print(f"{saved.version} {state} ({len(dmn)} DMN files, checksum "
                      f"{saved.checksum[:12]})")


@app.command("activate")
def activate_command(
    version: Annotated[str, typer.Argument(help="The version, e.g. v3.")],
    project: ProjectOption = Path("."),
    by: Annotated[str, typer.Option(help="Who activates it.")] = "cli",
) -> None:
    """Make a version the one every decision uses."""
    with guard():
        _repository(project).activate(version, by=by)
    out_console.print(f"{version} active")


@app.command("list")
def list_command(project: ProjectOption = Path(".")) -> None:
    """Every version, the active one marked."""
    with guard():
        repository = _repository(project)
        active = repository.active_version()
        versions = repository.versions()
    table = Table("version", "active", "author", "note", "checksum")
    for version in versions:
        table.add_row(version.version, "*" if version.version == active else "",
                      version.created_by, version.note, version.checksum[:12])
    out_console.print(table)
