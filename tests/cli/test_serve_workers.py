"""``accord serve --workers N`` on a busy machine: workers that are slow to start still start.

uvicorn's supervisor pings each worker and kills one that does not answer in time (5 s by
default), then starts another, which is as slow: on a loaded machine, where importing the
CLI in a new process took over 5 s, the server never came up. The slow start is made real
here by a ``sitecustomize`` that delays every spawned worker process before it can answer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from tests.e2e.served import served

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
    # uvicorn's own 5 s would kill each worker and start one as slow, forever
    with served(project, workers=2, env=env, start_seconds=60) as server:
        assert httpx.get(f"{server.url}/v1/health", timeout=5).status_code == 200
