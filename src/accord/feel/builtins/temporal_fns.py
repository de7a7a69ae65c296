"""Date and time functions (DMN 1.5 clause 10.3.4.7) and ``now``/``today`` (10.3.4.8).

``now()`` and ``today()`` read the clock through :data:`clock`, a zero-argument function
returning an aware ``datetime``. Tests override it with :func:`set_clock`::

    set_clock(lambda: datetime(2020, 1, 1, 12, tzinfo=timezone.utc))
    ...
    set_clock(None)  # back to the system clock
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accord.feel.builtins._common import Registry, builtin
from accord.feel.wide import WideDate, WideDateTime, window_date

FUNCTIONS: Registry = {}

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def system_clock() -> dt.datetime:
    """The current instant with the machine's local UTC offset."""
    return dt.datetime.now(dt.UTC).astimezone()


#: The clock ``now()`` and ``today()`` read; replace it with :func:`set_clock`.
clock: Callable[[], dt.datetime] = system_clock


def set_clock(fn: Callable[[], dt.datetime] | None) -> None:
    """Make ``now()``/``today()`` read ``fn`` (``None`` restores the system clock)."""
    global clock
    clock = fn if fn is not None else system_clock


def _date(value: Any) -> dt.date | None:
    """A date (or a date-time's date); a wide one as its equivalent in-range date, which has
    the same weekday, day of year and ISO week (the calendar repeats every 400 years)."""
    if isinstance(value, WideDate | WideDateTime):
        return window_date(value.year, value.month, value.day)
    return value if isinstance(value, dt.date) else None


@builtin(FUNCTIONS, "now")
def now() -> dt.datetime:
    """``now()``: the current date and time."""
    return clock()


@builtin(FUNCTIONS, "today")
def today() -> dt.date:
    """``today()``: the current date."""
    return clock().date()


@builtin(FUNCTIONS, "day of year", ["date"])
def day_of_year(value: Any) -> Decimal | None:
    """``day of year(date)``: 1..366."""
    day = _date(value)
    return None if day is None else Decimal(day.timetuple().tm_yday)


@builtin(FUNCTIONS, "day of week", ["date"])
def day_of_week(value: Any) -> str | None:
    """``day of week(date)``: ``"Monday"``..``"Sunday"``."""
    day = _date(value)
    return None if day is None else _DAYS[day.weekday()]


@builtin(FUNCTIONS, "month of year", ["date"])
def month_of_year(value: Any) -> str | None:
    """``month of year(date)``: ``"January"``..``"December"``."""
    day = _date(value)
    return None if day is None else _MONTHS[day.month - 1]


@builtin(FUNCTIONS, "week of year", ["date"])
def week_of_year(value: Any) -> Decimal | None:
    """``week of year(date)``: ISO 8601 week number."""
    day = _date(value)
    return None if day is None else Decimal(day.isocalendar()[1])
