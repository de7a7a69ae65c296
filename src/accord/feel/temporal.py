"""FEEL temporal values: parsing, formatting, arithmetic and comparison.

DMN 1.5 clauses 10.3.2.3 (semantic domain), 10.3.2.9 (temporal literals) and 10.3.4.1
(conversion functions). Values follow :mod:`accord.feel.values`: ``datetime.date``,
``datetime.time``, ``datetime.datetime``, ``datetime.timedelta`` and
:class:`~accord.feel.values.YearsMonthsDuration`.

Values ``datetime`` cannot hold exactly (years outside 1..9999 such as
``date("-2017-01-01")``, or nanoseconds as in ``time("10:15:30.123456789")``) are the wide
types of :mod:`accord.feel.wide`. The functions here take the ``datetime`` fast path first and
hand over to :mod:`accord.feel.wide_ops` only when an operand is wide or a result would
overflow. Days and time durations stay ``timedelta`` (microseconds).

Every function here is total: bad input gives ``None`` (FEEL null), never an exception.

Comparison of times and date-times is done at millisecond precision, as the DMN TCK expects
(``time("10:30:00.0001") = time("10:30:00.0002")`` is true).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.feel import wide_ops
from accord.feel.values import (
    FEEL_CONTEXT,
    YearsMonthsDuration,
    format_dt_duration,
    format_ym_duration,
)
from accord.feel.wide import WIDE_TYPES, WideDate, WideDateTime, WideTime, make_date, make_datetime

__all__ = [
    "UTC",
    "add",
    "add_months",
    "compare",
    "date_to_datetime",
    "divide",
    "equal",
    "format_date",
    "format_datetime",
    "format_temporal",
    "format_time",
    "is_same",
    "months_between",
    "multiply",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_temporal_literal",
    "parse_time",
    "parse_zone",
    "subtract",
    "temporal_property",
]

UTC = dt.UTC
_DAY_US = 86_400_000_000
_MAX_OFFSET = dt.timedelta(hours=18)
_ZERO = dt.timedelta(0)

# --------------------------------------------------------------------------- parsing

_DATE_RE = re.compile(r"(-?)(\d{4}|[1-9]\d{4,8})-(\d\d)-(\d\d)")
_TIME_RE = re.compile(
    r"(\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
    r"(?:(Z)|([+-])(\d\d):(\d\d)(?::(\d\d))?|@([A-Za-z][A-Za-z0-9_+\-/]*))?"
)
_DATE_PREFIX_RE = re.compile(r"-?\d+-")
_DURATION_RE = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d*))?S)?)?"
)


@lru_cache(maxsize=512)
def parse_zone(name: str) -> ZoneInfo | None:
    """A ``ZoneInfo`` for an IANA zone id, or ``None`` when the id is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _date_parts(text: str) -> tuple[int, int, int] | None:
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    year = int(m.group(2))
    if m.group(1):
        year = -year
    return year, int(m.group(3)), int(m.group(4))


def parse_date(text: str) -> dt.date | WideDate | None:
    """Parse ``YYYY-MM-DD`` (FEEL ``date(string)``); years may be negative or long."""
    parts = _date_parts(text)
    if parts is None:
        return None
    return make_date(*parts)


def _micros(frac: str | None) -> int:
    if not frac:
        return 0
    return int(frac[:6].ljust(6, "0"))


def _nanos(frac: str | None) -> int:
    if not frac:
        return 0
    return int(frac[:9].ljust(9, "0"))


def _time_parts(text: str) -> tuple[int, int, int, int, dt.tzinfo | None, bool] | None:
    """(hour, minute, second, nano, tzinfo, is 24:00:00) or None."""
    m = _TIME_RE.fullmatch(text)
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    nano = _nanos(m.group(4))
    end_of_day = False
    if hour == 24 and minute == 0 and second == 0 and nano == 0:
        hour, end_of_day = 0, True
    if hour > 23 or minute > 59 or second > 59:
        return None
    tz: dt.tzinfo | None = None
    if m.group(5):
        tz = UTC
    elif m.group(6):
        oh, om, osec = int(m.group(7)), int(m.group(8)), int(m.group(9) or 0)
        if om > 59 or osec > 59:
            return None
        offset = dt.timedelta(hours=oh, minutes=om, seconds=osec)
        if offset > _MAX_OFFSET:
            return None
        tz = make_offset(-offset if m.group(6) == "-" else offset)
    elif m.group(10):
        tz = parse_zone(m.group(10))
        if tz is None:
            return None
    return hour, minute, second, nano, tz, end_of_day


def make_offset(offset: dt.timedelta) -> dt.timezone:
    """A fixed-offset ``tzinfo`` (``UTC`` for a zero offset)."""
    return UTC if offset == _ZERO else dt.timezone(offset)


def parse_time(text: str) -> dt.time | WideTime | None:
    """Parse ``hh:mm:ss[.fffffffff][Z|±hh:mm|@Zone/Id]`` (FEEL ``time(string)``)."""
    parts = _time_parts(text)
    if parts is None:
        return None
    hour, minute, second, nano, tz, _ = parts
    if nano % 1000:
        return WideTime(hour, minute, second, nano, tz)
    return dt.time(hour, minute, second, nano // 1000, tzinfo=tz)


_ONE_DAY = dt.timedelta(days=1)


def parse_datetime(text: str) -> dt.datetime | WideDateTime | None:
    """Parse ``date 'T' time`` or a bare date (midnight, local) (FEEL ``date and time``)."""
    date_text, sep, time_text = text.partition("T")
    day = parse_date(date_text)
    if day is None:
        return None
    if not sep:
        return make_datetime(day, (0, 0, 0, 0), None)
    parts = _time_parts(time_text)
    if parts is None:
        return None
    hour, minute, second, nano, tz, end_of_day = parts
    value = make_datetime(day, (hour, minute, second, nano), tz)
    return wide_ops.add_delta(value, _ONE_DAY) if end_of_day else value


def parse_duration(text: str) -> dt.timedelta | YearsMonthsDuration | None:
    """Parse an ISO 8601 duration: years-months (``P1Y2M``) or days-time (``P1DT2H``).

    A duration mixing both kinds (``P1Y2D``) is not a FEEL value and gives ``None``.
    """
    m = _DURATION_RE.fullmatch(text)
    if m is None or text.endswith(("P", "T")):
        return None
    neg, years, months, days, hours, minutes, seconds, frac = m.groups()
    if all(g is None for g in (years, months, days, hours, minutes, seconds)):
        return None
    ym = years is not None or months is not None
    dtm = any(g is not None for g in (days, hours, minutes, seconds))
    if ym and dtm:
        return None
    if ym:
        total = int(years or 0) * 12 + int(months or 0)
        return YearsMonthsDuration(-total if neg else total)
    try:
        value = dt.timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=_micros(frac),
        )
    except OverflowError:
        return None
    return -value if neg else value


def parse_temporal_literal(text: str) -> Any:
    """Parse the string of an ``@"..."`` literal: date, time, date-time or duration."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if _DATE_PREFIX_RE.match(text):
        return parse_datetime(text) if "T" in text else parse_date(text)
    return parse_time(text)


# --------------------------------------------------------------------------- formatting


def format_date(value: dt.date) -> str:
    """``YYYY-MM-DD``."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _format_offset(tz: dt.tzinfo | None, offset: dt.timedelta | None) -> str:
    if tz is None:
        return ""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return "@" + key
    if offset is None:
        return ""
    if offset == _ZERO:
        return "Z"
    sign = "-" if offset < _ZERO else "+"
    secs = int(abs(offset).total_seconds())
    hours, rest = divmod(secs, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{seconds:02d}" if seconds else "")


def _format_clock(hour: int, minute: int, second: int, micro: int) -> str:
    text = f"{hour:02d}:{minute:02d}:{second:02d}"
    if micro:
        text += f".{micro:06d}".rstrip("0")
    return text


def format_time(value: dt.time) -> str:
    """``hh:mm:ss[.fff][Z|±hh:mm|@Zone/Id]``."""
    clock = _format_clock(value.hour, value.minute, value.second, value.microsecond)
    return clock + _format_offset(value.tzinfo, value.utcoffset())


def format_datetime(value: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm|@Zone/Id]``."""
    clock = _format_clock(value.hour, value.minute, value.second, value.microsecond)
    return f"{format_date(value)}T{clock}{_format_offset(value.tzinfo, value.utcoffset())}"


def _format_year(year: int) -> str:
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def _format_wide_clock(value: WideTime | WideDateTime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.nano:
        text += f".{value.nano:09d}".rstrip("0")
    tz = value.tzinfo
    if isinstance(value, WideTime):
        offset = None if tz is None else tz.utcoffset(None)
    else:
        offset = value.utcoffset()
    return text + _format_offset(tz, offset)


def format_wide(value: WideDate | WideTime | WideDateTime) -> str:
    """FEEL ``string()`` of a wide value: ``-2017-12-31``, ``10:15:30.123456789@Europe/Paris``."""
    if isinstance(value, WideTime):
        return _format_wide_clock(value)
    day = f"{_format_year(value.year)}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, WideDate):
        return day
    return f"{day}T{_format_wide_clock(value)}"


def format_temporal(value: Any) -> str | None:
    """FEEL ``string()`` of a temporal value, or ``None`` when ``value`` is not temporal."""
    if type(value) in WIDE_TYPES:
        return format_wide(value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    if isinstance(value, dt.timedelta):
        return format_dt_duration(value)
    if isinstance(value, YearsMonthsDuration):
        return format_ym_duration(value)
    return None


# --------------------------------------------------------------------------- helpers


def date_to_datetime(value: dt.date) -> dt.datetime:
    """A date as a date-time at midnight UTC (DMN 1.5 clause 10.3.2.3.6)."""
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


def _last_day(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def add_months(value: dt.date, months: int) -> Any:
    """Add months to a date or date-time, clamping the day to the month's end."""
    total = value.year * 12 + (value.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        return wide_ops.add_months(value, months)
    day = min(value.day, _last_day(year, month0 + 1))
    return value.replace(year=year, month=month0 + 1, day=day)


def months_between(
    start: dt.date | WideDate | WideDateTime, end: dt.date | WideDate | WideDateTime
) -> int:
    """Whole months from ``start`` to ``end`` (dates only; signed, truncated)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def _td_micros(value: dt.timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _from_micros(micros: int) -> dt.timedelta | None:
    try:
        return dt.timedelta(microseconds=micros)
    except OverflowError:
        return None


def _add_dt_duration(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    tz = value.tzinfo
    if tz is None or isinstance(tz, dt.timezone):
        return value + delta
    # zone id: add to the instant, then show it in the same zone
    return (value.astimezone(UTC) + delta).astimezone(tz)


def _time_of_day_us(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _time_from_us(micros: int, tz: dt.tzinfo | None) -> dt.time:
    micros %= _DAY_US
    secs, micro = divmod(micros, 1_000_000)
    mins, sec = divmod(secs, 60)
    hour, minute = divmod(mins, 60)
    return dt.time(hour, minute, sec, micro, tzinfo=tz)


_REF_DATE = dt.date(1970, 1, 1)


def _time_offset(value: dt.time) -> dt.timedelta | None:
    """UTC offset of a time; a zone id is resolved at 1970-01-01."""
    tz = value.tzinfo
    if tz is None:
        return None
    offset = value.utcoffset()
    if offset is None:
        offset = dt.datetime.combine(_REF_DATE, value).utcoffset()
    return offset


def _time_utc_us(value: dt.time) -> int | None:
    offset = _time_offset(value)
    if offset is None:
        return None
    return _time_of_day_us(value) - _td_micros(offset)


def _is_num(value: Any) -> bool:
    return type(value) is Decimal


# --------------------------------------------------------------------------- arithmetic


_DAY_POINTS = (dt.datetime, dt.date, WideDateTime, WideDate)
_POINTS = (*_DAY_POINTS, dt.time, WideTime)


def add(a: Any, b: Any) -> Any:
    """FEEL ``a + b`` (numbers, strings, temporals); ``None`` when undefined."""
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return FEEL_CONTEXT.add(a, b)
        if ta is str and tb is str:
            return a + b
        if ta is dt.timedelta:
            if tb is dt.timedelta:
                return a + b
            if tb in _POINTS:
                return add(b, a)
            return None
        if ta is YearsMonthsDuration:
            if tb is YearsMonthsDuration:
                return a + b
            if tb in _DAY_POINTS:
                return add(b, a)
            return None
        if ta is dt.datetime:
            if tb is dt.timedelta:
                return _add_dt_duration(a, b)
            if tb is YearsMonthsDuration:
                return add_months(a, b.months)
            return None
        if ta is dt.date:
            if tb is dt.timedelta:
                return (dt.datetime(a.year, a.month, a.day) + b).date()
            if tb is YearsMonthsDuration:
                return add_months(a, b.months)
            return None
        if ta is dt.time and tb is dt.timedelta:
            return _time_from_us(_time_of_day_us(a) + _td_micros(b), a.tzinfo)
    except OverflowError:  # past year 9999 or before year 1: exact wide arithmetic
        return wide_ops.add(a, b)
    except (ArithmeticError, ValueError):
        return None
    return wide_ops.add(a, b) if ta in WIDE_TYPES or tb in WIDE_TYPES else None


def _sub_datetimes(a: dt.datetime, b: dt.datetime) -> dt.timedelta | None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    if a.tzinfo is not None:
        return a.astimezone(UTC) - b.astimezone(UTC)
    return a - b


def subtract(a: Any, b: Any) -> Any:
    """FEEL ``a - b`` (numbers, temporals); ``None`` when undefined."""
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return FEEL_CONTEXT.subtract(a, b)
        if tb is dt.timedelta:
            if ta is dt.timedelta:
                return a - b
            if ta in _POINTS:
                return add(a, -b)
            return None
        if tb is YearsMonthsDuration:
            if ta is YearsMonthsDuration:
                return a - b
            if ta in _DAY_POINTS:
                return add(a, -b)
            return None
        if ta is dt.datetime:
            if tb is dt.datetime:
                return _sub_datetimes(a, b)
            if tb is dt.date:
                return _sub_datetimes(a, date_to_datetime(b))
        elif ta is dt.date:
            if tb is dt.date:
                return a - b
            if tb is dt.datetime:
                return _sub_datetimes(date_to_datetime(a), b)
        elif ta is dt.time and tb is dt.time:
            if (a.tzinfo is None and b.tzinfo is None) or a.tzinfo is b.tzinfo:
                return _from_micros(_time_of_day_us(a) - _time_of_day_us(b))
            ua, ub = _time_utc_us(a), _time_utc_us(b)
            if ua is None or ub is None:
                return None
            return _from_micros(ua - ub)
    except OverflowError:
        return wide_ops.subtract(a, b)
    except (ArithmeticError, ValueError):
        return None
    return wide_ops.subtract(a, b) if ta in WIDE_TYPES or tb in WIDE_TYPES else None


def _scale_dt(value: dt.timedelta, factor: Decimal, divide: bool = False) -> dt.timedelta | None:
    micros = Decimal(_td_micros(value))
    result = (
        FEEL_CONTEXT.divide(micros, factor) if divide else FEEL_CONTEXT.multiply(micros, factor)
    )
    return _from_micros(int(result.to_integral_value(rounding=ROUND_HALF_EVEN)))


def _scale_ym(value: YearsMonthsDuration, factor: Decimal, divide: bool = False) -> Any:
    months = Decimal(value.months)
    result = (
        FEEL_CONTEXT.divide(months, factor) if divide else FEEL_CONTEXT.multiply(months, factor)
    )
    return YearsMonthsDuration(int(result.to_integral_value(rounding=ROUND_DOWN)))


def multiply(a: Any, b: Any) -> Any:
    """FEEL ``a * b`` (numbers, duration * number); ``None`` when undefined."""
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal:
            if tb is Decimal:
                return FEEL_CONTEXT.multiply(a, b)
            if tb in (dt.timedelta, YearsMonthsDuration):
                return multiply(b, a)
            return None
        if tb is not Decimal:
            return None
        if ta is dt.timedelta:
            return _scale_dt(a, b)
        if ta is YearsMonthsDuration:
            return _scale_ym(a, b)
    except (ArithmeticError, ValueError, OverflowError):
        return None
    return None


def divide(a: Any, b: Any) -> Any:
    """FEEL ``a / b`` (numbers, duration / number, duration / duration); ``None`` on /0."""
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            if not b:
                return None
            return FEEL_CONTEXT.divide(a, b)
        if ta is dt.timedelta:
            if tb is Decimal:
                return _scale_dt(a, b, divide=True) if b else None
            if tb is dt.timedelta:
                divisor = _td_micros(b)
                if not divisor:
                    return None
                return FEEL_CONTEXT.divide(Decimal(_td_micros(a)), Decimal(divisor))
            return None
        if ta is YearsMonthsDuration:
            if tb is Decimal:
                return _scale_ym(a, b, divide=True) if b else None
            if tb is YearsMonthsDuration:
                if not b.months:
                    return None
                return FEEL_CONTEXT.divide(Decimal(a.months), Decimal(b.months))
    except (ArithmeticError, ValueError, OverflowError, InvalidOperation):
        return None
    return None


# --------------------------------------------------------------------------- comparison


def _ms(micros: int) -> int:
    return micros // 1000


_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=UTC)


def _datetime_key(value: dt.datetime) -> int:
    """Milliseconds since 1970-01-01 of the instant (aware) or wall clock (naive)."""
    # one subtraction in C: an aware operand's offset is applied by datetime itself
    delta = value - (_EPOCH if value.tzinfo is None else _EPOCH_UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def _cmp(x: Any, y: Any) -> int:
    return -1 if x < y else (1 if x > y else 0)


def compare(a: Any, b: Any) -> int | None:
    """Order two temporal values: -1, 0, 1, or ``None`` when they are not comparable.

    Dates compare with dates, date-times with date-times (both naive or both aware),
    times with times, and durations with durations of the same kind.
    """
    ta, tb = type(a), type(b)
    if ta is not tb or ta in WIDE_TYPES:
        return wide_ops.compare(a, b)
    if ta is dt.date or ta is dt.timedelta:
        return _cmp(a, b)
    if ta is YearsMonthsDuration:
        return _cmp(a.months, b.months)
    if ta is dt.datetime:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return _cmp(_datetime_key(a), _datetime_key(b))
    if ta is dt.time:
        if (a.tzinfo is None and b.tzinfo is None) or a.tzinfo is b.tzinfo:
            return _cmp(_ms(_time_of_day_us(a)), _ms(_time_of_day_us(b)))
        ua, ub = _time_utc_us(a), _time_utc_us(b)
        if ua is None or ub is None:
            return None
        return _cmp(_ms(ua), _ms(ub))
    return None


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``a = b`` for temporal values; ``None`` when the types do not match.

    A naive and an aware date-time (or time) are never equal (``False``, not ``None``).
    """
    ta, tb = type(a), type(b)
    if ta is not tb or ta in WIDE_TYPES:
        return wide_ops.equal(a, b)
    if ta in (dt.datetime, dt.time) and (a.tzinfo is None) != (b.tzinfo is None):
        return False
    result = compare(a, b)
    return None if result is None else result == 0


def _tz_identity(tz: dt.tzinfo | None, offset: dt.timedelta | None) -> Any:
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return ("zone", key)
    return ("offset", offset)


def is_same(a: Any, b: Any) -> bool:
    """FEEL ``is(a, b)`` for temporals: same type, same fields and same offset or zone id."""
    ta, tb = type(a), type(b)
    if ta is not tb:
        return False
    if ta is dt.datetime or ta is dt.time:
        if _tz_identity(a.tzinfo, a.utcoffset()) != _tz_identity(b.tzinfo, b.utcoffset()):
            return False
        return bool(a.replace(tzinfo=None) == b.replace(tzinfo=None))
    return bool(a == b)


# --------------------------------------------------------------------------- properties


def _seconds_number(second: int, micro: int) -> Decimal:
    if not micro:
        return Decimal(second)
    return (Decimal(second * 1_000_000 + micro) / Decimal(1_000_000)).normalize(FEEL_CONTEXT)


def _tz_property(value: dt.time | dt.datetime, name: str) -> Any:
    tz = value.tzinfo
    if tz is None:
        return None
    if name == "time offset":
        if isinstance(value, dt.time):
            return _time_offset(value)
        return value.utcoffset()
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else None


def temporal_property(value: Any, name: str) -> Any:
    """The FEEL property ``name`` of a temporal value (``date.year``, ``duration.days``).

    Returns ``None`` when the value has no such property.
    """
    t = type(value)
    if t in WIDE_TYPES:
        return wide_ops.property_of(value, name)
    if t is dt.date or t is dt.datetime:
        if name == "year":
            return Decimal(value.year)
        if name == "month":
            return Decimal(value.month)
        if name == "day":
            return Decimal(value.day)
        if name == "weekday":
            return Decimal(value.isoweekday())
        if t is dt.date:
            return None
    if t is dt.datetime or t is dt.time:
        if name == "hour":
            return Decimal(value.hour)
        if name == "minute":
            return Decimal(value.minute)
        if name == "second":
            return _seconds_number(value.second, value.microsecond)
        if name in ("time offset", "timezone"):
            return _tz_property(value, name)
        return None
    if t is YearsMonthsDuration:
        months = abs(value.months)
        sign = -1 if value.months < 0 else 1
        if name == "years":
            return Decimal(sign * (months // 12))
        if name == "months":
            return Decimal(sign * (months % 12))
        return None
    if t is dt.timedelta:
        micros = _td_micros(value)
        sign = -1 if micros < 0 else 1
        micros = abs(micros)
        days, rest = divmod(micros, _DAY_US)
        hours, rest = divmod(rest, 3_600_000_000)
        minutes, rest = divmod(rest, 60_000_000)
        seconds, micro = divmod(rest, 1_000_000)
        if name == "days":
            return Decimal(sign * days)
        if name == "hours":
            return Decimal(sign * hours)
        if name == "minutes":
            return Decimal(sign * minutes)
        if name == "seconds":
            number = _seconds_number(seconds, micro)
            return -number if sign < 0 and number else number
        return None
    return None
