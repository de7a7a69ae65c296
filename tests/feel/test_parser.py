"""FEEL parser: the tree it builds, names with spaces, and syntax errors that say where."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.errors import FeelSyntaxError
from accord.feel import ast
from accord.feel.parser import parse_expression, parse_unary_tests


def test_precedence_of_arithmetic() -> None:
    node = parse_expression("1 + 2 * 3")
    assert isinstance(node, ast.Arithmetic) and node.op == "+"
    assert isinstance(node.right, ast.Arithmetic) and node.right.op == "*"


def test_and_binds_tighter_than_or() -> None:
    node = parse_expression("a or b and c")
    assert isinstance(node, ast.Or)
    assert isinstance(node.right, ast.And)


def test_unknown_words_join_into_one_name() -> None:
    assert parse_expression("Applicant Monthly Income") == ast.Name(0, "Applicant Monthly Income")


def test_known_names_may_contain_keywords_and_symbols() -> None:
    node = parse_expression("Loan-To-Value and date and time", ["Loan-To-Value"])
    assert isinstance(node, ast.And)
    assert node.left == ast.Name(0, "Loan-To-Value")
    assert node.right == ast.Name(18, "date and time")


def test_keywords_end_names() -> None:
    node = parse_expression("for x in xs return x + 1")
    assert isinstance(node, ast.For)
    assert node.iterations[0].name == "x"
    assert node.iterations[0].domain == ast.Name(9, "xs")


def test_named_arguments() -> None:
    node = parse_expression('substring(string: "abc", start position: 2)')
    assert isinstance(node, ast.Call)
    assert node.named is not None
    assert [name for name, _ in node.named] == ["string", "start position"]


def test_ranges_in_every_bracket_form() -> None:
    for text, closed in [("[1..2]", (True, True)), ("(1..2)", (False, False)),
                         ("]1..2[", (False, False)), ("[1..2)", (True, False))]:
        node = parse_expression(text)
        assert isinstance(node, ast.RangeNode), text
        assert (node.start_closed, node.end_closed) == closed, text


def test_filter_versus_range_end() -> None:
    assert isinstance(parse_expression("xs[1]"), ast.Filter)
    node = parse_expression("[1..10[.start included")
    assert isinstance(node, ast.Path) and isinstance(node.base, ast.RangeNode)


def test_at_literal_becomes_a_conversion_call() -> None:
    node = parse_expression('@"2020-01-01"')
    assert isinstance(node, ast.Call) and node.function == ast.Name(0, "date")
    assert parse_expression('@"P1D"').function == ast.Name(0, "duration")  # type: ignore[attr-defined]


def test_number_literals_are_decimals() -> None:
    assert parse_expression(".5") == ast.Literal(0, Decimal("0.5"))
    assert isinstance(parse_expression("[1..3]"), ast.RangeNode)


def test_unary_tests_forms() -> None:
    assert isinstance(parse_unary_tests("-"), ast.AnyTest)
    tests = parse_unary_tests('"a", "b"')
    assert isinstance(tests, ast.UnaryTests) and len(tests.tests) == 2
    negated = parse_unary_tests("not(< 5, [10..20])")
    assert isinstance(negated, ast.UnaryTests) and negated.negated
    comparison = parse_unary_tests(">= 18").tests[0]  # type: ignore[attr-defined]
    assert isinstance(comparison, ast.UnaryComparison) and comparison.op == ">="
    with_input = parse_unary_tests("? > 3").tests[0]  # type: ignore[attr-defined]
    assert isinstance(with_input, ast.ExpressionTest) and with_input.uses_input


@pytest.mark.parametrize(("text", "line", "column", "expected"), [
    ("1 +", 1, 4, "an expression"),
    ("if x then 1", 1, 12, "'else'"),
    ("[1, 2", 1, 6, "']'"),
    ("{a: 1,\n b 2}", 2, 4, "':'"),
    ('"unterminated', 1, 1, "a closing"),
    ("f(a: 1", 1, 7, "')'"),
    ("1 $ 2", 1, 3, ""),
    ("/* open", 1, 1, "'*/'"),
])
def test_syntax_errors_name_line_column_and_expectation(text: str, line: int, column: int,
                                                        expected: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression(text)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert expected in error.expected
    assert f"line {line}, column {column}" in str(error)


def test_empty_expression_is_an_error() -> None:
    with pytest.raises(FeelSyntaxError, match="empty expression"):
        parse_expression("   ")
