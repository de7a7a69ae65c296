"""Decision-table benchmark: Accord vs zen-engine vs pyDMNrules vs hand-written if/elif.

    python bench/decision_table.py            # 100,000 inputs, 10 million DuckDB rows
    python bench/decision_table.py --quick    # 10,000 inputs, 1 million rows, < 1 minute

A 50-rule, 6-input FIRST decision table typical of marketing (see ``_tables.py``) is
evaluated by every engine over the same random inputs in one process. Every engine's
output is compared with Accord's for every input (pyDMNrules: a subset, it is slow).
Throughput is the median over rounds of ``inputs / time`` of a plain ``for`` loop; p50/p99
come from timing each call with ``perf_counter_ns`` (that includes ~0.1 us of timer and
loop overhead, shown as the "overhead" row). The same table then runs as SQL on DuckDB.
The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _tables as tables

Offer = str | None
OfferFn = Callable[[dict[str, Any]], Offer]


@dataclass
class Engine:
    name: str
    fn: OfferFn
    label: str  # what exactly is called
    setup_ms: float = 0.0  # load + compile the table (after the import)
    import_ms: float = 0.0
    subset: int | None = None  # only the first ``subset`` inputs (slow engines)
    per_s: list[float] = field(default_factory=list)
    p50_ns: list[float] = field(default_factory=list)
    p99_ns: list[float] = field(default_factory=list)
    mismatches: int = 0
    checked: int = 0


@dataclass
class Skipped:
    name: str
    reason: str


# ---- engines -------------------------------------------------------------------------


def _ms_since(t0: int) -> float:
    return (time.perf_counter_ns() - t0) / 1e6


def make_accord(xml: str) -> Engine:
    t0 = time.perf_counter_ns()
    from accord.dmn import loads

    import_ms = _ms_since(t0)
    t0 = time.perf_counter_ns()
    fn = loads(xml).compile(tables.DECISION_NAME)
    return Engine("accord", fn, "loads(xml).compile('Offer')(inputs)", _ms_since(t0),
                  import_ms)


def make_ifelif(rules: Sequence[tables.Rule]) -> Engine:
    t0 = time.perf_counter_ns()
    fn = tables.ifelif_function(rules)
    return Engine("ifelif", fn, "generated if/elif def offer_ifelif(customer)", _ms_since(t0))


def make_zen(rules: Sequence[tables.Rule]) -> list[Engine]:
    """zen-engine's two fastest Python paths (both synchronous ``engine.evaluate``).

    Slower paths, measured once (zen-engine 2.1.3, relative to the static loader) and left
    out: ``evaluate_batch`` (~0.6x), ``async_evaluate`` under ``asyncio.gather`` (~0.17x),
    ``create_decision(...).evaluate`` (~0.06x) and a loader returning the JSON text, which
    zen re-parses on every call (~0.04x).
    """
    t0 = time.perf_counter_ns()
    import zen

    import_ms = _ms_since(t0)
    jdm = tables.zen_jdm(rules)
    engines = []

    t0 = time.perf_counter_ns()
    content = zen.ZenDecisionContent(json.dumps(jdm))
    loader_engine = zen.ZenEngine({"loader": lambda key: content})
    evaluate = loader_engine.evaluate

    def zen_loader(inputs: dict[str, Any]) -> Offer:
        return evaluate("offer", inputs)["result"].get(tables.OUTPUT_NAME)

    zen_loader(tables.build_inputs(1)[0])
    engines.append(Engine("zen", zen_loader,
                          "ZenEngine({'loader': key -> ZenDecisionContent}).evaluate",
                          _ms_since(t0), import_ms))

    t0 = time.perf_counter_ns()
    static_engine = zen.ZenEngine({"loader": {"type": "static", "content": {"offer": jdm}}})
    evaluate_static = static_engine.evaluate

    def zen_static(inputs: dict[str, Any]) -> Offer:
        return evaluate_static("offer", inputs)["result"].get(tables.OUTPUT_NAME)

    zen_static(tables.build_inputs(1)[0])
    engines.append(Engine("zen-static", zen_static,
                          "ZenEngine({'loader': {'type': 'static', ...}}).evaluate",
                          _ms_since(t0)))
    return engines


def make_pydmnrules(xml: str, subset: int) -> Engine:
    """pyDMNrules reads the same DMN XML (``useXML``); no rule matched is an error status."""
    t0 = time.perf_counter_ns()
    import pyDMNrules  # slow: its pySFeel dependency builds a parser on import

    import_ms = _ms_since(t0)
    t0 = time.perf_counter_ns()
    dmn = pyDMNrules.DMN()
    status = dmn.useXML(xml)
    if status.get("errors"):
        raise RuntimeError(f"useXML: {status['errors']}")
    key = f"{tables.DECISION_NAME}.{tables.OUTPUT_NAME}"

    def pydmnrules(inputs: dict[str, Any]) -> Offer:
        status, result = dmn.decide(inputs)
        if isinstance(result, dict):
            return result["Result"].get(key)  # type: ignore[no-any-return]
        errors = status.get("errors", [])
        if all(e.startswith("No rules matched") for e in errors):
            return None
        raise RuntimeError(f"pyDMNrules: {errors}")

    return Engine("pydmnrules", pydmnrules, "DMN().useXML(xml); decide(inputs)",
                  _ms_since(t0), import_ms, subset=subset)


def build_engines(rules: Sequence[tables.Rule], xml: str, *, pydmnrules_subset: int,
                  skip: Sequence[str] = ()) -> tuple[list[Engine], list[Skipped]]:
    engines = [make_accord(xml), make_ifelif(rules)]
    skipped: list[Skipped] = []
    if "zen" not in skip:
        try:
            engines.extend(make_zen(rules))
        except ImportError as exc:
            skipped.append(Skipped("zen", f"not installed ({exc}); pip install -e '.[bench]'"))
    else:
        skipped.append(Skipped("zen", "--skip"))
    if "pydmnrules" not in skip:
        try:
            engines.append(make_pydmnrules(xml, pydmnrules_subset))
        except ImportError as exc:
            skipped.append(Skipped("pydmnrules", f"not installed ({exc})"))
        except Exception as exc:
            skipped.append(Skipped("pydmnrules", f"cannot load the table: {exc}"))
    else:
        skipped.append(Skipped("pydmnrules", "--skip"))
    return engines, skipped


# ---- correctness ---------------------------------------------------------------------


def check_agreement(engines: Sequence[Engine], inputs: Sequence[dict[str, Any]],
                    *, show: int = 3) -> list[str]:
    """Compare every engine with Accord (the first engine) on every input; return reports."""
    reference = [engines[0].fn(x) for x in inputs]
    reports = []
    for engine in engines[1:]:
        n = len(inputs) if engine.subset is None else min(engine.subset, len(inputs))
        engine.checked = n
        engine.mismatches = 0
        for i in range(n):
            got = engine.fn(inputs[i])
            if got != reference[i]:
                engine.mismatches += 1
                if engine.mismatches <= show:
                    reports.append(f"{engine.name} #{i}: {inputs[i]} -> {got!r}, "
                                   f"accord -> {reference[i]!r}")
    engines[0].checked = len(inputs)
    return reports


# ---- timing --------------------------------------------------------------------------


@contextmanager
def _no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _throughput(fn: OfferFn, inputs: Sequence[dict[str, Any]]) -> float:
    with _no_gc():
        t0 = time.perf_counter_ns()
        for x in inputs:
            fn(x)
        elapsed = time.perf_counter_ns() - t0
    return len(inputs) / (elapsed / 1e9)


def _latencies(fn: OfferFn, inputs: Sequence[dict[str, Any]]) -> list[int]:
    clock = time.perf_counter_ns
    out = [0] * len(inputs)
    with _no_gc():
        for i, x in enumerate(inputs):
            t0 = clock()
            fn(x)
            out[i] = clock() - t0
    return out


def _percentile(sorted_values: Sequence[int], q: float) -> float:
    return float(sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))])


def measure(engines: Sequence[Engine], inputs: Sequence[dict[str, Any]], rounds: int,
            progress: Callable[[str], None]) -> dict[str, float]:
    """Round-robin rounds (rotating order, so noise hits everyone); returns the overhead."""
    overhead: list[float] = []

    def noop(x: dict[str, Any]) -> Offer:
        return None

    for r in range(rounds):
        order = list(engines[r % len(engines):]) + list(engines[:r % len(engines)])
        for engine in order:
            data = inputs if engine.subset is None else inputs[:engine.subset]
            if engine.subset is None:
                engine.per_s.append(_throughput(engine.fn, data))
            lat = sorted(_latencies(engine.fn, data))
            if engine.subset is not None:  # slow engine: one timed pass gives both
                engine.per_s.append(len(data) / (sum(lat) / 1e9))
            engine.p50_ns.append(_percentile(lat, 0.50))
            engine.p99_ns.append(_percentile(lat, 0.99))
        lat = sorted(_latencies(noop, inputs))
        overhead.append(_percentile(lat, 0.50))
        progress(f"round {r + 1}/{rounds}: " + ", ".join(
            f"{e.name} {e.per_s[-1]:,.0f}/s" for e in engines))
    return {"overhead_p50_ns": statistics.median(overhead)}


# ---- DuckDB --------------------------------------------------------------------------


def accord_sql(xml: str) -> tuple[str | None, str]:
    """The table compiled by ``accord.dmn.sql.table_to_sql`` if that module exists."""
    try:
        import sqlglot.expressions as exp

        from accord.dmn import loads

        table_to_sql = importlib.import_module("accord.dmn.sql").table_to_sql
    except ImportError as exc:
        return None, f"accord sql path not available ({exc})"
    model = loads(xml)
    table = model.definitions.decisions[0].expression
    columns = {inp.name: exp.column(inp.name, quoted=True) for inp in tables.INPUTS}
    try:
        sql = table_to_sql(table, columns).sql(dialect="duckdb")
    except Exception as exc:
        return None, f"accord sql path failed: {type(exc).__name__}: {exc}"
    return sql, "accord.dmn.sql.table_to_sql"


def bench_duckdb(rules: Sequence[tables.Rule], xml: str, accord_fn: OfferFn, n_rows: int,
                 rounds: int, sample: int, progress: Callable[[str], None]) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter_ns()
    con.execute(f"CREATE TABLE customers AS {tables.duckdb_rows_sql(n_rows)}")
    progress(f"duckdb: generated {n_rows:,} rows in {_ms_since(t0) / 1e3:.1f} s")

    hand = tables.sql_case(rules)
    generated, source = accord_sql(xml)
    variants = {"handwritten": hand}
    if generated is not None:
        variants["accord"] = generated

    def run(case: str) -> float:
        t0 = time.perf_counter_ns()
        con.execute(f"SELECT offer, count(*) FROM (SELECT {case} AS offer FROM customers) "
                    "GROUP BY ALL").fetchall()
        return (time.perf_counter_ns() - t0) / 1e9

    timings: dict[str, list[float]] = {k: [] for k in variants}
    for case in variants.values():
        run(case)  # warm-up
    for _ in range(rounds):
        for name, case in variants.items():
            timings[name].append(n_rows / run(case))

    # Agreement: SQL vs the Python engine on a sample; generated SQL vs hand SQL on all rows.
    main_case = variants.get("accord", hand)
    names = [inp.name for inp in tables.INPUTS]
    quoted = ", ".join(f'"{n}"' for n in names)
    rows = con.execute(f"SELECT {quoted}, {main_case} FROM customers WHERE i < {sample} "
                       "ORDER BY i").fetchall()
    sample_mismatches = 0
    for row in rows:
        inputs = dict(zip(names, row[:-1], strict=True))
        if accord_fn(inputs) != row[-1]:
            sample_mismatches += 1
            if sample_mismatches <= 3:
                progress(f"duckdb mismatch: {inputs} -> sql {row[-1]!r}, "
                         f"accord {accord_fn(inputs)!r}")
    sql_vs_hand = None
    if "accord" in variants:
        sql_vs_hand = con.execute(f"SELECT count(*) FROM customers WHERE ({generated}) "
                                  f"IS DISTINCT FROM ({hand})").fetchone()[0]
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    con.close()
    result: dict[str, Any] = {
        "duckdb_sql_source": source if generated is not None
        else f"hand-written CASE WHEN ({source})",
        "duckdb_rows_per_s": statistics.median(timings[next(reversed(variants))]),
        "duckdb_handwritten_rows_per_s": statistics.median(timings["handwritten"]),
        "duckdb_sample_checked": len(rows),
        "duckdb_sample_mismatches": sample_mismatches,
        "duckdb_accord_vs_handwritten_sql_mismatches": sql_vs_hand,
        "duckdb_threads": threads,
    }
    return result


# ---- reporting -----------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("accord", "zen-engine", "pyDMNrules", "duckdb", "sqlglot"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _us(ns: float) -> float:
    return round(ns / 1e3, 3)


def summarize(engines: Sequence[Engine]) -> dict[str, Any]:
    by = {e.name: e for e in engines}
    out: dict[str, Any] = {}
    for e in engines:
        key = e.name.replace("-", "_")
        out[f"{key}_per_s"] = round(statistics.median(e.per_s)) if e.per_s else None
        out[f"{key}_p50_us"] = _us(statistics.median(e.p50_ns)) if e.p50_ns else None
        out[f"{key}_p99_us"] = _us(statistics.median(e.p99_ns)) if e.p99_ns else None
        out[f"{key}_setup_ms"] = round(e.setup_ms, 1)
    zen_variants = [e for e in engines if e.name.startswith("zen")]
    if zen_variants:
        best = max(zen_variants, key=lambda e: statistics.median(e.per_s))
        out["zen_loader_per_s"] = out.pop("zen_per_s")
        out["zen_loader_p50_us"] = out.pop("zen_p50_us")
        out["zen_loader_p99_us"] = out.pop("zen_p99_us")
        out["zen_loader_setup_ms"] = out.pop("zen_setup_ms")
        best_key = "zen_loader" if best.name == "zen" else best.name.replace("-", "_")
        out["zen_per_s"] = out[f"{best_key}_per_s"]
        out["zen_p50_us"] = out[f"{best_key}_p50_us"]
        out["zen_p99_us"] = out[f"{best_key}_p99_us"]
        out["zen_path"] = best.label
    else:
        out.update(zen_per_s=None, zen_p50_us=None, zen_p99_us=None, zen_path=None)
    out.setdefault("pydmnrules_per_s", None)
    accord = out["accord_per_s"]
    out["accord_vs_zen"] = round(accord / out["zen_per_s"], 2) if out["zen_per_s"] else None
    out["accord_vs_ifelif"] = round(accord / out["ifelif_per_s"], 3)
    out["ifelif_vs_zen"] = (round(out["ifelif_per_s"] / out["zen_per_s"], 2)
                            if out["zen_per_s"] else None)
    out["mismatches"] = sum(e.mismatches for e in engines)
    out["mismatches_by_engine"] = {e.name: e.mismatches for e in engines[1:]}
    out["checked_by_engine"] = {e.name: e.checked for e in engines[1:]}
    if "pydmnrules" in by:
        out["pydmnrules_inputs"] = by["pydmnrules"].subset
    return out


def _ratio(x: float) -> str:
    return f"{x:.2f}x" if x >= 0.1 else f"{x:.2g}x"


def print_table(engines: Sequence[Engine], summary: dict[str, Any],
                skipped: Sequence[Skipped], overhead_ns: float) -> None:
    zen = summary.get("zen_per_s")
    ifelif = summary["ifelif_per_s"]
    headers = ("engine", "evals/s", "p50 us", "p99 us", "vs zen", "vs if/elif", "checked",
               "mismatches", "setup ms", "import ms")
    rows = []
    for e in engines:
        per_s = statistics.median(e.per_s)
        rows.append((
            e.name + (f" (first {e.subset:,})" if e.subset else ""),
            f"{per_s:,.0f}",
            f"{statistics.median(e.p50_ns) / 1e3:.2f}",
            f"{statistics.median(e.p99_ns) / 1e3:.2f}",
            _ratio(per_s / zen) if zen else "-",
            _ratio(per_s / ifelif),
            f"{e.checked:,}",
            "-" if e is engines[0] else str(e.mismatches),
            f"{e.setup_ms:.1f}",
            f"{e.import_ms:.0f}",
        ))
    rows.append(("overhead", "-", f"{overhead_ns / 1e3:.2f}", "-", "-", "-", "-", "-", "-", "-"))
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="50-rule FIRST decision table, 6 inputs")
        for i, h in enumerate(headers):
            table.add_column(h, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        Console(width=130).print(table)
    except ImportError:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
        for row in rows:
            print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    for e in engines:
        print(f"  {e.name:<11} {e.label}")
    for s in skipped:
        print(f"  {s.name}: skipped ({s.reason})")
    print(f"zen path used for ratios: {summary['zen_path']}")
    if summary.get("accord_vs_zen") is not None:
        print(f"accord / zen = {summary['accord_vs_zen']:.2f}x   "
              f"if-elif / zen = {summary['ifelif_vs_zen']:.2f}x   "
              f"accord / if-elif = {summary['accord_vs_ifelif']:.3f}x")


def table_stats(rules: Sequence[tables.Rule], inputs: Sequence[dict[str, Any]],
                fn: OfferFn) -> dict[str, Any]:
    position = {r.offer: i for i, r in enumerate(rules)}
    hits = [position.get(o, len(rules)) if (o := fn(x)) is not None else len(rules)
            for x in inputs]
    return {
        "table_rules": len(rules),
        "table_inputs": len(tables.INPUTS),
        "no_match_share": round(sum(h == len(rules) for h in hits) / len(hits), 4),
        "mean_first_hit_rule": round(statistics.mean(h + 1 for h in hits), 2),
    }


# ---- main ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="10,000 inputs, 1 million SQL rows, 3 rounds")
    parser.add_argument("--inputs", type=int, help="number of random inputs (100,000)")
    parser.add_argument("--rounds", type=int, help="timed rounds per engine (5)")
    parser.add_argument("--rows", type=int, help="DuckDB rows (10,000,000)")
    parser.add_argument("--pydmnrules-inputs", type=int,
                        help="pyDMNrules evaluates only the first N inputs (2,000; it is slow)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("zen", "pydmnrules", "duckdb"), help="leave an engine out")
    parser.add_argument("--dump", type=Path,
                        help="write the DMN XML, zen JSON, if/elif source and SQL here")
    args = parser.parse_args(argv)

    n_inputs = args.inputs or (10_000 if args.quick else 100_000)
    rounds = args.rounds or (3 if args.quick else 5)
    n_rows = args.rows or (1_000_000 if args.quick else 10_000_000)
    py_subset = args.pydmnrules_inputs or (300 if args.quick else 2_000)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    rules = tables.build_rules()
    xml = tables.dmn_xml(rules)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        (args.dump / "offers.dmn").write_text(xml)
        (args.dump / "offers.zen.json").write_text(json.dumps(tables.zen_jdm(rules), indent=2))
        (args.dump / "offers_ifelif.py").write_text(tables.ifelif_source(rules))
        (args.dump / "offers.sql").write_text(tables.sql_case(rules) + "\n")
    inputs = tables.build_inputs(n_inputs)
    engines, skipped = build_engines(rules, xml, pydmnrules_subset=py_subset, skip=args.skip)
    progress(f"{len(rules)} rules, {n_inputs:,} inputs, {rounds} rounds: "
             + ", ".join(e.name for e in engines))

    reports = check_agreement(engines, inputs)
    for line in reports:
        progress("MISMATCH " + line)
    stats = table_stats(rules, inputs, engines[0].fn)
    overhead = measure(engines, inputs, rounds, progress)
    summary = summarize(engines)

    duck: dict[str, Any] = {"duckdb_rows_per_s": None, "rows": 0}
    if "duckdb" not in args.skip:
        try:
            duck = bench_duckdb(rules, xml, engines[0].fn, n_rows, rounds=3,
                                sample=5_000, progress=progress)
            duck["rows"] = n_rows
        except ImportError as exc:
            skipped.append(Skipped("duckdb", f"not installed ({exc})"))

    print_table(engines, summary, skipped, overhead["overhead_p50_ns"])
    if reports:
        print(f"MISMATCHES ({summary['mismatches']}), first ones:")
        for line in reports:
            print("  " + line)
    if duck.get("duckdb_rows_per_s"):
        print(f"DuckDB ({duck['duckdb_threads']} threads), {n_rows:,} rows: "
              f"{duck['duckdb_rows_per_s']:,.0f} rows/s via {duck['duckdb_sql_source']}; "
              f"hand-written CASE WHEN {duck['duckdb_handwritten_rows_per_s']:,.0f} rows/s; "
              f"sample mismatches {duck['duckdb_sample_mismatches']}"
              f"/{duck['duckdb_sample_checked']:,}")

    result: dict[str, Any] = {
        **summary,
        "n_inputs": n_inputs,
        "rounds": rounds,
        "quick": args.quick,
        **stats,
        "overhead_p50_us": _us(overhead["overhead_p50_ns"]),
        "skipped": {s.name: s.reason for s in skipped},
        **{k: (round(v) if isinstance(v, float) else v) for k, v in duck.items()},
        "machine": machine_info(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
