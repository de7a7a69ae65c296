"""Identity resolution on generated records with known truth.

Generates records over three sources (``accord.testing.identity_data``: CRM contacts, shop
orders, service tickets, with e-mail case and spacing variants, phone formats, refs with
spaces, missing identifiers and shared junk), loads them into an in-memory DuckDB store as
ingest would, then times ``run_identity`` (normalisation, components and id assignment; the
store writes included) and scores the identity map against the truth with pairwise
precision and recall. A second run over the same data times an idempotent rebuild.

    python bench/identity.py            # 1,000,000 records
    python bench/identity.py --quick    # 100,000 records
    python bench/identity.py --records N --seed S

Progress and phase timings go to stderr; the last line of stdout is one JSON object with
``records``, ``identity_s`` (wall), ``identity_cpu_s`` (CPU of this process and its phone
workers), ``phases_s``, ``rebuild_s``, ``precision``, ``recall``, ``peak_rss_mb``, the load
average when it ran (the reference machine is shared) and more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time

from accord.clock import FixedClock
from accord.identity.resolve import run_identity
from accord.store import open_store
from accord.testing.identity_data import (
    generate_identity_data,
    identity_project,
    pairwise_scores,
    write_to_store,
)


class _Task:
    def __init__(self, phases: dict[str, float], name: str) -> None:
        self.phases, self.name, self.start = phases, name, time.perf_counter()

    def advance(self, amount: int = 1) -> None:
        pass

    def done(self) -> None:
        seconds = time.perf_counter() - self.start
        self.phases[self.name] = round(seconds, 3)
        print(f"  {self.name}: {seconds:.2f} s", file=sys.stderr, flush=True)


class PhaseTimer:
    """A Progress that records how long each task took."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    def task(self, description: str, total: int | None = None) -> _Task:
        return _Task(self.phases, description.removeprefix("identity: "))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """User plus system CPU time of this process and its finished children (the phone
    workers): on a shared machine this moves less than wall time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 records")
    parser.add_argument("--seed", type=int, default=20_240_601)
    args = parser.parse_args()
    records = 100_000 if args.quick else args.records

    started = time.perf_counter()
    data = generate_identity_data(records, seed=args.seed)
    generate_s = time.perf_counter() - started
    print(f"generated {data.records:,} records in {generate_s:.2f} s", file=sys.stderr)
    store = open_store("duckdb")
    started = time.perf_counter()
    write_to_store(data, store)
    load_s = time.perf_counter() - started

    project = identity_project()
    clock = FixedClock(dt.datetime(2025, 1, 1))
    timer = PhaseTimer()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    report = run_identity(project, store, clock=clock, progress=timer)
    identity_s = time.perf_counter() - started
    identity_cpu_s = cpu_seconds() - cpu_started
    print(f"identity: {identity_s:.2f} s", file=sys.stderr)
    scores = pairwise_scores(store)

    started = time.perf_counter()
    again = run_identity(project, store, clock=clock, progress=PhaseTimer())
    rebuild_s = time.perf_counter() - started

    print(f"{'records':<24}{report.records:>12,}")
    print(f"{'customers':<24}{report.customers:>12,}")
    print(f"{'phone keys looked up':<24}{report.phone_lookups:>12,}")
    print(f"{'ignored identifiers':<24}{len(report.ignored):>12,}")
    print(f"{'precision':<24}{scores.precision:>12.6f}")
    print(f"{'recall':<24}{scores.recall:>12.6f}")
    print(f"{'identity seconds':<24}{identity_s:>12.2f}")
    print(f"{'rebuild seconds':<24}{rebuild_s:>12.2f}")
    result = {
        "records": report.records, "customers": report.customers,
        "identity_s": round(identity_s, 3), "identity_cpu_s": round(identity_cpu_s, 3),
        "phases_s": timer.phases, "load_average": os.getloadavg()[0],
        "rebuild_s": round(rebuild_s, 3), "rebuild_merges": len(again.merges),
        "rebuild_new_ids": again.created,
        "precision": scores.precision, "recall": round(scores.recall, 6),
        "true_pairs": scores.true_pairs, "found_pairs": scores.found_pairs,
        "phone_lookups": report.phone_lookups, "ignored": len(report.ignored),
        "generate_s": round(generate_s, 3), "load_s": round(load_s, 3),
        "peak_rss_mb": peak_rss_mb(),
        "machine": {"cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "python": platform.python_version()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
