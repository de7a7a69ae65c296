"""The WHEN/WHERE rewrite keeps the rows where a condition is true (and, for ``falsy``, the
rows where it is false), checked on DuckDB over every combination of values and nulls."""

from __future__ import annotations

import itertools
import random

import duckdb
from sqlglot import exp, parse_one

from accord.feel.sql_predicate import falsy, truthy

LEAVES = (
    "x IS NOT DISTINCT FROM 'a'", "x = 'b'", "x IN ('a', 'c')", "'c' IS NOT DISTINCT FROM x",
    "x IS NOT DISTINCT FROM 'b'", "COALESCE(p, FALSE)", "p", "y >= 2",
    "y IS NOT DISTINCT FROM 3", "COALESCE(y < 2, FALSE)", "y IS NOT DISTINCT FROM x2",
    "CAST(NULL AS BOOLEAN)", "TRUE", "(y > 1) IS TRUE", "p IS TRUE",
    "CASE WHEN x = 'a' THEN TRUE WHEN y > 2 THEN TRUE ELSE CAST(NULL AS BOOLEAN) END",
    "CASE WHEN x = 'a' THEN TRUE WHEN p THEN FALSE WHEN y > 2 THEN TRUE END",
    "CASE WHEN x IS NOT DISTINCT FROM 'b' THEN TRUE ELSE FALSE END",
    "CASE WHEN x IN ('a', 'b') THEN TRUE END",
)


def _condition(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(LEAVES)
    kind = rng.choice(("AND", "OR", "NOT", "COALESCE"))
    if kind == "NOT":
        return f"NOT ({_condition(rng, depth - 1)})"
    if kind == "COALESCE":
        return f"COALESCE({_condition(rng, depth - 1)}, FALSE)"
    operands = [_condition(rng, depth - 1) for _ in range(rng.randint(2, 3))]
    return f" {kind} ".join(f"({o})" for o in operands)


def test_truthy_and_falsy_keep_the_true_and_false_rows() -> None:
    db = duckdb.connect()
    values = itertools.product((None, "a", "b", "c"), (None, True, False), (None, 1, 2, 3),
                               (None, 3))
    db.execute("CREATE TABLE t (x VARCHAR, p BOOLEAN, y INTEGER, x2 INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", list(values))
    rng = random.Random(7)
    conditions = [_condition(rng, 4) for _ in range(300)]
    selects = []
    for text in conditions:
        tree = parse_one(text, read="duckdb")
        original = f"({text})"
        selects += [f"{original} IS TRUE", f"({truthy(tree.copy()).sql('duckdb')}) IS TRUE",
                    f"{original} IS FALSE", f"({falsy(tree.copy()).sql('duckdb')}) IS FALSE"]
    rows = db.execute(f"SELECT {', '.join(selects)} FROM t").fetchall()
    assert len(rows) == 4 * 3 * 4 * 2
    for row in rows:
        for i, text in enumerate(conditions):
            true, true_kept, false, false_kept = row[4 * i: 4 * i + 4]
            assert true == true_kept, f"truthy changed where {text} is true"
            assert false == false_kept, f"falsy changed where {text} is false"


def test_equalities_merge_into_in_and_wrappers_go() -> None:
    condition = parse_one("COALESCE((x IS NOT DISTINCT FROM 'a' OR y > 1) OR "
                          "x IS NOT DISTINCT FROM 'b', FALSE)")
    assert truthy(condition).sql() == "x IN ('a', 'b') OR y > 1"
    # where falseness matters the equalities stay exact (null x is false, not null)
    negated = parse_one("NOT (x IS NOT DISTINCT FROM 'a' OR x IS NOT DISTINCT FROM 'b')")
    assert truthy(negated).sql() == "NOT (COALESCE(x IN ('a', 'b'), FALSE))"
    assert isinstance(truthy(exp.column("p")), exp.Column)
