"""Hit policies: a decision table's result from its matched rules (DMN 1.5 clause 8.2.11).

Shared by the general evaluator and the generated fast path, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.dmn.model import Aggregation, HitPolicy
from accord.dmn.types import FeelType
from accord.feel.semantics import feel_compare, feel_equal

Env = dict[str, Any]
Test = Callable[[Any, Env], Any]


@dataclass(slots=True)
class CompiledOutput:
    """One output column: its name, type, and the priority tests of its output values."""

    name: str | None
    type: FeelType | None
    priorities: list[Test] | None
    default: Callable[[Env], Any] | None

    def check(self, value: Any) -> Any:
        """The value, coerced to the column type; ``None`` when not allowed."""
        if self.type is not None:
            value = self.type.coerce(value)
        if value is not None and self.priorities is not None and self.priority(value) is None:
            return None
        return value

    def priority(self, value: Any) -> int | None:
        """Index of the first output value ``value`` satisfies (0 is the highest priority)."""
        assert self.priorities is not None
        for index, test in enumerate(self.priorities):
            if test(value, {}) is True:
                return index
        return None


def _row_value(row: list[Any], outputs: list[CompiledOutput], single: bool) -> Any:
    if single:
        return row[0]
    return {output.name: value for output, value in zip(outputs, row, strict=True)}


def _default(outputs: list[CompiledOutput], env: Env, single: bool) -> Any:
    if all(output.default is None for output in outputs):
        return None
    row = [output.check(output.default(env)) if output.default is not None else None
           for output in outputs]
    return _row_value(row, outputs, single)


def _priority_key(row: list[Any], outputs: list[CompiledOutput]) -> tuple[int, ...]:
    key = []
    for output, value in zip(outputs, row, strict=True):
        if output.priorities is None:
            continue
        index = output.priority(value) if value is not None else None
        key.append(len(output.priorities) if index is None else index)
    return tuple(key)


def _same_rows(rows: list[list[Any]]) -> bool:
    first = rows[0]
    return all(all(feel_equal(a, b) is True or (a is None and b is None)
                   for a, b in zip(first, row, strict=True)) for row in rows[1:])


def apply_hit_policy(policy: HitPolicy, aggregation: Aggregation | None,
                     outputs: list[CompiledOutput], matched: list[tuple[str, list[Any]]],
                     env: Env, single: bool) -> Any:
    """The table's result from its matched rules (in rule order)."""
    if not matched:
        if policy in _MULTIPLE and aggregation is None:
            default = _default(outputs, env, single)
            return [] if default is None else default
        if aggregation is Aggregation.COUNT:
            return Decimal(0)
        return _default(outputs, env, single)
    rows = [row for _, row in matched]
    if policy is HitPolicy.FIRST:
        return _row_value(rows[0], outputs, single)
    if policy is HitPolicy.UNIQUE:
        return _row_value(rows[0], outputs, single) if len(rows) == 1 else None
    if policy is HitPolicy.ANY:
        return _row_value(rows[0], outputs, single) if _same_rows(rows) else None
    if policy is HitPolicy.PRIORITY:
        best = min(rows, key=lambda row: _priority_key(row, outputs))
        return _row_value(best, outputs, single)
    if policy is HitPolicy.OUTPUT_ORDER:
        rows = sorted(rows, key=lambda row: _priority_key(row, outputs))
    values = [_row_value(row, outputs, single) for row in rows]
    if policy is HitPolicy.COLLECT and aggregation is not None:
        return _AGGREGATE[aggregation](values)
    return values


_MULTIPLE = frozenset({HitPolicy.COLLECT, HitPolicy.RULE_ORDER, HitPolicy.OUTPUT_ORDER})


def _sum(values: list[Any]) -> Any:
    if not all(type(v) is Decimal for v in values):
        return None
    total = Decimal(0)
    for value in values:
        total += value
    return total


def _extreme(sign: int) -> Callable[[list[Any]], Any]:
    def pick(values: list[Any]) -> Any:
        best = values[0]
        for value in values[1:]:
            order = feel_compare(value, best)
            if order is None:
                return None
            if order * sign > 0:
                best = value
        return best

    return pick


_AGGREGATE: dict[Aggregation, Callable[[list[Any]], Any]] = {
    Aggregation.SUM: _sum,
    Aggregation.COUNT: lambda values: Decimal(len(values)),
    Aggregation.MIN: _extreme(-1),
    Aggregation.MAX: _extreme(1),
}
