"""List functions (DMN 1.5 clause 10.3.4.4) and ``sort`` (10.3.4.6)."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from accord.feel.builtins._common import Registry, as_int, as_list, builtin, list_or_args, trunc_int
from accord.feel.semantics import feel_compare, feel_equal
from accord.feel.values import FeelFunction

FUNCTIONS: Registry = {}


def _index(items: list[Any], position: Any, allow_end: bool = False) -> int | None:
    """0-based index of a 1-based (negative: from the end) FEEL position."""
    pos = trunc_int(position)
    if pos is None or pos == 0:
        return None
    size = len(items)
    index = pos - 1 if pos > 0 else size + pos
    limit = size if allow_end else size - 1
    if index < 0 or index > limit:
        return None
    return index


def _contains(items: list[Any], value: Any) -> bool:
    return any(feel_equal(item, value) is True for item in items)


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[tuple[type, Any]] = set()
    for item in items:
        t = type(item)
        if t is Decimal or t is str or t is bool:
            key = (t, item)
            if key in seen:
                continue
            seen.add(key)
            out.append(item)
        elif not _contains(out, item):
            out.append(item)
    return out


@builtin(FUNCTIONS, "list contains", ["list", "element"])
def list_contains(items: Any, element: Any) -> bool | None:
    """``list contains(list, element)``: FEEL equality, so it can find null."""
    values = as_list(items)
    return None if values is None else _contains(values, element)


@builtin(FUNCTIONS, "count", ["list"])
def count(items: Any) -> Decimal | None:
    """``count(list)``."""
    values = as_list(items)
    return None if values is None else Decimal(len(values))


def _booleans(args: tuple[Any, ...]) -> list[Any] | None:
    values = list_or_args(args)
    if values is None or not all(v is None or type(v) is bool for v in values):
        return None
    return values


def _all(*args: Any) -> bool | None:
    values = _booleans(args)
    if values is None:
        return None
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _any(*args: Any) -> bool | None:
    values = _booleans(args)
    if values is None:
        return None
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


for _name in ("all", "and"):
    builtin(FUNCTIONS, _name, ["list"], variadic=True)(_all)
for _name in ("any", "or"):
    builtin(FUNCTIONS, _name, ["list"], variadic=True)(_any)


@builtin(FUNCTIONS, "sublist", ["list", "start position", "length?"])
def sublist(items: Any, start: Any, length: Any = None) -> list[Any] | None:
    """``sublist(list, start position, length?)``."""
    values = as_list(items)
    if values is None:
        return None
    begin = _index(values, start)
    if begin is None:
        return None
    if length is None:
        return values[begin:]
    size = as_int(length)
    if size is None or size < 0 or begin + size > len(values):
        return None
    return values[begin : begin + size]


@builtin(FUNCTIONS, "append", ["list", "item"], variadic=True)
def append(items: Any = None, *more: Any) -> list[Any] | None:
    """``append(list, item...)``."""
    values = as_list(items)
    return None if values is None else [*values, *more]


@builtin(FUNCTIONS, "concatenate", ["list"], variadic=True)
def concatenate(*lists: Any) -> list[Any] | None:
    """``concatenate(list...)``."""
    out: list[Any] = []
    for items in lists:
        values = as_list(items)
        if values is None:
            return None
        out.extend(values)
    return out


@builtin(FUNCTIONS, "insert before", ["list", "position", "newItem"])
def insert_before(items: Any, position: Any, new_item: Any) -> list[Any] | None:
    """``insert before(list, position, newItem)``."""
    values = as_list(items)
    if values is None:
        return None
    index = _index(values, position)
    if index is None:
        return None
    return [*values[:index], new_item, *values[index:]]


@builtin(FUNCTIONS, "remove", ["list", "position"])
def remove(items: Any, position: Any) -> list[Any] | None:
    """``remove(list, position)``."""
    values = as_list(items)
    if values is None:
        return None
    index = _index(values, position)
    if index is None:
        return None
    return values[:index] + values[index + 1 :]


@builtin(FUNCTIONS, "reverse", ["list"])
def reverse(items: Any) -> list[Any] | None:
    """``reverse(list)``."""
    values = as_list(items)
    return None if values is None else values[::-1]


@builtin(FUNCTIONS, "index of", ["list", "match"])
def index_of(items: Any, match: Any) -> list[Decimal] | None:
    """``index of(list, match)``: 1-based positions of ``match``."""
    values = as_list(items)
    if values is None:
        return None
    return [Decimal(i + 1) for i, v in enumerate(values) if feel_equal(v, match) is True]


@builtin(FUNCTIONS, "union", ["list"], variadic=True)
def union(*lists: Any) -> list[Any] | None:
    """``union(list...)``: concatenation without duplicates."""
    joined = concatenate(*lists)
    return None if joined is None else _distinct(joined)


@builtin(FUNCTIONS, "distinct values", ["list"])
def distinct_values(items: Any) -> list[Any] | None:
    """``distinct values(list)``, first occurrence kept."""
    values = as_list(items)
    return None if values is None else _distinct(values)


def _flatten(values: list[Any], out: list[Any]) -> list[Any]:
    for value in values:
        if type(value) is list:
            _flatten(value, out)
        else:
            out.append(value)
    return out


@builtin(FUNCTIONS, "flatten", ["list"])
def flatten(items: Any) -> list[Any] | None:
    """``flatten(list)``: nested lists spliced in, recursively."""
    values = as_list(items)
    return None if values is None else _flatten(values, [])


class _Unordered(Exception):
    pass


def _natural(a: Any, b: Any) -> int:
    order = feel_compare(a, b)
    if order is None:
        raise _Unordered
    return order


@builtin(FUNCTIONS, "sort", ["list", "precedes?"])
def sort(items: Any, precedes: Any = None) -> list[Any] | None:
    """``sort(list, precedes?)``: stable; natural FEEL order without ``precedes``."""
    values = as_list(items)
    if values is None:
        return None
    if precedes is None:
        try:
            return sorted(values, key=functools.cmp_to_key(_natural))
        except _Unordered:
            return None
    if not isinstance(precedes, FeelFunction):
        return None

    def cmp(a: Any, b: Any) -> int:
        first = precedes(a, b)
        if type(first) is not bool:
            raise _Unordered
        if first:
            return -1
        second = precedes(b, a)
        if type(second) is not bool:
            raise _Unordered
        return 1 if second else 0

    try:
        return sorted(values, key=functools.cmp_to_key(cmp))
    except _Unordered:
        return None


def _arity_ok(function: FeelFunction, count: int) -> bool:
    return function.variadic or len(function.params) == count


@builtin(FUNCTIONS, "list replace", ["list", "position", "newItem"], ["list", "match", "newItem"])
def list_replace(items: Any, target: Any, new_item: Any) -> list[Any] | None:
    """``list replace(list, position, newItem)`` / ``list replace(list, match, newItem)``."""
    values = as_list(items)
    if values is None:
        return None
    if isinstance(target, FeelFunction):
        if not _arity_ok(target, 2):
            return None
        out: list[Any] = []
        for value in values:
            hit = target(value, new_item)
            if type(hit) is not bool:
                return None
            out.append(new_item if hit else value)
        return out
    index = _index(values, target)
    if index is None:
        return None
    out = list(values)
    out[index] = new_item
    return out
