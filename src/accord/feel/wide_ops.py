"""Arithmetic and comparison when a temporal operand is wide (:mod:`accord.feel.wide`).

:mod:`accord.feel.temporal` handles ``datetime`` operands itself and calls these functions
only when an operand is a :class:`~accord.feel.wide.WideDate`, ``WideTime`` or
``WideDateTime``, or when a ``datetime`` result would overflow Python's range. Operands are
lifted to integer nanoseconds, computed exactly, and results are canonical again (a result
``datetime`` can hold comes back as a ``datetime`` value).

Semantics follow the ``datetime`` path (DMN 1.5 clause 10.3.2.3): comparisons at millisecond
precision, a date mixed with a date-time is midnight UTC, a zone id's wall clock is kept when
adding months and its instant when adding days and time. Every function is total: ``None``
when the operation is undefined.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accord.feel.values import YearsMonthsDuration
from accord.feel.wide import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    WideDate,
    WideDateTime,
    WideTime,
    civil_from_days,
    date_from_epoch_day,
    datetime_from_local,
    days_from_civil,
    days_in_month,
    make_date,
    make_datetime,
    time_from_nanos,
    window_date,
    window_year,
)

__all__ = [
    "add",
    "add_months",
    "compare",
    "equal",
    "kind",
    "property_of",
    "subtract",
]

_KINDS: dict[type, str] = {
    dt.date: "date",
    WideDate: "date",
    dt.datetime: "date and time",
    WideDateTime: "date and time",
    dt.time: "time",
    WideTime: "time",
}
_MS = 1_000_000
_REF_DAY = dt.datetime(1970, 1, 1)


def kind(value: Any) -> str | None:
    """``"date"``, ``"date and time"`` or ``"time"`` for a temporal point, else ``None``."""
    return _KINDS.get(type(value))


def _td_nanos(value: dt.timedelta) -> int:
    return ((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds) * 1000


def _to_timedelta(nanos: int) -> dt.timedelta | None:
    micros = nanos // 1000 if nanos >= 0 else -(-nanos // 1000)
    try:
        return dt.timedelta(microseconds=micros)
    except OverflowError:
        return None


def _epoch_day(value: Any) -> int:
    return days_from_civil(value.year, value.month, value.day)


def _nano(value: Any) -> int:
    return value.nano if isinstance(value, WideTime | WideDateTime) else value.microsecond * 1000


def _local_nanos(value: Any) -> int:
    """Wall-clock nanoseconds since 1970-01-01 of a date (midnight) or date-time."""
    nanos = _epoch_day(value) * NANOS_PER_DAY
    if kind(value) == "date and time":
        nanos += _clock_nanos(value)
    return nanos


def _clock_nanos(value: Any) -> int:
    seconds: int = (value.hour * 60 + value.minute) * 60 + value.second
    return seconds * NANOS_PER_SECOND + _nano(value)


def _offset_nanos(value: Any) -> int:
    offset = value.utcoffset()
    return 0 if offset is None else _td_nanos(offset)


def _offset_at_instant(tz: dt.tzinfo, instant: int) -> int:
    """Offset (ns) of a zone at an instant given as UTC nanoseconds since 1970."""
    if isinstance(tz, dt.timezone):
        return _td_nanos(tz.utcoffset(None))
    days, rest = divmod(instant, NANOS_PER_DAY)
    year, month, day = civil_from_days(days)
    probe = dt.datetime(window_year(year), month, day, tzinfo=dt.UTC)
    probe += dt.timedelta(seconds=rest // NANOS_PER_SECOND)
    offset = probe.astimezone(tz).utcoffset()
    return 0 if offset is None else _td_nanos(offset)


def _instant(value: Any) -> int:
    """UTC nanoseconds of an aware date-time, wall clock nanoseconds of a naive one."""
    return _local_nanos(value) - _offset_nanos(value)


def _as_datetime_point(value: Any) -> tuple[int, bool]:
    """(instant ns, aware) of a date-time, or of a date as midnight UTC (clause 10.3.2.3.6)."""
    if kind(value) == "date":
        return _epoch_day(value) * NANOS_PER_DAY, True
    return _instant(value), value.tzinfo is not None


def _time_utc(value: Any) -> int | None:
    """Nanoseconds of day in UTC; a zone id is resolved at 1970-01-01."""
    tz = value.tzinfo
    if tz is None:
        return None
    offset = tz.utcoffset(_REF_DAY)
    if offset is None:
        return None
    return _clock_nanos(value) - _td_nanos(offset)


# --------------------------------------------------------------------------- arithmetic


def add_delta(value: Any, delta: dt.timedelta) -> Any:
    """A date, date-time or time plus a days and time duration."""
    nanos = _td_nanos(delta)
    k = kind(value)
    if k == "date":
        return date_from_epoch_day(_epoch_day(value) + nanos // NANOS_PER_DAY)
    if k == "time":
        return time_from_nanos(_clock_nanos(value) + nanos, value.tzinfo)
    if k != "date and time":
        return None
    tz = value.tzinfo
    local = _local_nanos(value)
    if tz is None or isinstance(tz, dt.timezone):
        return datetime_from_local(local + nanos, tz)
    # a zone id: move the instant, then read the wall clock in the same zone
    instant = local - _offset_nanos(value) + nanos
    return datetime_from_local(instant + _offset_at_instant(tz, instant), tz)


def add_months(value: Any, months: int) -> Any:
    """A date or date-time plus whole months, the day clamped to the month's end."""
    k = kind(value)
    if k not in ("date", "date and time"):
        return None
    year, month0 = divmod(value.year * 12 + value.month - 1 + months, 12)
    day = min(value.day, days_in_month(year, month0 + 1))
    if k == "date":
        return make_date(year, month0 + 1, day)
    clock = (value.hour, value.minute, value.second, _nano(value))
    return make_datetime(WideDate(year, month0 + 1, day), clock, value.tzinfo)


def add(a: Any, b: Any) -> Any:
    """FEEL ``a + b`` with a wide temporal operand."""
    if isinstance(a, dt.timedelta | YearsMonthsDuration):
        a, b = b, a
    if type(b) is dt.timedelta:
        return add_delta(a, b)
    if type(b) is YearsMonthsDuration:
        return add_months(a, b.months)
    return None


def subtract(a: Any, b: Any) -> Any:
    """FEEL ``a - b`` with a wide temporal operand."""
    if type(b) is dt.timedelta:
        return add_delta(a, -b)
    if type(b) is YearsMonthsDuration:
        return add_months(a, -b.months)
    ka, kb = kind(a), kind(b)
    if ka == "date" and kb == "date":
        return dt.timedelta(days=_epoch_day(a) - _epoch_day(b))
    if ka in ("date", "date and time") and kb in ("date", "date and time"):
        (ia, aware_a), (ib, aware_b) = _as_datetime_point(a), _as_datetime_point(b)
        return _to_timedelta(ia - ib) if aware_a == aware_b else None
    if ka == "time" and kb == "time":
        if (a.tzinfo is None and b.tzinfo is None) or a.tzinfo is b.tzinfo:
            return _to_timedelta(_clock_nanos(a) - _clock_nanos(b))
        ua, ub = _time_utc(a), _time_utc(b)
        return None if ua is None or ub is None else _to_timedelta(ua - ub)
    return None


# --------------------------------------------------------------------------- comparison


def _cmp(x: int, y: int) -> int:
    return -1 if x < y else (1 if x > y else 0)


def compare(a: Any, b: Any) -> int | None:
    """Order two temporal points of the same kind (-1, 0, 1), ``None`` if not comparable."""
    k = kind(a)
    if k is None or k != kind(b):
        return None
    if k == "date":
        return _cmp(_epoch_day(a), _epoch_day(b))
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    if k == "date and time":
        return _cmp(_instant(a) // _MS, _instant(b) // _MS)
    if (a.tzinfo is None and b.tzinfo is None) or a.tzinfo is b.tzinfo:
        return _cmp(_clock_nanos(a) // _MS, _clock_nanos(b) // _MS)
    ua, ub = _time_utc(a), _time_utc(b)
    return None if ua is None or ub is None else _cmp(ua // _MS, ub // _MS)


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``a = b``: ``None`` across kinds, ``False`` between naive and aware values."""
    k = kind(a)
    if k is None or k != kind(b):
        return None
    if k != "date" and (a.tzinfo is None) != (b.tzinfo is None):
        return False
    result = compare(a, b)
    return None if result is None else result == 0


# --------------------------------------------------------------------------- properties


def _seconds(value: WideTime | WideDateTime) -> Decimal:
    if not value.nano:
        return Decimal(value.second)
    return Decimal(value.second * NANOS_PER_SECOND + value.nano).scaleb(-9).normalize()


def _time_offset(value: WideTime | WideDateTime) -> dt.timedelta | None:
    if isinstance(value, WideDateTime):
        return value.utcoffset()
    tz = value.tzinfo
    return None if tz is None else tz.utcoffset(_REF_DAY)


_DATE_PROPERTIES = {
    "year": lambda v: Decimal(v.year),
    "month": lambda v: Decimal(v.month),
    "day": lambda v: Decimal(v.day),
    "weekday": lambda v: Decimal(window_date(v.year, v.month, v.day).isoweekday()),
}
_TIME_PROPERTIES = {
    "hour": lambda v: Decimal(v.hour),
    "minute": lambda v: Decimal(v.minute),
    "second": _seconds,
    "time offset": _time_offset,
    "timezone": lambda v: getattr(v.tzinfo, "key", None),
}
_PROPERTIES: dict[type, dict[str, Any]] = {
    WideDate: _DATE_PROPERTIES,
    WideTime: _TIME_PROPERTIES,
    WideDateTime: {**_DATE_PROPERTIES, **_TIME_PROPERTIES},
}


def property_of(value: Any, name: str) -> Any:
    """The FEEL property ``name`` of a wide value (``None`` when it has none)."""
    getter = _PROPERTIES.get(type(value), {}).get(name)
    return None if getter is None else getter(value)
