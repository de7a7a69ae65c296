"""FEEL to SQL: golden SQL, unsupported constructs, and the DuckDB-vs-Python property tests.

The property tests generate random FEEL over a fixed schema of typed columns (number, string,
boolean, date; one name with a space) and random rows with nulls, run the compiled SQL on an
in-memory DuckDB and the closure compiler on each row, and require identical results: true,
false and null alike. Generated numbers stay within the documented exact range
(:mod:`accord.feel.sql`): at most 10 fractional and 15 significant digits, and divisions
whose quotients terminate.

Runs are derandomized (the same cases each run); set ``ACCORD_SQL_RANDOM=1`` to explore.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from accord.errors import FeelSqlError
from accord.feel import compile_expression, compile_unary_tests
from accord.feel.sql import compile_expression_sql, compile_unary_tests_sql, to_sql

# ---- schema and rows --------------------------------------------------------------------

TYPES: dict[str, str] = {
    "n1": "number", "credit score": "number", "n2": "number",
    "s1": "string", "s2": "string", "b1": "boolean", "d1": "date",
}
SQL_TYPES = {"number": "DECIMAL(38, 10)", "string": "VARCHAR", "boolean": "BOOLEAN",
             "date": "DATE"}
NAMES = tuple(TYPES)
DIVISORS = [Decimal(x) for x in ("0", "1", "2", "-2", "4", "5", "0.5", "1.25", "10", "-0.25",
                                 "8")]

small_number = st.builds(lambda n, places: Decimal(n).scaleb(-places),
                         st.integers(-500, 500), st.integers(0, 2))
values: dict[str, st.SearchStrategy[Any]] = {
    "n1": small_number,
    "credit score": small_number,
    "n2": st.sampled_from(DIVISORS),
    "s1": st.text(alphabet="abAB ", max_size=4),
    "s2": st.sampled_from(["", "a", "ab", "B", "ba ", "abab"]),
    "b1": st.booleans(),
    "d1": st.dates(dt.date(2019, 12, 28), dt.date(2020, 1, 4)),
}
row = st.fixed_dictionaries({name: st.one_of(st.none(), strategy)
                             for name, strategy in values.items()})
EDGE_ROWS = [
    dict.fromkeys(NAMES),
    {"n1": Decimal(0), "credit score": Decimal("-1.5"), "n2": Decimal(0), "s1": "",
     "s2": "a", "b1": False, "d1": dt.date(2020, 1, 1)},
]
rows = st.lists(row, min_size=1, max_size=10).map(lambda rs: [*EDGE_ROWS, *rs])

RANDOM = os.environ.get("ACCORD_SQL_RANDOM") == "1"
PROPERTY = settings(max_examples=1000, deadline=None, derandomize=not RANDOM, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def db() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def run_sql(db: duckdb.DuckDBPyConnection, expression: exp.Expression,
            data: Sequence[dict[str, Any]]) -> list[Any]:
    """The expression's value for each row, in order."""
    columns = ", ".join(f'"{name}" {SQL_TYPES[kind]}' for name, kind in TYPES.items())
    db.execute(f"CREATE OR REPLACE TEMP TABLE t (id INTEGER, {columns})")
    placeholders = ", ".join("?" for _ in range(len(TYPES) + 1))
    db.executemany(f"INSERT INTO t VALUES ({placeholders})",
                   [[i, *(r[name] for name in NAMES)] for i, r in enumerate(data)])
    query = exp.select(expression.as_("result")).from_("t").order_by("id")
    return [r[0] for r in db.execute(to_sql(query)).fetchall()]


def same(sql_value: Any, feel_value: Any) -> bool:
    """Identical FEEL values: same type (bool is not a number) and equal."""
    if feel_value is None or sql_value is None:
        return feel_value is None and sql_value is None
    if isinstance(feel_value, bool) or isinstance(sql_value, bool):
        return type(feel_value) is type(sql_value) and feel_value == sql_value
    if isinstance(feel_value, Decimal):
        return isinstance(sql_value, Decimal | int) and Decimal(sql_value) == feel_value
    if isinstance(feel_value, list):
        return isinstance(sql_value, list) and len(sql_value) == len(feel_value) and all(
            same(a, b) for a, b in zip(sql_value, feel_value, strict=True))
    if isinstance(feel_value, dict):
        return isinstance(sql_value, dict) and sql_value.keys() == feel_value.keys() and all(
            same(sql_value[k], v) for k, v in feel_value.items())
    return type(sql_value) is type(feel_value) and bool(sql_value == feel_value)


def check_rows(db: duckdb.DuckDBPyConnection, text: str, expression: exp.Expression,
               data: Sequence[dict[str, Any]], python: Callable[[dict[str, Any]], Any]) -> None:
    results = run_sql(db, expression, data)
    for values_, sql_value in zip(data, results, strict=True):
        feel_value = python(values_)
        assert same(sql_value, feel_value), (
            f"{text!r} on {values_}: SQL gave {sql_value!r}, FEEL {feel_value!r}\n"
            f"SQL: {to_sql(expression)}")


# ---- expression generators --------------------------------------------------------------

# A number expression is (text, magnitude bound, fractional digits) so that generated
# arithmetic stays inside DECIMAL(38, 10) and DOUBLE-exact division.
Num = tuple[str, Decimal, int]


def _fits(n: Num) -> bool:
    _, magnitude, frac = n
    return magnitude < Decimal("1e11") and frac <= 8 and len(str(int(magnitude))) + frac <= 15


def _frac(d: Decimal) -> int:
    exponent = d.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


number_literal = st.one_of(
    st.integers(-20, 20).map(Decimal),
    st.sampled_from([Decimal("1.5"), Decimal("0.25"), Decimal("-2.75"), Decimal("100")]),
).map(lambda d: (f"{d}" if d >= 0 else f"({d})", abs(d), _frac(d)))
number_leaf: st.SearchStrategy[Num] = st.one_of(
    st.sampled_from([("n1", Decimal(500), 2), ("credit score", Decimal(500), 2),
                     ("n2", Decimal(10), 2), ("null", Decimal(0), 0),
                     ("string length(s1)", Decimal(4), 0)]),
    number_literal,
)
LITERAL_DIVISORS = ["2", "4", "5", "8", "10", "0.5", "0.25", "0", "(-4)"]


def _number_step(children: st.SearchStrategy[Num], booleans: st.SearchStrategy[str]
                 ) -> st.SearchStrategy[Num]:
    def binary(op: str) -> st.SearchStrategy[Num]:
        def make(a: Num, b: Num) -> Num:
            if op == "*":
                return (f"({a[0]} * {b[0]})", a[1] * b[1], a[2] + b[2])
            return (f"({a[0]} {op} {b[0]})", a[1] + b[1], max(a[2], b[2]))
        return st.builds(make, children, children)

    def divide(a: Num, divisor: str) -> Num:
        d = abs(Decimal(divisor.strip("()"))) or Decimal(1)
        return (f"({a[0]} / {divisor})", a[1] / d, a[2] + _frac(1 / d))

    return st.one_of(
        binary("+"), binary("-"), binary("*"),
        st.builds(divide, children, st.sampled_from(LITERAL_DIVISORS)),
        children.map(lambda a: (f"({a[0]} / n2)", a[1] * 4, a[2] + 3)),
        children.map(lambda a: (f"-{a[0]}", a[1], a[2])),
        st.builds(lambda f, a: (f"{f}({a[0]})", a[1] + 1, 0 if f != "abs" else a[2]),
                  st.sampled_from(["abs", "floor", "ceiling"]), children),
        children.map(lambda a: (f"floor({a[0]}, 1)", a[1] + 1, min(a[2], 1))),
        st.builds(lambda f, a, b: (f"{f}({a[0]}, {b[0]})", max(a[1], b[1]), max(a[2], b[2])),
                  st.sampled_from(["min", "max"]), children, children),
        st.builds(lambda c, a, b: (f"(if {c} then {a[0]} else {b[0]})", max(a[1], b[1]),
                                   max(a[2], b[2])), booleans, children, children),
    ).filter(_fits)


string_leaf = st.sampled_from(['s1', 's2', '"a"', '""', '"ab"', '"B"', "null"])


def _string_step(children: st.SearchStrategy[str], booleans: st.SearchStrategy[str]
                 ) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, b: f"({a} + {b})", children, children),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["upper case", "lower case"]),
                  children),
        st.builds(lambda a, s: f"substring({a}, {s})",
                  children, st.sampled_from(["1", "2", "-1", "-3", "0", "5", "n2", "1.7"])),
        st.builds(lambda a, s, n: f"substring({a}, {s}, {n})", children,
                  st.sampled_from(["1", "2", "-2", "0", "4", "n2"]),
                  st.sampled_from(["0", "1", "2", "-1", "10", "1.5", "n2"])),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", booleans, children, children),
    )


date_leaf = st.sampled_from(['d1', 'date("2020-01-01")', '@"2019-12-31"', "null",
                             'date("2020-02-30")'])
COMPARISONS = ["=", "!=", "<", "<=", ">", ">="]


def _leaf_booleans(numbers: st.SearchStrategy[Num], strings: st.SearchStrategy[str]
                   ) -> st.SearchStrategy[str]:
    nums = numbers.map(lambda n: n[0])
    cmp = st.sampled_from(COMPARISONS)
    any_value = st.one_of(nums, strings, date_leaf, st.sampled_from(["b1", "true", "null"]))
    number_test = st.one_of(
        st.builds(lambda op, n: f"{op} {n}", st.sampled_from(COMPARISONS[2:]), nums),
        nums,
        st.builds(lambda o, a, b, c: f"{o}{a}..{b}{c}", st.sampled_from("[(]"), nums, nums,
                  st.sampled_from("])[")),
        st.builds(lambda a, b: f"[{a}, {b}]", nums, nums),
        st.builds(lambda a: f"[< {a}, 100]", nums),
        st.sampled_from(["null", "b1", "true", "s1", "? > 2", "(? * 2) = n1"]),
    )
    string_test = st.one_of(
        strings,
        st.builds(lambda op, s: f"{op} {s}", st.sampled_from(COMPARISONS[2:]), strings),
        st.builds(lambda a, b: f"[{a}..{b}]", strings, strings),
        st.builds(lambda a, b: f"[{a}, {b}]", strings, strings),
    )
    return st.one_of(
        st.sampled_from(["b1", "true", "false", "null", "null = null", "b1 = null"]),
        st.builds(lambda a, op, b: f"{a} {op} {b}", nums, cmp, nums),
        st.builds(lambda a, op, b: f"{a} {op} {b}", strings, cmp, strings),
        st.builds(lambda a, op, b: f"{a} {op} {b}", date_leaf, cmp, date_leaf),
        st.builds(lambda a, op, b: f"{a} {op} {b}", any_value, cmp, any_value),
        st.builds(lambda a, b, c: f"{a} between {b} and {c}", nums, nums, nums),
        st.builds(lambda a, b, c: f"{a} between {b} and {c}", strings, strings, strings),
        st.builds(lambda a, b, c: f"{a} between {b} and {c}", date_leaf, date_leaf, date_leaf),
        st.builds(lambda a, b, c: f"{a} between {b} and {c}", any_value, any_value, any_value),
        st.builds(lambda a, ts: f"{a} in ({', '.join(ts)})", nums,
                  st.lists(number_test, min_size=1, max_size=3)),
        st.builds(lambda a, t: f"{a} in {t}", nums, number_test),
        st.builds(lambda a, ts: f"{a} in ({', '.join(ts)})", strings,
                  st.lists(string_test, min_size=1, max_size=3)),
        st.builds(lambda f, a, b: f"{f}({a}, {b})",
                  st.sampled_from(["contains", "starts with", "ends with"]), strings, strings),
        st.builds(lambda a: f"d1 in [{a}..@\"2020-01-02\"]", date_leaf),
    )


def _expressions() -> tuple[st.SearchStrategy[str], st.SearchStrategy[Num],
                            st.SearchStrategy[str]]:
    """Boolean, number and string expression strategies, mutually recursive, shallow."""
    def level(depth: int) -> tuple[st.SearchStrategy[str], st.SearchStrategy[Num],
                                   st.SearchStrategy[str]]:
        if depth == 0:
            numbers: st.SearchStrategy[Num] = number_leaf
            strings: st.SearchStrategy[str] = string_leaf
            return _leaf_booleans(numbers, strings), numbers, strings
        b, n, s = level(depth - 1)
        numbers = st.one_of(n, _number_step(n, b))
        strings = st.one_of(s, _string_step(s, b))
        leaves = _leaf_booleans(numbers, strings)
        booleans = st.one_of(
            leaves,
            st.builds(lambda x, y: f"({x} and {y})", b, b),
            st.builds(lambda x, y: f"({x} or {y})", b, b),
            b.map(lambda x: f"not({x})"),
            st.builds(lambda c, x, y: f"(if {c} then {x} else {y})", b, b, b),
            st.builds(lambda x, op, y: f"({x}) {op} ({y})", b, st.sampled_from(COMPARISONS), b),
            st.sampled_from(["(n1 and b1)", "not(n1)", "(s1 or false)",
                             "(if n1 then true else false)"]),
        )
        return booleans, numbers, strings

    return level(2)


BOOLEANS, NUMBERS, STRINGS = _expressions()


def _python(text: str) -> Callable[[dict[str, Any]], Any]:
    compiled = compile_expression(text, NAMES)
    return lambda values_: compiled(values_)


# ---- property tests ---------------------------------------------------------------------


@PROPERTY
@given(text=BOOLEANS, data=rows)
def test_boolean_expressions_agree_with_python(db: duckdb.DuckDBPyConnection, text: str,
                                               data: list[dict[str, Any]]) -> None:
    expression = compile_expression_sql(text, types=TYPES)
    check_rows(db, text, expression, data, _python(text))


@settings(PROPERTY, max_examples=300)
@given(text=st.one_of(NUMBERS.map(lambda n: n[0]), STRINGS), data=rows)
def test_number_and_string_values_agree_with_python(db: duckdb.DuckDBPyConnection, text: str,
                                                    data: list[dict[str, Any]]) -> None:
    expression = compile_expression_sql(text, types=TYPES)
    check_rows(db, text, expression, data, _python(text))


UNARY_TESTS = st.one_of(
    st.sampled_from(["-", "< 5", ">= n2", "[1..n2]", "]n2..10[", "not(1, 2)", "? > 3",
                     "null", "n2", "b1", "[1, n2]", "not(null)", "> 2, < -2", "[< 0, n2]",
                     "not([0..5])", "<= credit score", "? = null", "(? / 2) > 1",
                     "[null..5]", "< null", "\"a\"", "[true..false]", "[n2..s1]",
                     "= n2", "!= n2", "1.5", "-1.5"]),
    st.lists(st.sampled_from(["0", "1", "-1.5", "[2..4)", "> 10", "n2", "null"]),
             min_size=1, max_size=3).map(", ".join),
)


@settings(PROPERTY, max_examples=300)
@given(text=UNARY_TESTS, data=rows)
def test_unary_tests_agree_with_python(db: duckdb.DuckDBPyConnection, text: str,
                                       data: list[dict[str, Any]]) -> None:
    expression = compile_unary_tests_sql(text, exp.column("n1", quoted=True), types=TYPES,
                                         input_type="number")
    test = compile_unary_tests(text, NAMES)
    check_rows(db, text, expression, data, lambda values_: test(values_["n1"], values_))


# ---- golden SQL -------------------------------------------------------------------------

GOLDEN: list[tuple[str, str, str]] = [
    ('Age >= 18 and Country = "NL"',
     '"Age" >= 18 AND "Country" IS NOT DISTINCT FROM \'NL\'',
     "`Age` >= 18 AND `Country` IS NOT DISTINCT FROM 'NL'"),
    ("credit score > 600 or n1 = null",
     '"credit score" > 600 OR "n1" IS NULL',
     "`credit score` > 600 OR `n1` IS NULL"),
    ("n1 / 0", "CAST(NULL AS DECIMAL(38, 10))", "CAST(NULL AS DECIMAL(38, 10))"),
    ("n1 / 4", 'CAST("n1" * 0.25 AS DECIMAL(38, 10))', "CAST(`n1` * 0.25 AS DECIMAL(38, 10))"),
    ("n1 / n2",
     'CAST(CAST("n1" AS DOUBLE) / NULLIF(CAST("n2" AS DOUBLE), 0) AS DECIMAL(38, 10))',
     "CAST(CAST(`n1` AS DOUBLE) / NULLIF(CAST(`n2` AS DOUBLE), 0) AS DECIMAL(38, 10))"),
    ('n1 = "a"', 'CASE WHEN "n1" IS NULL THEN FALSE ELSE CAST(NULL AS BOOLEAN) END',
     "CASE WHEN `n1` IS NULL THEN FALSE ELSE CAST(NULL AS BOOLEAN) END"),
    ("n1 in (1, [3..5], > 10)",
     '"n1" IS NOT DISTINCT FROM 1 OR ("n1" >= 3 AND "n1" <= 5) OR "n1" > 10',
     "`n1` IS NOT DISTINCT FROM 1 OR (`n1` >= 3 AND `n1` <= 5) OR `n1` > 10"),
    ("if b1 then s1 else upper case(s2)",
     'CASE WHEN "b1" THEN "s1" ELSE UPPER("s2") END',
     "CASE WHEN `b1` THEN `s1` ELSE UPPER(`s2`) END"),
    ('d1 < date("2020-01-01")', '"d1" < CAST(\'2020-01-01\' AS DATE)',
     "`d1` < CAST('2020-01-01' AS DATE)"),
    ('starts with(s1, "ab") and not(b1)', 'STARTS_WITH("s1", \'ab\') AND NOT "b1"',
     "STARTSWITH(`s1`, 'ab') AND NOT `b1`"),
    ("min(n1, 3) between 1 and 2",
     'CASE WHEN CASE WHEN "n1" IS NULL THEN CAST(NULL AS DECIMAL(38, 10)) ELSE '
     'LEAST("n1", 3) END IS NULL THEN CAST(NULL AS BOOLEAN) ELSE CASE WHEN "n1" IS NULL '
     'THEN CAST(NULL AS DECIMAL(38, 10)) ELSE LEAST("n1", 3) END BETWEEN 1 AND 2 END',
     "CASE WHEN CASE WHEN `n1` IS NULL THEN CAST(NULL AS DECIMAL(38, 10)) ELSE "
     "LEAST(`n1`, 3) END IS NULL THEN CAST(NULL AS BOOLEAN) ELSE CASE WHEN `n1` IS NULL "
     "THEN CAST(NULL AS DECIMAL(38, 10)) ELSE LEAST(`n1`, 3) END BETWEEN 1 AND 2 END"),
]


@pytest.mark.parametrize(("text", "duckdb_sql", "spark_sql"), GOLDEN)
def test_golden_sql(text: str, duckdb_sql: str, spark_sql: str) -> None:
    expression = compile_expression_sql(text, types=TYPES, names=("Age", "Country"))
    assert to_sql(expression) == duckdb_sql
    assert to_sql(expression, "spark") == spark_sql


def test_columns_mapping_and_unary_tests() -> None:
    columns = {"Age": exp.column("age", table="c")}
    assert to_sql(compile_expression_sql("Age + 1", columns)) == \
        "c.age + CAST(1 AS DECIMAL(38, 10))"
    assert to_sql(compile_unary_tests_sql('"a", "b"', exp.column("x"))) == \
        "x IS NOT DISTINCT FROM 'a' OR x IS NOT DISTINCT FROM 'b'"
    assert to_sql(compile_unary_tests_sql("not(< 10)", exp.column("x"))) == "NOT (x < 10)"
    assert to_sql(compile_unary_tests_sql("-", exp.column("x"))) == "TRUE"


def test_struct_paths_and_date_properties() -> None:
    types = {"customer": {"age": "number", "name": "string"}, "d": "date"}
    sql = compile_expression_sql("customer.age > 18 and d.year = 2020", types=types)
    assert to_sql(sql) == ('("customer")."age" > 18 AND CAST(YEAR("d") AS DECIMAL(38, 10)) '
                           "IS NOT DISTINCT FROM 2020")
    db = duckdb.connect()
    db.execute("CREATE TABLE t AS SELECT {'age': 30, 'name': 'x'} AS customer, "
               "DATE '2020-05-01' AS d")
    assert db.execute(to_sql(exp.select(sql).from_("t"))).fetchall() == [(True,)]


# ---- unsupported constructs -------------------------------------------------------------

UNSUPPORTED = [
    ("for x in xs return x", "for expressions cannot be compiled to SQL (at column 1)"),
    ("some x in xs satisfies x > 1", "some expressions cannot be compiled to SQL (at column 1)"),
    ("every x in xs satisfies x > 1", "every expressions"),
    ("{a: 1}.a", "contexts cannot be compiled to SQL (at column 1)"),
    ("n1 = [1, 2]", "lists as values cannot be compiled to SQL (at column 6)"),
    ("xs[item > 1]", "filters cannot be compiled to SQL (at column 3)"),
    ("(function(x) x + 1)(2)", "function definitions cannot be compiled to SQL"),
    ("n1 instance of number", "instance of cannot be compiled to SQL (at column 4)"),
    ("n1 ** 2", "exponentiation (**) cannot be compiled to SQL (at column 4)"),
    ("d1 - d1 > null", "arithmetic on date values cannot be compiled to SQL (at column 4)"),
    ("sqrt(n1) > 1", "function 'sqrt' cannot be compiled to SQL (at column 5)"),
    ("n1 = [1..2]", "ranges as values cannot be compiled to SQL"),
    ("s1.length", "path '.length' on a string value cannot be compiled to SQL"),
    ("time(\"10:00:00\") = null", "function 'time' cannot be compiled to SQL"),
    ("if b1 then 1 else \"a\"",
     "if branches of different types (number, string) cannot be compiled to SQL (at column 1)"),
    ("n1 = 0.000000000001", "more than 10 fractional digits"),
    ("1 +\n  (for x in xs return x)", "(at line 2, column 4)"),
]


@pytest.mark.parametrize(("text", "message"), UNSUPPORTED)
def test_unsupported_constructs_raise_feel_sql_error(text: str, message: str) -> None:
    with pytest.raises(FeelSqlError) as info:
        compile_expression_sql(text, types={**TYPES, "xs": "Any"})
    assert message in str(info.value)
