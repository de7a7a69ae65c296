"""The generated fast path of decision tables agrees with the general evaluator.

Hypothesis builds random tables in the shapes marketers write (equality, lists, ranges,
comparisons, negations, don't-care cells) over string, number and date columns, and random
inputs including nulls, floats and wrong types. Both paths must give the same value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.dmn import Model
from accord.dmn.codegen import FALLBACK
from accord.dmn.table import CompiledTable, compile_table
from accord.dmn.types import TypeRegistry
from accord.testing import table_definitions

SEGMENTS = ["gold", "silver", "bronze", "new"]
COUNTRIES = ["FR", "DE", "GB"]
DAYS = [dt.date(2024, 1, d) for d in (1, 10, 20, 31)]

string_cell = st.one_of(
    st.just("-"),
    st.sampled_from(SEGMENTS).map(lambda s: f'"{s}"'),
    st.lists(st.sampled_from(SEGMENTS), min_size=2, max_size=3, unique=True).map(
        lambda xs: ", ".join(f'"{x}"' for x in xs)),
    st.sampled_from(SEGMENTS).map(lambda s: f'not("{s}")'),
)
number_cell = st.one_of(
    st.just("-"),
    st.integers(-5, 50).map(str),
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), st.integers(-5, 50)).map(
        lambda t: f"{t[0]} {t[1]}"),
    st.tuples(st.integers(-5, 20), st.integers(0, 30), st.sampled_from("[("),
              st.sampled_from("])")).map(lambda t: f"{t[2]}{t[0]}..{t[0] + t[1]}{t[3]}"),
    st.lists(st.integers(0, 10), min_size=2, max_size=3, unique=True).map(
        lambda xs: ", ".join(map(str, xs))),
    st.integers(0, 10).map(lambda n: f"not({n}, > 40)"),
)
date_cell = st.one_of(
    st.just("-"),
    st.sampled_from(DAYS).map(lambda d: f'>= date("{d.isoformat()}")'),
    st.sampled_from(DAYS).map(lambda d: f'< @"{d.isoformat()}"'),
)
rule = st.tuples(string_cell, number_cell, date_cell, st.integers(0, 99))

inputs = st.fixed_dictionaries({
    "Segment": st.one_of(st.sampled_from([*SEGMENTS, "other"]), st.none(), st.integers(0, 3)),
    "Score": st.one_of(st.integers(-10, 60), st.none(), st.just("12"),
                       st.decimals(-10, 60, places=1, allow_nan=False),
                       st.floats(-10, 60, allow_nan=False)),
    "Since": st.one_of(st.sampled_from(DAYS), st.none(),
                       st.just(dt.datetime(2024, 1, 10, 12, 0))),
})

POLICIES = ["FIRST", "UNIQUE", "ANY", "PRIORITY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"]


def _build(rules: list[tuple[str, str, str, int]], policy: str, aggregation: str | None,
           default: bool) -> tuple[CompiledTable, Any, Model]:
    defs = table_definitions(
        "Offer", inputs={"Segment": "string", "Score": "number", "Since": "date"},
        outputs={"Offer": "number"},
        rules=[([s, n, d], [str(out)]) for s, n, d, out in rules],
        hit_policy=policy, aggregation=aggregation,
        output_values={"Offer": ", ".join(str(i) for i in range(99, -1, -1))}
        if policy in ("PRIORITY", "OUTPUT ORDER") else None,
        default_outputs={"Offer": "-1"} if default else None)
    table = defs.decisions[0].expression
    names = ("Segment", "Score", "Since")
    fast = compile_table(table, names, TypeRegistry())  # type: ignore[arg-type]
    slow = compile_table(table, names, TypeRegistry(), generate=False)  # type: ignore[arg-type]
    assert isinstance(fast, CompiledTable)
    return fast, slow, Model(defs)


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(rule, min_size=1, max_size=12), policy=st.sampled_from(POLICIES),
       aggregate=st.booleans(), default=st.booleans(),
       cases=st.lists(inputs, min_size=1, max_size=15))
def test_generated_table_agrees_with_general_evaluator(
        rules: list[tuple[str, str, str, int]], policy: str, aggregate: bool, default: bool,
        cases: list[dict[str, Any]]) -> None:
    aggregation = "SUM" if aggregate and policy == "COLLECT" else None
    fast, slow, _ = _build(rules, policy, aggregation, default)
    assert fast.generated is not None, "these cells are all simple: codegen must take them"
    for case in cases:
        env = {k: Decimal(v) if type(v) is int else v for k, v in case.items()}
        env = {k: Decimal(repr(v)) if type(v) is float else v for k, v in env.items()}
        assert fast(env, None) == slow(env, None), (case, fast.generated.source)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(rule, min_size=1, max_size=12), cases=st.lists(inputs, max_size=15))
def test_model_compile_agrees_with_evaluate(rules: list[tuple[str, str, str, int]],
                                            cases: list[dict[str, Any]]) -> None:
    """``Model.compile`` reads raw inputs (ints, floats) straight into generated code."""
    _, _, model = _build(rules, "FIRST", None, default=False)
    fast = model.compile("Offer")
    for case in cases:
        assert fast(case) == model.evaluate("Offer", case).value, case


def test_generated_code_falls_back_on_unexpected_types() -> None:
    fast, _, _ = _build([('"gold"', "> 5", "-", 1)], "FIRST", None, default=False)
    assert fast.generated is not None
    day, evaluate = DAYS[0], fast.generated.evaluate
    assert evaluate({"Segment": "gold", "Score": Decimal(6), "Since": day}) == Decimal(1)
    assert evaluate({"Segment": "gold", "Score": "6", "Since": day}) is FALLBACK
    assert evaluate({"Segment": None, "Score": Decimal(6), "Since": day}) is FALLBACK
    assert evaluate({"Segment": "gold", "Score": 6}) is FALLBACK  # a missing input is null
    # a null in a column only the declared type constrains: the general path decides
    assert evaluate({"Segment": "gold", "Score": Decimal(6), "Since": None}) is FALLBACK


def test_rules_are_indexed_on_the_equality_column() -> None:
    rules = [(f'"{s}"', f"> {i}", "-", i) for i, s in enumerate(SEGMENTS * 3)]
    fast, _, _ = _build(rules, "FIRST", None, default=False)
    assert fast.generated is not None
    source = fast.generated.source
    assert "BUCKETS" in source
    # In the bucket for one segment only that segment's rules are tested.
    first_bucket = source.split("def bucket_")[1].split("def ")[0]
    assert first_bucket.count("if ") == 3


def test_cells_reading_only_the_input_run_as_closures_inside_generated_code() -> None:
    defs = table_definitions(
        "Offer", inputs={"Score": "number", "Tags": None}, outputs={"Offer": "number"},
        rules=[(["? * 2 > 10", 'list contains(?, "vip")'], ["1"]), (["-", "-"], ["0"])],
        hit_policy="FIRST")
    table = defs.decisions[0].expression
    compiled = compile_table(table, ("Score", "Tags"), TypeRegistry())  # type: ignore[arg-type]
    assert isinstance(compiled, CompiledTable) and compiled.generated is not None
    evaluate = compiled.generated.evaluate
    assert evaluate({"Score": 6, "Tags": ["vip"]}) == Decimal(1)
    assert evaluate({"Score": 6, "Tags": ["new"]}) == Decimal(0)


def test_tables_with_cells_reading_other_inputs_use_the_general_path() -> None:
    defs = table_definitions(
        "Offer", inputs={"Score": "number", "Limit": "number"}, outputs={"Offer": "number"},
        rules=[(["> Limit", "-"], ["1"]), (["-", "-"], ["0"])], hit_policy="FIRST")
    table = defs.decisions[0].expression
    compiled = compile_table(table, ("Score", "Limit"), TypeRegistry())  # type: ignore[arg-type]
    assert isinstance(compiled, CompiledTable) and compiled.generated is None
    assert compiled({"Score": Decimal(6), "Limit": Decimal(5)}, None) == Decimal(1)
