"""FEEL values to and from JSON, guided by DMN types.

Reading (:func:`from_json`): JSON numbers are FEEL numbers (``Decimal``, read exactly by
:func:`parse_json`), and a string becomes a date, time, date and time or duration only where
the declared type says so (a ``string`` input holding ``"2024-01-01"`` stays a string), and a
component of a structured type left out of a JSON object is null. Text
that does not parse as the declared temporal type is kept as it is, so the engine reports it
as a DMN message naming the element, as for any value that does not conform.

Writing (:func:`to_json`): numbers are written exactly (no binary floating point), temporal
values as FEEL's ``string()`` gives them (ISO 8601), ranges and functions as FEEL text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accord.dmn.types import FeelType
from accord.errors import AccordError
from accord.feel import temporal
from accord.feel.builtins import feel_string, format_number
from accord.feel.values import from_python

__all__ = ["JsonInputError", "from_json", "parse_json", "to_json"]


class JsonInputError(AccordError):
    """A request body that is not the JSON object of inputs expected."""


def parse_json(body: bytes | str) -> Any:
    """Parse JSON with every number as a ``Decimal`` (``0.1`` stays exactly 0.1).

    Raises:
        JsonInputError: the text is not JSON.
    """
    try:
        return json.loads(body, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonInputError(f"the body is not JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a FEEL number")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "date": temporal.parse_date,
    "date and time": temporal.parse_datetime,
    "time": temporal.parse_time,
    "days and time duration": temporal.parse_duration,
    "years and months duration": temporal.parse_duration,
}


def from_json(value: Any, feel_type: FeelType | None) -> Any:
    """The FEEL value of a JSON value read for a variable of ``feel_type``."""
    if value is None:
        return None
    while feel_type is not None and feel_type.alias_of is not None and \
            not feel_type.is_collection:
        feel_type = feel_type.alias_of
    if feel_type is None:
        return from_python(value)
    if feel_type.is_collection and isinstance(value, list):
        return [from_json(item, feel_type.element) for item in value]
    if feel_type.components is not None and isinstance(value, dict):
        # a component the JSON leaves out is null (FEEL would otherwise see another type)
        out: dict[str, Any] = dict.fromkeys(feel_type.components)
        out.update((key, from_json(item, feel_type.components.get(key)))
                   for key, item in value.items())
        return out
    parse = _PARSERS.get(feel_type.base or "")
    if parse is not None and isinstance(value, str):
        parsed = parse(value)
        return value if parsed is None else parsed
    return from_python(value)


def to_json(value: Any) -> str:
    """JSON text of a FEEL value (numbers exact, temporals as ISO 8601 strings)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, Decimal):
        out.append(format_number(value) if value.is_finite() else "null")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, int | float):
        out.append(json.dumps(value))
    else:
        out.append(json.dumps(feel_string(value), ensure_ascii=False))
