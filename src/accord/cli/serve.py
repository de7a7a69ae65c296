"""``accord serve``: the HTTP API of a built project (uvicorn, one or more workers)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import ProjectOption, guard, out_console

__all__ = ["serve", "serve_command"]

#: Seconds a worker may take to answer uvicorn's health check before it is killed and
#: replaced (uvicorn's default, 5, is shorter than a worker's start on a loaded machine:
#: every replacement was as slow, and the server never came up).
WORKER_HEALTHCHECK_S = 60


def serve(project: Path, *, host: str, port: int, workers: int = 1,
          forwarded_allow_ips: str | None = None) -> None:
    """Serve ``project`` on ``host:port`` until interrupted (Ctrl-C), in ``workers``
    processes (each builds its own app: own connections, own log segments).

    ``forwarded_allow_ips`` names the proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (uvicorn's default: 127.0.0.1 only); the web app's
    cookies are ``Secure`` when such a proxy says the request came over HTTPS."""
    import uvicorn

    from accord.server import create_app
    from accord.server.app import PROJECT_ENV

    with guard():
        create_app(project)  # fail here, with a clear error, rather than in every worker
    out_console.print(f"Serving {project} on http://{host}:{port} with {workers} worker(s) "
                      f"(API docs: http://{host}:{port}/docs); Ctrl-C stops.")
    if workers == 1:
        uvicorn.run(create_app(project), host=host, port=port, log_level="warning",
                    forwarded_allow_ips=forwarded_allow_ips)
        return
    os.environ[PROJECT_ENV] = str(project.resolve())
    # uvicorn kills a worker that does not answer its supervisor's ping within the timeout
    # (5 s by default) and starts another: on a busy machine a worker importing the app can
    # miss it, and then every replacement misses it too, so the API never comes up
    uvicorn.run("accord.server.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning",
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
                forwarded_allow_ips=forwarded_allow_ips)


def serve_command(
    project: ProjectOption = Path("."),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.", min=1, max=64)] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Proxies (comma-separated addresses, or *) trusted to say the client's address "
             "and scheme in X-Forwarded-For / X-Forwarded-Proto; default 127.0.0.1.")] = None,
) -> None:
    """Serve decisions, outcomes, events, profile lookups and segment counts over HTTP."""
    serve(project, host=host, port=port, workers=workers,
          forwarded_allow_ips=forwarded_allow_ips)
