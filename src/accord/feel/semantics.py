"""FEEL equality and ordering over every FEEL type (DMN 1.5 clause 10.3.2.3, table 54-55).

* :func:`feel_equal` implements ``=`` (``!=`` is its negation, null stays null):
  ``null = null`` is true, ``null = 1`` is false, values of different types give null;
  lists compare element-wise, contexts key-wise, ranges endpoint-wise.
* :func:`feel_compare` implements ``<``, ``<=``, ``>``, ``>=``: -1/0/1, or ``None`` (null)
  when either side is null or the two values are not ordered (different types, booleans,
  lists, contexts...).
* :func:`feel_is` implements the ``is(value1, value2)`` built-in.
* :func:`in_range` tests ``value in range``.

Both are tuned for the common ``Decimal``/``str`` case used by decision tables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accord.feel import temporal
from accord.feel.values import FeelFunction, Range, YearsMonthsDuration
from accord.feel.wide import WideDate, WideDateTime, WideTime

__all__ = ["feel_compare", "feel_equal", "feel_is", "in_range"]

_TEMPORAL = (dt.date, dt.datetime, dt.time, dt.timedelta, YearsMonthsDuration,
             WideDate, WideDateTime, WideTime)


def feel_equal(a: Any, b: Any) -> bool | None:
    """FEEL ``a = b``: ``True``/``False``, or ``None`` when the types are not comparable."""
    ta = type(a)
    if ta is type(b) and (ta is Decimal or ta is str or ta is bool):
        return bool(a == b)
    if a is None or b is None:
        return a is None and b is None
    tb = type(b)
    if ta is list:
        if tb is not list:
            return None
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            r = feel_equal(x, y)
            if r is not True:
                return r
        return True
    if ta is dict:
        if tb is not dict:
            return None
        if a.keys() != b.keys():
            return False
        for key, x in a.items():
            r = feel_equal(x, b[key])
            if r is not True:
                return r
        return True
    if ta in _TEMPORAL:
        return temporal.equal(a, b)
    if ta is Range:
        if tb is not Range:
            return None
        if a.start_closed != b.start_closed or a.end_closed != b.end_closed \
                or a.test != b.test:
            return False
        start = feel_equal(a.start, b.start)
        if start is not True:
            return start
        return feel_equal(a.end, b.end)
    if isinstance(a, FeelFunction):
        return a is b if isinstance(b, FeelFunction) else None
    if ta is tb:
        return bool(a == b)
    return None


def feel_compare(a: Any, b: Any) -> int | None:
    """Order ``a`` and ``b``: -1, 0 or 1, or ``None`` when not ordered (or either is null)."""
    ta = type(a)
    if ta is type(b):
        if ta is Decimal or ta is str:
            return -1 if a < b else (1 if a > b else 0)
        if ta in _TEMPORAL:
            return temporal.compare(a, b)
    elif ta in _TEMPORAL and type(b) in _TEMPORAL:  # a wide value and a datetime one
        return temporal.compare(a, b)
    return None


def feel_is(a: Any, b: Any) -> bool:
    """The ``is(value1, value2)`` built-in: same type and same value, never null.

    Unlike ``=``, temporal values must also agree on their offset or zone id
    (``is(@"12:00:00Z", @"13:00:00+01:00")`` is false).
    """
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b):
        return False
    if type(a) in _TEMPORAL:
        return temporal.is_same(a, b)
    return feel_equal(a, b) is True


def in_range(value: Any, rng: Range) -> bool | None:
    """``value in rng``: ``None`` when an endpoint does not compare with ``value``."""
    if value is None:
        return None
    if rng.test == "!=":
        equal = feel_equal(value, rng.start)
        return None if equal is None else not equal
    if rng.test is None and (rng.start is None or rng.end is None):
        return None  # a null endpoint (``(null..10]``): membership is unknown
    if (rng.test in ("<", "<=") and rng.end is None) or \
            (rng.test in (">", ">=") and rng.start is None):
        return None  # ``< x`` with x null: as the unary test itself, unknown
    if rng.start is not None:
        c = feel_compare(value, rng.start)
        if c is None:
            return None
        if c < 0 or (c == 0 and not rng.start_closed):
            return False
    elif rng.start_closed:
        return None
    if rng.end is not None:
        c = feel_compare(value, rng.end)
        if c is None:
            return None
        if c > 0 or (c == 0 and not rng.end_closed):
            return False
    elif rng.end_closed:
        return None
    return True
