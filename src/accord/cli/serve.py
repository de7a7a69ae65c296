"""``accord serve``: the read-only HTTP API of a built project (uvicorn, one process)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import guard, out_console

__all__ = ["serve", "serve_command"]

ProjectOption = Annotated[Path, typer.Option(
    "--project", "-p", help="The project folder (holding accord.yaml).")]


def serve(project: Path, *, host: str, port: int) -> None:
    """Serve ``project`` on ``host:port`` until interrupted (Ctrl-C)."""
    import uvicorn

    from accord.server import create_app

    with guard():
        app = create_app(project)
    out_console.print(f"Serving {project} on http://{host}:{port} (API docs: "
                      f"http://{host}:{port}/docs); Ctrl-C stops.")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve_command(
    project: ProjectOption = Path("."),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Serve profile lookups and segment counts over HTTP (read-only)."""
    serve(project, host=host, port=port)
