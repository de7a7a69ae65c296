"""Properties of temporal values and ranges (DMN 1.5 clause 10.3.2.15): ``d.year``,
``t.time offset``, ``duration.days``, ``r.start included``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accord.feel import wide_ops
from accord.feel.values import Range, YearsMonthsDuration


def _offset(value: dt.time | dt.datetime) -> Any:
    return value.utcoffset() if isinstance(value, dt.datetime) else _time_offset(value)


def _time_offset(value: dt.time) -> Any:
    if value.tzinfo is None:
        return None
    offset = value.utcoffset()
    if offset is None:  # a zone id needs a date to know its offset
        offset = value.tzinfo.utcoffset(dt.datetime(1970, 1, 1))
    return offset


def _timezone(value: dt.time | dt.datetime) -> Any:
    return getattr(value.tzinfo, "key", None)


def _seconds(value: dt.time | dt.datetime) -> Decimal:
    if value.microsecond:
        return Decimal(value.second) + Decimal(value.microsecond).scaleb(-6)
    return Decimal(value.second)


def _micros(d: dt.timedelta) -> int:
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def _dt_part(divisor: int, modulus: int | None) -> Callable[[dt.timedelta], Decimal]:
    def part(d: dt.timedelta) -> Decimal:
        micros = _micros(d)
        sign = -1 if micros < 0 else 1
        whole = abs(micros) // divisor
        if modulus is not None:
            whole %= modulus
        return Decimal(sign * whole)

    return part


def _dt_seconds(d: dt.timedelta) -> Decimal:
    micros = _micros(d)
    sign = -1 if micros < 0 else 1
    rest = abs(micros) % 60_000_000
    return Decimal(sign * rest).scaleb(-6).normalize() if rest % 1_000_000 else Decimal(
        sign * rest // 1_000_000)


_DATE = {
    "year": lambda v: Decimal(v.year),
    "month": lambda v: Decimal(v.month),
    "day": lambda v: Decimal(v.day),
    "weekday": lambda v: Decimal(v.isoweekday()),
}
_TIME = {
    "hour": lambda v: Decimal(v.hour),
    "minute": lambda v: Decimal(v.minute),
    "second": _seconds,
    "time offset": _offset,
    "timezone": _timezone,
}
_PROPERTIES: dict[type, dict[str, Callable[[Any], Any]]] = {
    dt.date: _DATE,
    dt.datetime: {**_DATE, **_TIME},
    dt.time: _TIME,
    dt.timedelta: {
        "days": _dt_part(86_400_000_000, None),
        "hours": _dt_part(3_600_000_000, 24),
        "minutes": _dt_part(60_000_000, 60),
        "seconds": _dt_seconds,
    },
    YearsMonthsDuration: {
        "years": lambda v: Decimal(int(v.months / 12)),
        "months": lambda v: Decimal(abs(v.months) % 12 * (-1 if v.months < 0 else 1)),
    },
    Range: {
        "start": lambda v: v.start,
        "end": lambda v: v.end,
        "start included": lambda v: v.start_closed,
        "end included": lambda v: v.end_closed,
    },
}


def get_property(value: Any, name: str) -> Any:
    """The property ``name`` of ``value``, or ``None`` when it has no such property."""
    table = _PROPERTIES.get(type(value))
    if table is None:
        return wide_ops.property_of(value, name)
    getter = table.get(name)
    return getter(value) if getter is not None else None
