"""FEEL values as Python values, and the semantic domain helpers every path shares.

The mapping (DMN 1.5 clause 10.3.2):

============================  =========================================================
FEEL type                     Python
============================  =========================================================
null                          ``None``
number                        ``decimal.Decimal`` (34 digits, ``DECIMAL128`` context)
string                        ``str``
boolean                       ``bool``
date                          ``datetime.date`` (never a ``datetime.datetime``)
time                          ``datetime.time`` (tz-aware: fixed offset or zone id)
date and time                 ``datetime.datetime`` (naive means local)
days and time duration        ``datetime.timedelta``
years and months duration     :class:`YearsMonthsDuration`
list                          ``list``
context                       ``dict[str, Any]`` (insertion ordered)
range                         :class:`Range`
function                      :class:`FeelFunction`
============================  =========================================================

A date, time or date and time that ``datetime`` cannot hold (a year outside 1..9999, or
nanoseconds) is a :class:`~accord.feel.wide.WideDate`, ``WideTime`` or ``WideDateTime``
instead; a value ``datetime`` can hold is never wide (see :mod:`accord.feel.wide`).

Values coming from outside (JSON, Python callers) go through :func:`from_python`, which turns
``int`` and ``float`` into ``Decimal`` and tuples into lists.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accord.feel.wide import WideDate, WideDateTime, WideTime

#: FEEL numbers are IEEE 754-2008 decimal128: 34 significant digits, round half even.
FEEL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-6143,
    Emax=6144,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True, slots=True)
class YearsMonthsDuration:
    """A FEEL ``years and months duration``: a signed whole number of months."""

    months: int

    def __add__(self, other: object) -> YearsMonthsDuration:
        if isinstance(other, YearsMonthsDuration):
            return YearsMonthsDuration(self.months + other.months)
        return NotImplemented

    def __sub__(self, other: object) -> YearsMonthsDuration:
        if isinstance(other, YearsMonthsDuration):
            return YearsMonthsDuration(self.months - other.months)
        return NotImplemented

    def __neg__(self) -> YearsMonthsDuration:
        return YearsMonthsDuration(-self.months)

    def __lt__(self, other: YearsMonthsDuration) -> bool:
        return self.months < other.months

    def __le__(self, other: YearsMonthsDuration) -> bool:
        return self.months <= other.months

    def __gt__(self, other: YearsMonthsDuration) -> bool:
        return self.months > other.months

    def __ge__(self, other: YearsMonthsDuration) -> bool:
        return self.months >= other.months

    def __str__(self) -> str:
        return format_ym_duration(self)


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range (interval), DMN 1.5 clause 10.3.2.7.

    ``test`` records the unary test a range was written as (``<``, ``<=``, ``>``, ``>=``,
    ``=``, ``!=``): then a ``None`` endpoint is unbounded (``< 10`` is ``(..10)``), and the
    range is not equal to the interval literal with the same ends (TCK 0068: ``(< 10)`` is
    not ``(null..10)``, ``(= 10)`` is not ``[10..10]``). Without ``test``, a ``None``
    endpoint is a null endpoint and membership is unknown (``5 in (null..10]`` is null).
    ``!=`` ranges hold the excluded value as both ends.
    """

    start_closed: bool
    start: Any
    end: Any
    end_closed: bool
    test: str | None = None


@dataclass(eq=False, slots=True)
class FeelFunction:
    """A FEEL function value: a built-in, a user-defined lambda, a BKM or a decision service.

    ``fn`` receives positional arguments already bound to ``params`` (missing ones are ``None``).
    ``variadic`` functions accept any number of positional arguments (``params`` then names
    the formal parameter list for named invocation, if any).
    """

    name: str
    params: Sequence[str]
    fn: Callable[..., Any]
    variadic: bool = False
    overloads: Sequence[Sequence[str]] | None = None
    param_types: Sequence[Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


NUMBER_TYPES = (Decimal,)
TEMPORAL_TYPES = (dt.date, dt.time, dt.timedelta, YearsMonthsDuration, WideDate, WideDateTime,
                  WideTime)


def from_python(value: Any) -> Any:
    """Convert a plain Python value (as JSON gives) into its FEEL representation."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None  # FEEL has no NaN or infinity (TCK 0077, 0078)
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {str(k): from_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [from_python(v) for v in value]
    return value


def to_python(value: Any) -> Any:
    """Convert a FEEL value to JSON-friendly Python (numbers stay ``Decimal``)."""
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


def is_date(value: Any) -> bool:
    """True for a FEEL date (a ``datetime.date`` that is not a date-time)."""
    return type(value) is dt.date


def is_number(value: Any) -> bool:
    """True for a FEEL number."""
    return type(value) is Decimal


def feel_type_name(value: Any) -> str:
    """The FEEL type name of a value, as ``instance of`` and error messages spell it."""
    if value is None:
        return "Null"
    for py_type, name in _TYPE_NAMES:
        if isinstance(value, py_type):
            return name
    return type(value).__name__


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (Decimal, "number"),
    (str, "string"),
    (dt.datetime, "date and time"),
    (dt.date, "date"),
    (dt.time, "time"),
    (WideDateTime, "date and time"),
    (WideDate, "date"),
    (WideTime, "time"),
    (dt.timedelta, "days and time duration"),
    (YearsMonthsDuration, "years and months duration"),
    (list, "list"),
    (dict, "context"),
    (Range, "range"),
    (FeelFunction, "function"),
)


def format_ym_duration(value: YearsMonthsDuration) -> str:
    """ISO 8601 text of a years and months duration (``P1Y2M``, ``-P3M``, ``P0M``)."""
    months = abs(value.months)
    years, rest = divmod(months, 12)
    sign = "-" if value.months < 0 else ""
    body = (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")
    return f"{sign}P{body}"


def format_dt_duration(value: dt.timedelta) -> str:
    """ISO 8601 text of a days and time duration (``P1DT2H``, ``-PT0.5S``, ``PT0S``)."""
    micros = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, micros = divmod(micros, 86_400_000_000)
    hours, micros = divmod(micros, 3_600_000_000)
    minutes, micros = divmod(micros, 60_000_000)
    seconds, micros = divmod(micros, 1_000_000)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if seconds or micros:
        frac = f".{micros:06d}".rstrip("0") if micros else ""
        time_part += f"{seconds}{frac}S"
    if time_part:
        out += "T" + time_part
    elif not days:
        out += "T0S"
    return out
