"""Unary tests to SQL: ``-``, ``< 5``, ``"a", "b"``, ``[1..10]``, ``not(...)``, ``? > 3``.

Mirrors :meth:`accord.feel.compiler.Compiler.compile_test` and
:func:`accord.feel.compiler.satisfies` (DMN 1.5 clause 10.3.2.9.3): a list of tests is true
when one is true, null when none is true but one is null, false otherwise, which is SQL's
``OR``; ``not(...)`` keeps null, which is SQL's ``NOT``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from accord.feel import ast
from accord.feel.compiler import Compiler
from accord.feel.semantics import feel_compare
from accord.feel.sql_values import (
    ANY,
    BOOLEAN,
    NULL,
    Typed,
    and_,
    case,
    compare,
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
    """``value`` satisfies the range ``node`` (:func:`accord.feel.semantics.in_range`).

    A range whose endpoints are not ascending values of one type is null itself, and a
    value satisfies null when it is null. A null endpoint makes membership null, in an
    interval literal and in a unary-test range (``< x`` inside a list) alike.
    """
    start = compiler.expression(node.start) if node.start is not None else None
    end = compiler.expression(node.end) if node.end is not None else None
    whens: list[tuple[exp.Expression, exp.Expression]] = []
    if start is not None and end is not None:
        whens.append((_invalid(node, start, end), is_null(value.sql)))
    value_null = (is_null(value.sql), null(BOOLEAN).sql)
    whens.append(value_null)
    if node.test == "!=":
        assert start is not None
        return Typed(case(whens, compare("!=", value, start).sql), BOOLEAN)
    if node.test is None and start is not None and end is not None:
        whens.append((or_(is_null(start.sql), is_null(end.sql)), null(BOOLEAN).sql))
    interval = node.test is None  # null endpoints are handled above
    lower = _bound(">=" if node.start_closed else ">", value, start, node.start_closed,
                   interval)
    upper = _bound("<=" if node.end_closed else "<", value, end, node.end_closed, interval)
    if _total(value, start, interval, node.start_closed):
        # the lower check is never null for a non-null value: Kleene AND is Python's order
        checks = and_(lower, upper)
        if not isinstance(checks, exp.Boolean):
            whens = [when for when in whens if when is not value_null]  # null already
        return Typed(case(whens, checks), BOOLEAN)
    whens += [(negate(lower), false()), (is_null(lower), null(BOOLEAN).sql)]
    return Typed(case(whens, upper), BOOLEAN)


def _bound(op: str, value: Typed, bound: Typed | None, closed: bool,
           interval: bool) -> exp.Expression:
    """One side's check for a non-null value: true, false or null as in ``in_range``."""
    if bound is None:
        return null(BOOLEAN).sql if closed else true()
    return order(op, value, bound).sql  # a null bound makes the comparison null


def _total(value: Typed, bound: Typed | None, interval: bool, closed: bool) -> bool:
    """Whether the lower check is never null for a non-null value."""
    if bound is None:
        return not closed
    return ordered(value, bound) and (interval or never_null(bound.sql))


def _invalid(node: ast.RangeNode, start: Typed, end: Typed) -> exp.Expression:
    """When the range itself is null: both ends non-null and not ascending of one type."""
    low, high = _constant(node.start), _constant(node.end)
    if low is not _UNKNOWN and high is not _UNKNOWN:
        if low is None or high is None:
            return false()
        order_ = feel_compare(low, high)
        return exp.Boolean(this=order_ is None or order_ > 0)
    if NULL in (start.kind, end.kind):
        return false()  # a null end is kept
    if not ordered(start, end):
        return and_(not_null(start.sql), not_null(end.sql))
    if node.start is node.end:
        return false()
    return order(">", start, end).sql  # null (so not taken) when either end is null


_UNKNOWN = object()


def _constant(node: ast.Node | None) -> Any:
    """The value of a constant endpoint (a literal, ``-5``, ``date("...")``), else unknown."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Negation) and isinstance(node.operand, ast.Literal) \
            and type(node.operand.value) is Decimal:
        return -node.operand.value
    if isinstance(node, ast.Call) and isinstance(node.function, ast.Name) \
            and node.function.name in ("date", "date and time") and node.named is None \
            and all(isinstance(arg, ast.Literal) for arg in node.args):
        return Compiler().compile(node)({})
    return _UNKNOWN
