"""What the HTTP benchmarks share: a demo retailer, `accord serve` on 127.0.0.1, and wrk.

Used by ``http_decisions.py`` (throughput and latency) and ``soak.py`` (ten minutes at a
steady rate). Only 127.0.0.1 is ever contacted; the server is always stopped on the way out
(``served`` is a context manager), and every wrk run is bounded by its duration.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
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
import psutil

from accord.clock import SystemClock
from accord.demo import DemoSpec, generate_demo
from accord.demo.rules import install_rules
from accord.online import open_online
from accord.pipeline import build, online_path
from accord.progress import SilentProgress

#: Decisions as wrk sends them: bodies cycled, a fixed ``delay()`` in ms per connection (0:
#: as fast as the server answers). Any answer but 200 stops the run: these are throughput
#: figures, valid only when every request succeeded.
LUA_DECISIONS = """
local bodies = {%s}
local key = "%s"
local i = 0
local pace = %d
request = function()
  i = i + 1
  return wrk.format("POST", "/v1/decisions",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key},
    bodies[(i %% #bodies) + 1])
end
delay = function() return pace end
response = function(status, headers, body)
  if status ~= 200 then error("status " .. status .. ": " .. body) end
end
"""


@dataclass(frozen=True)
class Demo:
    """A built demo retailer: its folder, an API key with every scope, and request bodies."""

    project: Path
    key: str
    bodies: list[str]  # decision requests for known customers, channels web/app/email

    def customers(self) -> list[str]:
        """The customer ids the bodies name, in order."""
        return [json.loads(body)["customer"] for body in self.bodies]


def require_wrk() -> None:
    """Exit with the install command when wrk (Debian's package) is missing."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")


def build_demo(folder: Path, customers: int) -> Demo:
    """Generate and build a demo retailer of ``customers`` in ``folder`` / ``retailer``."""
    project = folder / "retailer"
    print(f"building a demo of {customers:,} customers ...", file=sys.stderr)
    clock = SystemClock()
    generate_demo(project, DemoSpec(customers=customers, as_of=clock.now().date()),
                  progress=SilentProgress())
    build(project, clock=clock, progress=SilentProgress())
    key = install_rules(project, clock).api_key
    reader = open_online("sqlite", online_path(project), read_only=True)
    try:
        sample = [reader.get(c) for c in _customer_ids(project)[:2000]]
    finally:
        reader.close()
    bodies = [json.dumps({"customer": doc["customer_id"], "channel": channel,
                          "placements": {"hero": 1, "banner": 1}})
              for doc, channel in zip(sample, ["web", "app", "email"] * 1000, strict=False)
              if doc]
    return Demo(project, key, bodies)


@contextmanager
def served(project: Path, *, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`accord serve` on a free port of 127.0.0.1: yields its URL and process, stops it after.

    Stopped with SIGINT (uvicorn's graceful shutdown), then killed if it has not exited
    within 30 s, so no server outlives the benchmark.
    """
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli.main", "serve", "--project", str(project),
         "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, server)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def lua_string(text: str) -> str:
    """``text`` as a Lua long-bracket string literal (no escaping needed for JSON)."""
    return "[==[" + text + "]==]"


def decisions_script(demo: Demo, pace_ms: int) -> str:
    """``LUA_DECISIONS`` for the demo's bodies and key, each connection waiting ``pace_ms``."""
    return LUA_DECISIONS % (", ".join(map(lua_string, demo.bodies)), demo.key, pace_ms)


def run_wrk(script: Path, url: str, *, connections: int, seconds: int) -> dict[str, float]:
    """One wrk run (one thread): requests per second, p50/p99 in ms and non-2xx answers."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "5s", "-s", str(script), url],
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise RuntimeError(f"wrk printed no request rate:\n{out}")
    result = {"requests_per_s": float(rate.group(1))}
    for label, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        result[f"p{label}_ms"] = float(value) * scale
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    return result


def _customer_ids(project: Path) -> list[str]:
    from accord.project.template import store_path
    from accord.store import open_store

    store = open_store("duckdb", store_path(project), read_only=True)
    try:
        table = store.query("SELECT customer_id FROM profiles ORDER BY hash(customer_id) "
                            "LIMIT 2000")
    finally:
        store.close()
    return [str(v) for v in table.column("customer_id").to_pylist()]


def _wait(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    children: set[int] = set()  # every worker seen: uvicorn replaces one that does not answer
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} on start")
        with contextlib.suppress(psutil.NoSuchProcess):
            children |= {child.pid for child in psutil.Process(server.pid).children()}
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 120 s; {len(children)} child processes "
                     "were started (uvicorn kills and replaces a worker that does not answer "
                     "its health check in time, as when imports are slow on a busy machine)")
