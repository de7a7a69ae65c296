"""A served demo project for the web app's tests: built once, copied per test, with the
retail rules active, a marketer (mia) and an approver (ola); and a real server for the
browser tests (uvicorn on 127.0.0.1, a free port, stopped at the end)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from accord.clock import FixedClock
from accord.demo.rules import install_rules
from accord.rules.users import UserRepository
from accord.server import create_app
from accord.server.runtime import open_project_operational
from accord.testing.demo import BuiltDemo, built_demo

NOW = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)
PASSWORDS = {"mia": "mia has a long password", "ola": "ola has a long password"}


@dataclass
class Site:
    directory: Path
    clock: FixedClock
    api_key: str


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    return built_demo(tmp_path_factory.mktemp("web") / "retailer", customers=300)


@pytest.fixture
def site(web_demo: BuiltDemo, tmp_path: Path) -> Site:
    directory = tmp_path / "retailer"
    shutil.copytree(web_demo.directory, directory)
    clock = FixedClock(NOW)
    rules = install_rules(directory, clock)
    users = UserRepository(open_project_operational(directory), clock)
    users.create("mia", PASSWORDS["mia"], ["marketer"])
    users.create("ola", PASSWORDS["ola"], ["approver"])
    return Site(directory, clock, rules.api_key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(site: Site) -> Iterator[str]:
    """The project served over HTTP: its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(site.directory, clock=site.clock),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
