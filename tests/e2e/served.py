"""``accord serve`` as a real server for end-to-end tests: a subprocess with its workers in
one process group, on a free 127.0.0.1 port, stopped (or killed) by the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from accord.project.template import state_dir

#: Seconds the server may take to answer (workers import the app; the machine may be busy).
START_SECONDS = 180


def free_port() -> int:
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def api_key(project: Path) -> str:
    """The demo's API key (all scopes)."""
    return (state_dir(project) / "demo-api-key").read_text().strip()


@dataclass
class Server:
    """A running ``accord serve``."""

    url: str
    process: subprocess.Popen[bytes]
    output: Path

    def kill(self) -> None:
        """``kill -9`` the server and its workers (the whole process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Ctrl-C: the workers finish their requests and exit."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def served(project: Path, *, workers: int = 2, env: dict[str, str] | None = None,
           start_seconds: float = START_SECONDS) -> Iterator[Server]:
    """Serve ``project`` with ``workers`` uvicorn workers until the block ends (``env``: the
    server's environment; it must answer within ``start_seconds``)."""
    port = free_port()
    output = project.parent / f"serve-{port}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "accord.cli.main", "serve", "--project", str(project),
             "--port", str(port), "--workers", str(workers)],
            env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, output)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                httpx.get(f"{server.url}/v1/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, output.read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            server.stop()
