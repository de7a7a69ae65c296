"""JSON output of FEEL values, exact for numbers.

``json.dumps`` would turn a ``Decimal`` into a float (or refuse it); here a FEEL number is
written with all its digits (``0.1`` stays ``0.1``, ``1E+2`` becomes ``100``). Other FEEL
values that JSON lacks become strings in ISO 8601 / FEEL notation:

* date ``"2024-01-31"``, time ``"10:30:00"``/``"10:30:00+01:00"``/``"10:30:00Z"``/
  ``"10:30:00@Europe/Paris"``, date and time likewise with a ``T``;
* durations ``"P1DT2H"``, ``"P1Y2M"`` (:mod:`accord.feel.values` formatters);
* ranges in FEEL syntax (``"[1..10)"``, ``"> 5"``); functions ``"<function>"``.

Dataclasses and named tuples (such as result messages) become objects of their fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accord.feel.values import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    format_dt_duration,
    format_ym_duration,
)


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of a FEEL value (or a structure of them)."""
    out: list[str] = []
    _write(value, out, indent, 0)
    return "".join(out)


def format_number(value: Decimal) -> str:
    """A JSON number with every digit of ``value``; ``null`` for NaN and infinities."""
    if not value.is_finite():
        return "null"
    if -30 <= value.adjusted() <= 40:
        return format(value, "f")
    return str(value).replace("e", "E")


def temporal_text(value: dt.date | dt.time | dt.datetime) -> str:
    """ISO 8601 text of a date, time or date and time (``@zone`` for IANA zones, ``Z``)."""
    if isinstance(value, dt.datetime | dt.time):
        tz = value.tzinfo
        if isinstance(tz, ZoneInfo):
            return f"{value.replace(tzinfo=None).isoformat()}@{tz.key}"
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()


def feel_text(value: Any) -> str:
    """FEEL-literal-like text of a value, as used inside range endpoints."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return f'date and time("{temporal_text(value)}")'
    if isinstance(value, dt.date):
        return f'date("{temporal_text(value)}")'
    if isinstance(value, dt.time):
        return f'time("{temporal_text(value)}")'
    if isinstance(value, dt.timedelta):
        return f'duration("{format_dt_duration(value)}")'
    if isinstance(value, YearsMonthsDuration):
        return f'duration("{format_ym_duration(value)}")'
    return str(value)


def range_text(value: Range) -> str:
    """A range in FEEL syntax: ``[1..10)``, ``> 5``, ``<= date("2024-01-01")``."""
    if value.start is None and not value.start_closed:
        if value.end is None and not value.end_closed:
            return "(..)"
        return ("<= " if value.end_closed else "< ") + feel_text(value.end)
    if value.end is None and not value.end_closed:
        return (">= " if value.start_closed else "> ") + feel_text(value.start)
    return (("[" if value.start_closed else "(") + feel_text(value.start) + ".."
            + feel_text(value.end) + ("]" if value.end_closed else ")"))


def _scalar(value: Any) -> str | None:
    """Text for FEEL values JSON has no type for, else None."""
    if isinstance(value, dt.date | dt.time):
        return temporal_text(value)
    if isinstance(value, dt.timedelta):
        return format_dt_duration(value)
    if isinstance(value, YearsMonthsDuration):
        return format_ym_duration(value)
    if isinstance(value, Range):
        return range_text(value)
    if isinstance(value, FeelFunction) or callable(value):
        return "<function>"
    return None


def _write(value: Any, out: list[str], indent: int | None, level: int) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, Decimal):
        out.append(format_number(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(repr(value) if value == value and abs(value) != float("inf") else "null")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, enum.Enum):
        _write(value.value, out, indent, level)
    elif (text := _scalar(value)) is not None:
        out.append(json.dumps(text, ensure_ascii=False))
    elif isinstance(value, Mapping):
        _write_object([(str(k), v) for k, v in value.items()], out, indent, level)
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        _write_object(list(value._asdict().items()), out, indent, level)  # type: ignore[attr-defined]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
        _write_object(items, out, indent, level)
    elif isinstance(value, list | tuple | set | frozenset):
        _write_array(list(value), out, indent, level)
    else:
        out.append(json.dumps(str(value), ensure_ascii=False))


def _write_object(items: list[tuple[str, Any]], out: list[str], indent: int | None,
                  level: int) -> None:
    if not items:
        out.append("{}")
        return
    out.append("{")
    for number, (key, item) in enumerate(items):
        if number:
            out.append(",")
        _newline(out, indent, level + 1)
        out.append(json.dumps(key, ensure_ascii=False))
        out.append(": " if indent is not None else ":")
        _write(item, out, indent, level + 1)
    _newline(out, indent, level)
    out.append("}")


def _write_array(items: list[Any], out: list[str], indent: int | None, level: int) -> None:
    if not items:
        out.append("[]")
        return
    out.append("[")
    for number, item in enumerate(items):
        if number:
            out.append(",")
        _newline(out, indent, level + 1)
        _write(item, out, indent, level + 1)
    _newline(out, indent, level)
    out.append("]")


def _newline(out: list[str], indent: int | None, level: int) -> None:
    if indent is not None:
        out.append("\n" + " " * (indent * level))
