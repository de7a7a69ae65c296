"""Soak: `accord serve` with 2 workers at 60 % of its measured saturation, minute by minute.

Builds a demo retailer, serves it on 127.0.0.1 and first measures saturation (decisions per
second with 16 connections, wrk). Then, for the soak, two paced wrk clients run side by side,
restarted back to back every minute so each minute has its own latency histogram and counts:

* decisions: 90 % of the soak rate, each decision for a known customer, two placements;
* a client's other traffic: 10 % of the rate, in turn a decision, an outcome (impression,
  every fourth a click) for one of its earlier decisions, and a batch of 10 page views
  (spread over the same customers as the decisions: each decision reads its customer's
  recent events, so events piled on a few customers would slow decisions down unrealistically).

Pacing is wrk2-like: a schedule of send times at the target rate (LuaJIT's ffi reads the
monotonic clock), each request waiting for its slot; slots missed because every connection
was busy are made up for at most a second, and counted beyond that (``missed``), so a server
that stalls shows as a minute below its target rate. Latency is wrk's, from sending a request
to its whole answer. Each worker's memory (RSS, psutil) is read after a warm-up of the same
traffic (30 s), which starts the soak, after every minute and at the end.

    python bench/soak.py [--quick] [--minutes N] [--customers N] [--workers W]
                         [--mixed-share F]

``--quick`` runs 60 s of load: an 8 s saturation probe, a 5 s warm-up and five 9 s
"minutes". Every
request loop is bounded in time; only 127.0.0.1 is contacted; the server is always stopped
and the temporary folder removed. Last line: one JSON object with ``errors``, ``requests``,
``rss_growth_pct``, ``p99_ms_max``, ``p99_ms_first_minute``, ``rate_per_s``,
``saturation_per_s`` and ``minutes``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import Demo, build_demo, decisions_script, lua_string, require_wrk, run_wrk, served

#: Share of the measured saturation the soak runs at.
LOAD = 0.6
#: Share of the soak rate that is a client's mixed traffic (decisions, outcomes, events).
MIXED_SHARE = 0.1
#: Connections of the two clients: enough that a connection waits for its slot, not for an
#: answer, at the paced rate (a decision takes a few ms; its slot comes every ~20 ms).
DECISION_CONNECTIONS = 32
MIXED_CONNECTIONS = 8

#: The paced client. Python fills in the request bodies, the key, the rate, a tag unique to
#: the run (event ids) and the mix. Counters are globals so ``done`` can read them per thread.
LUA_PACED = r"""
local ffi = require("ffi")
pcall(ffi.cdef, [[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clk_id, soak_timespec *tp);
]])
local ts = ffi.new("soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local bodies = {%(bodies)s}
local customers = {%(customers)s}
local key = "%(key)s"
local interval = 1000 / %(rate)f
local tag = "%(tag)s"
local mix = {%(mix)s}
local lag = 20           -- decisions answered before one of them gets its outcome
local backlog = 1000     -- ms of missed slots made up after a stall, at most

local next_at = nil
missed = 0
non200 = 0
first_error = ""
sent_decisions, sent_outcomes, sent_batches = 0, 0, 0
local step, n_outcomes, n_batches = 0, 0, 0
local pending, head = {}, 1

delay = function()
  local now = now_ms()
  if next_at == nil then next_at = now end
  if next_at < now - backlog then
    missed = missed + math.floor((now - backlog - next_at) / interval)
    next_at = now - backlog
  end
  local wait = next_at - now
  next_at = next_at + interval
  if wait < 0 then return 0 end
  return wait
end

local json = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
local ndjson = {["Content-Type"] = "application/x-ndjson", ["Authorization"] = "Bearer " .. key}

local function decision()
  sent_decisions = sent_decisions + 1
  return wrk.format("POST", "/v1/decisions", json,
                    bodies[(sent_decisions %% #bodies) + 1])
end

local function outcome()
  if #pending - head + 1 <= lag then return decision() end
  local given = pending[head]
  pending[head] = nil
  head = head + 1
  n_outcomes = n_outcomes + 1
  sent_outcomes = sent_outcomes + 1
  local kind = (n_outcomes %% 4 == 0) and "click" or "impression"
  return wrk.format("POST", "/v1/outcomes", json, string.format(
    '{"decision_id":"%%s","treatment_id":"%%s","kind":"%%s"}', given[1], given[2], kind))
end

local function events()
  n_batches = n_batches + 1
  sent_batches = sent_batches + 1
  local at = os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ")
  local lines = {}
  for j = 1, 10 do
    lines[j] = string.format(
      '{"event_id":"soak-%%s-%%d-%%d","type":"page_view","customer_id":"%%s",' ..
      '"occurred_at":"%%s","channel":"web"}',
      tag, n_batches, j, customers[((n_batches * 10 + j) %% #customers) + 1], at)
  end
  return wrk.format("POST", "/v1/events", ndjson, table.concat(lines, "\n"))
end

local kinds = {d = decision, o = outcome, e = events}

request = function()
  step = step + 1
  return kinds[mix[(step %% #mix) + 1]]()
end

response = function(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_error == "" then first_error = status .. " " .. string.sub(body, 1, 300) end
    return
  end
  local id = string.match(body, '"decision_id":"([^"]+)"')
  local given = id and string.match(body, '"given":%%["([^"]+)"')
  if given then pending[#pending + 1] = {id, given} end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local totals = {missed = 0, non200 = 0, sent_decisions = 0, sent_outcomes = 0,
                  sent_batches = 0}
  local first = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
    if first == "" then first = thread:get("first_error") end
  end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d,"status":%%d,"non200":%%d,' ..
    '"missed":%%d,"decisions":%%d,"outcomes":%%d,"event_batches":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, e.status, totals.non200,
    totals.missed, totals.sent_decisions, totals.sent_outcomes, totals.sent_batches))
  if first ~= "" then io.write("SOAK-ERROR " .. first .. "\n") end
end
"""

#: The report of a client that did not run (``--mixed-share 0``).
IDLE: dict[str, Any] = dict.fromkeys(
    ("requests", "duration_us", "p50_us", "p99_us", "max_us", "connect", "read", "write",
     "timeout", "status", "non200", "missed", "decisions", "outcomes", "event_batches"), 0) | {
    "first_error": None}


@dataclass(frozen=True)
class Minute:
    """One interval of the soak: both clients' counts and latencies, and the workers' RSS."""

    decisions: dict[str, Any]
    mixed: dict[str, Any]
    rss_mb: dict[int, float]

    @property
    def requests(self) -> int:
        return int(self.decisions["requests"] + self.mixed["requests"])

    @property
    def errors(self) -> int:
        """Answers other than 200 and socket errors (connect, read, write, timeout)."""
        return sum(_errors(run) for run in (self.decisions, self.mixed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 s of load in all")
    parser.add_argument("--minutes", type=int,
                        help="intervals of soak: minutes (default 10), with --quick 9 s "
                             "each (default 5)")
    parser.add_argument("--customers", type=int, help="demo size (default 20,000; quick 2,000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mixed-share", type=float, default=MIXED_SHARE,
                        help="share of the rate that is decisions, outcomes and events mixed "
                             "(0: decisions only)")
    args = parser.parse_args()
    require_wrk()
    customers = args.customers or (2_000 if args.quick else 20_000)
    # quick: 2 s warm-up, 8 s probe, 5 s soak warm-up and five 9 s intervals: 60 s of load
    interval = 9 if args.quick else 60
    intervals = args.minutes or (5 if args.quick else 10)
    probe_s = 8 if args.quick else 15
    warmup_s = 5 if args.quick else 30
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp), customers)
        with served(demo.project, workers=args.workers) as (url, server):
            probe = Path(tmp) / "probe.lua"
            probe.write_text(decisions_script(demo, 0))
            run_wrk(probe, url, connections=8, seconds=2)  # warm up every worker
            saturation = run_wrk(probe, url, connections=16, seconds=probe_s)
            rate = LOAD * saturation["requests_per_s"]
            print(f"saturation: {saturation['requests_per_s']:,.0f} decisions/s "
                  f"(16 connections, {probe_s} s, p99 {saturation['p99_ms']:.1f} ms); "
                  f"soak at {rate:,.0f} requests/s for {intervals} x {interval} s",
                  file=sys.stderr)
            workers = _workers(server.pid)
            if len(workers) != args.workers:
                raise SystemExit(f"expected {args.workers} worker processes, found "
                                 f"{[' '.join(w.cmdline()) for w in workers]}")
            print(_header(), file=sys.stderr)
            # the soak's own traffic first, so that memory at the start is taken with every
            # worker warm on every path (outcomes, events, their threads and connections)
            warmup = _minute(Path(tmp), demo, url, workers, rate=rate, seconds=warmup_s,
                             mixed_share=args.mixed_share, tag=f"{os.getpid()}-warmup")
            print(_row("w", warmup, rate * (1 - args.mixed_share), warmup_s), file=sys.stderr)
            start_rss = warmup.rss_mb
            minutes: list[Minute] = []
            for index in range(intervals):
                minute = _minute(Path(tmp), demo, url, workers, rate=rate, seconds=interval,
                                 mixed_share=args.mixed_share, tag=f"{os.getpid()}-{index}")
                minutes.append(minute)
                print(_row(index + 1, minute, rate * (1 - args.mixed_share), interval),
                      file=sys.stderr)
            end_rss = _rss(workers)
            replaced = sorted({w.pid for w in workers} ^ {w.pid for w in _workers(server.pid)})
    result = _summary(minutes, start_rss, end_rss, replaced, saturation=saturation, rate=rate,
                      interval=interval, customers=customers, workers=args.workers)
    result["warmup_s"], result["warmup_errors"] = warmup_s, warmup.errors
    _print_verdict(result)
    print(json.dumps(result))


def _minute(tmp: Path, demo: Demo, url: str, workers: list[psutil.Process], *, rate: float,
            seconds: int, mixed_share: float, tag: str) -> Minute:
    """Both paced clients for ``seconds``, side by side, then the workers' RSS."""
    plans = {"decisions": (rate * (1 - mixed_share), DECISION_CONNECTIONS, "d"),
             "mixed": (rate * mixed_share, MIXED_CONNECTIONS, "d,o,e")}
    plans = {name: plan for name, plan in plans.items() if plan[0] > 0}
    running: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, (share, connections, mix) in plans.items():
            script = tmp / f"{name}.lua"
            script.write_text(_paced_script(demo, rate=share, tag=f"{tag}-{name}", mix=mix))
            running[name] = subprocess.Popen(
                ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                 "-s", str(script), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
        runs = {name: _report(name, process, seconds) for name, process in running.items()}
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return Minute(runs["decisions"], runs.get("mixed", IDLE), _rss(workers))


def _paced_script(demo: Demo, *, rate: float, tag: str, mix: str) -> str:
    return LUA_PACED % {
        "bodies": ", ".join(map(lua_string, demo.bodies)),
        "customers": ", ".join(map(lua_string, demo.customers())),
        "key": demo.key, "rate": rate, "tag": tag,
        "mix": ", ".join(f'"{kind}"' for kind in mix.split(","))}


def _report(name: str, process: subprocess.Popen[str], seconds: int) -> dict[str, Any]:
    """The JSON line the script's ``done`` printed, and the first error answer if any."""
    out, err = process.communicate(timeout=seconds + 60)
    lines = [line for line in out.splitlines() if line.startswith("SOAK")]
    report = next((json.loads(line[5:]) for line in lines if line.startswith("SOAK {")), None)
    if process.returncode != 0 or report is None:
        raise SystemExit(f"wrk ({name}) failed with code {process.returncode}:\n{out}\n{err}")
    report["first_error"] = next((line[11:] for line in lines
                                  if line.startswith("SOAK-ERROR ")), None)
    return dict(report)


def _errors(run: dict[str, Any]) -> int:
    # a non-200 answer is counted by the script; wrk's `status` (>= 400) is a subset of it
    return int(run["non200"] + run["connect"] + run["read"] + run["write"] + run["timeout"])


def _workers(server_pid: int) -> list[psutil.Process]:
    """uvicorn's worker processes: the server's children running the app (not the
    multiprocessing resource tracker)."""
    workers = []
    for child in psutil.Process(server_pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if not any("resource_tracker" in part for part in child.cmdline()):
                workers.append(child)
    return workers


def _rss(workers: list[psutil.Process]) -> dict[int, float]:
    """RSS in MB per worker pid (a worker that has gone is left out)."""
    sizes: dict[int, float] = {}
    for worker in workers:
        try:
            sizes[worker.pid] = worker.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            continue
    return sizes


def _ms(run: dict[str, Any], field: str) -> float | None:
    """A latency of ``run`` in ms, or None when that client did not run."""
    return None if run is IDLE else round(run[field] / 1000, 2)


def _header() -> str:
    return (f"{'min':>3} {'decisions/s':>11} {'target':>6} {'requests':>8} {'errors':>6} "
            f"{'p50 ms':>6} {'p99 ms':>6} {'mixed p99':>9} {'missed':>6}  RSS MB per worker")


def _row(number: int | str, minute: Minute, target: float, seconds: int) -> str:
    d, m = minute.decisions, minute.mixed
    rss = " ".join(f"{size:.1f}" for size in minute.rss_mb.values())
    mixed_p99 = _ms(m, "p99_us")
    line = (f"{number:>3} {d['requests'] / seconds:>11,.0f} {target:>6,.0f} "
            f"{minute.requests:>8,} {minute.errors:>6} {d['p50_us'] / 1000:>6.2f} "
            f"{d['p99_us'] / 1000:>6.2f} {'-' if mixed_p99 is None else f'{mixed_p99:.2f}':>9} "
            f"{d['missed'] + m['missed']:>6}  {rss}")
    for run in (d, m):
        if run["first_error"]:
            line += f"\n    first error: {run['first_error']}"
    return line


def _summary(minutes: list[Minute], start: dict[int, float], end: dict[int, float],
             replaced: list[int], *, saturation: dict[str, float], rate: float, interval: int,
             customers: int, workers: int) -> dict[str, Any]:
    p99s = [m.decisions["p99_us"] / 1000 for m in minutes]
    growth = _growth(start, end)
    steady = _growth(minutes[0].rss_mb, end)  # past the first minute's warm-up (caches, threads)
    mixed = [m.mixed for m in minutes]
    return {
        "errors": sum(m.errors for m in minutes),
        "requests": sum(m.requests for m in minutes),
        "rss_growth_pct": round(max(growth.values()), 2) if growth else None,
        "rss_growth_after_first_minute_pct": round(max(steady.values()), 2) if steady else None,
        "p99_ms_max": round(max(p99s), 2),
        "p99_ms_first_minute": round(p99s[0], 2),
        "p99_ratio_max": round(max(p99s) / p99s[0], 2) if p99s[0] else None,
        "p50_ms_median": round(statistics.median(m.decisions["p50_us"] / 1000
                                                 for m in minutes), 2),
        "rate_per_s": round(rate),
        "achieved_per_s": round(sum(m.requests for m in minutes) / (interval * len(minutes))),
        "saturation_per_s": round(saturation["requests_per_s"]),
        "saturation_p99_ms": round(saturation.get("p99_ms", 0), 2),
        "minutes": round(interval * len(minutes) / 60, 2),
        "interval_s": interval,
        "per_minute": [{"requests": m.requests, "errors": m.errors,
                        "p50_ms": round(m.decisions["p50_us"] / 1000, 2),
                        "p99_ms": round(m.decisions["p99_us"] / 1000, 2),
                        "mixed_p99_ms": _ms(m.mixed, "p99_us"),
                        "missed": m.decisions["missed"] + m.mixed["missed"]} for m in minutes],
        "decisions": sum(m.decisions["decisions"] + m.mixed["decisions"] for m in minutes),
        "outcomes": sum(run["outcomes"] for run in mixed),
        "event_batches": sum(run["event_batches"] for run in mixed),
        "mixed_p99_ms_max": max((round(run["p99_us"] / 1000, 2) for run in mixed
                                 if run is not IDLE), default=None),
        "missed": sum(m.decisions["missed"] + m.mixed["missed"] for m in minutes),
        "rss_mb_start": {str(pid): round(size, 1) for pid, size in start.items()},
        "rss_mb_end": {str(pid): round(size, 1) for pid, size in end.items()},
        "workers_replaced": replaced,
        "workers": workers, "customers": customers,
        "load_generator": "wrk 4.1 (two paced clients, 1 thread each) on the same cores",
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
    }


def _growth(start: dict[int, float], end: dict[int, float]) -> dict[int, float]:
    """Per worker pid present at both ends: RSS growth in percent."""
    return {pid: 100 * (end[pid] - start[pid]) / start[pid] for pid in start if pid in end}


def _print_verdict(result: dict[str, Any]) -> None:
    """The issue's acceptance, one line each: 0 errors, RSS growth under 10 %, every
    minute's p99 within 2x of the first minute's."""
    checks = {
        f"errors {result['errors']}, in the warm-up {result['warmup_errors']} (0)":
            result["errors"] == 0 and result["warmup_errors"] == 0,
        f"RSS growth {result['rss_growth_pct']} % (< 10 %)":
            result["rss_growth_pct"] is not None and result["rss_growth_pct"] < 10,
        f"worst p99 {result['p99_ms_max']} ms = {result['p99_ratio_max']}x the first "
        f"minute's (<= 2x)": result["p99_ratio_max"] is not None
        and result["p99_ratio_max"] <= 2,
        f"no worker replaced ({len(result['workers_replaced'])})":
            not result["workers_replaced"],
    }
    for text, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {text}", file=sys.stderr)


if __name__ == "__main__":
    main()
