"""``accord serve --workers N`` on a busy machine: workers that are slow to start still start.

uvicorn's supervisor pings each worker and kills one that does not answer in time (5 s by
default), then starts another, which is as slow: on a loaded machine, where importing the
CLI in a new process took over 5 s, the server never came up. The slow start is made real
here by a ``sitecustomize`` that delays every spawned worker process before it can answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli.main import app

#: Longer than uvicorn's default health-check timeout (5 s), well under Accord's.
WORKER_DELAY_S = 8

SLOW_START = f"""
import time
with open("/proc/self/cmdline", "rb") as cmdline:
    if b"--multiprocessing-fork" in cmdline.read():  # a worker, not the supervisor
        time.sleep({WORKER_DELAY_S})
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/cmdline")
def test_workers_slower_to_start_than_uvicorns_default_health_check_still_serve(
        tmp_path: Path) -> None:
    project = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "200",
                                      "--dir", str(project)])
    assert result.exit_code == 0, result.output
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_START)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(slow), *filter(None, [os.environ.get("PYTHONPATH")])]))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli.main", "serve", "--project", str(project),
         "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the workers never started"
                time.sleep(0.5)
        assert health.status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
