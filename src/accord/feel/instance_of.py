"""``instance of`` and type conformance (DMN 1.5 clause 10.3.2.9.1, types in 10.3.2.1).

Item definitions from a DMN model are resolved through a :data:`TypeResolver`, so this module
stays independent of the DMN package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accord.feel import ast
from accord.feel.values import FeelFunction, Range, YearsMonthsDuration
from accord.feel.wide import WideDate, WideDateTime, WideTime

#: Maps an item definition name to a predicate, or ``None`` when the name is unknown.
TypeResolver = Callable[[str], "Callable[[Any], bool] | None"]


def _is_time(value: Any) -> bool:
    return isinstance(value, dt.time | WideTime)


def _is_date(value: Any) -> bool:
    return type(value) is dt.date or type(value) is WideDate


def _is_date_time(value: Any) -> bool:
    return isinstance(value, dt.datetime | WideDateTime)


#: Built-in type names to predicates on non-null values.
BUILTIN_TYPES: dict[str, Callable[[Any], bool]] = {
    "Any": lambda v: True,
    "number": lambda v: type(v) is Decimal,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "date": _is_date,
    "time": _is_time,
    "date and time": _is_date_time,
    "dateTime": _is_date_time,
    "days and time duration": lambda v: isinstance(v, dt.timedelta),
    "dayTimeDuration": lambda v: isinstance(v, dt.timedelta),
    "years and months duration": lambda v: isinstance(v, YearsMonthsDuration),
    "yearMonthDuration": lambda v: isinstance(v, YearsMonthsDuration),
    "list": lambda v: isinstance(v, list),
    "context": lambda v: isinstance(v, dict),
    "range": lambda v: isinstance(v, Range),
    "function": lambda v: isinstance(v, FeelFunction),
}


def type_check(value: Any, type_ref: ast.TypeRef, types: TypeResolver | None = None) -> Any:
    """``value instance of type_ref``: ``True``/``False``, ``None`` for an unknown type."""
    if type_ref.name == "Null":
        return value is None
    if value is None:
        return False
    if type_ref.name == "list" and type_ref.params:
        return isinstance(value, list) and all(
            item is None or type_check(item, type_ref.params[0], types) is True
            for item in value)
    if type_ref.name == "range" and type_ref.params:
        inner = type_ref.params[0]
        return isinstance(value, Range) and all(
            end is None or type_check(end, inner, types) is True
            for end in (value.start, value.end))
    if type_ref.name == "context" and type_ref.fields:
        return isinstance(value, dict) and all(
            key in value and (value[key] is None or type_check(value[key], t, types) is True)
            for key, t in type_ref.fields)
    if type_ref.name == "function" and (type_ref.params or type_ref.result):
        return isinstance(value, FeelFunction) and (
            not type_ref.params or len(value.params) == len(type_ref.params))
    predicate = BUILTIN_TYPES.get(type_ref.name)
    if predicate is None and types is not None:
        predicate = types(type_ref.name)
    if predicate is None:
        return None
    return predicate(value)
