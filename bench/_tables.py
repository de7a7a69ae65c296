"""The benchmark decision table and its renderings for every engine.

One in-memory rule list (``build_rules``) is rendered five ways, so every engine runs
the same logic:

* ``dmn_xml``         DMN 1.3 XML with FEEL unary tests (Accord, pyDMNrules)
* ``zen_jdm``         GoRules JSON Decision Model (zen-engine)
* ``ifelif_source``   hand-style Python ``if``/``elif`` code (the baseline to beat)
* ``sql_case``        a hand-written SQL ``CASE WHEN`` (DuckDB)

Everything is deterministic: the same seed gives the same table and the same inputs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

DECISION_NAME = "Offer"
OUTPUT_NAME = "offer"
SEED = 20240611

SEGMENTS = ("platinum", "gold", "silver", "bronze", "new")
CHANNELS = ("email", "sms", "push", "web", "app")
COUNTRIES = ("FR", "DE", "IT", "ES", "NL", "BE", "UK", "US")
OFFER_KINDS = (
    "free-shipping", "ten-percent", "twenty-percent", "loyalty-points", "win-back",
    "vip-event", "bundle", "trial-upgrade", "birthday", "referral",
)


@dataclass(frozen=True)
class Input:
    name: str  # input data name == FEEL variable == dict key == SQL column
    type_ref: str  # "string" or "number"
    values: tuple[str, ...] = ()  # string domain
    low: int = 0  # number domain (inclusive)
    high: int = 0


INPUTS: tuple[Input, ...] = (
    Input("segment", "string", SEGMENTS),
    Input("lifetimeValue", "number", low=0, high=20_000),
    Input("daysSinceLastOrder", "number", low=0, high=730),
    Input("channel", "string", CHANNELS),
    Input("country", "string", COUNTRIES),
    Input("openTickets", "number", low=0, high=8),
)


# A cell is a small tuple: ("any",) ("eq", v) ("in", (v, ...)) ("not", (v, ...))
# ("range", lo, hi) [closed] ("ge", n) ("gt", n) ("le", n) ("lt", n).
Cell = tuple[Any, ...]


@dataclass(frozen=True)
class Rule:
    cells: tuple[Cell, ...]
    offer: str


# ---- generation ----------------------------------------------------------------------


def _string_cell(rng: random.Random, values: Sequence[str]) -> Cell:
    kind = rng.choices(("eq", "in", "not"), weights=(5, 3, 2))[0]
    if kind == "eq":
        return ("eq", rng.choice(values))
    if kind == "in":
        return ("in", tuple(rng.sample(values, rng.randint(2, 3))))
    return ("not", tuple(rng.sample(values, rng.randint(1, 2))))


def _number_cell(rng: random.Random, inp: Input) -> Cell:
    span = inp.high - inp.low
    kind = rng.choices(("range", "ge", "gt", "le", "lt"), weights=(4, 2, 1, 1, 2))[0]
    if kind == "range":
        lo = inp.low + rng.randint(0, span * 2 // 3)
        hi = lo + rng.randint(max(1, span // 10), max(2, span // 2))
        return ("range", lo, min(hi, inp.high))
    return (kind, inp.low + rng.randint(max(1, span // 10), span - max(1, span // 10)))


def cell_probability(inp: Input, cell: Cell) -> float:
    """Chance that a uniform random value of ``inp`` satisfies ``cell``."""
    kind = cell[0]
    if kind == "any":
        return 1.0
    if inp.type_ref == "string":
        n = len(inp.values)
        if kind == "eq":
            return 1 / n
        return len(cell[1]) / n if kind == "in" else 1 - len(cell[1]) / n
    values = range(inp.low, inp.high + 1)
    return sum(1 for v in values if number_matches(cell, v)) / len(values)


def number_matches(cell: Cell, v: int) -> bool:
    kind = cell[0]
    if kind == "range":
        return bool(cell[1] <= v <= cell[2])
    return {"ge": v >= cell[1], "gt": v > cell[1], "le": v <= cell[1],
            "lt": v < cell[1]}[kind]


def build_rules(n_rules: int = 50, seed: int = SEED) -> list[Rule]:
    """``n_rules`` FIRST-policy rules, each fairly specific (1% to 6% of customers), then a
    broad fallback (``openTickets < 5``) that still leaves some customers without an offer."""
    rng = random.Random(seed)
    rules: list[Rule] = []
    while len(rules) < n_rules - 1:
        n_conditions = rng.choices((2, 3, 4), weights=(3, 4, 2))[0]
        used = set(rng.sample(range(len(INPUTS)), n_conditions))
        cells: list[Cell] = []
        p = 1.0
        for j, inp in enumerate(INPUTS):
            if j not in used:
                cell: Cell = ("any",)
            elif inp.type_ref == "string":
                cell = _string_cell(rng, inp.values)
            else:
                cell = _number_cell(rng, inp)
            p *= cell_probability(inp, cell)
            cells.append(cell)
        if not 0.01 <= p <= 0.06:
            continue
        rules.append(Rule(tuple(cells), f"{rng.choice(OFFER_KINDS)}-{len(rules) + 1:02d}"))
    fallback: list[Cell] = [("any",)] * len(INPUTS)
    fallback[-1] = ("lt", 5)
    rules.append(Rule(tuple(fallback), f"newsletter-{n_rules:02d}"))
    return rules


def build_inputs(n: int, seed: int = SEED + 1) -> list[dict[str, Any]]:
    """``n`` random customers: strings from each domain, integral numbers (ints)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        row: dict[str, Any] = {}
        for inp in INPUTS:
            if inp.type_ref == "string":
                row[inp.name] = rng.choice(inp.values)
            else:
                row[inp.name] = rng.randint(inp.low, inp.high)
        rows.append(row)
    return rows


# ---- FEEL / DMN XML ------------------------------------------------------------------


def _feel_literal(v: Any) -> str:
    return json.dumps(v) if isinstance(v, str) else str(v)


_OPS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def feel_cell(cell: Cell) -> str:
    kind = cell[0]
    if kind == "any":
        return "-"
    if kind == "eq":
        return _feel_literal(cell[1])
    if kind == "in":
        return ",".join(_feel_literal(v) for v in cell[1])
    if kind == "not":
        return "not(" + ",".join(_feel_literal(v) for v in cell[1]) + ")"
    if kind == "range":
        return f"[{cell[1]}..{cell[2]}]"
    return f"{_OPS[kind]} {cell[1]}"


def dmn_xml(rules: Sequence[Rule]) -> str:
    """A DMN 1.3 model: six inputData elements and one FIRST decision table."""
    ns = "https://www.omg.org/spec/DMN/20191111/MODEL/"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<definitions xmlns="{ns}" id="bench_offers" name="Offers" '
        'namespace="https://accord.dev/bench/offers">',
    ]
    for inp in INPUTS:
        out.append(f'  <inputData id="in_{inp.name}" name="{inp.name}">')
        out.append(f'    <variable name="{inp.name}" typeRef="{inp.type_ref}"/>')
        out.append("  </inputData>")
    out.append(f'  <decision id="d_offer" name="{DECISION_NAME}">')
    out.append(f'    <variable name="{DECISION_NAME}" typeRef="string"/>')
    for inp in INPUTS:
        out.append(f'    <informationRequirement id="ir_{inp.name}">'
                   f'<requiredInput href="#in_{inp.name}"/></informationRequirement>')
    out.append('    <decisionTable id="dt_offer" hitPolicy="FIRST">')
    for inp in INPUTS:
        out.append(f'      <input id="ic_{inp.name}" label="{inp.name}">')
        out.append(f'        <inputExpression id="ie_{inp.name}" typeRef="{inp.type_ref}">'
                   f"<text>{inp.name}</text></inputExpression>")
        out.append("      </input>")
    out.append(f'      <output id="oc_offer" name="{OUTPUT_NAME}" typeRef="string"/>')
    for r, rule in enumerate(rules, start=1):
        out.append(f'      <rule id="r{r}">')
        for c, cell in enumerate(rule.cells):
            out.append(f'        <inputEntry id="r{r}c{c}"><text>{escape(feel_cell(cell))}</text>'
                       "</inputEntry>")
        out.append(f'        <outputEntry id="r{r}o"><text>{escape(_feel_literal(rule.offer))}'
                   "</text></outputEntry>")
        out.append("      </rule>")
    out.append("    </decisionTable>")
    out.append("  </decision>")
    out.append("</definitions>")
    return "\n".join(out) + "\n"


# ---- zen-engine JDM ------------------------------------------------------------------


def zen_cell(cell: Cell) -> str:
    """zen's unary syntax: same as FEEL except '' for don't-care and ``not in [..]``."""
    kind = cell[0]
    if kind == "any":
        return ""
    if kind == "not":
        return "not in [" + ", ".join(_feel_literal(v) for v in cell[1]) + "]"
    return feel_cell(cell)


def zen_jdm(rules: Sequence[Rule]) -> dict[str, Any]:
    """A JDM graph: inputNode -> decisionTableNode (hitPolicy first) -> outputNode."""
    inputs = [{"id": f"in_{inp.name}", "name": inp.name, "field": inp.name}
              for inp in INPUTS]
    out_id = "out_offer"
    table_rules = []
    for r, rule in enumerate(rules, start=1):
        row: dict[str, str] = {"_id": f"r{r}"}
        for inp, cell in zip(INPUTS, rule.cells, strict=True):
            row[f"in_{inp.name}"] = zen_cell(cell)
        row[out_id] = _feel_literal(rule.offer)
        table_rules.append(row)
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request",
             "position": {"x": 0, "y": 0}},
            {"id": "table", "type": "decisionTableNode", "name": DECISION_NAME,
             "position": {"x": 200, "y": 0},
             "content": {"hitPolicy": "first", "inputs": inputs,
                         "outputs": [{"id": out_id, "name": OUTPUT_NAME, "field": OUTPUT_NAME}],
                         "rules": table_rules}},
            {"id": "response", "type": "outputNode", "name": "Response",
             "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "type": "edge", "sourceId": "request", "targetId": "table"},
            {"id": "e2", "type": "edge", "sourceId": "table", "targetId": "response"},
        ],
    }


# ---- hand-written Python if/elif -----------------------------------------------------


def _py_var(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def python_condition(var: str, cell: Cell) -> str | None:
    kind = cell[0]
    if kind == "any":
        return None
    if kind == "eq":
        return f"{var} == {cell[1]!r}"
    if kind == "in":
        return f"{var} in {tuple(cell[1])!r}"
    if kind == "not":
        if len(cell[1]) == 1:
            return f"{var} != {cell[1][0]!r}"
        return f"{var} not in {tuple(cell[1])!r}"
    if kind == "range":
        return f"{cell[1]} <= {var} <= {cell[2]}"
    return f"{var} {_OPS[kind]} {cell[1]}"


def ifelif_source(rules: Sequence[Rule], name: str = "offer_ifelif") -> str:
    """What a person would write: unpack the dict, then one ``if``/``elif`` per rule."""
    lines = [f"def {name}(customer):"]
    for inp in INPUTS:
        lines.append(f"    {_py_var(inp.name)} = customer[{inp.name!r}]")
    keyword = "if"
    for rule in rules:
        conds = [c for inp, cell in zip(INPUTS, rule.cells, strict=True)
                 if (c := python_condition(_py_var(inp.name), cell)) is not None]
        lines.append(f"    {keyword} {' and '.join(conds) or 'True'}:")
        lines.append(f"        return {rule.offer!r}")
        keyword = "elif"
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def ifelif_function(rules: Sequence[Rule]) -> Callable[[dict[str, Any]], str | None]:
    namespace: dict[str, Any] = {}
    exec(compile(ifelif_source(rules), "<ifelif>", "exec"), namespace)
    fn: Callable[[dict[str, Any]], str | None] = namespace["offer_ifelif"]
    return fn


# ---- SQL -------------------------------------------------------------------------------


def _sql_literal(v: Any) -> str:
    return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v)


def sql_condition(column: str, cell: Cell) -> str | None:
    kind = cell[0]
    if kind == "any":
        return None
    if kind == "eq":
        return f"{column} = {_sql_literal(cell[1])}"
    if kind in ("in", "not"):
        items = ", ".join(_sql_literal(v) for v in cell[1])
        return f"{column} {'IN' if kind == 'in' else 'NOT IN'} ({items})"
    if kind == "range":
        return f"{column} BETWEEN {cell[1]} AND {cell[2]}"
    return f"{column} {_OPS[kind]} {cell[1]}"


def sql_case(rules: Sequence[Rule]) -> str:
    """A hand-written ``CASE WHEN`` (first matching branch wins, like hit policy FIRST)."""
    lines = ["CASE"]
    for rule in rules:
        conds = [c for inp, cell in zip(INPUTS, rule.cells, strict=True)
                 if (c := sql_condition(f'"{inp.name}"', cell)) is not None]
        lines.append(f"  WHEN {' AND '.join(conds) or 'TRUE'} THEN {_sql_literal(rule.offer)}")
    lines.append("  ELSE NULL END")
    return "\n".join(lines)


def duckdb_rows_sql(n_rows: int) -> str:
    """A ``SELECT`` producing ``n_rows`` pseudo-random customers (hash of the row number)."""
    cols = []
    for k, inp in enumerate(INPUTS):
        h = f"hash(i, {k + 1})"
        if inp.type_ref == "string":
            arr = "[" + ", ".join(_sql_literal(v) for v in inp.values) + "]"
            cols.append(f"{arr}[({h} % {len(inp.values)})::BIGINT + 1] AS \"{inp.name}\"")
        else:
            width = inp.high - inp.low + 1
            cols.append(f"({inp.low} + ({h} % {width}))::BIGINT AS \"{inp.name}\"")
    return f"SELECT i, {', '.join(cols)} FROM range({n_rows}) t(i)"
