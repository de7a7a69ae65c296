"""Compiling decision table cells, with errors that name the rule and column."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from accord.dmn.model import DecisionTable
from accord.errors import DmnModelError, FeelSyntaxError
from accord.feel.compiler import Compiler
from accord.feel.parser import parse_expression, parse_unary_tests

Env = dict[str, Any]
Test = Callable[[Any, Env], Any]


def compile_tests(text: str, names: Iterable[str], compiler: Compiler,
                  table: DecisionTable, what: str) -> Test | None:
    """Compile a cell's unary tests; ``None`` for ``-`` (always true)."""
    stripped = text.strip()
    if stripped in ("-", ""):
        return None
    try:
        node = parse_unary_tests(stripped, names)
    except FeelSyntaxError as exc:
        raise DmnModelError(f"{exc} in {what}", element_id=table.id) from exc
    return compiler.compile_test(node)


def compile_cell(text: str, names: Iterable[str], compiler: Compiler,
                 table: DecisionTable, what: str) -> Callable[[Env], Any]:
    """Compile an output entry or input expression."""
    try:
        node = parse_expression(text, names)
    except FeelSyntaxError as exc:
        raise DmnModelError(f"{exc} in {what}", element_id=table.id) from exc
    return compiler.compile(node)


