"""Unary tests to SQL: ``-``, ``< 5``, ``"a", "b"``, ``[1..10]``, ``not(...)``, ``? > 3``.

Mirrors :meth:`accord.feel.compiler.Compiler.compile_test` and
:func:`accord.feel.compiler.satisfies` (DMN 1.5 clause 10.3.2.9.3): a list of tests is true
when one is true, null when none is true but one is null, false otherwise, which is SQL's
``OR``; ``not(...)`` keeps null, which is SQL's ``NOT``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from accord.feel import ast
from accord.feel.sql_values import (
    ANY,
    BOOLEAN,
    NULL,
    Typed,
    and_,
    case,
    compare,
    compatible,
    equal,
    false,
    is_null,
    is_true,
    negate,
    never_null,
    not_null,
    null,
    or_,
    order,
    ordered,
    true,
)

if TYPE_CHECKING:
    from accord.feel.sql import SqlCompiler

TestHandler = Callable[["SqlCompiler", Any, Typed], Typed]


def compile_test(compiler: SqlCompiler, node: ast.Node, value: Typed) -> Typed:
    """One unary test (or a whole :class:`ast.UnaryTests`) applied to ``value``."""
    handler = _TESTS.get(type(node))
    if handler is None:
        return satisfies(compiler, node, value)
    return handler(compiler, node, value)


def _any_test(compiler: SqlCompiler, node: ast.AnyTest, value: Typed) -> Typed:
    return Typed(true(), BOOLEAN)


def _unary_tests(compiler: SqlCompiler, node: ast.UnaryTests, value: Typed) -> Typed:
    tests = or_(*(compile_test(compiler, test, value).sql for test in node.tests))
    if node.negated:
        return Typed(negate(tests), BOOLEAN)
    return Typed(tests, BOOLEAN)


def _unary_comparison(compiler: SqlCompiler, node: ast.UnaryComparison, value: Typed) -> Typed:
    return compare(node.op, value, compiler.expression(node.operand))


def _expression_test(compiler: SqlCompiler, node: ast.ExpressionTest, value: Typed) -> Typed:
    if node.uses_input:
        result = compiler.with_input(value, node.expression)
        return Typed(_boolean(result), BOOLEAN)
    return satisfies(compiler, node.expression, value)


def _boolean(result: Typed) -> exp.Expression:
    return result.sql if result.kind in (BOOLEAN, ANY) else null(BOOLEAN).sql


_TESTS: dict[type, TestHandler] = {
    ast.AnyTest: _any_test,
    ast.UnaryTests: _unary_tests,
    ast.UnaryComparison: _unary_comparison,
    ast.ExpressionTest: _expression_test,
}


# ---- satisfies(value, test) -------------------------------------------------------------


def satisfies(compiler: SqlCompiler, node: ast.Node, value: Typed) -> Typed:
    """Does ``value`` satisfy the test expression ``node``: range containment, list
    membership, the boolean itself for a non-boolean input, or equality."""
    if isinstance(node, ast.RangeNode):
        return range_test(compiler, node, value)
    if isinstance(node, ast.ListNode):
        return _list_test(compiler, node, value)
    test = compiler.expression(node)
    if test.kind == BOOLEAN and value.kind not in (BOOLEAN, ANY, NULL):
        # ``type(test) is bool and value is not None``: the test is the answer
        return Typed(case([(is_null(test.sql), is_null(value.sql)),
                           (is_null(value.sql), false())], test.sql), BOOLEAN)
    return equal(value, test)


def _list_test(compiler: SqlCompiler, node: ast.ListNode, value: Typed) -> Typed:
    # a list test is true when an item matches, false otherwise (never null)
    matches = []
    for item in node.items:
        if isinstance(item, ast.RangeNode):
            matches.append(is_true(range_test(compiler, item, value).sql))
        elif isinstance(item, ast.ListNode):
            raise compiler.unsupported("nested lists in unary tests", item)
        else:
            matches.append(is_true(equal(value, compiler.expression(item)).sql))
    return Typed(or_(*matches), BOOLEAN)


def range_test(compiler: SqlCompiler, node: ast.RangeNode, value: Typed) -> Typed:
    """``value`` in the range ``node`` (:func:`accord.feel.compiler.range_contains`).

    A null endpoint leaves that side open, as the Python path does; a range whose two
    endpoints are not comparable is null itself, and ``value`` satisfies null when null.
    """
    start = compiler.expression(node.start) if node.start is not None else None
    end = compiler.expression(node.end) if node.end is not None else None
    bounds = [b for b in (start, end) if b is not None]
    if value.kind == NULL:
        contains = null(BOOLEAN).sql
    elif all(never_null(b.sql) and ordered(value, b) for b in bounds):
        # literal bounds: each comparison is null exactly when the value is
        checks = [order(">=" if node.start_closed else ">", value, start).sql
                  if start is not None else None,
                  order("<=" if node.end_closed else "<", value, end).sql
                  if end is not None else None]
        contains = and_(*(c for c in checks if c is not None)) if bounds \
            else case([(is_null(value.sql), null(BOOLEAN).sql)], true())
    else:
        start_ok = _bound(">=" if node.start_closed else ">", value, start)
        end_ok = _bound("<=" if node.end_closed else "<", value, end)
        whens = [(is_null(value.sql), null(BOOLEAN).sql)]
        if start_ok is not None:
            whens += [(negate(start_ok), false()),
                      (is_null(start_ok), null(BOOLEAN).sql)]
        contains = case(whens, end_ok if end_ok is not None else true())
    if start is not None and end is not None and not _comparable(start, end):
        invalid = and_(not_null(start.sql), not_null(end.sql))
        return Typed(case([(invalid, is_null(value.sql))], contains), BOOLEAN)
    return Typed(contains, BOOLEAN)


def _bound(op: str, value: Typed, bound: Typed | None) -> exp.Expression | None:
    """``value op bound`` for a non-null value: true for a null bound, null if not ordered."""
    if bound is None or bound.kind == NULL:
        return None
    if ordered(value, bound):
        return or_(is_null(bound.sql), order(op, value, bound).sql)
    return or_(is_null(bound.sql), null(BOOLEAN).sql)


def _comparable(start: Typed, end: Typed) -> bool:
    if start.kind == NULL or end.kind == NULL:
        return True
    return compatible(start.kind, end.kind) and ordered(start, end)
