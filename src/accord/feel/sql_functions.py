"""FEEL arithmetic and built-in functions to SQL (DMN 1.5 clauses 10.3.2.2, 10.3.4).

:data:`FUNCTIONS` maps a FEEL function name to a builder of its SQL. A builder receives the
compiled arguments; arguments of the wrong kind give null, as the built-ins do in FEEL.
``date(...)`` and ``date and time(...)`` of literals are evaluated here, by the Python path,
and become SQL literals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlglot import exp

from accord.feel import ast
from accord.feel.builtins import BUILTINS
from accord.feel.compiler import Compiler
from accord.feel.sql_values import (
    ANY,
    BOOLEAN,
    DATE,
    DATE_TIME,
    NULL,
    NUMBER,
    NUMBER_TYPE,
    ORDERED,
    SCALE,
    STRING,
    Typed,
    as_decimal,
    case,
    is_null,
    literal,
    negate,
    null,
    number,
    or_,
    paren,
)

if TYPE_CHECKING:
    from accord.feel.sql import SqlCompiler

Builder = Callable[["SqlCompiler", ast.Call, Sequence[Typed]], Typed]
_BIGINT = exp.DataType.build("BIGINT")
_DOUBLE = exp.DataType.build("DOUBLE")


def _decimal(sql: exp.Expression) -> exp.Expression:
    return exp.Cast(this=sql, to=NUMBER_TYPE.copy())


def _operands(left: Typed, right: Typed) -> tuple[exp.Expression, exp.Expression]:
    return paren(as_decimal(left.sql)), paren(as_decimal(right.sql))


def _is_num(*values: Typed) -> bool:
    return all(v.kind in (NUMBER, ANY) for v in values)


def _is_str(*values: Typed) -> bool:
    return all(v.kind in (STRING, ANY) for v in values)


# ---- arithmetic -------------------------------------------------------------------------


def arithmetic(compiler: SqlCompiler, node: ast.Arithmetic) -> Typed:
    """``a + b``, ``a - b``, ``a * b``, ``a / b`` (``**`` is not supported)."""
    if node.op == "**":
        raise compiler.unsupported("exponentiation (**)", node)
    left, right = compiler.expression(node.left), compiler.expression(node.right)
    temporal = {left.kind, right.kind} & {DATE, DATE_TIME}
    if temporal:
        raise compiler.unsupported(f"arithmetic on {' and '.join(sorted(temporal))} values",
                                   node)
    if node.op == "+" and STRING in (left.kind, right.kind) and _is_str(left, right):
        return Typed(exp.DPipe(this=paren(left.sql), expression=paren(right.sql), safe=True),
                     STRING)
    if not _is_num(left, right):
        return null(NUMBER if {left.kind, right.kind} <= {NUMBER, NULL} else NULL)
    a, b = _operands(left, right)
    if node.op == "+":
        return Typed(exp.Add(this=a, expression=b), NUMBER)
    if node.op == "-":
        return Typed(exp.Sub(this=a, expression=b), NUMBER)
    if node.op == "*":
        return Typed(_decimal(exp.Mul(this=a, expression=b)), NUMBER)
    return _divide(node, a, b)


def _divide(node: ast.Arithmetic, a: exp.Expression, b: exp.Expression) -> Typed:
    divisor = _literal_number(node.right)
    if divisor is not None:
        if not divisor:
            return null(NUMBER)
        reciprocal = 1 / divisor
        if reciprocal == reciprocal.quantize(Decimal(1).scaleb(-SCALE)):
            return Typed(_decimal(exp.Mul(this=a, expression=number(reciprocal))), NUMBER)
    nonzero = exp.Nullif(this=exp.Cast(this=b, to=_DOUBLE.copy()), expression=exp.Literal.number(0))
    quotient = exp.Div(this=exp.Cast(this=a, to=_DOUBLE.copy()), expression=nonzero)
    return Typed(_decimal(quotient), NUMBER)


def _literal_number(node: ast.Node) -> Decimal | None:
    if isinstance(node, ast.Literal) and type(node.value) is Decimal:
        return node.value
    if isinstance(node, ast.Negation):
        inner = _literal_number(node.operand)
        return None if inner is None else -inner
    return None


# ---- calls ------------------------------------------------------------------------------


def call(compiler: SqlCompiler, node: ast.Call) -> Typed:
    """A built-in function call (positional or named arguments)."""
    if not isinstance(node.function, ast.Name):
        compiler.expression(node.function)  # raises for function definitions, paths...
        raise compiler.unsupported("calls of computed functions", node)
    if node.function.name not in FUNCTIONS:
        raise compiler.unsupported(f"function {node.function.name!r}", node)
    name = node.function.name
    args = _positional(compiler, node, name)
    if name in _CONSTRUCTORS and all(_is_constant(arg) for arg in args):
        return _fold(compiler, node, name, args)
    return FUNCTIONS[name](compiler, node, [compiler.expression(arg) for arg in args])


def _positional(compiler: SqlCompiler, node: ast.Call, name: str) -> list[ast.Node]:
    if node.named is None:
        return list(node.args)
    function = BUILTINS[name]
    for signature in function.overloads or [function.params]:
        given = dict(node.named)
        if set(given) <= set(signature):
            last = max((signature.index(n) for n in given), default=-1)
            missing = ast.Literal(node.pos, None)
            return [given.get(param, missing) for param in signature[:last + 1]]
    raise compiler.unsupported(f"named arguments {sorted(dict(node.named))} of {name!r}", node)


def _is_constant(node: ast.Node) -> bool:
    if isinstance(node, ast.Literal):
        return True
    if isinstance(node, ast.Negation):
        return _is_constant(node.operand)
    return False


def _fold(compiler: SqlCompiler, node: ast.Call, name: str, args: list[ast.Node]) -> Typed:
    value = Compiler().compile(ast.Call(node.pos, node.function, tuple(args)))({})
    if value is None:
        return null(_CONSTRUCTORS[name])
    try:
        return literal(value)
    except Exception as exc:
        raise compiler.unsupported(f"{name}(...) giving {exc}", node) from None


_CONSTRUCTORS = {"date": DATE, "date and time": DATE_TIME}


def _date(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
    if len(args) == 1 and args[0].kind in (DATE, DATE_TIME):
        return Typed(exp.Cast(this=args[0].sql, to=exp.DataType.build("DATE")), DATE)
    if len(args) == 1 and args[0].kind == NULL:
        return null(DATE)
    raise compiler.unsupported("date() of a non-literal string or of numbers", node)


def _date_and_time(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
    if len(args) == 1 and args[0].kind == DATE_TIME:
        return args[0]
    raise compiler.unsupported("date and time() of non-literal arguments", node)


def _unary(kind_in: str, kind_out: str, build: Callable[[exp.Expression], exp.Expression]
           ) -> Builder:
    def builder(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
        if len(args) != 1 or args[0].kind not in (kind_in, ANY):
            return null(kind_out)
        return Typed(build(args[0].sql), kind_out)

    return builder


def _string_predicate(sql_class: type[exp.Expression]) -> Builder:
    def builder(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
        if len(args) != 2 or not _is_str(*args):
            return null(BOOLEAN)
        return Typed(sql_class(this=args[0].sql, expression=args[1].sql), BOOLEAN)

    return builder


def _rounding(sql_class: type[exp.Expression]) -> Builder:
    """``floor(n)``, ``ceiling(n)``, and with a literal scale ``floor(n, 2)``."""
    def builder(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
        if not 1 <= len(args) <= 2 or not _is_num(args[0]):
            return null(NUMBER)
        places = 0
        if len(args) == 2:
            scale = _literal_number(node.args[1]) if node.named is None else None
            if scale is None:
                raise compiler.unsupported("floor() or ceiling() with a non-literal scale",
                                           node)
            places = int(scale)  # FEEL truncates the scale
            if places > SCALE:
                return Typed(args[0].sql, NUMBER)  # SQL numbers have no finer digits
        shift = Decimal(10) ** places
        scaled = exp.Mul(this=paren(as_decimal(args[0].sql)), expression=number(shift))
        rounded = sql_class(this=_decimal(scaled))
        return Typed(_decimal(exp.Mul(this=rounded, expression=number(1 / shift))), NUMBER)

    return builder


def _extreme(sql_class: type[exp.Expression]) -> Builder:
    """``min(a, b, ...)``/``max(...)``: null if any is null or they are not ordered."""
    def builder(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
        items = list(args)
        if len(node.args) == 1 and isinstance(node.args[0], ast.ListNode):
            items = [compiler.expression(item) for item in node.args[0].items]
        if not items or any(item.kind not in ORDERED | {NULL} for item in items):
            return null(NULL)
        kinds = {item.kind for item in items} - {NULL, ANY}
        if len(kinds) > 1:
            return null(NULL)  # values of different types are not ordered
        kind = kinds.pop() if kinds else ANY
        if len(items) == 1:
            return items[0]
        if any(item.kind == NULL for item in items):
            return null(kind)
        any_null = or_(*(is_null(item.sql) for item in items))
        best = sql_class(this=items[0].sql, expressions=[item.sql for item in items[1:]],
                         ignore_nulls=True)
        return Typed(case([(any_null, null(kind).sql)], best), kind)

    return builder


def _not(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
    if len(args) != 1 or args[0].kind not in (BOOLEAN, ANY):
        return null(BOOLEAN)
    return Typed(negate(args[0].sql), BOOLEAN)


def _int_arg(node: ast.Node | None, value: Typed) -> int | exp.Expression:
    """A number argument truncated toward zero: a Python int for a literal, else SQL."""
    literal_value = _literal_number(node) if node is not None else None
    if literal_value is not None:
        return int(literal_value)
    return exp.Cast(this=exp.Trunc(this=value.sql), to=_BIGINT.copy())


def _sql_int(value: int | exp.Expression) -> exp.Expression:
    return number(value) if isinstance(value, int) else value.copy()


def _substring(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
    """``substring(s, start, length?)``: 1-based, a negative start counts from the end,
    start 0 or beyond either end and a negative length are null (start/length truncate)."""
    if not 2 <= len(args) <= 3 or not _is_str(args[0]) or not _is_num(*args[1:]):
        return null(STRING)
    plain = node.named is None
    string, size = args[0].sql, exp.Length(this=args[0].sql.copy())
    start = _int_arg(node.args[1] if plain else None, args[1])
    count = _int_arg(node.args[2] if plain else None, args[2]) if len(args) == 3 else None
    if start == 0 or (isinstance(count, int) and count < 0):
        return null(STRING)
    zero, one = exp.Literal.number(0), exp.Literal.number(1)
    whens: list[tuple[exp.Expression, exp.Expression]] = []
    if isinstance(start, int) and start > 0:
        first: exp.Expression = number(start)
        whens.append((exp.GT(this=number(start - 1), expression=size), null(STRING).sql))
    elif isinstance(start, int):
        first = exp.Add(this=size.copy(), expression=number(start + 1))
        whens.append((exp.LT(this=exp.Add(this=size.copy(), expression=number(start)),
                             expression=zero.copy()), null(STRING).sql))
    else:
        begin = case([(exp.GT(this=start, expression=zero.copy()),
                       exp.Sub(this=start.copy(), expression=one.copy()))],
                     exp.Add(this=size.copy(), expression=start.copy()))
        whens += [(exp.EQ(this=start.copy(), expression=zero.copy()), null(STRING).sql),
                  (or_(exp.LT(this=begin, expression=zero.copy()),
                       exp.GT(this=begin.copy(), expression=size.copy())), null(STRING).sql)]
        first = exp.Add(this=paren(begin.copy()), expression=one.copy())
    if count is None:
        return Typed(case(whens, exp.Substring(this=string.copy(), start=first)), STRING)
    length = _sql_int(count)
    if not isinstance(count, int):
        # a negative length is an error; a null one too (SUBSTRING gives null for it)
        whens.append((exp.LT(this=count, expression=zero.copy()), null(STRING).sql))
    result = exp.Substring(this=string.copy(), start=first, length=length)
    return Typed(case(whens, result), STRING)


def _list_contains(compiler: SqlCompiler, node: ast.Call, args: Sequence[Typed]) -> Typed:
    """``list contains(list, item)`` over a list column (segment memberships); a null list
    gives null, as in FEEL. ``ArrayContains`` lets each dialect name its own function."""
    if len(args) != 2 or args[0].kind == NULL:
        return null(BOOLEAN)
    return Typed(exp.ArrayContains(this=args[0].sql, expression=args[1].sql), BOOLEAN)


FUNCTIONS: dict[str, Builder] = {
    "not": _not,
    "date": _date,
    "date and time": _date_and_time,
    "string length": _unary(STRING, NUMBER, lambda s: _decimal(exp.Length(this=s))),
    "upper case": _unary(STRING, STRING, lambda s: exp.Upper(this=s)),
    "lower case": _unary(STRING, STRING, lambda s: exp.Lower(this=s)),
    "substring": _substring,
    "list contains": _list_contains,
    "contains": _string_predicate(exp.Contains),
    "starts with": _string_predicate(exp.StartsWith),
    "ends with": _string_predicate(exp.EndsWith),
    "abs": _unary(NUMBER, NUMBER, lambda n: exp.Abs(this=n)),
    "floor": _rounding(exp.Floor),
    "ceiling": _rounding(exp.Ceil),
    "min": _extreme(exp.Least),
    "max": _extreme(exp.Greatest),
}

__all__ = ["FUNCTIONS", "arithmetic", "call"]
