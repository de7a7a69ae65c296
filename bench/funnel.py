"""Funnel benchmark: a 5-step funnel over 20 million events for 1 million customers.

    python bench/funnel.py            # 20M events, 1M customers, 3 rounds
    python bench/funnel.py --quick    # a tenth of the size

The events are generated inside DuckDB (seeded ``random()``, no Python loops): five step
types in decreasing numbers plus noise types, timestamps over 30 days, 1 % of rows
delivered twice (same ``event_id``) and rows stored in random order.

Accord keeps the hub's events as an event timeline (``accord.campaigns.timeline``: copies
removed, an integer customer key, rows sorted by customer and time), built once by ``accord
build`` and ``accord logs load``; funnels then read it. So this benchmark times building
the timeline from the raw rows once (``prepare_s``), then three implementations of the same
windowFunnel semantics (strict order, 7-day window from the first step) side by side over
the timeline:

* ``funnel``: Accord's compiled query (``accord.campaigns.funnel.compile_funnel``);
* ``handwritten``: the same algorithm as a hand-written DuckDB query (one ``ASOF`` join per
  step);
* ``pandas``: the same algorithm with ``merge_asof`` per step and ``groupby`` (the load from
  DuckDB into a DataFrame is timed apart).

And, for comparison, Accord's query and the hand-written one straight over the raw rows,
removing the copies themselves (``raw_funnel_s``, ``raw_handwritten_s``): what a funnel costs
without the timeline. All must agree on every count and median. Medians over ``--rounds``;
the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
from sqlglot import exp

from accord.campaigns.funnel import Funnel, compile_funnel
from accord.campaigns.timeline import CUSTOMER_KEY, timeline_query
from accord.feel.sql_values import TypeSpec
from accord.store.sql import table

STEPS = ("visit", "product_view", "add_to_cart", "checkout", "purchase")
COLUMNS = ("customer_id", "event_id", "event_type", "ts", "channel")
WINDOW_DAYS = 7

GENERATE = """
CREATE TABLE events AS
WITH base AS (
    SELECT i, random() AS r, random() AS c, random() AS t FROM range(?) AS s(i)
), typed AS (
    SELECT i,
           'c' || CAST(CAST(floor(c * ?) AS BIGINT) AS VARCHAR) AS customer_id,
           CASE WHEN r < 0.35 THEN 'visit' WHEN r < 0.60 THEN 'product_view'
                WHEN r < 0.75 THEN 'add_to_cart' WHEN r < 0.85 THEN 'checkout'
                WHEN r < 0.90 THEN 'purchase' WHEN r < 0.95 THEN 'search' ELSE 'login' END
               AS event_type,
           TIMESTAMP '2026-01-01' + to_microseconds(CAST(t * 30 * 86400e6 AS BIGINT)) AS ts
    FROM base
)
SELECT customer_id, 'e' || CAST(i AS VARCHAR) AS event_id, event_type, ts,
       CASE WHEN i % 3 = 0 THEN 'app' ELSE 'web' END AS channel
FROM typed
UNION ALL  -- 1 % delivered twice
SELECT customer_id, 'e' || CAST(i AS VARCHAR), event_type, ts,
       CASE WHEN i % 3 = 0 THEN 'app' ELSE 'web' END FROM typed WHERE i % 100 = 7
ORDER BY hash(event_id, ts)
"""

W = f"INTERVAL {WINDOW_DAYS} DAY"

RAW_ONCE = """
    SELECT DISTINCT customer_id, event_id, event_type, ts FROM events
    WHERE event_type IN ('visit', 'product_view', 'add_to_cart', 'checkout', 'purchase')
"""
TIMELINE_ONCE = """
    SELECT customer_key AS customer_id, event_type, ts FROM timeline
    WHERE event_type IN ('visit', 'product_view', 'add_to_cart', 'checkout', 'purchase')
"""

HANDWRITTEN = f"""
WITH once AS ({{once}}),  -- the generated copies are identical: DISTINCT keeps one of each
s1 AS (SELECT customer_id, ts AS t1 FROM once WHERE event_type = 'visit'),
s2 AS (SELECT customer_id, ts AS t2 FROM once WHERE event_type = 'product_view'),
s3 AS (SELECT customer_id, ts AS t3 FROM once WHERE event_type = 'add_to_cart'),
s4 AS (SELECT customer_id, ts AS t4 FROM once WHERE event_type = 'checkout'),
s5 AS (SELECT customer_id, ts AS t5 FROM once WHERE event_type = 'purchase'),
l2 AS (
    SELECT s2.customer_id, s1.t1, min(s2.t2) AS t2 FROM s2
    ASOF JOIN s1 ON s1.customer_id = s2.customer_id AND s2.t2 > s1.t1
    WHERE s2.t2 <= s1.t1 + {W} GROUP BY ALL
),
j3 AS (SELECT l2.*, t3 FROM l2 ASOF LEFT JOIN s3 ON s3.customer_id = l2.customer_id AND l2.t2 < s3.t3),
l3 AS (SELECT customer_id, max(t1) AS t1, arg_max(t2, t1) AS t2, t3 FROM j3
       WHERE t3 <= t1 + {W} GROUP BY customer_id, t3),
j4 AS (SELECT l3.*, t4 FROM l3 ASOF LEFT JOIN s4 ON s4.customer_id = l3.customer_id AND l3.t3 < s4.t4),
l4 AS (SELECT customer_id, max(t1) AS t1, arg_max(t2, t1) AS t2, arg_max(t3, t1) AS t3, t4
       FROM j4 WHERE t4 <= t1 + {W} GROUP BY customer_id, t4),
j5 AS (SELECT l4.*, t5 FROM l4 ASOF LEFT JOIN s5 ON s5.customer_id = l4.customer_id AND l4.t4 < s5.t5),
chains AS (
    SELECT customer_id, min(t1) AS t1, NULL::TIMESTAMP AS t2, NULL::TIMESTAMP AS t3,
           NULL::TIMESTAMP AS t4, NULL::TIMESTAMP AS t5, 1 AS level FROM s1 GROUP BY ALL
    UNION ALL SELECT customer_id, t1, t2, NULL, NULL, NULL, 2 FROM j3
              WHERE NOT coalesce(t3 <= t1 + {W}, false)
    UNION ALL SELECT customer_id, t1, t2, t3, NULL, NULL, 3 FROM j4
              WHERE NOT coalesce(t4 <= t1 + {W}, false)
    UNION ALL SELECT customer_id, t1, t2, t3, t4, NULL, 4 FROM j5
              WHERE NOT coalesce(t5 <= t1 + {W}, false)
    UNION ALL SELECT customer_id, t1, t2, t3, t4, t5, 5 FROM j5 WHERE t5 <= t1 + {W}
),
best AS (
    SELECT * FROM chains
    QUALIFY row_number() OVER (PARTITION BY customer_id
                               ORDER BY level DESC, t1, t2, t3, t4, t5) = 1
)
SELECT count(*) FILTER (level >= 1) AS reached_1,
       count(*) FILTER (level >= 2) AS reached_2,
       median(epoch(t2) - epoch(t1)) FILTER (level >= 2) AS median_2,
       count(*) FILTER (level >= 3) AS reached_3,
       median(epoch(t3) - epoch(t2)) FILTER (level >= 3) AS median_3,
       count(*) FILTER (level >= 4) AS reached_4,
       median(epoch(t4) - epoch(t3)) FILTER (level >= 4) AS median_4,
       count(*) FILTER (level >= 5) AS reached_5,
       median(epoch(t5) - epoch(t4)) FILTER (level >= 5) AS median_5
FROM best
"""


def _steps(once: pd.DataFrame, k: int) -> pd.DataFrame:
    rows = once.loc[once["event_type"] == STEPS[k - 1], ["customer_id", "ts"]]
    return rows.rename(columns={"ts": f"t{k}"}).sort_values(f"t{k}")


def pandas_funnel(events: pd.DataFrame) -> dict[str, Any]:
    """The same algorithm in pandas: ``merge_asof`` per step, ``groupby`` to collapse (the
    timeline's events are unique already)."""
    once = events[events["event_type"].isin(STEPS)]
    window = pd.Timedelta(days=WINDOW_DAYS)
    starts = _steps(once, 1)
    parts = [starts.groupby("customer_id", as_index=False)["t1"].min().assign(level=1)]
    second = pd.merge_asof(_steps(once, 2), starts, left_on="t2", right_on="t1",
                           by="customer_id", direction="backward", allow_exact_matches=False)
    second = second[second["t2"] <= second["t1"] + window]
    live = second.groupby(["customer_id", "t1"], as_index=False)["t2"].min()
    for k in range(3, 6):
        previous = f"t{k - 1}"
        joined = pd.merge_asof(live.sort_values(previous), _steps(once, k), left_on=previous,
                               right_on=f"t{k}", by="customer_id", direction="forward",
                               allow_exact_matches=False)
        inside = joined[f"t{k}"] <= joined["t1"] + window
        parts.append(joined[~inside].drop(columns=[f"t{k}"]).assign(level=k - 1))
        if k == 5:
            parts.append(joined[inside].assign(level=5))
            break
        kept = joined[inside]
        latest = kept.groupby(["customer_id", f"t{k}"])["t1"].idxmax()
        live = kept.loc[latest]
    chains = pd.concat(parts, ignore_index=True)
    order = ["customer_id", "level", "t1", "t2", "t3", "t4", "t5"]
    best = chains.sort_values(order, ascending=[True, False, True, True, True, True, True],
                              na_position="last").drop_duplicates("customer_id")
    out: dict[str, Any] = {}
    for k in range(1, 6):
        reached = best[best["level"] >= k]
        out[f"reached_{k}"] = len(reached)
        if k > 1:
            gaps = (reached[f"t{k}"] - reached[f"t{k - 1}"]).dt.total_seconds()
            out[f"median_{k}"] = float(gaps.median()) if len(gaps) else None
    return out


def timed(run: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    """Median seconds over ``rounds`` runs, and the last result."""
    seconds = []
    result = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[key] == b[key] if key.startswith("reached") else
               (a[key] is None and b[key] is None) or abs(a[key] - b[key]) < 1e-6
               for key in a)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args(argv)
    events, customers = (2_000_000, 100_000) if args.quick else (20_000_000, 1_000_000)

    connection = duckdb.connect()
    connection.execute("SELECT setseed(0.42)")
    started = time.perf_counter()
    connection.execute(GENERATE, [events, customers])
    generate_s = time.perf_counter() - started
    [rows] = connection.execute("SELECT count(*) FROM events").fetchall()
    print(f"generated {rows[0]:,} rows in {generate_s:.1f} s", file=sys.stderr)

    started = time.perf_counter()
    connection.execute(exp.Create(
        this=table("timeline"), kind="TABLE",
        expression=timeline_query(table("events"), COLUMNS)).sql("duckdb"))
    prepare_s = time.perf_counter() - started
    print(f"event timeline built in {prepare_s:.1f} s", file=sys.stderr)

    funnel = Funnel(steps=[{"event_type": s} for s in STEPS], window=f"{WINDOW_DAYS}d")
    attributes: dict[str, TypeSpec | None] = {"channel": "string"}
    over_timeline = compile_funnel(funnel, table("timeline"), attributes,
                                   known_types=set(STEPS), customer=CUSTOMER_KEY,
                                   unique_ids=True).sql("duckdb")
    over_raw = compile_funnel(funnel, table("events"), attributes,
                              known_types=set(STEPS)).sql("duckdb")

    def one_row(query: str) -> dict[str, Any]:
        cursor = connection.execute(query)
        names = [column[0] for column in cursor.description or ()]
        [row] = cursor.fetchall()
        return dict(zip(names, row, strict=True))

    runs = {"funnel": over_timeline, "handwritten": HANDWRITTEN.replace("{once}", TIMELINE_ONCE),
            "raw_funnel": over_raw, "raw_handwritten": HANDWRITTEN.replace("{once}", RAW_ONCE)}
    seconds: dict[str, float] = {}
    answers: dict[str, dict[str, Any]] = {}
    for name, query in runs.items():
        seconds[name], answers[name] = timed(lambda q=query: one_row(q), args.rounds)
        print(f"{name} {seconds[name]:.2f} s", file=sys.stderr)
    ours = answers["funnel"]
    print(f"accord: {ours}", file=sys.stderr)
    result: dict[str, Any] = {
        "events": int(rows[0]), "customers": customers, "steps": len(STEPS),
        "rounds": args.rounds, "prepare_s": round(prepare_s, 3),
        **{f"{name}_s": round(value, 3) for name, value in seconds.items()},
        "funnel_vs_handwritten": round(seconds["funnel"] / seconds["handwritten"], 3),
        "raw_funnel_vs_raw_handwritten": round(seconds["raw_funnel"]
                                               / seconds["raw_handwritten"], 3),
        "agree_handwritten": all(_same(ours, answer) for answer in answers.values()),
    }
    if not args.skip_pandas:
        started = time.perf_counter()
        frame = connection.sql("SELECT customer_key AS customer_id, event_type, ts "
                               "FROM timeline").df()
        load_s = time.perf_counter() - started
        pandas_s, pandas_result = timed(lambda: pandas_funnel(frame), args.rounds)
        print(f"pandas {pandas_s:.2f} s (+ {load_s:.1f} s load)", file=sys.stderr)
        result.update({"pandas_s": round(pandas_s, 3), "pandas_load_s": round(load_s, 3),
                       "pandas_vs_funnel": round(pandas_s / seconds["funnel"], 3),
                       "agree_pandas": _same(ours, pandas_result)})
    result["reached"] = [ours[f"reached_{k}"] for k in range(1, 6)]
    result["generate_s"] = round(generate_s, 3)
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                         "duckdb": duckdb.__version__, "pandas": pd.__version__,
                         "load_average": round(os.getloadavg()[0], 2)}
    print(json.dumps(result))
    return 0 if result["agree_handwritten"] and result.get("agree_pandas", True) else 1


if __name__ == "__main__":
    sys.exit(main())
