"""DMN model benchmark: evaluations per second of the TCK's realistic models, in one process.

    python bench/dmn_models.py            # 5 rounds of ~1 s per model and path
    python bench/dmn_models.py --quick    # 3 rounds of ~0.3 s
    python bench/dmn_models.py --tck ../shared/dmn-tck --rounds 7

Models (from the DMN TCK, ``compliance-level-3``), each evaluated on its top decision with
the inputs of the TCK's own test cases:

* ``0004-lending``: the lending example of DMN 1.1 chapter 11 (11 decisions, 4 BKMs,
  structured inputs) evaluated for ``Routing``, and for ``Adjudication``;
* ``0087-chapter-11-example``: the same example as written for DMN 1.3, ``Routing``;
* ``0014-loan-comparison``: ``RankedProducts``, a relation of 12 bank products ranked by
  FEEL ``sort`` over contexts computed with a BKM (PMT formula);
* ``0020-vacation-days``: ``Total Vacation Days``, decision tables with COLLECT/MAX and
  literal expressions, 8 test cases of inputs.

Two paths are timed side by side in the same rounds (engines in rotating order, garbage
collector paused): ``compiled`` is ``Model.compile(decision)`` then ``fn(inputs)`` (the fast
path: decision tables as generated Python where the inputs allow); ``evaluate`` is
``Model.evaluate(decision, inputs).value`` (the general path with messages). Each is reported
per second of wall time and per second of the process's CPU time (``cpu us``: steadier when
other jobs share the machine). Before timing,
every result is checked against the TCK's expected value. Figures are medians over rounds;
the last line printed is one JSON object. For reference, jDMN's generated Java code runs the
lending model in about 16 microseconds (issue 10); no JVM engine runs here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from decision_table import _no_gc  # noqa: E402

from accord.dmn import Model, load  # noqa: E402
from accord.dmn.tck_files import parse_test_file  # noqa: E402
from accord.dmn.tck_values import compare  # noqa: E402

#: (label, TCK folder, decision)
WORKLOADS: tuple[tuple[str, str, str], ...] = (
    ("lending-routing", "0004-lending", "Routing"),
    ("lending-adjudication", "0004-lending", "Adjudication"),
    ("chapter11-routing", "0087-chapter-11-example", "Routing"),
    ("loan-comparison", "0014-loan-comparison", "RankedProducts"),
    ("vacation-days", "0020-vacation-days", "Total Vacation Days"),
)

Fn = Callable[[Mapping[str, Any]], Any]


@dataclass
class Workload:
    label: str
    folder: str
    decision: str
    inputs: list[dict[str, Any]]
    expected: list[tuple[int, Any]]  # (index in inputs, expected value) from the TCK
    paths: dict[str, Fn] = field(default_factory=dict)
    load_ms: float = 0.0
    compile_ms: float = 0.0
    per_s: dict[str, list[float]] = field(default_factory=dict)
    cpu_per_s: dict[str, list[float]] = field(default_factory=dict)


def load_workload(tck: Path, label: str, folder: str, decision: str) -> Workload:
    directory = tck / "TestCases" / "compliance-level-3" / folder
    t0 = time.perf_counter()
    model: Model = load(directory / f"{folder}.dmn")
    load_ms = (time.perf_counter() - t0) * 1e3
    inputs: list[dict[str, Any]] = []
    expected: list[tuple[int, Any]] = []
    for test_file in sorted(directory.glob(f"{folder}-test-*.xml")):
        for case in parse_test_file(test_file).cases:
            inputs.append({node.name: node.value for node in case.inputs})
            expected.extend((len(inputs) - 1, r.expected) for r in case.results
                            if r.name == decision and not r.error_result)
    t0 = time.perf_counter()
    compiled = model.compile(decision)
    compile_ms = (time.perf_counter() - t0) * 1e3
    work = Workload(label, folder, decision, inputs, expected, load_ms=load_ms,
                    compile_ms=compile_ms)
    work.paths = {"compiled": compiled,
                  "evaluate": lambda x: model.evaluate(decision, x).value}
    return work


def check(work: Workload) -> list[str]:
    """Every path's result against the TCK's expected values (and against each other)."""
    problems = []
    for name, fn in work.paths.items():
        for index, want in work.expected:
            why = compare(want, fn(work.inputs[index]))
            if why is not None:
                problems.append(f"{work.label} {name} case {index}: {why}")
        for x in work.inputs:
            if compare(work.paths["evaluate"](x), fn(x)) is not None:
                problems.append(f"{work.label} {name} disagrees with evaluate on {x}")
                break
    return problems


def _rate(fn: Fn, inputs: Sequence[dict[str, Any]], seconds: float) -> tuple[float, float]:
    """Evaluations per second of ``fn`` cycling over ``inputs`` for about ``seconds``: per
    second of wall time, and per second of this process's CPU time (steadier on a busy
    machine, where the wall clock also counts time other processes had the CPU)."""
    batch = list(inputs) * max(1, 64 // len(inputs))
    done, t0, c0 = 0, time.perf_counter(), time.process_time()
    with _no_gc():
        while True:
            for x in batch:
                fn(x)
            done += len(batch)
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                return done / elapsed, done / max(time.process_time() - c0, 1e-9)


def measure(works: Sequence[Workload], rounds: int, seconds: float,
            progress: Callable[[str], None]) -> None:
    for r in range(rounds):
        for work in works:
            names = list(work.paths)
            names = names[r % len(names):] + names[:r % len(names)]  # rotate the order
            for name in names:
                wall, cpu = _rate(work.paths[name], work.inputs, seconds)
                work.per_s.setdefault(name, []).append(wall)
                work.cpu_per_s.setdefault(name, []).append(cpu)
        progress(f"round {r + 1}/{rounds} done")


def summarize(works: Sequence[Workload]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for work in works:
        medians = {name: statistics.median(v) for name, v in work.per_s.items()}
        cpu = {name: statistics.median(v) for name, v in work.cpu_per_s.items()}
        out[work.label] = {
            "folder": work.folder, "decision": work.decision, "inputs": len(work.inputs),
            "load_ms": round(work.load_ms, 1), "compile_ms": round(work.compile_ms, 2),
            **{f"{name}_per_s": round(rate) for name, rate in medians.items()},
            **{f"{name}_us": round(1e6 / rate, 1) for name, rate in medians.items()},
            **{f"{name}_cpu_us": round(1e6 / rate, 1) for name, rate in cpu.items()},
            # the ratio of CPU-time rates: on a shared machine wall time mostly measures the
            # other jobs
            "compiled_vs_evaluate": round(cpu["compiled"] / cpu["evaluate"], 2),
        }
    return out


def print_table(summary: dict[str, Any]) -> None:
    print(f"{'workload':<22} {'decision':<20} {'compiled/s':>11} {'us':>7} {'cpu us':>7} "
          f"{'evaluate/s':>11} {'us':>7} {'cpu us':>7} {'ratio':>6}")
    for label, row in summary.items():
        print(f"{label:<22} {row['decision']:<20} {row['compiled_per_s']:>11,} "
              f"{row['compiled_us']:>7} {row['compiled_cpu_us']:>7} "
              f"{row['evaluate_per_s']:>11,} {row['evaluate_us']:>7} "
              f"{row['evaluate_cpu_us']:>7} {row['compiled_vs_evaluate']:>5}x")


def machine_info() -> dict[str, Any]:
    load_avg = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_avg": [round(x, 2) for x in load_avg or ()]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tck", type=Path, default=ROOT.parent / "shared" / "dmn-tck",
                        help="the DMN TCK checkout (default ../shared/dmn-tck)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="time per model, path and round")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.3 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds = 3, 0.3
    if not (args.tck / "TestCases").is_dir():
        print(f"no DMN TCK at {args.tck} (give --tck)", file=sys.stderr)
        return 2

    def progress(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    works = [load_workload(args.tck, *w) for w in WORKLOADS]
    problems = [p for work in works for p in check(work)]
    for problem in problems[:10]:
        print("MISMATCH", problem, file=sys.stderr)
    progress(f"results checked against the TCK: {len(problems)} mismatch(es)")
    measure(works, args.rounds, args.seconds, progress)
    summary = summarize(works)
    print_table(summary)
    result = {"benchmark": "dmn_models", "rounds": args.rounds, "seconds": args.seconds,
              "mismatches": len(problems), "machine": machine_info(), "workloads": summary}
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
