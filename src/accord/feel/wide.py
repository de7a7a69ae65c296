"""Temporal values Python's ``datetime`` cannot hold: years outside 1..9999 and nanoseconds.

FEEL dates range over any year (``date("-999999999-01-01")``, DMN 1.5 clause 10.3.2.3.6) and
times carry nanoseconds (clause 10.3.2.3.4). Python's ``datetime`` stops at years 1..9999 and
microseconds, so values past those edges use the three classes here instead:
:class:`WideDate`, :class:`WideTime` and :class:`WideDateTime`.

The representation is canonical: a value that ``datetime`` can hold exactly is always a
``datetime`` value (:func:`lower`), so the common case keeps the fast built-in types and a
wide value never equals a ``datetime`` one. Calendar arithmetic is plain integer arithmetic on
days since 1970-01-01 (proleptic Gregorian, astronomical years: year 0 exists, ``-1`` is 2 BC,
as ISO 8601 and ``java.time`` count). A zone id's offset for a far year is looked up in an
equivalent year inside Python's range: the Gregorian calendar repeats every 400 years, and
years before 1 map to 401..800 (local mean time, as ``java.time`` gives before the first
transition) while years after 9999 map to 9201..9600 (the zone's last rule).

This module only knows the values; :mod:`accord.feel.temporal` dispatches to
:mod:`accord.feel.wide_ops` when an operand is wide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "NANOS_PER_DAY",
    "WIDE_TYPES",
    "WideDate",
    "WideDateTime",
    "WideTime",
    "civil_from_days",
    "days_from_civil",
    "days_in_month",
    "window_date",
]

#: FEEL's year range (as ``java.time``): -999,999,999..999,999,999; beyond it a date is null.
MAX_YEAR = 999_999_999
NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND
_CYCLE_YEARS = 400
_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()


def is_leap(year: int) -> bool:
    """Gregorian leap year (valid for year 0 and negative years)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """Number of days in ``month`` of ``year``."""
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).

    >>> days_from_civil(1970, 1, 1), days_from_civil(0, 3, 1)
    (0, -719468)
    """
    y = year - (month <= 2)
    era = y // _CYCLE_YEARS
    yoe = y - era * _CYCLE_YEARS
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) ``days`` after 1970-01-01 (inverse of :func:`days_from_civil`).

    >>> civil_from_days(-1)
    (1969, 12, 31)
    """
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * _CYCLE_YEARS + (month <= 2), month, day


def window_year(year: int) -> int:
    """An equivalent year (same calendar, same weekdays) that ``datetime`` can hold."""
    if 1 <= year <= 9999:
        return year
    if year < 1:
        return 401 + (year - 401) % _CYCLE_YEARS
    return 9201 + (year - 9201) % _CYCLE_YEARS


def window_date(year: int, month: int, day: int) -> dt.date:
    """The ``datetime.date`` of the equivalent year (for weekday, week of year...)."""
    return dt.date(window_year(year), month, day)


@dataclass(frozen=True, slots=True)
class WideDate:
    """A FEEL date whose year is outside 1..9999."""

    year: int
    month: int
    day: int

    @property
    def epoch_day(self) -> int:
        """Days since 1970-01-01."""
        return days_from_civil(self.year, self.month, self.day)


def clock_nanos(hour: int, minute: int, second: int, nano: int) -> int:
    """Nanoseconds since midnight of a wall-clock time.

    >>> clock_nanos(0, 0, 1, 5)
    1000000005
    """
    return ((hour * 60 + minute) * 60 + second) * NANOS_PER_SECOND + nano


@dataclass(frozen=True, slots=True)
class WideTime:
    """A FEEL time with nanoseconds that a ``datetime.time`` would lose."""

    hour: int
    minute: int
    second: int
    nano: int
    tzinfo: dt.tzinfo | None = None

    @property
    def nano_of_day(self) -> int:
        """Nanoseconds since midnight (wall clock)."""
        return clock_nanos(self.hour, self.minute, self.second, self.nano)


@dataclass(frozen=True, slots=True)
class WideDateTime:
    """A FEEL date and time with a year outside 1..9999 or sub-microsecond nanoseconds."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nano: int
    tzinfo: dt.tzinfo | None = None

    @property
    def local_nanos(self) -> int:
        """Nanoseconds since 1970-01-01T00:00 of the wall clock (offset not applied)."""
        return (days_from_civil(self.year, self.month, self.day) * NANOS_PER_DAY
                + clock_nanos(self.hour, self.minute, self.second, self.nano))

    def date(self) -> WideDate | dt.date:
        """The date part (a ``datetime.date`` when the year is in range)."""
        if 1 <= self.year <= 9999:
            return dt.date(self.year, self.month, self.day)
        return WideDate(self.year, self.month, self.day)

    def timetz(self) -> WideTime | dt.time:
        """The time part with the time zone (a ``datetime.time`` when exact)."""
        if self.nano % 1000:
            return WideTime(self.hour, self.minute, self.second, self.nano, self.tzinfo)
        return dt.time(self.hour, self.minute, self.second, self.nano // 1000, tzinfo=self.tzinfo)

    def utcoffset(self) -> dt.timedelta | None:
        """The UTC offset in force at this wall clock (``None`` when naive)."""
        if self.tzinfo is None:
            return None
        probe = dt.datetime(window_year(self.year), self.month, self.day,
                            self.hour, self.minute, self.second, tzinfo=self.tzinfo)
        return probe.utcoffset()


WIDE_TYPES: tuple[type, ...] = (WideDate, WideTime, WideDateTime)


def date_from_epoch_day(days: int) -> WideDate | dt.date | None:
    """The canonical date ``days`` after 1970-01-01 (``None`` past FEEL's year range)."""
    year, month, day = civil_from_days(days)
    if 1 <= year <= 9999:
        return dt.date.fromordinal(days + _UNIX_ORDINAL)
    return WideDate(year, month, day) if abs(year) <= MAX_YEAR else None


def datetime_from_local(nanos: int, tz: dt.tzinfo | None) -> WideDateTime | dt.datetime | None:
    """The canonical date-time whose wall clock is ``nanos`` after 1970-01-01T00:00
    (``None`` past FEEL's year range)."""
    days, rest = divmod(nanos, NANOS_PER_DAY)
    year, month, day = civil_from_days(days)
    secs, nano = divmod(rest, NANOS_PER_SECOND)
    mins, second = divmod(secs, 60)
    hour, minute = divmod(mins, 60)
    if 1 <= year <= 9999 and not nano % 1000:
        return dt.datetime(year, month, day, hour, minute, second, nano // 1000, tzinfo=tz)
    if abs(year) > MAX_YEAR:
        return None
    return WideDateTime(year, month, day, hour, minute, second, nano, tz)


def time_from_nanos(nanos: int, tz: dt.tzinfo | None) -> WideTime | dt.time:
    """The canonical time ``nanos`` after midnight (wrapping around the day)."""
    secs, nano = divmod(nanos % NANOS_PER_DAY, NANOS_PER_SECOND)
    mins, second = divmod(secs, 60)
    hour, minute = divmod(mins, 60)
    if nano % 1000:
        return WideTime(hour, minute, second, nano, tz)
    return dt.time(hour, minute, second, nano // 1000, tzinfo=tz)


def make_date(year: int, month: int, day: int) -> WideDate | dt.date | None:
    """The canonical date, or ``None`` when it does not exist or is past FEEL's range."""
    if not (1 <= month <= 12 and 1 <= day <= days_in_month(year, month)):
        return None
    if abs(year) > MAX_YEAR:
        return None
    if 1 <= year <= 9999:
        return dt.date(year, month, day)
    return WideDate(year, month, day)


def make_datetime(
    day: WideDate | dt.date | WideDateTime, clock: tuple[int, int, int, int],
    tz: dt.tzinfo | None,
) -> WideDateTime | dt.datetime | None:
    """The canonical date-time of a date and (hour, minute, second, nano) in ``tz``."""
    hour, minute, second, nano = clock
    if 1 <= day.year <= 9999 and not nano % 1000:  # the common case, no integer detour
        return dt.datetime(day.year, day.month, day.day, hour, minute, second, nano // 1000,
                           tzinfo=tz)
    local = days_from_civil(day.year, day.month, day.day) * NANOS_PER_DAY
    local += clock_nanos(hour, minute, second, nano)
    return datetime_from_local(local, tz)
