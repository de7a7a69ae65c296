"""FEEL text is bounded: too long, nested too deep or a tree too deep is a syntax error
naming the position, never a ``RecursionError`` in the parser, the interpreter or the SQL
generator."""

from __future__ import annotations

import pytest
from sqlglot import exp

from accord.errors import FeelSyntaxError
from accord.feel.parser import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NESTING,
    parse_expression,
    parse_unary_tests,
)
from accord.feel.sql import compile_expression_sql

COLUMNS = {"orders": exp.column("orders")}


def _refused(text: str, words: str, *, tests: bool = False) -> FeelSyntaxError:
    with pytest.raises(FeelSyntaxError, match=words) as caught:
        (parse_unary_tests if tests else parse_expression)(text)
    return caught.value


def test_text_longer_than_the_limit_is_refused() -> None:
    text = "1 + " * (MAX_LENGTH // 4) + "1"
    error = _refused(text, "too long")
    assert f"{len(text):,} characters" in str(error) and f"{MAX_LENGTH:,}" in str(error)
    assert parse_expression("1" * MAX_LENGTH) is not None


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("[", "]"),
                                                  ("{a: ", "}"), ("abs(", ")")])
def test_nesting_beyond_the_limit_is_refused_at_its_position(opening: str,
                                                             closing: str) -> None:
    text = opening * 500 + "1" + closing * 500
    error = _refused(text, "nested too deep")
    assert error.line == 1 and 1 < error.column <= len(opening) * (MAX_NESTING + 1) + 1
    within = opening * (MAX_NESTING - 2) + "1" + closing * (MAX_NESTING - 2)
    assert parse_expression(within) is not None


def test_negations_and_textual_expressions_count_as_nesting() -> None:
    _refused("-" * 5_000 + "1", "nested too deep")
    _refused("if true then " * 500 + "1" + " else 2" * 500, "nested too deep")


def test_a_chain_longer_than_the_depth_is_refused() -> None:
    # 300 chained "and" parse without recursion but make a tree 300 deep: sqlglot then
    # raised RecursionError generating its SQL
    chain = " and ".join(["orders > 1"] * 300)
    error = _refused(chain, f"more than {MAX_DEPTH} levels")
    assert error.line == 1
    within = " and ".join(["orders > 1"] * (MAX_DEPTH - 5))
    assert "AND" in compile_expression_sql(within, COLUMNS).sql("duckdb")


def test_unary_tests_are_bounded_too() -> None:
    _refused(", ".join(["(" * 300 + "1" + ")" * 300]), "nested too deep", tests=True)
    _refused("not(" + " and ".join(["? > 1"] * 300) + ")", "more than", tests=True)


@pytest.mark.parametrize("text", ["(" * 500 + "orders > 1" + ")" * 500,
                                  " and ".join(["orders > 1"] * 300),
                                  "-" * 3_000 + "orders"])
def test_sql_compilation_refuses_what_it_would_recurse_on(text: str) -> None:
    with pytest.raises(FeelSyntaxError):
        compile_expression_sql(text, COLUMNS)
