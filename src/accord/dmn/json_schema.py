"""JSON Schema (draft 2020-12) of DMN types, for the inputs and outputs of decisions.

A resolved :class:`~accord.dmn.types.FeelType` maps to the JSON a client sends or receives
(see :mod:`accord.dmn.json_values`): numbers are JSON numbers, dates, times and durations
ISO 8601 strings, structures objects, collections arrays. Allowed values that are plain
literals become ``enum``; other unary tests are kept as written in ``x-feel-allowed-values``.

>>> from accord.dmn.types import FeelType
>>> schema_of(FeelType("d", base="date"))
{'type': 'string', 'format': 'date'}
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from accord.dmn.types import FeelType

__all__ = ["object_schema", "schema_of"]

_BASES: dict[str, dict[str, Any]] = {
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "date and time": {"type": "string", "format": "date-time"},
    "time": {"type": "string", "format": "time"},
    "days and time duration": {"type": "string", "format": "duration"},
    "years and months duration": {"type": "string", "format": "duration"},
    "list": {"type": "array"},
    "context": {"type": "object"},
    "Any": {},
}
_LITERAL_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?))\s*')


def _enum(text: str) -> list[Any] | None:
    """The literals of ``"a", "b"`` or ``1, 2``; ``None`` when the tests are not all literals."""
    values: list[Any] = []
    for part in text.split(","):
        m = _LITERAL_RE.fullmatch(part)
        if m is None:
            return None
        values.append(m.group(1) if m.group(1) is not None else _number(m.group(2)))
    return values


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def schema_of(feel_type: FeelType | None, seen: frozenset[int] = frozenset()) -> dict[str, Any]:
    """The JSON Schema of values of ``feel_type`` (``{}``, any JSON, when unknown).

    A recursive item definition is described to the depth it first repeats (then ``{}``).
    """
    if feel_type is None or id(feel_type) in seen:
        return {}
    seen = seen | {id(feel_type)}
    if feel_type.is_collection:
        items = schema_of(feel_type.element, seen)
        return {"type": "array", "items": items} if items else {"type": "array"}
    if feel_type.alias_of is not None:
        schema = dict(schema_of(feel_type.alias_of, seen))
    elif feel_type.components is not None:
        schema = object_schema({name: _untitled(schema_of(component, seen), name)
                                for name, component in feel_type.components.items()})
    elif feel_type.function:
        schema = {"description": "a FEEL function (not representable in JSON)"}
    else:
        schema = dict(_BASES.get(feel_type.base or "Any", {}))
    if feel_type.allowed_text:
        values = _enum(feel_type.allowed_text)
        if values is not None:
            schema["enum"] = values
        else:
            schema["x-feel-allowed-values"] = feel_type.allowed_text
    if feel_type.name and feel_type.name not in _BASES and feel_type.base is None:
        schema.setdefault("title", feel_type.name)
    return schema


def _untitled(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """A component's schema without a title that only repeats the component's name."""
    if schema.get("title") == name:
        del schema["title"]
    return schema


def object_schema(properties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An object with these properties (none required: FEEL inputs may be null)."""
    return {"type": "object", "properties": properties}
