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

Temporal text is parsed by the engine's own parser (:mod:`accord.feel.temporal`), so expected
and actual values are built the same way: fractional seconds beyond microseconds (the TCK has
``…33.123456789``) are truncated, a zero offset is UTC. Values Python cannot hold (negative
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
from zoneinfo import ZoneInfo

from accord.feel import temporal
from accord.feel.values import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    feel_type_name,
    format_dt_duration,
    format_ym_duration,
)
from accord.feel.wide import WIDE_TYPES, WideDate, WideDateTime, WideTime

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


def _unreadable(text: str, xsd_type: str) -> TckValueError:
    mixed = _MIXED_DURATION_RE.fullmatch(text) if xsd_type == "duration" else None
    if mixed and (mixed[1] or mixed[2]) and (mixed[3] or mixed[4]):
        return TckValueError(f"FEEL has no duration mixing years/months and days/time: {text!r}")
    return TckValueError(f"not an xsd:{xsd_type}: {text!r}")


_MIXED_DURATION_RE = re.compile(r"-?P(\d+Y)?(\d+M)?(\d+D)?(T.*)?")


def parse_xsd_date(text: str) -> dt.date | WideDate:
    """``xsd:date`` → ``datetime.date`` (no time zone suffix), via :mod:`accord.feel.temporal`."""
    value = temporal.parse_date(text)
    if value is None:
        raise _unreadable(text, "date")
    return value


def parse_xsd_time(text: str) -> dt.time | WideTime:
    """``xsd:time`` → ``datetime.time``; with an offset (``Z``, ``+01:00``) it is tz-aware."""
    value = temporal.parse_time(text)
    if value is None:
        raise _unreadable(text, "time")
    return value


def parse_xsd_datetime(text: str) -> dt.datetime | WideDateTime:
    """``xsd:dateTime`` → ``datetime.datetime`` (naive without an offset)."""
    value = temporal.parse_datetime(text) if "T" in text else None
    if value is None:
        raise _unreadable(text, "dateTime")
    return value


def parse_xsd_duration(text: str) -> dt.timedelta | YearsMonthsDuration:
    """``xsd:duration`` → a days-and-time ``timedelta`` or a :class:`YearsMonthsDuration`."""
    value = temporal.parse_duration(text)
    if value is None:
        raise _unreadable(text, "duration")
    return value


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
    if type(expected) in WIDE_TYPES:
        # canonical values: a wide value only ever equals a wide value, field by field
        return None if actual == expected else mismatch
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
    if isinstance(value, WideDateTime | WideDate | WideTime):
        return f"{feel_type_name(value)}({temporal.format_wide(value)!r})"
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
