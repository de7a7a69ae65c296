"""Customer data hub benchmark: ingest, identity, profiles and 20 segments at scale.

    python bench/profile_build.py            # 1 million customers, 10M orders, 20M events
    python bench/profile_build.py --quick    # 100,000 customers

The demo generator (``accord.demo``) writes the retailer once into ``--dir`` (reused while
its spec is unchanged; Parquet events, so the run measures the hub rather than JSON
parsing), with the demo project's 28 profile dimensions and 20 segments. Each phase then runs
in its own process, so its peak resident memory (``ru_maxrss``) is its own:

* ``ingest``, ``identity``, ``profiles`` (without the monthly rollup), ``segments``: Accord's
  steps, as ``accord build`` runs them;
* ``handwritten``: the same dimensions as one hand-written DuckDB query (``_profile_sql``),
  then compared with Accord's table cell by cell;
* ``pandas``: the same dimensions in pandas (``_profile_pandas``), load and compute timed apart.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = dt.date(2025, 6, 30)
PHASES = ("ingest", "identity", "profiles", "segments", "handwritten", "pandas")

#: Ten more segments beside the demo project's ten (20 in all).
EXTRA_SEGMENTS = """\
  - {name: big_basket, condition: avg_order_value > 150}
  - {name: one_and_done, condition: orders = 1 and recency_days > 90}
  - {name: returners, condition: returns >= 2}
  - {name: browsers, condition: page_views_30d >= 5 and orders_90d = 0}
  - {name: multi_category, condition: categories >= 4}
  - {name: shoes_fans, condition: top_category = "Shoes"}
  - {name: home_fans, condition: top_category = "Home" and monetary > 200}
  - {name: rising, condition: orders_90d >= 2 and revenue_365d > 300}
  - {name: irish, condition: country = "IE"}
  - {name: low_rfm, condition: rfm_score <= 5}
"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _spec(customers: int) -> Any:
    from accord.demo import DemoSpec

    # 10 orders and ~20 events per customer: 10M orders and 20M events for a million
    return DemoSpec(customers=customers, as_of=AS_OF, orders_per_customer=10,
                    events_per_customer=22, events_format="parquet")


def generate(directory: Path, customers: int) -> dict[str, Any]:
    """Write the retailer (unless the same spec is already there)."""
    from accord.demo import generate_demo
    from accord.demo.project import project_yaml

    spec = _spec(customers)
    stamp = directory / "bench-spec.json"
    wanted = json.dumps(dataclasses.asdict(spec), default=str, sort_keys=True)
    if stamp.is_file() and stamp.read_text() == wanted:
        counts = json.loads((directory / "bench-counts.json").read_text())
        return {**counts, "generate_s": None}
    started = time.perf_counter()
    report = generate_demo(directory, spec)
    seconds = time.perf_counter() - started
    text = project_yaml("parquet").replace("  monthly: true\n", "")
    text = text.replace("profiles:\n", "profiles:\n  monthly: false\n", 1) + EXTRA_SEGMENTS
    (directory / "accord.yaml").write_text(text)
    counts = {"customers": report.people, "contacts": report.contacts, "orders": report.orders,
              "order_lines": report.order_lines, "events": report.events,
              "tickets": report.tickets}
    (directory / "bench-counts.json").write_text(json.dumps(counts))
    stamp.write_text(wanted)
    return {**counts, "generate_s": round(seconds, 2)}


def run_phase(phase: str, directory: Path) -> dict[str, Any]:
    """One phase in this process; returns its seconds and peak memory."""
    from accord.clock import FixedClock
    from accord.progress import SilentProgress
    from accord.project import load_project
    from accord.project.template import store_path
    from accord.store import open_store

    project = load_project(directory)
    clock = FixedClock(dt.datetime(2025, 7, 1, 6, tzinfo=dt.UTC))
    quiet = SilentProgress()
    if phase == "ingest":
        shutil.rmtree(directory / ".accord", ignore_errors=True)
    store = open_store("duckdb", store_path(directory))
    result: dict[str, Any] = {}
    started = time.perf_counter()
    if phase == "ingest":
        from accord.connectors.ingest import run_ingest

        run_ingest(project, directory, store, clock=clock, progress=quiet)
    elif phase == "identity":
        from accord.identity.resolve import run_identity

        report = run_identity(project, store, clock=clock, progress=quiet)
        result["identity_customers"] = report.customers
        result["identity_records"] = report.records
    elif phase == "profiles":
        from accord.profiles.build import run_profiles

        built = run_profiles(project, store, as_of=AS_OF, clock=clock, progress=quiet)
        result["profile_columns"] = len(built.dimensions)
        result["profiles"] = built.customers
    elif phase == "segments":
        from accord.segments.build import run_segments

        segments = run_segments(project, store, clock=clock, progress=quiet)
        result["segments"] = len(segments.members)
    elif phase == "handwritten":
        from _profile_sql import handwritten_profiles, mismatches

        store.execute(handwritten_profiles(AS_OF))
        seconds = time.perf_counter() - started
        columns = [c for c in store.query("SELECT * FROM profiles LIMIT 0").column_names
                   if c != "customer_id"]
        differing = store.query(mismatches(columns)).to_pylist()[0]
        result["handwritten_mismatches"] = {k: v for k, v in differing.items()
                                            if k != "customers" and v}
        result["handwritten_customers"] = differing["customers"]
        result["seconds"] = seconds
    elif phase == "pandas":
        from _profile_pandas import timed

        connection = store.connection  # type: ignore[attr-defined]
        result.update(timed(connection, AS_OF))
    result.setdefault("seconds", time.perf_counter() - started)
    store.close()
    result["rss_mb"] = _rss_mb()
    return result


def _child(phase: str, directory: Path) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--dir", str(directory)],
        check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers")
    parser.add_argument("--customers", type=int, help="customers (default 1,000,000)")
    parser.add_argument("--dir", type=Path, help="working folder (default /tmp/accord-bench-N)")
    parser.add_argument("--skip", action="append", default=[], choices=["pandas"],
                        help="leave out a comparison (repeatable)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    customers = args.customers or (100_000 if args.quick else 1_000_000)
    directory = args.dir or Path(f"/tmp/accord-bench-{customers}")
    if args.phase:
        print(json.dumps(run_phase(args.phase, directory), default=str))
        return

    print(f"generating {customers:,} customers in {directory} ...", flush=True)
    figures: dict[str, Any] = generate(directory, customers)
    print(json.dumps(figures), flush=True)
    for phase in PHASES:
        if phase in args.skip:
            continue
        result = _child(phase, directory)
        print(f"{phase:12s} {result['seconds']:7.2f} s  {result['rss_mb']:7.0f} MB peak  "
              + json.dumps({k: v for k, v in result.items() if k not in ("seconds", "rss_mb")}),
              flush=True)
        figures[f"{phase}_s"] = round(result.pop("seconds"), 2)
        figures[f"{phase}_rss_mb"] = round(result.pop("rss_mb"))
        figures.update(result)
    figures["profile_build_s"] = figures.pop("profiles_s")
    figures["profile_build_rss_mb"] = figures.pop("profiles_rss_mb")
    figures["handwritten_sql_s"] = figures.pop("handwritten_s")
    figures["peak_rss_mb"] = max(figures[f"{p}_rss_mb"] for p in
                                 ("ingest", "identity", "profile_build", "segments"))
    figures["profile_vs_handwritten"] = round(
        figures["profile_build_s"] / figures["handwritten_sql_s"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
