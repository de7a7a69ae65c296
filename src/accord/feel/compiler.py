"""FEEL AST to Python closures: compile once, call many times.

Each node compiles to a function ``f(env) -> value`` where ``env`` is a ``dict`` of the names
in scope. Nested scopes (iteration variables, function parameters, filter items, context
entries) copy the dict, which keeps lookups at one dict access on the hot path.

Semantics follow DMN 1.5 clause 10.3.2: any error (a type mismatch, a division by zero, an
unknown name) evaluates to ``null`` rather than raising.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from accord.feel import ast, temporal
from accord.feel.builtins import BUILTINS
from accord.feel.instance_of import TypeResolver, type_check
from accord.feel.parser import parse_expression, parse_unary_tests
from accord.feel.properties import get_property
from accord.feel.semantics import feel_compare, feel_equal, in_range
from accord.feel.values import (
    FEEL_CONTEXT,
    FeelFunction,
    Range,
    YearsMonthsDuration,
    from_python,
)

Env = dict[str, Any]
Compiled = Callable[[Env], Any]
_MISSING = object()


class Compiler:
    """Compiles AST nodes. ``types`` resolves item definition names for ``instance of``."""

    def __init__(self, types: TypeResolver | None = None) -> None:
        self.types = types

    def compile(self, node: ast.Node) -> Compiled:
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise TypeError(f"no FEEL compiler for {type(node).__name__}")
        return handler(self, node)

    # ---- leaves --------------------------------------------------------------------------

    def literal(self, node: ast.Literal) -> Compiled:
        value = node.value
        return lambda env: value

    def name(self, node: ast.Name) -> Compiled:
        name = node.name
        builtin = BUILTINS.get(name)

        def lookup(env: Env) -> Any:
            value = env.get(name, _MISSING)
            if value is _MISSING:
                return builtin
            return value

        return lookup

    # ---- structure -----------------------------------------------------------------------

    def list_node(self, node: ast.ListNode) -> Compiled:
        items = [self.compile(item) for item in node.items]
        return lambda env: [item(env) for item in items]

    def context(self, node: ast.ContextNode) -> Compiled:
        entries = [(key, self.compile(value)) for key, value in node.entries]

        def build(env: Env) -> Any:
            scope = dict(env)
            result: dict[str, Any] = {}
            for key, value in entries:
                if key in result:
                    return None  # duplicate context keys are an error (10.3.2.6)
                result[key] = scope[key] = value(scope)
            return result

        return build

    def range_node(self, node: ast.RangeNode) -> Compiled:
        start = self.compile(node.start) if node.start is not None else None
        end = self.compile(node.end) if node.end is not None else None
        start_closed, end_closed, test = node.start_closed, node.end_closed, node.test

        def build(env: Env) -> Any:
            low = start(env) if start is not None else None
            high = end(env) if end is not None else None
            if start is not None and end is not None and not _range_endpoints_ok(low, high):
                return None
            return Range(start_closed, low, high, end_closed, test)

        return build

    def path(self, node: ast.Path) -> Compiled:
        base = self.compile(node.base)
        member = node.member
        return lambda env: _member(base(env), member)

    def filter(self, node: ast.Filter) -> Compiled:
        base = self.compile(node.base)
        condition = self.compile(node.condition)

        def run(env: Env) -> Any:
            value = base(env)
            if value is None:
                return None
            items = value if isinstance(value, list) else [value]
            result = []
            for position, item in enumerate(items):
                scope = dict(env)
                scope["item"] = item
                if isinstance(item, dict):
                    scope.update(item)
                test = condition(scope)
                if position == 0 and type(test) is Decimal:
                    return _index(items, test)
                if test is True:
                    result.append(item)
            return result

        return run

    # ---- operators -----------------------------------------------------------------------

    def arithmetic(self, node: ast.Arithmetic) -> Compiled:
        left, right = self.compile(node.left), self.compile(node.right)
        op = _ARITHMETIC[node.op]
        return lambda env: op(left(env), right(env))

    def negation(self, node: ast.Negation) -> Compiled:
        operand = self.compile(node.operand)
        return lambda env: negate(operand(env))

    def comparison(self, node: ast.Comparison) -> Compiled:
        left, right = self.compile(node.left), self.compile(node.right)
        op = _COMPARE[node.op]
        return lambda env: op(left(env), right(env))

    def conjunction(self, node: ast.And) -> Compiled:
        left, right = self.compile(node.left), self.compile(node.right)

        def run(env: Env) -> Any:
            a = left(env)
            if a is False:
                return False
            b = right(env)
            if b is False:
                return False
            return True if a is True and b is True else None

        return run

    def disjunction(self, node: ast.Or) -> Compiled:
        left, right = self.compile(node.left), self.compile(node.right)

        def run(env: Env) -> Any:
            a = left(env)
            if a is True:
                return True
            b = right(env)
            if b is True:
                return True
            return False if a is False and b is False else None

        return run

    def between(self, node: ast.Between) -> Compiled:
        value, low, high = (self.compile(n) for n in (node.value, node.low, node.high))

        def run(env: Env) -> Any:
            v = value(env)
            lo = feel_compare(v, low(env))
            hi = feel_compare(v, high(env))
            if lo is None or hi is None:
                return None
            return lo >= 0 and hi <= 0

        return run

    def in_node(self, node: ast.In) -> Compiled:
        value = self.compile(node.value)
        tests = [self.compile_test(test) for test in node.tests]
        return lambda env: _any_test(tests, value(env), env)

    def instance_of(self, node: ast.InstanceOf) -> Compiled:
        value = self.compile(node.value)
        type_ref, types = node.type, self.types
        return lambda env: type_check(value(env), type_ref, types)

    # ---- textual -------------------------------------------------------------------------

    def if_node(self, node: ast.If) -> Compiled:
        condition, then, otherwise = (self.compile(n)
                                      for n in (node.condition, node.then, node.otherwise))
        return lambda env: then(env) if condition(env) is True else otherwise(env)

    def for_node(self, node: ast.For) -> Compiled:
        domains = self._iterations(node.iterations)
        body = self.compile(node.body)

        def run(env: Env) -> Any:
            results: list[Any] = []
            scope = dict(env)
            scope["partial"] = results
            for bound in _product(domains, 0, scope):
                if bound is None:
                    return None
                results.append(body(bound))
            return results

        return run

    def quantified(self, node: ast.Quantified) -> Compiled:
        domains = self._iterations(node.iterations)
        condition = self.compile(node.condition)
        want = node.kind == "some"

        def run(env: Env) -> Any:
            for bound in _product(domains, 0, dict(env)):
                if bound is None:
                    return None
                if (condition(bound) is True) == want:
                    return want
            return not want

        return run

    def _iterations(self, iterations: Iterable[ast.Iteration]) -> list[tuple[str, Compiled]]:
        compiled = []
        for it in iterations:
            domain = self.compile(it.domain)
            if it.end is not None:
                domain = _numeric_range(domain, self.compile(it.end))
            compiled.append((it.name, domain))
        return compiled

    def function_def(self, node: ast.FunctionDef) -> Compiled:
        names = [name for name, _ in node.params]
        type_refs = [type_ref for _, type_ref in node.params]
        types = self.types
        if node.external:
            from accord.feel.external import external_function

            body_context = self.compile(node.body)
            return lambda env: external_function(names, body_context(env))
        body = self.compile(node.body)

        def make(env: Env) -> FeelFunction:
            def call(*args: Any) -> Any:
                if len(args) != len(names):
                    return None
                scope = dict(env)
                for name, type_ref, arg in zip(names, type_refs, args, strict=True):
                    if type_ref is not None and arg is not None \
                            and type_check(arg, type_ref, types) is not True:
                        return None
                    scope[name] = arg
                return body(scope)

            return FeelFunction("lambda", names, call)

        return make

    def call(self, node: ast.Call) -> Compiled:
        function = self.compile(node.function)
        if node.named is not None:
            named = [(name, self.compile(arg)) for name, arg in node.named]
            return lambda env: invoke_named(function(env), {n: a(env) for n, a in named})
        args = [self.compile(arg) for arg in node.args]
        return lambda env: invoke(function(env), [a(env) for a in args])

    # ---- unary tests ---------------------------------------------------------------------

    def compile_test(self, node: ast.Node) -> Callable[[Any, Env], Any]:
        """Compile one positive unary test (or a whole :class:`ast.UnaryTests`) to
        ``test(input, env) -> True | False | None``."""
        if isinstance(node, ast.AnyTest):
            return lambda value, env: True
        if isinstance(node, ast.UnaryTests):
            tests = [self.compile_test(test) for test in node.tests]
            if not node.negated:
                return lambda value, env: _any_test(tests, value, env)

            def negated(value: Any, env: Env) -> Any:
                result = _any_test(tests, value, env)
                return None if result is None else not result

            return negated
        if isinstance(node, ast.UnaryComparison):
            operand = self.compile(node.operand)
            compare = _COMPARE[node.op]
            return lambda value, env: compare(value, operand(env))
        if isinstance(node, ast.ExpressionTest):
            expression = self.compile(node.expression)
            if node.uses_input:
                def with_input(value: Any, env: Env) -> Any:
                    scope = dict(env)
                    scope["?"] = value
                    return expression(scope)

                return with_input
            return lambda value, env: satisfies(value, expression(env))
        expression = self.compile(node)
        return lambda value, env: satisfies(value, expression(env))


_HANDLERS: dict[type, Callable[[Compiler, Any], Compiled]] = {
    ast.Literal: Compiler.literal,
    ast.Name: Compiler.name,
    ast.ListNode: Compiler.list_node,
    ast.ContextNode: Compiler.context,
    ast.RangeNode: Compiler.range_node,
    ast.Path: Compiler.path,
    ast.Filter: Compiler.filter,
    ast.Arithmetic: Compiler.arithmetic,
    ast.Negation: Compiler.negation,
    ast.Comparison: Compiler.comparison,
    ast.And: Compiler.conjunction,
    ast.Or: Compiler.disjunction,
    ast.Between: Compiler.between,
    ast.In: Compiler.in_node,
    ast.InstanceOf: Compiler.instance_of,
    ast.If: Compiler.if_node,
    ast.For: Compiler.for_node,
    ast.Quantified: Compiler.quantified,
    ast.FunctionDef: Compiler.function_def,
    ast.Call: Compiler.call,
}


# ---- runtime helpers (public: the DMN evaluator and generated code use them) ------------


def satisfies(value: Any, test: Any) -> Any:
    """Does ``value`` satisfy a positive unary test whose expression evaluated to ``test``?

    Equality with the input, membership of a list, containment in a range, or the boolean
    itself when the input is not a boolean (DMN 1.5 clause 10.3.2.9.3).
    """
    if isinstance(test, Range):
        return in_range(value, test)
    if isinstance(test, list):
        if isinstance(value, list) and feel_equal(value, test) is True:
            return True
        for item in test:
            if (in_range(value, item) if isinstance(item, Range)
                    else feel_equal(value, item)) is True:
                return True
        return False
    if type(test) is bool and type(value) is not bool and value is not None:
        return test
    return feel_equal(value, test)


def _any_test(tests: list[Callable[[Any, Env], Any]], value: Any, env: Env) -> Any:
    unknown = False
    for test in tests:
        result = test(value, env)
        if result is True:
            return True
        if result is not False:
            unknown = True
    return None if unknown else False


def invoke(function: Any, args: list[Any]) -> Any:
    """Call a FEEL function value with positional arguments; ``null`` if not a function."""
    if not isinstance(function, FeelFunction):
        return None
    if not function.variadic and function.overloads is None and len(args) > len(function.params):
        return None
    try:
        result = function.fn(*args)
    except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError):
        return None
    if result is None and BUILTINS.get(function.name) is function and any(
            isinstance(a, list) and len(a) == 1 for a in args):
        # A singleton list stands for its element where a built-in wants a single value
        # (DMN 1.5 clause 10.3.2.9.4); tried only when the call with the list failed.
        # User functions declare parameter types and coerce their arguments themselves.
        return invoke(function, [a[0] if isinstance(a, list) and len(a) == 1 else a
                                 for a in args])
    return result


def invoke_named(function: Any, named: Mapping[str, Any]) -> Any:
    """Call a FEEL function with named arguments (DMN 1.5 clause 10.3.2.13.2)."""
    if not isinstance(function, FeelFunction):
        return None
    signature_fns = function.meta.get("signature_fns")
    for i, signature in enumerate(function.overloads or [function.params]):
        if not set(named) <= set(signature):
            continue
        last = max(signature.index(name) for name in named) if named else -1
        args = [named.get(name) for name in signature[:last + 1]]
        if signature_fns is not None:  # a built-in whose signatures differ in meaning
            try:
                return signature_fns[i](*args)
            except (ArithmeticError, TypeError, ValueError):
                return None
        return invoke(function, args)
    return None


def _index(items: list[Any], position: Decimal) -> Any:
    if position != position.to_integral_value():
        return None
    i = int(position)
    if i > 0 and i <= len(items):
        return items[i - 1]
    if i < 0 and -i <= len(items):
        return items[i]
    return None


def _member(value: Any, member: str) -> Any:
    if isinstance(value, dict):
        return value.get(member)
    if isinstance(value, list):
        return [_member(item, member) for item in value]
    return get_property(value, member)


def _product(domains: list[tuple[str, Compiled]], level: int,
             scope: Env) -> Iterable[Env | None]:
    """Bind iteration variables in order; later domains see earlier variables."""
    if level == len(domains):
        yield dict(scope)
        return
    name, domain = domains[level]
    values = domain(scope)
    if isinstance(values, Range):
        values = range_items(values.start, values.end, values.start_closed, values.end_closed)
    if values is None:
        yield None
        return
    for value in values if isinstance(values, list) else [values]:
        scope[name] = value
        yield from _product(domains, level + 1, scope)


def _numeric_range(start: Compiled, end: Compiled) -> Compiled:
    return lambda env: range_items(start(env), end(env))


def range_items(low: Any, high: Any, low_closed: bool = True,
                high_closed: bool = True) -> list[Any] | None:
    """The values an iteration over ``low..high`` visits: whole numbers or dates, ascending
    or descending (DMN 1.5 clause 10.3.2.14); null for any other endpoint type."""
    if type(low) is Decimal and type(high) is Decimal:
        if low != low.to_integral_value() or high != high.to_integral_value():
            return None
        step = 1 if high >= low else -1
        items: list[Any] = [Decimal(i) for i in range(int(low), int(high) + step, step)]
    elif type(low) is dt.date and type(high) is dt.date:
        days = (high - low).days
        step = 1 if days >= 0 else -1
        items = [low + dt.timedelta(days=i) for i in range(0, days + step, step)]
    else:
        return None
    if not low_closed:
        items = items[1:]
    if not high_closed:
        items = items[:-1]
    return items


def _range_endpoints_ok(low: Any, high: Any) -> bool:
    """Both ends of the same type and in ascending order (``[2..1]`` is an error, TCK 0084);
    a null end is kept and makes membership unknown."""
    if low is None or high is None:
        return True
    order = feel_compare(low, high)
    return order is not None and order <= 0


# ---- arithmetic -----------------------------------------------------------------------


def add(a: Any, b: Any) -> Any:
    """FEEL ``a + b``."""
    if type(a) is Decimal and type(b) is Decimal:
        return _decimal_op(FEEL_CONTEXT.add, a, b)
    if type(a) is str and type(b) is str:
        return a + b
    if a is None or b is None:
        return None
    return temporal.add(a, b)


def subtract(a: Any, b: Any) -> Any:
    """FEEL ``a - b``."""
    if type(a) is Decimal and type(b) is Decimal:
        return _decimal_op(FEEL_CONTEXT.subtract, a, b)
    if a is None or b is None:
        return None
    return temporal.subtract(a, b)


def multiply(a: Any, b: Any) -> Any:
    """FEEL ``a * b``."""
    if type(a) is Decimal and type(b) is Decimal:
        return _decimal_op(FEEL_CONTEXT.multiply, a, b)
    if a is None or b is None:
        return None
    return temporal.multiply(a, b)


def divide(a: Any, b: Any) -> Any:
    """FEEL ``a / b``; division by zero is null."""
    if type(a) is Decimal and type(b) is Decimal:
        if not b:
            return None
        return _decimal_op(FEEL_CONTEXT.divide, a, b)
    if a is None or b is None:
        return None
    return temporal.divide(a, b)


def power(a: Any, b: Any) -> Any:
    """FEEL ``a ** b``."""
    if type(a) is not Decimal or type(b) is not Decimal:
        return None
    return _decimal_op(FEEL_CONTEXT.power, a, b)


def negate(a: Any) -> Any:
    """FEEL ``-a``."""
    if type(a) is Decimal:
        return -a
    if isinstance(a, dt.timedelta):
        return -a
    if isinstance(a, YearsMonthsDuration):
        return -a
    return None


def _decimal_op(op: Callable[[Decimal, Decimal], Decimal], a: Decimal, b: Decimal) -> Any:
    try:
        result = op(a, b)
    except (decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow):
        return None
    if not result.is_finite():
        return None
    return result


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": add, "-": subtract, "*": multiply, "/": divide, "**": power,
}


def _equal(a: Any, b: Any) -> Any:
    return feel_equal(a, b)


def _not_equal(a: Any, b: Any) -> Any:
    result = feel_equal(a, b)
    return None if result is None else not result


def _ordering(predicate: Callable[[int], bool]) -> Callable[[Any, Any], Any]:
    def compare(a: Any, b: Any) -> Any:
        result = feel_compare(a, b)
        return None if result is None else predicate(result)

    return compare


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": _equal,
    "!=": _not_equal,
    "<": _ordering(lambda c: c < 0),
    "<=": _ordering(lambda c: c <= 0),
    ">": _ordering(lambda c: c > 0),
    ">=": _ordering(lambda c: c >= 0),
}


# ---- public entry points --------------------------------------------------------------


@lru_cache(maxsize=4096)
def _compile_expression_cached(text: str, names: tuple[str, ...]) -> Compiled:
    return Compiler().compile(parse_expression(text, names))


def compile_expression(text: str, names: Iterable[str] = (),
                       types: TypeResolver | None = None) -> Callable[[Mapping[str, Any]], Any]:
    """Compile a FEEL expression to ``f(scope) -> value``.

    The scope holds FEEL values (see :func:`accord.feel.values.from_python`).

    Raises:
        FeelSyntaxError: when the text does not parse.
    """
    if types is not None:
        compiled = Compiler(types).compile(parse_expression(text, names))
    else:
        compiled = _compile_expression_cached(text, tuple(names))
    return lambda scope: compiled(dict(scope))


def compile_unary_tests(text: str, names: Iterable[str] = (),
                        types: TypeResolver | None = None
                        ) -> Callable[[Any, Mapping[str, Any]], Any]:
    """Compile FEEL unary tests to ``test(input, scope) -> True | False | None``."""
    test = Compiler(types).compile_test(parse_unary_tests(text, names))
    return lambda value, scope: test(value, dict(scope))


def evaluate(text: str, context: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a FEEL expression once; ``context`` may hold plain Python values (``int`` and
    ``float`` become FEEL numbers).

    >>> evaluate("a + 1", {"a": 2})
    Decimal('3')
    """
    scope = from_python(dict(context or {}))
    return compile_expression(text, scope.keys())(scope)
