"""Values in DMN TCK test files: reading them as FEEL values and comparing results.

The test-file format is ``TestCases/testCases.xsd`` of the DMN TCK
(namespace ``http://www.omg.org/spec/DMN/20160719/testcase``). A ``valueType`` element
(``inputNode``, ``expected``, ``component``, ``item``) holds exactly one of

* ``<value xsi:type="xsd:…">text</value>`` or ``<value xsi:nil="true"/>``,
* any number of ``<component name="…">`` (a context),
* ``<list><item>…</item>…</list>`` (a list).

Simple values become FEEL values (see :mod:`accord.feel.values`):

=====================================================  =======================================
``xsi:type``                                           Python
=====================================================  =======================================
decimal, double, float, int, integer, long, short, …   ``Decimal`` of the exact text
string (and a ``<value>`` without ``xsi:type``)        ``str`` (whitespace kept)
boolean                                                ``bool`` (``true``/``1``/``false``/``0``)
date                                                   ``datetime.date``
time                                                   ``datetime.time`` (tz-aware if an offset
                                                       is given)
dateTime                                               ``datetime.datetime``
duration                                               ``timedelta`` (days and time) or
                                                       :class:`YearsMonthsDuration` (only Y/M)
=====================================================  =======================================

Fractional seconds beyond microseconds (the TCK has ``…33.123456789``) are truncated to
microseconds, the resolution of Python's ``datetime``. Values Python cannot hold (negative
years such as ``-2017-01-01``, a duration mixing years/months with days/time) raise
:class:`TckValueError`; the runner reports the test case as an error naming the value.

Comparison (:func:`compare`) follows the TCK runners and is never looser than they are:

* null only equals null; an ``errorResult="true"`` node expects null.
* numbers compare numerically (``1.0`` equals ``1``). When the expected number has at least
  :data:`TOLERANCE_MIN_PLACES` (8) decimal places it is a rounded machine result (many TCK
  expectations were produced with binary doubles, e.g. ``662.707359373292`` for a payment
  whose exact decimal value is ``662.70735937326592…``), and the actual value may differ by
  less than :data:`NUMBER_TOLERANCE` (``1E-8``). That tolerance is the
  ``NUMBER_COMPARISON_PRECISION`` of the TCK's Drools runner (``CompareValuesUtil``) and of
  jDMN's ``Assert``; those runners apply it to every number, we only to these long ones.
  (Rounding the actual to the expected's places is not enough: two of the three level-2
  ``0009-invocation-arithmetic`` expectations are off from the exact value in the 11th place.)
* booleans, strings, dates, times, date-times and durations compare by type and value: a
  ``true`` is not the number 1, a date is not a date-time, ``P0D`` is not ``P0M``; times and
  date-times must agree on local value and on offset (or zone id).
* lists element-wise with the same length; contexts component-wise with exactly the
  expected keys (a missing or extra key fails).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Context, Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.feel.values import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    format_dt_duration,
    format_ym_duration,
)

#: Namespace of the TCK test files.
TCK_NS = "http://www.omg.org/spec/DMN/20160719/testcase"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"
XSI_NIL = f"{{{XSI_NS}}}nil"

#: Absolute tolerance for long decimals (TCK Drools/jDMN runners' NUMBER_COMPARISON_PRECISION).
NUMBER_TOLERANCE = Decimal("0.00000001")
#: The tolerance applies only when the expected number has at least this many decimal places.
TOLERANCE_MIN_PLACES = 8

_NUMBER_TYPES = frozenset({
    "decimal", "double", "float", "int", "integer", "long", "short", "byte",
    "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
})
_WIDE = Context(prec=200)


class TckValueError(ValueError):
    """A value in a TCK test file that cannot be read as a FEEL value."""


def local_name(tag: str) -> str:
    """The local part of an ElementTree tag (``{ns}name`` → ``name``)."""
    return tag.rpartition("}")[2]


def _is_nil(element: Element) -> bool:
    return element.get(XSI_NIL, "").strip() in ("true", "1")


# --------------------------------------------------------------------------- reading values


def read_value(element: Element) -> Any:
    """The FEEL value held by a ``valueType`` element (inputNode, expected, component, item).

    An element that is nil or has no ``value``/``component``/``list`` child is null.
    """
    if _is_nil(element):
        return None
    children = [c for c in element if local_name(c.tag) != "extensionElements"]
    if not children:
        return None
    kinds = {local_name(c.tag) for c in children}
    if kinds == {"value"} and len(children) == 1:
        return read_simple(children[0])
    if kinds == {"component"}:
        context: dict[str, Any] = {}
        for comp in children:
            name = comp.get("name")
            if name is None:
                raise TckValueError("<component> without a name")
            if name in context:
                raise TckValueError(f"duplicate <component name={name!r}>")
            context[name] = read_value(comp)
        return context
    if kinds == {"list"} and len(children) == 1:
        lst = children[0]
        if _is_nil(lst):
            return None
        items = []
        for item in lst:
            if local_name(item.tag) == "item":
                items.append(read_value(item))
            elif local_name(item.tag) != "extensionElements":
                raise TckValueError(f"unexpected <{local_name(item.tag)}> in <list>")
        return items
    raise TckValueError("expected one <value>, some <component>s or one <list>, found "
                        + ", ".join(sorted(kinds)))


def read_simple(element: Element) -> Any:
    """The FEEL value of one ``<value xsi:type="xsd:…">`` element."""
    if _is_nil(element):
        return None
    xsi_type = element.get(XSI_TYPE)
    text = element.text or ""
    if xsi_type is None:
        return text
    return parse_simple(text, xsi_type.rpartition(":")[2])


def parse_simple(text: str, xsd_type: str) -> Any:
    """Parse the lexical form ``text`` of XML Schema type ``xsd_type`` (local name)."""
    if xsd_type == "string":
        return text
    lexical = text.strip()
    if xsd_type in _NUMBER_TYPES:
        try:
            number = Decimal(lexical)
        except InvalidOperation:
            raise TckValueError(f"not a number: {text!r}") from None
        if not number.is_finite():
            raise TckValueError(f"FEEL has no {lexical!r} number")
        return number
    if xsd_type == "boolean":
        if lexical in ("true", "1"):
            return True
        if lexical in ("false", "0"):
            return False
        raise TckValueError(f"not a boolean: {text!r}")
    if xsd_type == "date":
        return parse_xsd_date(lexical)
    if xsd_type == "time":
        return parse_xsd_time(lexical)
    if xsd_type == "dateTime":
        return parse_xsd_datetime(lexical)
    if xsd_type == "duration":
        return parse_xsd_duration(lexical)
    raise TckValueError(f"unsupported xsi:type xsd:{xsd_type}")


_DATE_RE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?")
_TZ_RE = re.compile(r"Z|[+-]\d{2}:\d{2}|@[A-Za-z0-9_+\-/]+")
_DURATION_RE = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?"
)


def _date(year: str, month: str, day: str, text: str) -> dt.date:
    y = int(year)
    if not dt.MINYEAR <= y <= dt.MAXYEAR:
        raise TckValueError(f"year {y} of {text!r} is outside {dt.MINYEAR}..{dt.MAXYEAR}")
    try:
        return dt.date(y, int(month), int(day))
    except ValueError as exc:
        raise TckValueError(f"invalid date {text!r}: {exc}") from None


def _micros(fraction: str | None) -> int:
    # Truncate to microseconds (Python's resolution); the TCK has up to 9 digits.
    return int((fraction or "")[:6].ljust(6, "0"))


def _tz(text: str, full: str) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    if text.startswith("@"):
        try:
            return ZoneInfo(text[1:])
        except (ZoneInfoNotFoundError, ValueError):
            raise TckValueError(f"unknown time zone in {full!r}") from None
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise TckValueError(f"invalid time zone offset in {full!r}")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_xsd_date(text: str) -> dt.date:
    """``xsd:date`` → ``datetime.date`` (a time zone suffix is not accepted)."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise TckValueError(f"not an xsd:date: {text!r}")
    return _date(*m.groups(), text=text)


def _time_parts(text: str, full: str) -> dt.time:
    m = _TIME_RE.match(text)
    if not m:
        raise TckValueError(f"not a time: {full!r}")
    rest = text[m.end():]
    if rest and not _TZ_RE.fullmatch(rest):
        raise TckValueError(f"invalid time zone in {full!r}")
    hour, minute, second = int(m[1]), int(m[2]), int(m[3])
    if hour > 23 or minute > 59 or second > 59:
        raise TckValueError(f"time out of range: {full!r}")
    return dt.time(hour, minute, second, _micros(m[4]), tzinfo=_tz(rest, full))


def parse_xsd_time(text: str) -> dt.time:
    """``xsd:time`` → ``datetime.time``; with an offset (``Z``, ``+01:00``) it is tz-aware."""
    return _time_parts(text, text)


def parse_xsd_datetime(text: str) -> dt.datetime:
    """``xsd:dateTime`` → ``datetime.datetime`` (naive without an offset)."""
    date_text, sep, time_text = text.partition("T")
    m = _DATE_RE.fullmatch(date_text)
    if not sep or not m:
        raise TckValueError(f"not an xsd:dateTime: {text!r}")
    day = _date(*m.groups(), text=text)
    tod = _time_parts(time_text, text)
    return dt.datetime.combine(day, tod.replace(tzinfo=None), tzinfo=tod.tzinfo)


def parse_xsd_duration(text: str) -> dt.timedelta | YearsMonthsDuration:
    """``xsd:duration`` → a days-and-time ``timedelta`` or a :class:`YearsMonthsDuration`."""
    m = _DURATION_RE.fullmatch(text)
    if not m:
        raise TckValueError(f"not an xsd:duration: {text!r}")
    sign, years, months, days, hours, minutes, seconds, fraction = m.groups()
    if not any((years, months, days, hours, minutes, seconds)):
        raise TckValueError(f"not an xsd:duration: {text!r}")
    factor = -1 if sign else 1
    has_ym = years is not None or months is not None
    has_dt = days is not None or hours is not None or minutes is not None or seconds is not None
    if has_ym and has_dt:
        raise TckValueError(f"FEEL has no duration mixing years/months and days/time: {text!r}")
    if has_ym:
        return YearsMonthsDuration(factor * (int(years or 0) * 12 + int(months or 0)))
    try:
        value = dt.timedelta(
            days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
            seconds=int(seconds or 0), microseconds=_micros(fraction),
        )
    except OverflowError:
        raise TckValueError(f"duration too large: {text!r}") from None
    return -value if factor < 0 else value


# --------------------------------------------------------------------------- comparing values


def numbers_equal(expected: Decimal, actual: Decimal) -> bool:
    """Numeric equality, with :data:`NUMBER_TOLERANCE` for long expected decimals."""
    if actual.is_nan():
        return False
    if actual == expected:
        return True
    if not actual.is_finite():
        return False
    exponent = expected.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places < TOLERANCE_MIN_PLACES:
        return False
    return abs(_WIDE.subtract(expected, actual)) < NUMBER_TOLERANCE


def _zone_key(value: dt.time | dt.datetime) -> object:
    tz = value.tzinfo
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo) and isinstance(value, dt.time):
        return ("zone", tz.key)  # a time has no date to resolve the zone's offset
    return ("offset", value.utcoffset())


def compare(expected: Any, actual: Any, path: str = "") -> str | None:
    """None if ``actual`` matches ``expected`` under the TCK rules, else why not.

    ``path`` locates nested values in the explanation (``[2].name``).
    """
    where = f" at {path}" if path else ""
    if expected is None:
        if actual is None:
            return None
        return f"expected null{where}, got {show(actual)}"
    if actual is None:
        return f"expected {show(expected)}{where}, got null"
    mismatch = f"expected {show(expected)}{where}, got {show(actual)}"
    if isinstance(expected, bool):
        return None if isinstance(actual, bool) and actual == expected else mismatch
    if isinstance(expected, Decimal):
        if type(actual) is not Decimal:
            return mismatch
        return None if numbers_equal(expected, actual) else mismatch
    if isinstance(expected, str):
        return None if isinstance(actual, str) and actual == expected else mismatch
    if isinstance(expected, dt.datetime):
        if not isinstance(actual, dt.datetime):
            return mismatch
        same = (actual.replace(tzinfo=None) == expected.replace(tzinfo=None)
                and _zone_key(actual) == _zone_key(expected))
        return None if same else mismatch
    if isinstance(expected, dt.date):
        return None if type(actual) is dt.date and actual == expected else mismatch
    if isinstance(expected, dt.time):
        if not isinstance(actual, dt.time):
            return mismatch
        same = (actual.replace(tzinfo=None) == expected.replace(tzinfo=None)
                and _zone_key(actual) == _zone_key(expected))
        return None if same else mismatch
    if isinstance(expected, dt.timedelta):
        return None if isinstance(actual, dt.timedelta) and actual == expected else mismatch
    if isinstance(expected, YearsMonthsDuration):
        ok = isinstance(actual, YearsMonthsDuration) and actual.months == expected.months
        return None if ok else mismatch
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return mismatch
        if len(actual) != len(expected):
            return (f"expected a list of {len(expected)}{where}, got {len(actual)} items: "
                    f"{show(actual)}")
        for index, (exp_item, act_item) in enumerate(zip(expected, actual, strict=True)):
            problem = compare(exp_item, act_item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, Mapping):
            return mismatch
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(map(repr, missing)))
            if extra:
                parts.append("unexpected " + ", ".join(map(repr, extra)))
            return f"context{where}: {'; '.join(parts)}"
        for key, exp_value in expected.items():
            problem = compare(exp_value, actual[key], f"{path}.{key}" if path else key)
            if problem:
                return problem
        return None
    return mismatch if expected != actual else None


# --------------------------------------------------------------------------- showing values

_SHOW_LIMIT = 160


def show(value: Any) -> str:
    """A short FEEL-like rendering of a value for result comments."""
    text = _show(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 3] + "..."


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"date and time({_temporal_text(value)!r})"
    if isinstance(value, dt.date):
        return f"date({value.isoformat()!r})"
    if isinstance(value, dt.time):
        return f"time({_temporal_text(value)!r})"
    if isinstance(value, dt.timedelta):
        return f"duration({format_dt_duration(value)!r})"
    if isinstance(value, YearsMonthsDuration):
        return f"duration({format_ym_duration(value)!r})"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, FeelFunction):
        return "function"
    return f"{type(value).__name__} {value!r}"


def _temporal_text(value: dt.time | dt.datetime) -> str:
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return f"{value.replace(tzinfo=None).isoformat()}@{tz.key}"
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
