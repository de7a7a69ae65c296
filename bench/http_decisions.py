"""Decisions and events over HTTP: `accord serve` on 127.0.0.1 driven by wrk.

Builds a demo retailer, serves it with several workers, and measures with wrk (Debian's
package; the load generator shares the 2 cores):

* saturation: as many decisions as 16 connections get (``--connections``), with latency
  percentiles;
* a fixed rate: each connection paced by wrk's ``delay()``, latency at that load;
* events: NDJSON batches of 200 events, acknowledged once fsynced, events per second.

    python bench/http_decisions.py [--quick] [--customers N] [--seconds S] [--workers W]
                                   [--rate R] [--connections C]

Every request loop is bounded in time; only 127.0.0.1 is contacted. Last line: one JSON
object with at least `decisions_per_s`, `p99_ms` and `events_per_s`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import build_demo, decisions_script, lua_string, require_wrk, run_wrk, served

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--customers", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=1500, help="fixed-rate decisions/s")
    parser.add_argument("--connections", type=int, default=16,
                        help="connections for the saturation run (each waits for its answer, "
                             "so added latency lowers a closed loop's rate)")
    args = parser.parse_args()
    require_wrk()
    customers = args.customers or (2_000 if args.quick else 20_000)
    seconds = args.seconds or (5 if args.quick else 15)
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp), customers)
        with served(demo.project, workers=args.workers) as (url, _server):
            decisions = Path(tmp) / "decisions.lua"
            decisions.write_text(decisions_script(demo, 0))
            run_wrk(decisions, url, connections=8, seconds=2)  # warm up every worker
            saturated = run_wrk(decisions, url, connections=args.connections, seconds=seconds)
            connections = 16
            paced = Path(tmp) / "paced.lua"
            pace_ms = max(1, round(connections * 1000 / args.rate))
            paced.write_text(decisions_script(demo, pace_ms))
            fixed = run_wrk(paced, url, connections=connections, seconds=seconds)
            events = Path(tmp) / "events.lua"
            ids = ", ".join(map(lua_string, demo.customers()[:500]))
            events.write_text(LUA_EVENTS % (demo.key, ids))
            ingest = run_wrk(events, url, connections=4, seconds=seconds)
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


if __name__ == "__main__":
    main()
