"""Range functions (DMN 1.5 clause 10.3.4.9) and ``range(from)`` (10.3.4.1).

Each function takes points (any ordered FEEL value) and/or :class:`Range` values; an
unbounded endpoint (``None``) stands for minus or plus infinity. Arguments that do not
compare give null.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from accord.feel import temporal
from accord.feel.builtins._common import Registry, builtin
from accord.feel.semantics import feel_compare
from accord.feel.values import FEEL_CONTEXT, Range, YearsMonthsDuration

FUNCTIONS: Registry = {}


class _Incomparable(Exception):
    pass


class _End:
    """A range endpoint or a point; ``inf`` is -1/+1 for an unbounded end, 0 otherwise."""

    __slots__ = ("closed", "inf", "value")

    def __init__(self, value: Any, closed: bool, inf: int = 0) -> None:
        self.value = value
        self.closed = closed
        self.inf = inf


def _c(a: _End, b: _End) -> int:
    if a.inf or b.inf:
        return (a.inf > b.inf) - (a.inf < b.inf)
    order = feel_compare(a.value, b.value)
    if order is None:
        raise _Incomparable
    return order


def _start(r: Range) -> _End:
    return _End(r.start, r.start_closed, -1 if r.start is None else 0)


def _end(r: Range) -> _End:
    return _End(r.end, r.end_closed, 1 if r.end is None else 0)


def _point(p: Any) -> _End:
    return _End(p, True)


def _lt(a: _End, b: _End) -> bool:
    return _c(a, b) < 0


def _gt(a: _End, b: _End) -> bool:
    return _c(a, b) > 0


def _eq(a: _End, b: _End) -> bool:
    return _c(a, b) == 0


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    return "r" if isinstance(value, Range) else "p"


def _range_fn(name: str, cases: dict[str, Any], params: list[list[str]]) -> None:
    def impl(a: Any, b: Any) -> bool | None:
        ka, kb = _kind(a), _kind(b)
        if ka is None or kb is None:
            return None
        rule = cases.get(ka + kb)
        if rule is None:
            return None
        try:
            x = _point(a) if ka == "p" else a
            y = _point(b) if kb == "p" else b
            return bool(rule(x, y))
        except _Incomparable:
            return None

    impl.__name__ = name.replace(" ", "_")
    builtin(FUNCTIONS, name, *params)(impl)


_PP = ["point1", "point2"]
_PR = ["point", "range"]
_RP = ["range", "point"]
_RR = ["range1", "range2"]


def _before_rr(r1: Range, r2: Range) -> bool:
    e1, s2 = _end(r1), _start(r2)
    return _lt(e1, s2) or (_eq(e1, s2) and not (r1.end_closed and r2.start_closed))


def _after_rr(r1: Range, r2: Range) -> bool:
    s1, e2 = _start(r1), _end(r2)
    return _gt(s1, e2) or (_eq(s1, e2) and not (r1.start_closed and r2.end_closed))


_range_fn(
    "before",
    {
        "pp": lambda p1, p2: _lt(p1, p2),
        "pr": lambda p, r: _lt(p, _start(r)) or (_eq(p, _start(r)) and not r.start_closed),
        "rp": lambda r, p: _lt(_end(r), p) or (_eq(_end(r), p) and not r.end_closed),
        "rr": _before_rr,
    },
    [_PP, _PR, _RP, _RR],
)
_range_fn(
    "after",
    {
        "pp": lambda p1, p2: _gt(p1, p2),
        "pr": lambda p, r: _gt(p, _end(r)) or (_eq(p, _end(r)) and not r.end_closed),
        "rp": lambda r, p: _gt(_start(r), p) or (_eq(_start(r), p) and not r.start_closed),
        "rr": _after_rr,
    },
    [_PP, _PR, _RP, _RR],
)
_range_fn(
    "meets",
    {"rr": lambda r1, r2: r1.end_closed and r2.start_closed and _eq(_end(r1), _start(r2))},
    [_RR],
)
_range_fn(
    "met by",
    {"rr": lambda r1, r2: r1.start_closed and r2.end_closed and _eq(_start(r1), _end(r2))},
    [_RR],
)


def _overlaps(r1: Range, r2: Range) -> bool:
    e1, s2, s1, e2 = _end(r1), _start(r2), _start(r1), _end(r2)
    left = _gt(e1, s2) or (_eq(e1, s2) and r1.end_closed and r2.start_closed)
    right = _lt(s1, e2) or (_eq(s1, e2) and r1.start_closed and r2.end_closed)
    return left and right


def _overlaps_before(r1: Range, r2: Range) -> bool:
    s1, e1, s2, e2 = _start(r1), _end(r1), _start(r2), _end(r2)
    return (
        (_lt(s1, s2) or (_eq(s1, s2) and r1.start_closed and not r2.start_closed))
        and (_gt(e1, s2) or (_eq(e1, s2) and r1.end_closed and r2.start_closed))
        and (_lt(e1, e2) or (_eq(e1, e2) and (not r1.end_closed or r2.end_closed)))
    )


_range_fn("overlaps", {"rr": _overlaps}, [_RR])
_range_fn("overlaps before", {"rr": _overlaps_before}, [_RR])
_range_fn("overlaps after", {"rr": lambda r1, r2: _overlaps_before(r2, r1)}, [_RR])


def _finishes_rr(r1: Range, r2: Range) -> bool:
    s1, s2 = _start(r1), _start(r2)
    return (
        r1.end_closed == r2.end_closed
        and _eq(_end(r1), _end(r2))
        and (_gt(s1, s2) or (_eq(s1, s2) and (not r1.start_closed or r2.start_closed)))
    )


def _starts_rr(r1: Range, r2: Range) -> bool:
    e1, e2 = _end(r1), _end(r2)
    return (
        r1.start_closed == r2.start_closed
        and _eq(_start(r1), _start(r2))
        and (_lt(e1, e2) or (_eq(e1, e2) and (not r1.end_closed or r2.end_closed)))
    )


def _includes_rp(r: Range, p: _End) -> bool:
    s, e = _start(r), _end(r)
    return (
        (_lt(s, p) and _gt(e, p)) or (_eq(s, p) and r.start_closed) or (_eq(e, p) and r.end_closed)
    )


def _includes_rr(r1: Range, r2: Range) -> bool:
    s1, e1, s2, e2 = _start(r1), _end(r1), _start(r2), _end(r2)
    return (_lt(s1, s2) or (_eq(s1, s2) and (r1.start_closed or not r2.start_closed))) and (
        _gt(e1, e2) or (_eq(e1, e2) and (r1.end_closed or not r2.end_closed))
    )


_range_fn(
    "finishes",
    {"pr": lambda p, r: r.end_closed and _eq(_end(r), p), "rr": _finishes_rr},
    [_PR, _RR],
)
_range_fn(
    "finished by",
    {
        "rp": lambda r, p: r.end_closed and _eq(_end(r), p),
        "rr": lambda r1, r2: _finishes_rr(r2, r1),
    },
    [_RP, _RR],
)
_range_fn("includes", {"rp": _includes_rp, "rr": _includes_rr}, [_RP, _RR])
_range_fn(
    "during",
    {"pr": lambda p, r: _includes_rp(r, p), "rr": lambda r1, r2: _includes_rr(r2, r1)},
    [_PR, _RR],
)
_range_fn(
    "starts",
    {"pr": lambda p, r: r.start_closed and _eq(_start(r), p), "rr": _starts_rr},
    [_PR, _RR],
)
_range_fn(
    "started by",
    {
        "rp": lambda r, p: r.start_closed and _eq(_start(r), p),
        "rr": lambda r1, r2: _starts_rr(r2, r1),
    },
    [_RP, _RR],
)
_range_fn(
    "coincides",
    {
        "pp": lambda p1, p2: _eq(p1, p2),
        "rr": lambda r1, r2: (
            r1.start_closed == r2.start_closed
            and r1.end_closed == r2.end_closed
            and _eq(_start(r1), _start(r2))
            and _eq(_end(r1), _end(r2))
        ),
    },
    [_PP, _RR],
)


# --------------------------------------------------------------------------- range(from)

_ENDPOINT_RE = re.compile(
    r"""\s*(?:
        (?P<num>-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      | "(?P<str>(?:[^"\\]|\\.)*)"
      | @"(?P<at>(?:[^"\\]|\\.)*)"
      | (?P<fn>date\ and\ time|date|time|duration)\s*\(\s*"(?P<arg>(?:[^"\\]|\\.)*)"\s*\)
    )\s*""",
    re.VERBOSE,
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def _endpoint(text: str) -> tuple[bool, Any]:
    """(ok, value) for the text of one endpoint literal."""
    m = _ENDPOINT_RE.fullmatch(text)
    if m is None:
        return False, None
    if m.group("num") is not None:
        return True, FEEL_CONTEXT.create_decimal(m.group("num"))
    if m.group("str") is not None:
        return True, _unescape(m.group("str"))
    if m.group("at") is not None:
        value = temporal.parse_temporal_literal(_unescape(m.group("at")))
        return value is not None, value
    fn, arg = m.group("fn"), _unescape(m.group("arg"))
    parsers = {
        "date": temporal.parse_date,
        "time": temporal.parse_time,
        "date and time": temporal.parse_datetime,
        "duration": temporal.parse_duration,
    }
    value = parsers[fn](arg)
    return value is not None, value


_RANGE_TYPES = (Decimal, str, dt.date, dt.datetime, dt.time, dt.timedelta, YearsMonthsDuration)


@builtin(FUNCTIONS, "range", ["from"])
def range_(text: Any) -> Range | None:
    """``range(from)``: a range from its FEEL literal text (``"[1..10)"``)."""
    if not isinstance(text, str):
        return None
    body = text.strip()
    if len(body) < 2 or body[0] not in "[(]" or body[-1] not in "])[":
        return None
    start_closed = body[0] == "["
    end_closed = body[-1] == "]"
    inner = body[1:-1]
    split = _split_dots(inner)
    if split is None:
        return None
    ok_s, start = _endpoint(split[0])
    ok_e, end = _endpoint(split[1])
    if not ok_s or not ok_e or start is None or end is None:
        return None
    if type(start) is not type(end) or type(start) not in _RANGE_TYPES:
        return None
    order = feel_compare(start, end)
    if order is None or order > 0:
        return None
    return Range(start_closed, start, end, end_closed)


def _split_dots(inner: str) -> tuple[str, str] | None:
    """Split ``a..b`` at the ``..`` that is outside string literals."""
    in_str = False
    i = 0
    while i < len(inner) - 1:
        c = inner[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif inner.startswith("..", i):
            return inner[:i], inner[i + 2 :]
        i += 1
    return None
