"""Whole-base simulation benchmark: a 50-rule table change over millions of profiles.

    python bench/simulation.py            # 1 million and 10 million profiles (~3 min)
    python bench/simulation.py --quick    # 1 million profiles (< 1 minute)

The rule set is a "next best offer" model: the 50-rule FIRST table of
``bench/decision_table.py`` (``_tables.py``) picks an offer kind per customer, ten
treatments (one per kind) each have an eligibility table testing that decision, and a
newsletter fills the placement when no offer is eligible. Version 2 changes the offer table:
five rules give another kind, a range is widened, and the fallback rule is narrowed.

Timed, each the median of a few rounds over the same DuckDB table of profiles:

* ``simulation``: :func:`accord.rules.simulation.simulate` (both versions compiled from DMN,
  the transition matrix, the counts per treatment and per segment, the expected value);
* ``handwritten_sql``: the same result from a hand-written ``CASE WHEN`` per version (the
  offer table, the treatment that follows, the newsletter default), grouped the same way
  (before, after, segments) — what a person would write for this one rule set;
* ``python_loop``: :func:`accord.decisioning.decide.decide` for both versions over a sample
  of profiles read from the table, extrapolated to the whole base (looping over millions in
  Python would take minutes; the per-profile cost is flat).

Both SQL results are compared: every (before, after, segments) count must agree. The last
line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import _tables as tables
from decision_table import machine_info

from accord.decisioning.catalogue_file import build_ruleset
from accord.decisioning.decide import DecisionRequest, decide
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.rules.simulation import PROFILES, simulate
from accord.store import open_store
from accord.store.base import AnalyticalStore

AT = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
CHANNEL, PLACEMENT = "web", "hero"
#: Profile columns: the table's inputs, with ``channel`` (the request's) renamed.
RENAMED = {"channel": "preferredChannel"}
SEGMENT_NAMES = ("vip", "lapsed", "new", "app-user")
DEFAULT = "newsletter"


def column(name: str) -> str:
    return RENAMED.get(name, name)


def kind_of(offer: str) -> str:
    """``free-shipping-07`` -> ``free-shipping``: the treatment an offer rule leads to."""
    return offer.rsplit("-", 1)[0]


def changed_rules(rules: Sequence[tables.Rule]) -> list[tables.Rule]:
    """Version 2: five rules give another kind, one range widens, the fallback narrows."""
    kinds = tables.OFFER_KINDS
    out = list(rules)
    for i in (2, 7, 19, 33, 41):
        current = kinds.index(kind_of(out[i].offer))
        out[i] = tables.Rule(out[i].cells, f"{kinds[(current + 3) % len(kinds)]}-{i + 1:02d}")
    for i, rule in enumerate(out[:-1]):
        cells = list(rule.cells)
        for j, cell in enumerate(cells):
            if cell[0] == "range":
                cells[j] = ("range", max(0, cell[1] - 200), cell[2])
                out[i] = tables.Rule(tuple(cells), rule.offer)
                break
        else:
            continue
        break
    fallback = list(out[-1].cells)
    fallback[-1] = ("lt", 4)
    out[-1] = tables.Rule(tuple(fallback), out[-1].offer)
    return out


# ---- the rule set as DMN and catalogue ----------------------------------------------------


def dmn_model(rules: Sequence[tables.Rule]) -> str:
    """The offer table (required decision) and one eligibility table per offer kind."""
    ns = "https://www.omg.org/spec/DMN/20191111/MODEL/"
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<definitions xmlns="{ns}" id="nbo" name="NBO" namespace="https://accord.dev/nbo">']
    for inp in tables.INPUTS:
        name = column(inp.name)
        out.append(f'  <inputData id="in_{name}" name="{name}">'
                   f'<variable name="{name}" typeRef="{inp.type_ref}"/></inputData>')
    out.append('  <decision id="d_offer" name="Offer"><variable name="Offer" typeRef="string"/>')
    for inp in tables.INPUTS:
        out.append(f'    <informationRequirement id="ir_{column(inp.name)}">'
                   f'<requiredInput href="#in_{column(inp.name)}"/></informationRequirement>')
    out.append('    <decisionTable id="t_offer" hitPolicy="FIRST">')
    for inp in tables.INPUTS:
        out.append(f'      <input id="c_{column(inp.name)}"><inputExpression '
                   f'id="e_{column(inp.name)}" typeRef="{inp.type_ref}"><text>'
                   f"{column(inp.name)}</text></inputExpression></input>")
    out.append('      <output id="o_offer" name="offer" typeRef="string"/>')
    for r, rule in enumerate(rules):
        out.append(f'      <rule id="r{r}">')
        for c, cell in enumerate(rule.cells):
            out.append(f'        <inputEntry id="r{r}c{c}"><text>'
                       f"{tables.escape(tables.feel_cell(cell))}</text></inputEntry>")
        out.append(f'        <outputEntry id="r{r}o"><text>"{kind_of(rule.offer)}"</text>'
                   "</outputEntry>")
        out.append("      </rule>")
    out.append("    </decisionTable>\n  </decision>")
    for k, kind in enumerate(tables.OFFER_KINDS):
        out.append(
            f'  <decision id="d_{k}" name="Offer is {kind}">'
            f'<variable name="Offer is {kind}" typeRef="boolean"/>'
            f'<informationRequirement id="ir_o{k}"><requiredDecision href="#d_offer"/>'
            f'</informationRequirement><decisionTable id="t_{k}" hitPolicy="FIRST">'
            f'<input id="i_{k}"><inputExpression id="ie_{k}" typeRef="string"><text>Offer'
            f'</text></inputExpression></input><output id="o_{k}" name="eligible" '
            f'typeRef="boolean"/><rule id="k{k}"><inputEntry id="k{k}i"><text>"{kind}"</text>'
            f'</inputEntry><outputEntry id="k{k}o"><text>true</text></outputEntry></rule>'
            "</decisionTable></decision>")
    out.append("</definitions>")
    return "\n".join(out)


def catalogue() -> str:
    """Ten offers, valued so that the order of trial is fixed, and a newsletter default."""
    lines = ["treatments:"]
    for k, kind in enumerate(tables.OFFER_KINDS):
        lines.append(f"  - {{id: {kind}, name: {kind}, value: {100 - k}, "
                     f"eligibility: [Offer is {kind}]}}")
    lines.append(f"  - {{id: {DEFAULT}, name: Newsletter, kind: content, value: 1}}")
    lines.append(f"defaults: {{{PLACEMENT}: {DEFAULT}}}")
    lines.append("policy: {complaint_days: null}")
    return "\n".join(lines) + "\n"


def rule_set(version: str, rules: Sequence[tables.Rule]) -> RuleSet:
    return build_ruleset(version, catalogue(), {"nbo.dmn": dmn_model(rules)})


# ---- data and the hand-written query ------------------------------------------------------


def profiles_sql(n: int) -> str:
    """``n`` pseudo-random profiles (hash of the row number) with 0-2 segments each."""
    cols = ["'c' || lpad(i::VARCHAR, 9, '0') AS customer_id"]
    for k, inp in enumerate(tables.INPUTS):
        h = f"hash(i, {k + 1})"
        if inp.type_ref == "string":
            arr = "[" + ", ".join(tables._sql_literal(v) for v in inp.values) + "]"
            cols.append(f'{arr}[({h} % {len(inp.values)})::BIGINT + 1] AS "{column(inp.name)}"')
        else:
            width = inp.high - inp.low + 1
            cols.append(f'({inp.low} + ({h} % {width}))::BIGINT AS "{column(inp.name)}"')
    names = "[" + ", ".join(f"'{s}'" for s in SEGMENT_NAMES) + "]"
    cols.append(f"list_sort(list_distinct([{names}[(hash(i, 90) % 4)::BIGINT + 1], "
                f"{names}[(hash(i, 91) % 4)::BIGINT + 1]][1:(hash(i, 92) % 3)::BIGINT]))"
                " AS segments")
    return f"SELECT {', '.join(cols)} FROM range({n}) t(i)"


def handwritten_case(rules: Sequence[tables.Rule]) -> str:
    """What a person would write for one version: the offer table; its kind is the
    treatment; the newsletter when there is none."""
    lines = ["COALESCE(CASE"]
    for rule in rules:
        conds = [c for inp, cell in zip(tables.INPUTS, rule.cells, strict=True)
                 if (c := tables.sql_condition(f'"{column(inp.name)}"', cell)) is not None]
        lines.append(f"  WHEN {' AND '.join(conds) or 'TRUE'} THEN '{kind_of(rule.offer)}'")
    lines.append(f"  END, '{DEFAULT}')")
    return "\n".join(lines)


def handwritten_query(v1: Sequence[tables.Rule], v2: Sequence[tables.Rule]) -> str:
    return (f"SELECT {handwritten_case(v1)} AS before, {handwritten_case(v2)} AS after, "
            f"segments, count(*) AS n FROM {PROFILES} GROUP BY ALL")


# ---- timing -------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def transitions_of_handwritten(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter({(r["before"], r["after"], tuple(r["segments"])): r["n"] for r in rows})


def python_loop(store: AnalyticalStore, old: RuleSet, new: RuleSet, sample: int
                ) -> tuple[float, int]:
    """Seconds per profile for decide() with both versions, over ``sample`` profiles."""
    rows = store.query(f"SELECT * FROM {PROFILES} LIMIT {sample}").to_pylist()
    propensities = Propensities()
    t0 = time.perf_counter()
    for profile in rows:
        for rules in (old, new):
            request = DecisionRequest(CHANNEL, {PLACEMENT: 1}, {}, profile["customer_id"],
                                      explore=False)
            decide(request, profile, CustomerHistory(), {}, propensities, rules, AT)
    return (time.perf_counter() - t0) / len(rows), len(rows)


def run(size: int, rounds: int, sample: int, old: RuleSet, new: RuleSet,
        v1: Sequence[tables.Rule], v2: Sequence[tables.Rule]) -> dict[str, Any]:
    store = open_store("duckdb")
    try:
        t0 = time.perf_counter()
        store.execute(f"CREATE TABLE {PROFILES} AS {profiles_sql(size)}")
        print(f"{size:,} profiles generated in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        sim_s, report = timed(lambda: simulate(store, old, new, channel=CHANNEL,
                                               placement=PLACEMENT, at=AT), rounds)
        hand_sql = handwritten_query(v1, v2)
        hand_s, hand_rows = timed(lambda: store.query(hand_sql).to_pylist(), rounds)
        per_profile, sampled = python_loop(store, old, new, sample)
        hand = transitions_of_handwritten(hand_rows)
        mine: Counter[tuple[Any, Any]] = Counter()
        for (b, a), n in report.transitions.items():
            mine[b, a] += n
        hand_pairs: Counter[tuple[Any, Any]] = Counter()
        for (b, a, _), n in hand.items():
            hand_pairs[b, a] += n
        segment_mismatch = sum(
            1 for seg in SEGMENT_NAMES for kind in (*tables.OFFER_KINDS, DEFAULT)
            if report.segments.get(seg, ({}, {}))[1].get(kind, 0) != sum(
                n for (_, a, s), n in hand.items() if a == kind and seg in s))
        return {
            "profiles": size,
            "simulation_s": round(sim_s, 3),
            "handwritten_sql_s": round(hand_s, 3),
            "python_loop_s": round(per_profile * size, 1),
            "python_sample": sampled,
            "simulation_vs_handwritten": round(sim_s / hand_s, 2),
            "python_vs_simulation": round(per_profile * size / sim_s, 1),
            "changed": report.changed(),
            "mismatches": sum((mine - hand_pairs).values()) + sum((hand_pairs - mine).values())
            + segment_mismatch,
        }
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 million profiles only")
    parser.add_argument("--sizes", type=int, nargs="*", help="profile counts to run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=5_000,
                        help="profiles the Python loop runs (extrapolated)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000_000] if args.quick else [1_000_000, 10_000_000])
    v1 = tables.build_rules()
    v2 = changed_rules(v1)
    old, new = rule_set("v1", v1), rule_set("v2", v2)
    results = []
    print(f"{'profiles':>12} {'simulation':>11} {'hand SQL':>9} {'ratio':>6} "
          f"{'Python loop':>12} {'changed':>9} mismatches")
    for size in sizes:
        result = run(size, args.rounds, args.sample, old, new, v1, v2)
        results.append(result)
        print(f"{size:>12,} {result['simulation_s']:>10.2f}s {result['handwritten_sql_s']:>8.2f}s"
              f" {result['simulation_vs_handwritten']:>5.2f}x {result['python_loop_s']:>11.0f}s"
              f" {result['changed']:>9,} {result['mismatches']}")
    last = results[-1]
    print(json.dumps({**last, "runs": results, "rounds": args.rounds, "machine": machine_info()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
