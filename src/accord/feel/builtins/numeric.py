"""Numeric functions (DMN 1.5 clause 10.3.4.5) and the statistics of clause 10.3.4.4."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

from accord.feel.builtins._common import Registry, builtin, is_num, list_or_args, trunc_int
from accord.feel.semantics import feel_compare
from accord.feel.values import FEEL_CONTEXT, YearsMonthsDuration

FUNCTIONS: Registry = {}

_MIN_SCALE = -6111
_MAX_SCALE = 6176


def _round(value: Any, scale: Any, rounding: str) -> Decimal | None:
    if not is_num(value):
        return None
    n: Decimal = value
    places = trunc_int(scale)
    if places is None or not _MIN_SCALE <= places <= _MAX_SCALE:
        return None
    exponent = n.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return n  # already within the scale: nothing to round
    result = n.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=FEEL_CONTEXT)
    return result if result else abs(result)  # no negative zero


@builtin(FUNCTIONS, "decimal", ["n", "scale"])
def decimal_(n: Any, scale: Any) -> Decimal | None:
    """``decimal(n, scale)``: round half even to ``scale`` digits."""
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


@builtin(FUNCTIONS, "floor", ["n", "scale?"])
def floor(n: Any, scale: Any = Decimal(0)) -> Decimal | None:
    """``floor(n, scale?)``: round toward negative infinity."""
    return _round(n, scale, decimal.ROUND_FLOOR)


@builtin(FUNCTIONS, "ceiling", ["n", "scale?"])
def ceiling(n: Any, scale: Any = Decimal(0)) -> Decimal | None:
    """``ceiling(n, scale?)``: round toward positive infinity."""
    return _round(n, scale, decimal.ROUND_CEILING)


@builtin(FUNCTIONS, "round up", ["n", "scale"])
def round_up(n: Any, scale: Any) -> Decimal | None:
    """``round up(n, scale)``: round away from zero."""
    return _round(n, scale, decimal.ROUND_UP)


@builtin(FUNCTIONS, "round down", ["n", "scale"])
def round_down(n: Any, scale: Any) -> Decimal | None:
    """``round down(n, scale)``: round toward zero."""
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin(FUNCTIONS, "round half up", ["n", "scale"])
def round_half_up(n: Any, scale: Any) -> Decimal | None:
    """``round half up(n, scale)``: ties away from zero."""
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin(FUNCTIONS, "round half down", ["n", "scale"])
def round_half_down(n: Any, scale: Any) -> Decimal | None:
    """``round half down(n, scale)``: ties toward zero."""
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin(FUNCTIONS, "abs", ["n"])
def abs_(n: Any) -> Any:
    """``abs(n)`` of a number or a duration."""
    if is_num(n):
        return FEEL_CONTEXT.abs(n)
    if isinstance(n, dt.timedelta):
        return abs(n)
    if isinstance(n, YearsMonthsDuration):
        return YearsMonthsDuration(abs(n.months))
    return None


@builtin(FUNCTIONS, "modulo", ["dividend", "divisor"])
def modulo(dividend: Any, divisor: Any) -> Decimal | None:
    """``modulo(dividend, divisor)``: the remainder takes the sign of the divisor."""
    if not is_num(dividend) or not is_num(divisor) or divisor.is_zero():
        return None
    quotient = FEEL_CONTEXT.divide(dividend, divisor).to_integral_value(
        rounding=decimal.ROUND_FLOOR
    )
    return FEEL_CONTEXT.subtract(dividend, FEEL_CONTEXT.multiply(divisor, quotient))


@builtin(FUNCTIONS, "sqrt", ["number"])
def sqrt(number: Any) -> Decimal | None:
    """``sqrt(number)``; null for a negative number."""
    if not is_num(number) or number < 0:
        return None
    value: Decimal = number
    return value.sqrt(FEEL_CONTEXT)


@builtin(FUNCTIONS, "log", ["number"])
def log(number: Any) -> Decimal | None:
    """``log(number)``: natural logarithm; null unless ``number > 0``."""
    if not is_num(number) or number <= 0:
        return None
    value: Decimal = number
    return value.ln(FEEL_CONTEXT)


@builtin(FUNCTIONS, "exp", ["number"])
def exp(number: Any) -> Decimal | None:
    """``exp(number)``: e raised to ``number``."""
    if not is_num(number):
        return None
    value: Decimal = number
    return value.exp(FEEL_CONTEXT)


def _parity(number: Any) -> int | None:
    if not is_num(number) or number != number.to_integral_value():
        return None
    return int(number) % 2


@builtin(FUNCTIONS, "odd", ["number"])
def odd(number: Any) -> bool | None:
    """``odd(number)``; null for a non-integer."""
    parity = _parity(number)
    return None if parity is None else parity == 1


@builtin(FUNCTIONS, "even", ["number"])
def even(number: Any) -> bool | None:
    """``even(number)``; null for a non-integer."""
    parity = _parity(number)
    return None if parity is None else parity == 0


# --------------------------------------------------------------------------- statistics


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = list_or_args(args)
    if items is None or not all(is_num(x) for x in items):
        return None
    return items


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = list_or_args(args)
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = feel_compare(item, best)
        if order is None:
            return None
        if order == sign:
            best = item
    if feel_compare(best, best) is None:
        return None  # a single value that is not ordered (boolean, list...)
    return best


@builtin(FUNCTIONS, "min", ["list"], variadic=True)
def min_(*args: Any) -> Any:
    """``min(list)`` / ``min(c1, c2, ...)`` of comparable values."""
    return _extreme(args, -1)


@builtin(FUNCTIONS, "max", ["list"], variadic=True)
def max_(*args: Any) -> Any:
    """``max(list)`` / ``max(c1, c2, ...)`` of comparable values."""
    return _extreme(args, 1)


@builtin(FUNCTIONS, "sum", ["list"], variadic=True)
def sum_(*args: Any) -> Decimal | None:
    """``sum(list)`` of numbers; null for an empty list."""
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(0)
    for item in items:
        total = FEEL_CONTEXT.add(total, item)
    return total


@builtin(FUNCTIONS, "mean", ["list"], variadic=True)
def mean(*args: Any) -> Decimal | None:
    """``mean(list)`` of numbers; null for an empty list."""
    items = _numbers(args)
    if not items:
        return None
    total = sum_(items)
    return None if total is None else FEEL_CONTEXT.divide(total, Decimal(len(items)))


@builtin(FUNCTIONS, "product", ["list"], variadic=True)
def product(*args: Any) -> Decimal | None:
    """``product(list)`` of numbers; null for an empty list."""
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(1)
    for item in items:
        total = FEEL_CONTEXT.multiply(total, item)
    return total


@builtin(FUNCTIONS, "median", ["list"], variadic=True)
def median(*args: Any) -> Decimal | None:
    """``median(list)``: middle value, or mean of the two middle values; null if empty."""
    items = _numbers(args)
    if not items:
        return None
    ordered = sorted(items)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return FEEL_CONTEXT.divide(FEEL_CONTEXT.add(ordered[mid - 1], ordered[mid]), Decimal(2))


@builtin(FUNCTIONS, "stddev", ["list"], variadic=True)
def stddev(*args: Any) -> Decimal | None:
    """``stddev(list)``: sample standard deviation; null for fewer than two numbers."""
    items = _numbers(args)
    if items is None or len(items) < 2:
        return None
    count = Decimal(len(items))
    total = Decimal(0)
    for item in items:
        total = FEEL_CONTEXT.add(total, item)
    average = FEEL_CONTEXT.divide(total, count)
    squares = Decimal(0)
    for item in items:
        diff = FEEL_CONTEXT.subtract(item, average)
        squares = FEEL_CONTEXT.add(squares, FEEL_CONTEXT.multiply(diff, diff))
    variance = FEEL_CONTEXT.divide(squares, count - 1)
    return variance.sqrt(FEEL_CONTEXT)


@builtin(FUNCTIONS, "mode", ["list"], variadic=True)
def mode(*args: Any) -> list[Decimal] | None:
    """``mode(list)``: the most frequent numbers, ascending; ``[]`` for an empty list."""
    items = _numbers(args)
    if items is None:
        return None
    counts: dict[Decimal, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(k for k, v in counts.items() if v == top)
