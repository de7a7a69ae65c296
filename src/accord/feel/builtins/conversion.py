"""Conversion functions (DMN 1.5 clause 10.3.4.1) and FEEL's ``string()`` of any value."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from accord.feel import temporal
from accord.feel.builtins._common import Registry, as_int, builtin, is_num
from accord.feel.values import (
    FEEL_CONTEXT,
    FeelFunction,
    Range,
    YearsMonthsDuration,
)
from accord.feel.wide import WideDate, WideDateTime, WideTime, make_date, make_datetime

FUNCTIONS: Registry = {}

_NAME_RE = re.compile(r"[^\W\d][\w]*(?: [\w]+)*")


def format_number(value: Decimal) -> str:
    """Plain decimal text of a FEEL number: no exponent, no trailing zeros (``1.10`` -> ``1.1``)."""
    if value.is_zero():
        return "0"
    if not value.is_finite():
        return str(value)
    return format(value.normalize(FEEL_CONTEXT), "f")


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if _NAME_RE.fullmatch(name) else _quote(name)


def _nested(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value)
    return feel_string(value)


def _range_string(value: Range) -> str:
    if value.start is None and not value.start_closed and value.end is not None:
        return ("<= " if value.end_closed else "< ") + _nested(value.end)
    if value.end is None and not value.end_closed and value.start is not None:
        return (">= " if value.start_closed else "> ") + _nested(value.start)
    open_ = "[" if value.start_closed else "("
    close = "]" if value.end_closed else ")"
    return f"{open_}{_nested(value.start)}..{_nested(value.end)}{close}"


def feel_string(value: Any) -> str:
    """FEEL text of any value, as ``string()`` gives it (``null`` for null).

    Strings are returned as they are at the top level and quoted inside lists and contexts:
    ``feel_string(["a", 1])`` is ``["a", 1]``, ``feel_string({"a": 1})`` is ``{a: 1}``.
    """
    t = type(value)
    if t is str:
        return str(value)
    if t is Decimal:
        return format_number(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    text = temporal.format_temporal(value)
    if text is not None:
        return text
    if t is list:
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    if t is dict:
        return "{" + ", ".join(f"{_key(k)}: {_nested(v)}" for k, v in value.items()) + "}"
    if t is Range:
        return _range_string(value)
    if isinstance(value, FeelFunction):
        return f"function {value.name}({', '.join(value.params)})"
    return str(value)


@builtin(FUNCTIONS, "string", ["from"])
def string(value: Any) -> str | None:
    """``string(from)``: FEEL text of any non-null value."""
    if value is None:
        return None
    return feel_string(value)


# --------------------------------------------------------------------------- temporal


@builtin(FUNCTIONS, "date", ["from"], ["year", "month", "day"])
def date(*args: Any) -> dt.date | WideDate | None:
    """``date(from)`` from a string, date or date-time; ``date(year, month, day)``."""
    if len(args) == 1:
        value = args[0]
        if isinstance(value, str):
            return temporal.parse_date(value)
        if isinstance(value, dt.datetime | WideDateTime):
            return value.date()
        if isinstance(value, dt.date | WideDate):
            return value
        return None
    year, month, day = (as_int(a) for a in args)
    if year is None or month is None or day is None:
        return None
    return make_date(year, month, day)


def _clock(value: dt.time | WideTime) -> tuple[int, int, int, int]:
    nano = value.nano if isinstance(value, WideTime) else value.microsecond * 1000
    return value.hour, value.minute, value.second, nano


@builtin(FUNCTIONS, "date and time", ["from"], ["date", "time"])
def date_and_time(*args: Any) -> dt.datetime | WideDateTime | None:
    """``date and time(from)``; ``date and time(date, time)``."""
    if len(args) == 1:
        value = args[0]
        if isinstance(value, str):
            return temporal.parse_datetime(value)
        if isinstance(value, dt.datetime | WideDateTime):
            return value
        if isinstance(value, dt.date):
            return temporal.date_to_datetime(value)
        if isinstance(value, WideDate):
            return make_datetime(value, (0, 0, 0, 0), temporal.UTC)
        return None
    day, time = args
    if not isinstance(day, dt.date | WideDate | WideDateTime):
        return None
    if not isinstance(time, dt.time | WideTime):
        return None
    return make_datetime(day, _clock(time), time.tzinfo)


@builtin(FUNCTIONS, "time", ["from"], ["hour", "minute", "second", "offset?"])
def time(*args: Any) -> dt.time | WideTime | None:
    """``time(from)``; ``time(hour, minute, second, offset?)``."""
    if len(args) == 1:
        value = args[0]
        if isinstance(value, str):
            return temporal.parse_time(value)
        if isinstance(value, dt.datetime | WideDateTime):
            return value.timetz()
        if isinstance(value, dt.date | WideDate):
            return dt.time(0, 0, 0, tzinfo=temporal.UTC)
        if isinstance(value, dt.time | WideTime):
            return value
        return None
    hour, minute = as_int(args[0]), as_int(args[1])
    second = args[2]
    offset = args[3] if len(args) == 4 else None
    if hour is None or minute is None or not is_num(second):
        return None
    if not 0 <= second < 60:
        return None
    micros = int((second * 1_000_000).to_integral_value())
    whole, micro = divmod(micros, 1_000_000)
    tz: dt.tzinfo | None = None
    if offset is not None:
        if not isinstance(offset, dt.timedelta) or abs(offset) > dt.timedelta(hours=18):
            return None
        tz = temporal.make_offset(offset)
    return dt.time(hour, minute, whole, micro, tzinfo=tz)


@builtin(FUNCTIONS, "duration", ["from"])
def duration(value: Any) -> dt.timedelta | YearsMonthsDuration | None:
    """``duration(from)``: a days-time or years-months duration from ISO 8601 text."""
    if not isinstance(value, str):
        return None
    return temporal.parse_duration(value)


@builtin(FUNCTIONS, "years and months duration", ["from", "to"])
def years_and_months_duration(start: Any, end: Any) -> YearsMonthsDuration | None:
    """``years and months duration(from, to)``: whole months between two dates."""
    dates = (dt.date, WideDate, WideDateTime)
    if not isinstance(start, dates) or not isinstance(end, dates):
        return None
    return YearsMonthsDuration(temporal.months_between(start, end))


# --------------------------------------------------------------------------- number

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPING = {" ", ",", ".", None}
_DECIMAL = {",", ".", None}


@builtin(FUNCTIONS, "number", ["from"], ["from", "grouping separator", "decimal separator"])
def number(*args: Any) -> Decimal | None:
    """``number(from, grouping separator, decimal separator)``."""
    text = args[0]
    grouping = args[1] if len(args) == 3 else None
    decimal_sep = args[2] if len(args) == 3 else None
    if not isinstance(text, str) or grouping not in _GROUPING or decimal_sep not in _DECIMAL:
        return None
    if grouping is not None and grouping == decimal_sep:
        return None
    if grouping is not None:
        text = text.replace(grouping, "")
    if decimal_sep is not None and decimal_sep != ".":
        if "." in text:
            return None
        text = text.replace(decimal_sep, ".")
    if not _NUMBER_RE.fullmatch(text):
        return None
    return FEEL_CONTEXT.create_decimal(text)
