"""Decision tables to SQL: golden SQL, unsupported hit policies, and a property test that
runs random tables on DuckDB and on the Python evaluator (:func:`compile_table`) row by row.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from accord.dmn import model as m
from accord.dmn.sql import table_rule_matches_sql, table_to_sql, to_sql
from accord.dmn.table import compile_table
from accord.dmn.types import TypeRegistry
from accord.errors import FeelSqlError
from tests.feel.test_sql import same

TYPES: dict[str, str] = {"n1": "number", "n2": "number", "s1": "string", "d1": "date",
                         "b1": "boolean"}
SQL_TYPES = {"number": "DECIMAL(38, 10)", "string": "VARCHAR", "boolean": "BOOLEAN",
             "date": "DATE"}
NAMES = tuple(TYPES)
RANDOM = os.environ.get("ACCORD_SQL_RANDOM") == "1"

small_number = st.builds(lambda n, places: Decimal(n).scaleb(-places),
                         st.integers(-60, 60), st.integers(0, 1))
row = st.fixed_dictionaries({
    "n1": st.one_of(st.none(), small_number),
    "n2": st.one_of(st.none(), small_number),
    "s1": st.one_of(st.none(), st.sampled_from(["", "gold", "silver", "GOLD", "bronze"])),
    "d1": st.one_of(st.none(), st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 3))),
    "b1": st.one_of(st.none(), st.booleans()),
})
rows = st.lists(row, min_size=1, max_size=12)


def _table(policy: str, aggregation: str | None, inputs: Sequence[m.InputClause],
           outputs: Sequence[m.OutputClause],
           rules: Sequence[tuple[Sequence[str], Sequence[str]]]) -> m.DecisionTable:
    return m.DecisionTable(
        id="t", hit_policy=m.HitPolicy(policy),
        aggregation=m.Aggregation(aggregation) if aggregation else None,
        inputs=tuple(inputs), outputs=tuple(outputs),
        rules=tuple(m.Rule(id=f"r{i + 1}",
                           input_entries=tuple(m.UnaryTests(text=t) for t in ins),
                           output_entries=tuple(m.LiteralExpression(text=t) for t in outs))
                    for i, (ins, outs) in enumerate(rules)))


def _input(text: str, type_ref: str | None = None, values: str | None = None) -> m.InputClause:
    return m.InputClause(input_expression=m.LiteralExpression(text=text, type_ref=type_ref),
                         input_values=m.UnaryTests(text=values) if values else None)


def _output(name: str | None, type_ref: str | None = None, values: str | None = None,
            default: str | None = None) -> m.OutputClause:
    return m.OutputClause(
        name=name, type_ref=type_ref,
        output_values=m.UnaryTests(text=values) if values else None,
        default_output_entry=m.LiteralExpression(text=default) if default else None)


def _run(db: duckdb.DuckDBPyConnection, expressions: Sequence[exp.Expression],
         data: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    columns = ", ".join(f'"{name}" {SQL_TYPES[kind]}' for name, kind in TYPES.items())
    db.execute(f"CREATE OR REPLACE TEMP TABLE t (id INTEGER, {columns})")
    placeholders = ", ".join("?" for _ in range(len(TYPES) + 1))
    db.executemany(f"INSERT INTO t VALUES ({placeholders})",
                   [[i, *(r[name] for name in NAMES)] for i, r in enumerate(data)])
    query = exp.select(*(e.as_(f"c{i}") for i, e in enumerate(expressions))).from_("t")
    return db.execute(to_sql(query.order_by("id"))).fetchall()




@pytest.fixture(scope="module")
def db() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


# ---- random tables ----------------------------------------------------------------------

number_cell = st.one_of(
    st.sampled_from(["-", "-", "null", "> n2", "<= n2", "[n2..50]", "not(0)", "? > 10",
                     "[< 0, 5]", "n2", "b1"]),
    st.integers(-10, 40).map(str),
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), st.integers(-10, 40)).map(
        lambda t: f"{t[0]} {t[1]}"),
    st.tuples(st.integers(-10, 20), st.integers(0, 30), st.sampled_from("[(]"),
              st.sampled_from("])[")).map(lambda t: f"{t[2]}{t[0]}..{t[0] + t[1]}{t[3]}"),
    st.lists(st.integers(0, 10), min_size=2, max_size=3, unique=True).map(
        lambda xs: ", ".join(map(str, xs))),
)
string_cell = st.one_of(
    st.sampled_from(["-", "-", '"gold"', '"gold", "silver"', 'not("gold")', "null",
                     '< "h"', '["a".."h"]', 'lower case(?) = "gold"', "s1"]),
)
date_cell = st.sampled_from(["-", '>= date("2024-01-01")', '< @"2024-01-02"', "null",
                             '[@"2023-12-31"..@"2024-01-02"]', 'not(@"2024-01-01")'])
boolean_cell = st.sampled_from(["-", "true", "false", "null", "not(true)", "true, null"])

INPUTS: list[tuple[m.InputClause, st.SearchStrategy[str]]] = [
    (_input("n1"), number_cell),
    (_input("s1", "string"), string_cell),
    (_input("d1", "date"), date_cell),
    (_input("n1 + n2", "number"), number_cell),
    (_input("b1"), boolean_cell),
    (_input("n2", "number", "[-50..50]"), number_cell),
    (_input("s1", "number"), string_cell),  # wrong declared type: every non-null row fails
]
number_output = st.sampled_from(["1", "2.5", "-3", "n1", "n1 * 2", "null", "n2 / 4", "0",
                                 "n1 + n2"])
string_output = st.sampled_from(['"high"', '"medium"', '"low"', '"other"', "s1", "null"])
POLICIES = [("FIRST", None), ("UNIQUE", None), ("ANY", None), ("PRIORITY", None),
            ("COLLECT", None), ("COLLECT", "SUM"), ("COLLECT", "COUNT"), ("COLLECT", "MIN"),
            ("COLLECT", "MAX"), ("RULE ORDER", None)]


@st.composite
def tables(draw: st.DrawFn) -> m.DecisionTable:
    policy, aggregation = draw(st.sampled_from(POLICIES))
    chosen = draw(st.lists(st.sampled_from(range(len(INPUTS))), min_size=1, max_size=3,
                           unique=True))
    shape = draw(st.sampled_from(["number", "string", "both"]))
    if aggregation not in (None, "COUNT") and shape == "both":
        shape = "number"
    lists = policy in ("COLLECT", "RULE ORDER") and aggregation is None
    outputs, cells = [], []
    if shape in ("number", "both"):
        outputs.append(_output("amount" if shape == "both" else None,
                               draw(st.sampled_from([None, "number"])),
                               "10, 2.5, 1, 0, -3" if draw(st.booleans()) else None,
                               None if lists or draw(st.booleans()) else "0"))
        cells.append(number_output)
    if shape in ("string", "both"):
        outputs.append(_output("level" if shape == "both" else None,
                               draw(st.sampled_from([None, "string"])),
                               '"high", "medium", "low"' if draw(st.booleans()) else None,
                               None if lists or draw(st.booleans()) else '"low"'))
        cells.append(string_output)
    rules = draw(st.lists(st.tuples(
        st.tuples(*(INPUTS[i][1] for i in chosen)), st.tuples(*cells)),
        min_size=1, max_size=5))
    return _table(policy, aggregation, [INPUTS[i][0] for i in chosen], outputs, rules)


@settings(max_examples=400, deadline=None, derandomize=not RANDOM, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(table=tables(), data=rows)
def test_tables_agree_with_python(db: duckdb.DuckDBPyConnection, table: m.DecisionTable,
                                  data: list[dict[str, Any]]) -> None:
    expression = table_to_sql(table, types=TYPES)
    matches = table_rule_matches_sql(table, types=TYPES)
    python = compile_table(table, NAMES, TypeRegistry(), generate=False)
    results = _run(db, [expression, *matches], data)
    for values, (sql_value, *sql_matches) in zip(data, results, strict=True):
        trace: list[Any] = []
        feel_value = python(dict(values), trace)
        matched = set(trace[0].matched)
        assert same(sql_value, feel_value), (
            f"{values}: SQL gave {sql_value!r}, Python {feel_value!r}\nSQL: {to_sql(expression)}")
        if table.hit_policy is not m.HitPolicy.FIRST:  # FIRST stops at the first match
            assert [f"r{i + 1}" in matched for i in range(len(table.rules))] == sql_matches


# ---- golden SQL -------------------------------------------------------------------------

DISCOUNT = _table(
    "FIRST", None, [_input("Segment"), _input("Age")], [_output(None)],
    [(['"gold"', ">= 18"], ["0.2"]), (['"silver", "gold"', "-"], ["0.1"]), (["-", "-"], ["0"])])


def test_golden_first() -> None:
    # WHEN conditions read only truth: plain = and IN, as a person would write them
    sql = table_to_sql(DISCOUNT)
    assert to_sql(sql) == (
        'CASE WHEN "Segment" = \'gold\' AND "Age" >= 18 THEN 0.2 '
        "WHEN \"Segment\" IN ('silver', 'gold') THEN 0.1 ELSE 0 END")
    assert to_sql(sql, "spark") == (
        "CASE WHEN `Segment` = 'gold' AND `Age` >= 18 THEN 0.2 "
        "WHEN `Segment` IN ('silver', 'gold') THEN 0.1 ELSE 0 END")


def test_golden_collect_list_and_sum() -> None:
    table = _table("COLLECT", None, [_input("Age")], [_output(None)],
                   [(["< 18"], ['"minor"']), (["-"], ['"person"'])])
    assert to_sql(table_to_sql(table)) == (
        "LIST_TRANSFORM(LIST_FILTER([{'matched': COALESCE(\"Age\" < 18, FALSE), "
        "'output': 'minor'}, {'matched': TRUE, 'output': 'person'}], "
        "LAMBDA rule : rule.matched), LAMBDA rule : rule.output)")
    assert to_sql(table_to_sql(table), "spark") == (
        "TRANSFORM(FILTER(ARRAY(STRUCT(COALESCE(`Age` < 18, FALSE) AS matched, "
        "'minor' AS output), STRUCT(TRUE AS matched, 'person' AS output)), "
        "rule -> rule.matched), rule -> rule.output)")
    summed = _table("COLLECT", "SUM", [_input("Age")], [_output(None)],
                    [(["< 18"], ["1"]), (["-"], ["2"])])
    assert to_sql(table_to_sql(summed)) == (
        "CASE WHEN CASE WHEN \"Age\" < 18 THEN 1 ELSE 0 END + 1 = 0 "
        "THEN CAST(NULL AS DECIMAL(38, 10)) ELSE CAST(CASE WHEN "
        "\"Age\" < 18 THEN CAST(1 AS DECIMAL(38, 10)) ELSE "
        "CAST(0 AS DECIMAL(38, 10)) END + CAST(2 AS DECIMAL(38, 10)) AS DECIMAL(38, 10)) END")


def test_golden_priority() -> None:
    table = _table("PRIORITY", None, [_input("Age")],
                   [_output(None, values='"high", "medium", "low"')],
                   [(["< 18"], ['"low"']), (["> 10"], ['"high"']), (["-"], ['"medium"'])])
    best = ('LEAST(CASE WHEN "Age" < 18 THEN 2 END, '
            'CASE WHEN "Age" > 10 THEN 0 END, 1)')
    assert to_sql(table_to_sql(table)) == (
        f'CASE WHEN "Age" < 18 AND 2 = {best} THEN \'low\' '
        f'WHEN "Age" > 10 AND 0 = {best} THEN \'high\' '
        f"WHEN 1 = {best} THEN 'medium' ELSE CAST(NULL AS TEXT) END")


def test_multiple_outputs_give_a_struct() -> None:
    table = _table("UNIQUE", None, [_input("Age")], [_output("band"), _output("rate")],
                   [(["< 18"], ['"minor"', "0"]), ([">= 18"], ['"adult"', "0.2"])])
    sql = table_to_sql(table, types={"Age": "number"})
    result = duckdb.connect().execute(to_sql(exp.select(sql).from_(
        exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(20)])],
                   alias=exp.TableAlias(this=exp.to_identifier("v"),
                                        columns=[exp.to_identifier("Age")]))))).fetchall()
    assert result == [({"band": "adult", "rate": Decimal("0.2")},)]
    assert "STRUCT('adult' AS `band`, 0.2 AS `rate`)" in to_sql(sql, "spark")


# ---- unsupported ------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "message"), [
    (_table("OUTPUT ORDER", None, [_input("x")], [_output(None)], [(["-"], ["1"])]),
     "hit policy OUTPUT ORDER cannot be compiled to SQL"),
    (_table("COLLECT", "SUM", [_input("x")], [_output("a"), _output("b")],
            [(["-"], ["1", "2"])]), "COLLECT SUM over several outputs"),
    (_table("COLLECT", None, [_input("x")], [_output(None, default="0")], [(["-"], ["1"])]),
     "with default output entries"),
    (_table("FIRST", None, [_input("x")], [_output(None)], [(["-"], ["for i in y return i"])]),
     "for expressions cannot be compiled to SQL (at column 1) in rule r1 output entry 1 "
     "of table t"),
    (_table("FIRST", None, [_input("x")], [_output(None)], [(["-"], ["1"]), (["-"], ['"a"'])]),
     "outputs of column 1 of different types (number, string)"),
])
def test_unsupported_tables_raise_feel_sql_error(table: m.DecisionTable, message: str) -> None:
    with pytest.raises(FeelSqlError) as info:
        table_to_sql(table)
    assert message in str(info.value)
