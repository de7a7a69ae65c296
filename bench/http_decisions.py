"""Decisions and events over HTTP: `accord serve` on 127.0.0.1 driven by wrk.

Builds a demo retailer, serves it with several workers, and measures with wrk (Debian's
package; the load generator shares the 2 cores):

* saturation: as many decisions as 16 connections get, with latency percentiles;
* a fixed rate: each connection paced by wrk's ``delay()``, latency at that load;
* events: NDJSON batches of 200 events, acknowledged once fsynced, events per second.

    python bench/http_decisions.py [--quick] [--customers N] [--seconds S] [--workers W]
                                   [--rate R]

Every request loop is bounded in time; only 127.0.0.1 is contacted. Last line: one JSON
object with at least `decisions_per_s`, `p99_ms` and `events_per_s`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from accord.clock import SystemClock
from accord.demo import DemoSpec, generate_demo
from accord.demo.rules import install_rules
from accord.online import open_online
from accord.pipeline import build, online_path
from accord.progress import SilentProgress

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

LUA_EVENTS = """
local key = "%s"
local customers = {%s}
local batch = 0
local thread_id = tostring(math.random(1, 1e9))
request = function()
  batch = batch + 1
  local lines = {}
  for j = 1, 200 do
    lines[j] = string.format(
      '{"event_id":"%%s-%%d-%%d","type":"page_view","customer_id":"%%s",' ..
      '"occurred_at":"2026-11-22T12:00:00Z","channel":"web"}',
      thread_id, batch, j, customers[((batch + j) %% #customers) + 1])
  end
  return wrk.format("POST", "/v1/events",
    {["Content-Type"] = "application/x-ndjson", ["Authorization"] = "Bearer " .. key},
    table.concat(lines, "\\n"))
end
response = function(status, headers, body)
  if status ~= 200 then error("status " .. status .. ": " .. body) end
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(script: Path, url: str, *, connections: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "5s", "-s", str(script), url],
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for label, unit, value in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[value]
        result[f"p{label}_ms"] = float(unit) * scale
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--customers", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=1500, help="fixed-rate decisions/s")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    customers = args.customers or (2_000 if args.quick else 20_000)
    seconds = args.seconds or (5 if args.quick else 15)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "retailer"
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
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "accord.cli.main", "serve", "--project", str(project),
             "--port", str(port), "--workers", str(args.workers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            url = f"http://127.0.0.1:{port}"
            decisions = Path(tmp) / "decisions.lua"
            decisions.write_text(LUA_DECISIONS % (", ".join(map(lua_string, bodies)), key, 0))
            run_wrk(decisions, url, connections=8, seconds=2)  # warm up every worker
            saturated = run_wrk(decisions, url, connections=16, seconds=seconds)
            connections = 16
            paced = Path(tmp) / "paced.lua"
            pace_ms = max(1, round(connections * 1000 / args.rate))
            paced.write_text(LUA_DECISIONS % (", ".join(map(lua_string, bodies)), key, pace_ms))
            fixed = run_wrk(paced, url, connections=connections, seconds=seconds)
            events = Path(tmp) / "events.lua"
            ids = ", ".join(lua_string(json.loads(b)["customer"]) for b in bodies[:500])
            events.write_text(LUA_EVENTS % (key, ids))
            ingest = run_wrk(events, url, connections=4, seconds=seconds)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    result = {
        "workers": args.workers, "customers": customers, "seconds": seconds,
        "decisions_per_s": round(saturated["requests_per_s"]),
        "p50_ms": round(saturated.get("p50_ms", 0), 2),
        "p99_ms": round(saturated.get("p99_ms", 0), 2),
        "fixed_rate_target_per_s": args.rate,
        "fixed_rate_per_s": round(fixed["requests_per_s"]),
        "fixed_rate_p50_ms": round(fixed.get("p50_ms", 0), 2),
        "fixed_rate_p99_ms": round(fixed.get("p99_ms", 0), 2),
        "events_per_s": round(ingest["requests_per_s"] * 200),
        "event_batches_p99_ms": round(ingest.get("p99_ms", 0), 2),
        "errors": saturated["errors"] + fixed["errors"] + ingest["errors"],
        "load_generator": "wrk 4.1 (1 thread) on the same 2 cores",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
    }
    print(f"saturation: {result['decisions_per_s']:,} decisions/s, p50 {result['p50_ms']} ms, "
          f"p99 {result['p99_ms']} ms; at {result['fixed_rate_per_s']:,}/s: p99 "
          f"{result['fixed_rate_p99_ms']} ms; events: {result['events_per_s']:,}/s durable",
          file=sys.stderr)
    print(json.dumps(result))


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


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


if __name__ == "__main__":
    main()
