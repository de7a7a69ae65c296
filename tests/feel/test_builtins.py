"""FEEL built-in functions, called through BUILTINS (expected values from the DMN TCK)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accord.feel.builtins import BUILTINS, feel_string, format_number, set_clock
from accord.feel.temporal import parse_temporal_literal
from accord.feel.values import FeelFunction, Range, YearsMonthsDuration

D = Decimal


def n(*values: str | int) -> list[Decimal]:
    return [Decimal(x) for x in values]


def v(text: str) -> Any:
    value = parse_temporal_literal(text)
    assert value is not None, text
    return value


def r(text: str) -> Range:
    value = BUILTINS["range"](text)
    assert isinstance(value, Range), text
    return value


def fn(params: list[str], body: Any) -> FeelFunction:
    return FeelFunction("lambda", params, body)


def same(got: Any, expected: Any) -> bool:
    """Equal with the same types throughout (``True`` is not ``Decimal(1)``)."""
    if type(got) is not type(expected):
        return False
    if isinstance(got, list):
        return len(got) == len(expected) and all(map(same, got, expected))
    if isinstance(got, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)
    return bool(got == expected)


def check(name: str, args: tuple[Any, ...], expected: Any) -> None:
    got = BUILTINS[name](*args)
    assert same(got, expected), f"{name}{args!r} = {got!r}, expected {expected!r}"


# --------------------------------------------------------------------------- conversion

CONVERSION = [
    ("date", ("2017-12-31",), dt.date(2017, 12, 31)),
    ("date", (v("2017-08-14T14:25:00"),), dt.date(2017, 8, 14)),
    ("date", (v("2017-09-03T09:45:30@Europe/Paris"),), dt.date(2017, 9, 3)),
    ("date", (v("2017-10-11"),), dt.date(2017, 10, 11)),
    ("date", (D(2017), D(1), D(1)), dt.date(2017, 1, 1)),
    ("date", (None,), None),
    ("date", (None, None), None),
    ("date", (None, D(2), D(1)), None),
    ("date", (D(2017), None, D(1)), None),
    ("date", (), None),
    ("date", ("2012-12-25T",), None),
    ("date", ("2017-13-10",), None),
    ("date", (D(2017), D(13), D(31)), None),
    ("date", (D(2017), D(8), D(-2)), None),
    ("date", (D(2017), D("8.5"), D(2)), None),
    ("date", (D(1),), None),
    ("date", ([],), None),
    ("date and time", ("2012-12-24",), dt.datetime(2012, 12, 24)),
    ("date and time", ("2017-12-31T11:22:33",), dt.datetime(2017, 12, 31, 11, 22, 33)),
    ("date and time", (v("2017-01-01"), v("23:59:01")), dt.datetime(2017, 1, 1, 23, 59, 1)),
    ("date and time", (v("2017-08-10T10:20:00+02:00"), v("23:59:01")), v("2017-08-10T23:59:01")),
    ("date and time", (v("2017-09-05T10:20:00-01:00"), v("09:15:30Z")), v("2017-09-05T09:15:30Z")),
    ("date and time", (v("2017-01-01"),), v("2017-01-01T00:00:00Z")),
    ("date and time", (None,), None),
    ("date and time", (v("2017-08-10T10:20:00"), None), None),
    ("date and time", (None, v("23:59:01")), None),
    ("date and time", (), None),
    ("date and time", (D(2017),), None),
    ("date and time", ("11:00:00",), None),
    ("time", ("01:02:03",), dt.time(1, 2, 3)),
    ("time", (v("2017-08-10T10:20:00"),), dt.time(10, 20)),
    ("time", (v("2017-08-10T10:20:00+01:00"),), v("10:20:00+01:00")),
    ("time", (v("2017-08-10"),), v("00:00:00Z")),
    ("time", (v("10:00:00"),), v("10:00:00")),
    ("time", (D(12), D(0), D(0), None), dt.time(12)),
    ("time", (D(12), D(0), D(0)), dt.time(12)),
    ("time", (D(11), D(59), D(45), v("PT2H")), v("11:59:45+02:00")),
    ("time", (D(11), D(59), D(0), v("-PT2H1M")), v("11:59:00-02:01")),
    ("time", (D(11), D(59), D(45), v("PT0H")), v("11:59:45Z")),
    ("time", (D(12), D(59), D("1.3"), v("-PT1H")), v("12:59:01.3-01:00")),
    ("time", (None,), None),
    ("time", (None, D(11), D(45), v("P0D")), None),
    ("time", (D(12), D(11), None, None), None),
    ("time", (), None),
    ("time", (D(2017),), None),
    ("time", ("",), None),
    ("time", (D(24), D(59), D(45), None), None),
    ("time", (D(-24), D(59), D(45), None), None),
    ("time", (D(23), D(60), D(45), None), None),
    ("time", (D(23), D(59), D(60), None), None),
    ("time", (D(23), D(59), D(0), v("PT19H")), None),
    ("time", (D(23), D(59), D(0), v("P1M")), None),
    ("duration", ("P1D",), dt.timedelta(days=1)),
    ("duration", ("P1Y2M",), YearsMonthsDuration(14)),
    ("duration", ("-PT1H2M",), -dt.timedelta(hours=1, minutes=2)),
    ("duration", (None,), None),
    ("duration", (), None),
    ("duration", ("",), None),
    ("duration", (D(2017),), None),
    ("duration", ("P",), None),
    ("years and months duration", (v("2011-12-22"), v("2013-08-24")), YearsMonthsDuration(20)),
    ("years and months duration", (v("2013-08-24"), v("2011-12-22")), YearsMonthsDuration(-20)),
    ("years and months duration", (v("2016-01-01"), v("2016-01-01")), YearsMonthsDuration(0)),
    (
        "years and months duration",
        (v("2017-12-31T13:00:00"), v("2017-12-31T12:00:00")),
        YearsMonthsDuration(0),
    ),
    (
        "years and months duration",
        (v("2016-09-30T23:25:00"), v("2017-12-28T12:12:12")),
        YearsMonthsDuration(14),
    ),
    (
        "years and months duration",
        (v("2017-09-05T10:20:00+05:00"), v("2019-10-01T12:32:59")),
        YearsMonthsDuration(24),
    ),
    (
        "years and months duration",
        (v("2017-02-28T23:59:59"), v("2019-07-23")),
        YearsMonthsDuration(28),
    ),
    ("years and months duration", (v("2017-08-11"), None), None),
    ("years and months duration", (None, v("2017-08-11")), None),
    ("years and months duration", (), None),
    ("years and months duration", (D(2017),), None),
    ("years and months duration", ([], []), None),
    ("number", ("1.000.000,01", ".", ","), D("1000000.01")),
    ("number", ("1,000,000.01", ",", "."), D("1000000.01")),
    ("number", ("1 000 000.01", " ", "."), D("1000000.01")),
    ("number", ("1000000.01", None, "."), D("1000000.01")),
    ("number", ("1,000,000", ",", None), D("1000000")),
    ("number", ("1,000,000.00", ",", None), D("1000000.00")),
    ("number", ("12",), D(12)),
    ("number", ("-1.5e3",), D("-1.5e3")),
    ("number", ("1,000,000.01", " ", "."), None),
    ("number", ("1,000,000.01", ":", "."), None),
    ("number", ("1,000,000.01", D(123), "."), None),
    ("number", ("1,000,000.01", ",", ":"), None),
    ("number", ("1,000,000.00", ",", ","), None),
    ("number", ("1,000,000.00", ".", "."), None),
    ("number", (None, ".", "."), None),
    ("number", (D(123), ".", "."), None),
    ("number", ("foo,bar.001", ".", ","), None),
    ("number", ("1.000.000,01", "."), None),
    ("number", ("1.000.000,01", ".", ",", ","), None),
    ("string", (D("1.10"),), "1.1"),
    ("string", (D(2),), "2"),
    ("string", (D("1E+3"),), "1000"),
    ("string", (D("-0.000123"),), "-0.000123"),
    ("string", ("foo",), "foo"),
    ("string", (True,), "true"),
    ("string", (None,), None),
    ("string", (), None),
    ("string", (v("2018-12-10T10:30:00+01:00"),), "2018-12-10T10:30:00+01:00"),
    ("string", (v("2018-12-10T10:30:00Z"),), "2018-12-10T10:30:00Z"),
    ("string", (v("10:30:00@Europe/Paris"),), "10:30:00@Europe/Paris"),
    ("string", (v("P1DT2H"),), "P1DT2H"),
    ("string", (v("P14M"),), "P1Y2M"),
    ("string", ([D(1), D(2)],), "[1, 2]"),
    ("string", ({"a": D(1), "b c": "x"},), '{a: 1, b c: "x"}'),
    ("string", (r("[1..10)"),), "[1..10)"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CONVERSION)
def test_conversion(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


FEEL_STRING = [
    (None, "null"),
    (False, "false"),
    (D(0), "0"),
    (D("-0.00"), "0"),
    (D("100"), "100"),
    (D("123.4500"), "123.45"),
    ('a"b', 'a"b'),
    (["a", None, [D(1)]], '["a", null, [1]]'),
    ({"x": {"y": "z"}, "1a": D(1)}, '{x: {y: "z"}, "1a": 1}'),
    (Range(False, None, D(10), False), "< 10"),
    (Range(True, D(10), None, False), ">= 10"),
    (Range(False, "a", "c", True), '("a".."c"]'),
    (dt.date(2020, 1, 2), "2020-01-02"),
    (dt.time(10, 30), "10:30:00"),
    (dt.time(10, 30, 0, 500000), "10:30:00.5"),
    (dt.timedelta(0), "PT0S"),
    (YearsMonthsDuration(0), "P0M"),
    (FeelFunction("f", ["a", "b"], lambda a, b: a), "function f(a, b)"),
]


@pytest.mark.parametrize(("value", "expected"), FEEL_STRING)
def test_feel_string(value: Any, expected: str) -> None:
    assert feel_string(value) == expected


def test_format_number() -> None:
    assert format_number(D("1.23E-10")) == "0.000000000123"
    assert format_number(D("1.2E+5")) == "120000"


# --------------------------------------------------------------------------- numeric

NUMERIC = [
    ("decimal", (D(1) / D(3), D(2)), D("0.33")),
    ("decimal", (D(1) / D(3), D("2.5")), D("0.33")),
    ("decimal", (D("1.5"), D(0)), D(2)),
    ("decimal", (D("2.5"), D(0)), D(2)),
    ("decimal", (D("0.515"), D(2)), D("0.52")),
    ("decimal", (D("65.123456"), D(6)), D("65.123456")),
    ("decimal", (D(1234), D(-2)), D(1200)),
    ("decimal", (D(1), None), None),
    ("decimal", ("1", D(1)), None),
    ("floor", (D("1.5"),), D(1)),
    ("floor", (D("-1.5"),), D(-2)),
    ("floor", (D("0.3333"),), D(0)),
    ("floor", (D("1.56"), D(1)), D("1.5")),
    ("floor", (D("-1.56"), D(1)), D("-1.6")),
    ("floor", (None, D(1)), None),
    ("floor", (D("1.56"), None), None),
    ("floor", (), None),
    ("floor", (D("1.5"), D(1), D(2)), None),
    ("floor", ("1.5",), None),
    ("floor", (D("1.5"), "1"), None),
    ("ceiling", (D("1.5"),), D(2)),
    ("ceiling", (D("-1.5"),), D(-1)),
    ("ceiling", (D("-0.3333"),), D(0)),
    ("ceiling", (D("1.56"), D(1)), D("1.6")),
    ("ceiling", (D("-1.56"), D(1)), D("-1.5")),
    ("ceiling", ("1.5",), None),
    ("round up", (D("5.5"), D(0)), D(6)),
    ("round up", (D("-5.5"), D(0)), D(-6)),
    ("round up", (D("1.121"), D(2)), D("1.13")),
    ("round up", (D("-1.126"), D(2)), D("-1.13")),
    ("round up", (D("5.5"), D(6176)), D("5.5")),
    ("round up", (D("5.5"), D(6177)), None),
    ("round up", (D("5.5"), D(-6112)), None),
    ("round up", (None, D(0)), None),
    ("round up", (D("5.5"), "0"), None),
    ("round up", (D("5.5"),), None),
    ("round down", (D("5.5"), D(0)), D(5)),
    ("round down", (D("-5.5"), D(0)), D(-5)),
    ("round down", (D("1.121"), D(2)), D("1.12")),
    ("round down", (D("-1.126"), D(2)), D("-1.12")),
    ("round half up", (D("5.5"), D(0)), D(6)),
    ("round half up", (D("-5.5"), D(0)), D(-6)),
    ("round half up", (D("1.121"), D(2)), D("1.12")),
    ("round half up", (D("-1.126"), D(2)), D("-1.13")),
    ("round half down", (D("5.5"), D(0)), D(5)),
    ("round half down", (D("-5.5"), D(0)), D(-5)),
    ("round half down", (D("-1.126"), D(2)), D("-1.13")),
    ("round half down", (D(1234), None), None),
    ("abs", (D(-1),), D(1)),
    ("abs", (D(0),), D(0)),
    ("abs", (v("-P1D"),), v("P1D")),
    ("abs", (v("-P1Y"),), v("P1Y")),
    ("abs", (), None),
    ("abs", (D(1), D(1)), None),
    ("abs", (None,), None),
    ("abs", ("-1",), None),
    ("abs", (True,), None),
    ("abs", (v("2018-12-06"),), None),
    ("modulo", (D(10), D(4)), D(2)),
    ("modulo", (D(10), D(-4)), D(-2)),
    ("modulo", (D(-10), D(4)), D(2)),
    ("modulo", (D(0), D(4)), D(0)),
    ("modulo", (D(-12), D(5)), D(3)),
    ("modulo", (D(12), D(-5)), D(-3)),
    ("modulo", (D(-12), D(-5)), D(-2)),
    ("modulo", (D("10.1"), D("4.5")), D("1.1")),
    ("modulo", (D("-10.1"), D("4.5")), D("3.4")),
    ("modulo", (D("10.1"), D("-4.5")), D("-3.4")),
    ("modulo", (D("-10.1"), D("-4.5")), D("-1.1")),
    ("modulo", (D(10), D(0)), None),
    ("modulo", (D(4),), None),
    ("modulo", (D(10), None), None),
    ("modulo", ("10", "4"), None),
    ("modulo", (v("P10D"), D(4)), None),
    ("sqrt", (D(4),), D(2)),
    ("sqrt", (D(0),), D(0)),
    ("sqrt", (D(-1),), None),
    ("sqrt", (None,), None),
    ("sqrt", ("4",), None),
    ("sqrt", (D(4), D(4)), None),
    ("log", (D(-1),), None),
    ("log", (D(0),), None),
    ("log", ("4",), None),
    ("exp", (D(0),), D(1)),
    ("exp", (True,), None),
    ("even", (D(2),), True),
    ("even", (D(1),), False),
    ("even", (D(-2),), True),
    ("even", (D(0),), True),
    ("even", (D("1.5"),), None),
    ("even", ("4",), None),
    ("odd", (D(1),), True),
    ("odd", (D(-1),), True),
    ("odd", (D(2),), False),
    ("odd", (None,), None),
    ("odd", (v("P4D"),), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), NUMERIC)
def test_numeric(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


APPROX = [
    ("exp", (D(4),), "54.59815003"),
    ("exp", (D(-1),), "0.36787944"),
    ("log", (D(4),), "1.38629436"),
    ("stddev", (n(2, 4, 7, 5),), "2.0816659994661"),
    ("stddev", tuple(n(2, 4, 7, 5)), "2.0816659994661"),
    ("mean", (n(6, 14, -3),), "5.66666666666667"),
    ("mean", tuple(n(11, 2, 10)), "7.66666666666667"),
]


@pytest.mark.parametrize(("name", "args", "expected"), APPROX)
def test_numeric_approx(name: str, args: tuple[Any, ...], expected: str) -> None:
    got = BUILTINS[name](*args)
    assert isinstance(got, Decimal)
    assert abs(got - Decimal(expected)) < Decimal("1e-8")


def test_results_use_34_digits() -> None:
    assert BUILTINS["sqrt"](D(2)) == D("1.414213562373095048801688724209698")
    assert BUILTINS["mean"](n(1, 2)) == D("1.5")


# --------------------------------------------------------------------------- statistics / lists

LISTS = [
    ("min", (n(6, 14, -3),), D(-3)),
    ("min", tuple(n(6, 14, -3)), D(-3)),
    ("min", (["b", "a"],), "a"),
    ("min", ([v("2020-01-02"), v("2020-01-01")],), v("2020-01-01")),
    ("min", ([],), None),
    ("min", ([D(1), "a"],), None),
    ("min", ([D(1), None],), None),
    ("min", ([True, False],), None),
    ("min", (D(5),), D(5)),
    ("min", (), None),
    ("max", (D(123), D(456)), D(456)),
    ("max", (n("123.46", "456.78"),), D("456.78")),
    ("max", ([v("P1D"), v("PT25H")],), v("PT25H")),
    ("sum", (n(6, 14, -3),), D(17)),
    ("sum", tuple(n(1, 2, 3)), D(6)),
    ("sum", (D(1),), D(1)),
    ("sum", ([],), None),
    ("sum", ([D(1), "2"],), None),
    ("sum", (None,), None),
    ("mean", ([],), None),
    ("mean", ([D(1), None],), None),
    ("product", (n(6, 3, 9, 6, 6),), D(5832)),
    ("product", (n("2.5", 1, "2.5", 3),), D("18.75")),
    ("product", tuple(n(2, 3, 4)), D(24)),
    ("product", (D(6),), D(6)),
    ("product", ([],), None),
    ("product", (), None),
    ("product", (None,), None),
    ("product", ([D(1), D(2), None, D(4)],), None),
    ("median", (n(8, 2, 5, 3, 4),), D(4)),
    ("median", (n(8, 2, 5, 7),), D(6)),
    ("median", (n(6, 1, 2, 3),), D("2.5")),
    ("median", ([],), None),
    ("median", (D(4),), D(4)),
    ("median", tuple(n(8, 2, 5, 3, 4)), D(4)),
    ("median", ([D(1), D(2), "foo"],), None),
    ("median", (None,), None),
    ("median", (), None),
    ("stddev", ([],), None),
    ("stddev", (D(47),), None),
    ("stddev", ([D(47)],), None),
    ("stddev", ([D(1), "foo"],), None),
    ("mode", (n(6, 3, 9, 6, 6),), n(6)),
    ("mode", (n(3, 6, 1, 9, 6, 1, 3),), n(1, 3, 6)),
    ("mode", (n("2.5", 1, "2.5", 3),), n("2.5")),
    ("mode", ([],), []),
    ("mode", (D(6),), n(6)),
    ("mode", tuple(n(6, 3, 9, 6, 6)), n(6)),
    ("mode", (None,), None),
    ("mode", ([D(1), "foo"],), None),
    ("all", ([True, False, True],), False),
    ("all", ([True, True],), True),
    ("all", ([True, None, True],), None),
    ("all", ([False, None],), False),
    ("all", ([True, D(123)],), None),
    ("all", ([],), True),
    ("all", (True,), True),
    ("all", (False,), False),
    ("all", (None,), None),
    ("all", (D(123),), None),
    ("all", (True, False, True), False),
    ("all", (True, None, True), None),
    ("all", (), None),
    ("and", ([True, True],), True),
    ("any", ([True, False],), True),
    ("any", ([False, False],), False),
    ("any", ([D(123), False],), None),
    ("any", ([],), False),
    ("any", (True,), True),
    ("any", (None,), None),
    ("any", (D(123),), None),
    ("any", (None, False), None),
    ("any", (None, True), True),
    ("any", (), None),
    ("or", ([False, True],), True),
    ("count", (["a", "b", "c"],), D(3)),
    ("count", ([],), D(0)),
    ("count", (None,), None),
    ("list contains", (["a", "b"], "b"), True),
    ("list contains", (["x", "y"], "OK"), False),
    ("list contains", ([["a"]], ["a"]), True),
    ("list contains", ([D(1), None], None), True),
    ("list contains", (None, D(1)), None),
    ("sublist", (["a", "b", "c"], D(1), D(2)), ["a", "b"]),
    ("sublist", (["a", "b", "c"], D(-1), D(1)), ["c"]),
    ("sublist", (["a", "b", "c"], D(2)), ["b", "c"]),
    ("sublist", (["a", "b", "c"], D(0)), None),
    ("sublist", (["a", "b", "c"], D(4)), None),
    ("sublist", (["a", "b", "c"], D(2), D(5)), None),
    ("append", (n(6, 14, -3), D(11), D(2)), n(6, 14, -3, 11, 2)),
    ("append", ([["w"]], ["t"]), [["w"], ["t"]]),
    ("append", (["a"],), ["a"]),
    ("append", (None, "a"), None),
    ("append", (), None),
    ("concatenate", (["a", "b"], ["c"]), ["a", "b", "c"]),
    ("concatenate", ([["a"]], [["w"], ["y"]]), [["a"], ["w"], ["y"]]),
    ("concatenate", (), []),
    ("concatenate", (["a"], None), None),
    ("insert before", (["x", "y", "z"], D(2), "OK"), ["x", "OK", "y", "z"]),
    ("insert before", ([["o"], ["p"]], D(2), ["a"]), [["o"], ["a"], ["p"]]),
    ("insert before", (["x", "y"], D(-1), "OK"), ["x", "OK", "y"]),
    ("insert before", (["x", "y"], D(0), "OK"), None),
    ("insert before", (["x", "y"], D(3), "OK"), None),
    ("remove", (["x", "y", "z"], D(2)), ["x", "z"]),
    ("remove", (["x", "y", "z"], D(-1)), ["x", "y"]),
    ("remove", (["x", "y", "z"], D(4)), None),
    ("remove", (["x"], None), None),
    ("reverse", (["a", "b", "c"],), ["c", "b", "a"]),
    ("reverse", ([],), []),
    ("reverse", (None,), None),
    ("index of", (n(1, 2, 3, 2), D(2)), n(2, 4)),
    ("index of", (["x", "y"], "OK"), []),
    ("index of", (None, D(1)), None),
    ("union", (["x", "OK"], ["OK", "a"]), ["x", "OK", "a"]),
    ("union", (n(1, 2), n("1.0", 3)), n(1, 2, 3)),
    ("union", ([[D(1)]], [[D(1)], [D(2)]]), [[D(1)], [D(2)]]),
    ("distinct values", (["x", "OK", "x"],), ["x", "OK"]),
    ("distinct values", ([D(1), True, D(1), True],), [D(1), True]),
    ("distinct values", ([{"a": D(1)}, {"a": D(1)}, None, None],), [{"a": D(1)}, None]),
    ("flatten", ([["w", "x"], ["y"], ["z"]],), ["w", "x", "y", "z"]),
    ("flatten", ([["w", ["x", ["y"]]], "z"],), ["w", "x", "y", "z"]),
    ("flatten", (None,), None),
    ("sort", (n(3, 1, 5, 4),), n(1, 3, 4, 5)),
    ("sort", (["b", "a"],), ["a", "b"]),
    ("sort", ([D(1), "a"],), None),
    ("sort", (n(3, 1, 5, 4), fn(["x", "y"], lambda x, y: x > y)), n(5, 4, 3, 1)),
    (
        "sort",
        (["a", "8", "Aa", "A", "10", "9"], fn(["x", "y"], lambda x, y: x < y)),
        ["10", "8", "9", "A", "Aa", "a"],
    ),
    ("sort", (n(1, 2), fn(["x", "y"], lambda x, y: None)), None),
    ("sort", (n(1, 2), "not a function"), None),
    ("sort", (None,), None),
    ("sort", (), None),
    ("list replace", (n(1, 2, 3), D(2), D(4)), n(1, 4, 3)),
    ("list replace", (n(1, 2, 3), D(-1), D(4)), n(1, 2, 4)),
    ("list replace", (n(1, 2, 3), D("2.5"), D(4)), n(1, 4, 3)),
    ("list replace", (n(1, 2, 3), D(3), None), [D(1), D(2), None]),
    ("list replace", (n(1, 2, 3), D(0), D(4)), None),
    ("list replace", (n(1, 2, 3), D(4), D(4)), None),
    ("list replace", (n(1, 2, 3), D(-4), D(4)), None),
    ("list replace", (None, D(1), D(4)), None),
    ("list replace", (n(1, 2, 3), None, D(4)), None),
    ("list replace", (n(1, 2, 3), "2", D(4)), None),
    ("list replace", (n(1, 2, 3), "2"), None),
    (
        "list replace",
        (n(2, 4, 7, 8), fn(["item", "newItem"], lambda i, x: i < x), D(5)),
        n(5, 5, 7, 8),
    ),
    ("list replace", (n(2, 4), fn(["item", "newItem", "extra"], lambda i, x, e: True), D(5)), None),
    ("list replace", (n(2, 4), fn(["item"], lambda i: True), D(5)), None),
    ("list replace", (n(2, 4), fn(["item", "newItem"], lambda i, x: i), D(5)), None),
    ("list replace", (D(1), D(1), D(5)), n(5)),
]


@pytest.mark.parametrize(("name", "args", "expected"), LISTS)
def test_lists(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_sort_is_stable_and_does_not_mutate() -> None:
    rows = [{"k": D(2), "i": D(1)}, {"k": D(1), "i": D(2)}, {"k": D(2), "i": D(3)}]
    original = list(rows)
    got = BUILTINS["sort"](rows, fn(["x", "y"], lambda x, y: x["k"] < y["k"]))
    assert [row["i"] for row in got] == n(2, 1, 3)
    assert rows == original


# --------------------------------------------------------------------------- strings

STRINGS = [
    ("substring", ("f", D(1)), "f"),
    ("substring", ("f", D(1), D(1)), "f"),
    ("substring", ("foobar", D(6)), "r"),
    ("substring", ("foobar", D(1), D(6)), "foobar"),
    ("substring", ("foobar", D(3)), "obar"),
    ("substring", ("foobar", D(3), D(3)), "oba"),
    ("substring", ("foobar", D(-2), D(1)), "a"),
    ("substring", ("foob r", D(-2), D(1)), " "),
    ("substring", ("foobar", D(-6), D(6)), "foobar"),
    ("substring", ("foobar", D(3), D("3.8")), "oba"),
    ("substring", ("\U0001f40efoo", D(2)), "foo"),
    ("substring", ("foobar", D(0)), None),
    ("substring", ("foobar", D(-7)), None),
    ("substring", (None, D(1)), None),
    ("substring", ("foobar",), None),
    ("string length", ("",), D(0)),
    ("string length", ("abc",), D(3)),
    ("string length", ("\U0001f40e\U0001f600",), D(2)),
    ("string length", (D(1),), None),
    ("upper case", ("abc",), "ABC"),
    ("upper case", ("",), ""),
    ("upper case", ("?@{",), "?@{"),
    ("upper case", (None,), None),
    ("lower case", ("aBc4",), "abc4"),
    ("lower case", (D(1),), None),
    ("substring before", ("foobar", "bar"), "foo"),
    ("substring before", ("foobar", "o"), "f"),
    ("substring before", ("foobar", "x"), ""),
    ("substring before", ("", ""), ""),
    ("substring before", ("abc", "a"), ""),
    ("substring before", (None, "a"), None),
    ("substring after", ("foobar", "ob"), "ar"),
    ("substring after", ("foobar", "o"), "obar"),
    ("substring after", ("foobar", "x"), ""),
    ("substring after", ("abc", ""), "abc"),
    ("substring after", ("abc", "c"), ""),
    ("substring after", ("abc", None), None),
    ("contains", ("foobar", "bar"), True),
    ("contains", ("abc", ""), True),
    ("contains", ("", "ab"), False),
    ("contains", (None, "bar"), None),
    ("contains", ("bar", None), None),
    ("starts with", ("foobar", "foo"), True),
    ("starts with", ("foobar", "bar"), False),
    ("starts with", (D(1), "1"), None),
    ("ends with", ("foobar", "bar"), True),
    ("ends with", ("\U0001f40e\U0001f600", "\U0001f600"), True),
    ("ends with", ("foobar", None), None),
    ("matches", ("abc", "[a-z]{3}"), True),
    ("matches", ("abracadabra", "bra", None), True),
    ("matches", ("This is a characte", "This is a characte"), True),
    ("matches", ("\nabcd\ndefg\n", "^$", "m"), True),
    ("matches", ("abcd\n\ndefg\n ", "^$", "m"), True),
    ("matches", ("abc\n", "abc$"), False),
    ("matches", ("Mary\rJones", "Mary.Jones"), False),
    ("matches", ("Mary\rJones", "Mary.Jones", "s"), True),
    ("matches", ("abc", "ABC", "i"), True),
    ("matches", ("abZ", "[A-Z]*", "i"), True),
    ("matches", ("\u212a", "k", "i"), True),
    ("matches", ("x", "[A-Z-[OI]]", "i"), True),
    ("matches", ("O", "[A-Z-[OI]]", "i"), False),
    ("matches", ("i", "[A-Z-[OI]]", "i"), False),
    ("matches", ("Q", "[^Q]", "i"), False),
    ("matches", ("q", "[^Q]", "i"), False),
    ("matches", ("hello world", "hello\\ sworld", "x"), True),
    ("matches", ("hello world", " hello[ ]world", "x"), True),
    ("matches", ("hello world", "he ll o[ ]worl d", "x"), True),
    ("matches", ("hello world", "\\p{ IsBasicLatin}+", "x"), True),
    ("matches", ("hello world", "\\p{ I s B a s i c L a t i n }+", "x"), True),
    ("matches", ("a", "a[^b]"), False),
    ("matches", ("a ", "a[^b]"), True),
    ("matches", ("aA", "(a)\\1", "i"), True),
    ("matches", ("Émile", "^\\p{Lu}\\p{Ll}+$"), True),
    ("matches", ("émile", "^\\P{Lu}+$"), True),
    ("matches", ("a-b", "^[a\\-b]+$"), True),
    ("matches", ("a.b", "a.b", "q"), True),
    ("matches", ("axb", "a.b", "q"), False),
    ("matches", ("hello world", "\\p{ IsBasicLatin}+"), None),
    ("matches", ("h", "(.)\\3"), None),
    ("matches", ("h", "(.)\\2"), None),
    ("matches", ("input", "\\3"), None),
    ("matches", ("abcd", "(asd)[\\1]"), None),
    ("matches", ("abcd", "(asd)[asd\\0]"), None),
    ("matches", ("abcd", "1[asd\\0]"), None),
    ("matches", ("abcd", "\\z"), None),
    ("matches", ("abcd", "[a"), None),
    ("matches", ("abracadabra", "bra", "p"), None),
    ("matches", ("input", "pattern", " "), None),
    ("matches", (None, "pattern"), None),
    ("matches", ("input", None), None),
    ("matches", ("input", []), None),
    ("matches", ("input", "pattern", []), None),
    ("matches", ("input",), None),
    ("matches", ("input", "pattern", "", []), None),
    ("replace", ("abcd", "(ab)|(a)", "[1=$1][2=$2]"), "[1=ab][2=]cd"),
    ("replace", ("a", "[b-z]", "#"), "a"),
    ("replace", ("abc", "def", "#"), "abc"),
    ("replace", ("foobar", "^fo*b*", "#"), "#ar"),
    ("replace", ("abc", ".^[d-z]", "#"), "abc"),
    ("replace", ("abracadabra", "bra", "*"), "a*cada*"),
    ("replace", ("abracadabra", "a.*a", "*"), "*"),
    ("replace", ("abracadabra", "a.*?a", "*"), "*c*bra"),
    ("replace", ("abracadabra", "a", ""), "brcdbr"),
    ("replace", ("abracadabra", "a(.)", "a$1$1"), "abbraccaddabbra"),
    ("replace", ("AAAA", "A+", "b"), "b"),
    ("replace", ("AAAA", "A+?", "b"), "bbbb"),
    ("replace", ("darted", "^(.*?)d(.*)$", "$1c$2"), "carted"),
    ("replace", ("0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3"), "(012) 345-6789"),
    ("replace", ("facetiously", "[iouy]", "[$0]"), "facet[i][o][u]sl[y]"),
    ("replace", ("abc", "[a-z]", "#", ""), "###"),
    ("replace", ("a.b.c.", "[a-z]", "#", "s"), "#.#.#."),
    ("replace", ("abc", "[A-Z]", "#", "i"), "###"),
    ("replace", ("a b c d ", "[a-z]", "#", "x"), "# # # # "),
    ("replace", ("abc", ".^[d-z]*", "#", "smix"), "abc"),
    ("replace", ("abc", "b", "$$", "q"), "a$$c"),
    ("replace", ("abc", "b", "\\$"), "a$c"),
    ("replace", ("abc", "(b)", "$12"), "ab2c"),
    ("replace", ("abc", "b", "$"), None),
    ("replace", ("abc", "b", "\\x"), None),
    ("replace", ("abc", "x*", "-"), None),
    ("replace", (None, "a", "b"), None),
    ("split", ("John Doe", "\\s"), ["John", "Doe"]),
    ("split", ("a;b;c;;", ";"), ["a", "b", "c", "", ""]),
    ("split", ("foo,bar", ","), ["foo", "bar"]),
    ("split", ("a1b22c", "\\d+"), ["a", "b", "c"]),
    ("split", ("", ","), []),
    ("split", ("foo",), None),
    ("split", (), None),
    ("split", (None, None), None),
    ("split", ("foo", None), None),
    ("split", (None, ","), None),
    ("string join", (["a", "b", "c"],), "abc"),
    ("string join", (["a", "b", "c"], " and "), "a and b and c"),
    ("string join", (["a", "b", "c"], None), "abc"),
    ("string join", (["a"], "X"), "a"),
    ("string join", (["a", None, "c"], "X"), "aXc"),
    ("string join", ([],), ""),
    ("string join", ([], "X"), ""),
    ("string join", (), None),
    ("string join", (["a", "c"], "X", "foo"), None),
    ("string join", (None,), None),
    ("string join", (None, "X"), None),
    ("string join", (n(1, 2, 3), "X"), None),
    ("string join", (D(123), "X"), None),
    ("string join", ("a", "X"), "a"),
    ("upper case", (["bob"],), "BOB"),
    ("contains", (["foobar"], ["bar"]), True),
    ("upper case", (["a", "b"],), None),
    ("string length", ([],), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), STRINGS)
def test_strings(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


# --------------------------------------------------------------------------- temporal functions

TEMPORAL_FNS = [
    ("day of year", (v("1970-01-01"),), D(1)),
    ("day of year", (v("2019-12-31"),), D(365)),
    ("day of year", (v("2020-12-31"),), D(366)),
    ("day of year", (v("2019-09-17T10:10:10"),), D(260)),
    ("day of year", (None,), None),
    ("day of year", ("foo",), None),
    ("day of year", (), None),
    ("day of year", (v("1970-01-01"), v("1970-01-01")), None),
    ("day of week", (v("2021-01-11"),), "Monday"),
    ("day of week", (v("2021-01-17"),), "Sunday"),
    ("day of week", (v("2019-09-17T10:10:10"),), "Tuesday"),
    ("day of week", ("foo",), None),
    ("month of year", (v("2021-01-01"),), "January"),
    ("month of year", (v("2019-09-17T10:10:10"),), "September"),
    ("month of year", (v("2021-12-01"),), "December"),
    ("month of year", (None,), None),
    ("week of year", (v("2019-09-17"),), D(38)),
    ("week of year", (v("2003-12-29"),), D(1)),
    ("week of year", (v("2003-12-31"),), D(1)),
    ("week of year", (v("2004-01-01"),), D(1)),
    ("week of year", (v("2010-01-01"),), D(53)),
    ("week of year", (v("2005-01-01"),), D(53)),
    ("week of year", (v("2005-01-03"),), D(1)),
    ("week of year", (v("1970-01-01T10:10:10"),), D(1)),
    ("week of year", ("foo",), None),
    ("now", (D(123),), None),
    ("today", (D(123),), None),
    ("is", (D(1), D(1)), True),
    ("is", (D(1), D(2)), False),
    ("is", ("foo", "foo"), True),
    ("is", (v("2012-12-25"), v("2012-12-25T00:00:00Z")), False),
    ("is", (v("23:00:50Z"), v("23:00:50+00:00")), True),
    ("is", (v("P0Y"), v("P0D")), False),
    ("is", (v("2021-02-13"),), False),
    ("is", (None, v("2021-02-13")), False),
    ("is", (D(1), D(1), D(1)), None),
    ("not", (True,), False),
    ("not", (False,), True),
    ("not", (None,), None),
    ("not", (D(1),), None),
    ("not", ("true",), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), TEMPORAL_FNS)
def test_temporal_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_now_and_today_read_the_clock() -> None:
    fixed = dt.datetime(2020, 2, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    set_clock(lambda: fixed)
    try:
        assert BUILTINS["now"]() == fixed
        assert BUILTINS["today"]() == dt.date(2020, 2, 29)
    finally:
        set_clock(None)
    current = BUILTINS["now"]()
    assert isinstance(current, dt.datetime)
    assert current.tzinfo is not None
    assert type(BUILTINS["today"]()) is dt.date


# --------------------------------------------------------------------------- contexts

CONTEXTS = [
    ("get value", ({"a": "foo"}, "a"), "foo"),
    ("get value", ({"a": None}, "a"), None),
    ("get value", ({"a": "foo"}, "b"), None),
    ("get value", (), None),
    ("get value", ({"a": "foo"},), None),
    ("get value", ({"a": "foo"}, "a", "bar"), None),
    ("get value", ("foo", "foo"), None),
    ("get value", ({"a": "foo"}, D(123)), None),
    ("get value", (None, "a"), None),
    (
        "get entries",
        ({"a": "foo", "b": "bar"},),
        [
            {"key": "a", "value": "foo"},
            {"key": "b", "value": "bar"},
        ],
    ),
    ("get entries", ({},), []),
    ("get entries", (), None),
    ("get entries", ({"a": "foo"}, {"b": "bar"}), None),
    ("get entries", (None,), None),
    ("get entries", (n(1, 2),), None),
    (
        "context",
        ([{"key": "a", "value": D(1)}, {"key": "b", "value": D(2)}],),
        {
            "a": D(1),
            "b": D(2),
        },
    ),
    ("context", ([],), {}),
    ("context", ({"key": "a", "value": D(1)},), {"a": D(1)}),
    ("context", ({"key": "a", "value": None},), {"a": None}),
    ("context", ({"key": "", "value": D(1)},), {"": D(1)}),
    ("context", ([{"key": "a", "value": D(1), "ignored": "foo"}],), {"a": D(1)}),
    ("context", ([{"key": "a", "value": D(1)}, {"key": "a", "value": D(2)}],), None),
    ("context", ({"value": D(1)},), None),
    ("context", ({"key": None, "value": D(1)},), None),
    ("context", ({"key": "a"},), None),
    ("context", (None,), None),
    ("context", (), None),
    ("context", ("foo",), None),
    ("context put", ({}, "a", D(1)), {"a": D(1)}),
    ("context put", ({"a": D(1)}, "a", D(2)), {"a": D(2)}),
    (
        "context put",
        ({"a": D(1), "b": D(2), "c": D(3)}, "b", D(3)),
        {
            "a": D(1),
            "b": D(3),
            "c": D(3),
        },
    ),
    ("context put", ({}, "a", None), {"a": None}),
    ("context put", ({}, None, D(1)), None),
    ("context put", (None, "a", D(1)), None),
    ("context put", ({}, "a"), None),
    ("context put", ({}, "a", D(1), D(1)), None),
    ("context put", ([], "a", D(1)), None),
    ("context put", ({}, D(1), D(1)), None),
    (
        "context put",
        ({"x": D(1), "y": {"a": D(0)}}, ["y", "a"], D(2)),
        {
            "x": D(1),
            "y": {"a": D(2)},
        },
    ),
    (
        "context put",
        ({"x": D(1), "y": {"a": D(0)}}, ["y", "b"], D(2)),
        {
            "x": D(1),
            "y": {"a": D(0), "b": D(2)},
        },
    ),
    (
        "context put",
        ({"y": {"a": {"b": {"c": D(1)}}}}, ["y", "a", "b", "c"], D(2)),
        {"y": {"a": {"b": {"c": D(2)}}}},
    ),
    ("context put", ({"y": {"a": D(0)}}, ["y", None], D(2)), None),
    ("context put", ({"y": {"a": D(0)}}, [None, "a"], D(2)), None),
    ("context put", ({"y": {"a": D(0)}}, [], D(2)), None),
    ("context put", ({"y": {"a": D(0)}}, ["y", "a", "b", "c"], D(2)), None),
    ("context merge", ([{"a": D(1)}],), {"a": D(1)}),
    ("context merge", ([{}],), {}),
    ("context merge", ([{"a": D(1)}, {"b": D(2)}],), {"a": D(1), "b": D(2)}),
    ("context merge", ([{"a": D(1)}, {"a": D(2)}],), {"a": D(2)}),
    ("context merge", ([{"a": {"aa": D(1)}}, {"a": {"bb": D(2)}}],), {"a": {"bb": D(2)}}),
    ("context merge", ({"a": D(1)},), {"a": D(1)}),
    ("context merge", (None,), None),
    ("context merge", (), None),
    ("context merge", ([], "foo"), None),
    ("context merge", (n(1, 2, 3),), None),
    ("context merge", ([{"a": D(1)}, D(2)],), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), CONTEXTS)
def test_contexts(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


def test_context_put_copies() -> None:
    original = {"a": {"b": D(1)}}
    copied = BUILTINS["context put"](original, ["a", "b"], D(2))
    assert original == {"a": {"b": D(1)}}
    assert copied == {"a": {"b": D(2)}}


# --------------------------------------------------------------------------- ranges

RANGE_FNS = [
    ("before", (D(1), D(10)), True),
    ("before", (D(10), D(1)), False),
    ("before", (D(1), r("[1..10]")), False),
    ("before", (D(1), r("(1..10]")), True),
    ("before", (r("[1..10)"), D(10)), True),
    ("before", (r("[1..10]"), D(10)), False),
    ("before", (r("[1..10]"), r("[15..20]")), True),
    ("before", (r("[1..10]"), r("[10..20]")), False),
    ("before", (r("[1..10)"), r("[10..20]")), True),
    ("before", (r("[1..10]"), r("(10..20]")), True),
    ("after", (D(10), D(5)), True),
    ("after", (D(12), r("[1..10]")), True),
    ("after", (D(10), r("[1..10)")), True),
    ("after", (D(10), r("[1..10]")), False),
    ("after", (r("(11..20]"), D(11)), True),
    ("after", (r("[11..20]"), r("[1..11)")), True),
    ("meets", (r("[1..5]"), r("[5..10]")), True),
    ("meets", (r("[1..5)"), r("[5..10]")), False),
    ("meets", (r("[1..5]"), r("[6..10]")), False),
    ("met by", (r("[5..10]"), r("[1..5]")), True),
    ("met by", (r("(5..10]"), r("[1..5]")), False),
    ("overlaps", (r("[1..5]"), r("[3..8]")), True),
    ("overlaps", (r("[1..5]"), r("[6..8]")), False),
    ("overlaps", (r("[1..5]"), r("[5..8]")), True),
    ("overlaps", (r("[1..5)"), r("[5..8]")), False),
    ("overlaps before", (r("[1..5]"), r("[3..8]")), True),
    ("overlaps before", (r("[1..5]"), r("[5..8]")), True),
    ("overlaps before", (r("[1..5]"), r("(5..8]")), False),
    ("overlaps after", (r("[3..8]"), r("[1..5]")), True),
    ("overlaps after", (r("(5..8]"), r("[1..5]")), False),
    ("finishes", (D(10), r("[1..10]")), True),
    ("finishes", (D(10), r("[1..10)")), False),
    ("finishes", (r("[5..10]"), r("[1..10]")), True),
    ("finishes", (r("[5..10)"), r("[1..10]")), False),
    ("finished by", (r("[1..10]"), D(10)), True),
    ("finished by", (r("[1..10]"), r("[5..10]")), True),
    ("includes", (r("[1..10]"), D(5)), True),
    ("includes", (r("(1..10]"), D(1)), False),
    ("includes", (r("[1..10]"), r("[4..6]")), True),
    ("includes", (r("[1..10)"), r("[5..10]")), False),
    ("during", (D(5), r("[1..10]")), True),
    ("during", (D(12), r("[1..10]")), False),
    ("during", (r("[4..6]"), r("[1..10]")), True),
    ("during", (r("(1..10)"), r("[1..10]")), True),
    ("starts", (D(1), r("[1..10]")), True),
    ("starts", (D(1), r("(1..10]")), False),
    ("starts", (r("[1..5]"), r("[1..10]")), True),
    ("starts", (r("(1..5]"), r("[1..10]")), False),
    ("started by", (r("[1..10]"), D(1)), True),
    ("started by", (r("[1..10]"), r("[1..5]")), True),
    ("coincides", (D(5), D(5)), True),
    ("coincides", (D(3), D(4)), False),
    ("coincides", (r("[1..5]"), r("[1..5]")), True),
    ("coincides", (r("(1..5)"), r("[1..5]")), False),
    ("before", (D(1), Range(True, D(5), None, False)), True),
    ("before", (Range(False, None, D(5), False), D(5)), True),
    ("after", (Range(False, None, D(5), False), D(0)), False),
    ("includes", (Range(False, None, D(5), True), D(-100)), True),
    ("includes", (Range(True, D(5), None, False), D(5)), True),
    ("before", (v("2020-01-01"), v("2020-01-02")), True),
    ("before", ("a", D(1)), None),
    ("before", (D(1), r('["a".."c"]')), None),
    ("before", (None, D(1)), None),
    ("before", (D(1),), None),
    ("meets", (D(1), D(2)), None),
    ("includes", (D(1), r("[1..2]")), None),
    ("during", (r("[1..2]"), D(1)), None),
    ("coincides", (D(1), r("[1..2]")), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), RANGE_FNS)
def test_range_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    check(name, args, expected)


RANGE = [
    ("[1..3]", Range(True, D(1), D(3), True)),
    ("(18..21]", Range(False, D(18), D(21), True)),
    ("]18..21]", Range(False, D(18), D(21), True)),
    ("[18..21)", Range(True, D(18), D(21), False)),
    ("[18..21[", Range(True, D(18), D(21), False)),
    (" [ 1 .. 3 ] ", Range(True, D(1), D(3), True)),
    ("[-1.5..2.5]", Range(True, D("-1.5"), D("2.5"), True)),
    ('["a".."c"]', Range(True, "a", "c", True)),
    ('["a\\"b".."c"]', Range(True, 'a"b', "c", True)),
    ('[@"1970-01-01"..@"1970-01-02"]', Range(True, v("1970-01-01"), v("1970-01-02"), True)),
    (
        '[@"1970-01-01T00:00:00"..@"1970-01-02T00:00:00"]',
        Range(True, v("1970-01-01T00:00:00"), v("1970-01-02T00:00:00"), True),
    ),
    ('[@"00:00:00"..@"00:00:00"]', Range(True, v("00:00:00"), v("00:00:00"), True)),
    ('[@"P1D"..@"P2D"]', Range(True, v("P1D"), v("P2D"), True)),
    ('[@"P1Y"..@"P2Y"]', Range(True, v("P1Y"), v("P2Y"), True)),
    (
        '[date("1970-01-01")..date("1970-01-02")]',
        Range(True, v("1970-01-01"), v("1970-01-02"), True),
    ),
    (
        '[date and time("1970-01-01T00:00:00")..@"1970-01-02T00:00:00"]',
        Range(True, v("1970-01-01T00:00:00"), v("1970-01-02T00:00:00"), True),
    ),
    ('[time("00:00:00")..@"00:00:00"]', Range(True, v("00:00:00"), v("00:00:00"), True)),
    ('[duration("P1D")..@"P2D"]', Range(True, v("P1D"), v("P2D"), True)),
]


@pytest.mark.parametrize(("text", "expected"), RANGE)
def test_range_function(text: str, expected: Range) -> None:
    assert BUILTINS["range"](text) == expected


RANGE_INVALID = [
    "[..2]",
    "[1..]",
    '[date(string("1970-01-01"))..date("1970-01-02")]',
    '[date(input_001)..date("1970-01-02")]',
    '[duration(string("P1D"))..@"P2D"]',
    "",
    " ",
    ">=10",
    '[1.."b"]',
    '[@"1970-01-01"..@"1970-01-02T00:00:00"]',
    "[3..1]",
    '[@"1970-01-02"..@"1970-01-01"]',
    '["z".."a"]',
    '[@"P2D"..@"P1D"]',
    '[@"P2Y"..@"P1Y"]',
    '[@"02:00:00"..@"01:00:00"]',
    "[null..null]",
    "[1..3",
    '[@"bad"..@"2020-01-01"]',
]


@pytest.mark.parametrize("text", RANGE_INVALID)
def test_range_function_invalid(text: str) -> None:
    assert BUILTINS["range"](text) is None


def test_range_function_args() -> None:
    assert BUILTINS["range"]() is None
    assert BUILTINS["range"]("[1..3]", "foo") is None
    assert BUILTINS["range"](r("[1..3]")) is None


# --------------------------------------------------------------------------- registry

SIGNATURES = [
    ("substring", ["string", "start position", "length"], None),
    ("date", ["from"], [["from"], ["year", "month", "day"]]),
    ("time", ["from"], [["from"], ["hour", "minute", "second", "offset"]]),
    ("date and time", ["from"], [["from"], ["date", "time"]]),
    ("number", ["from"], [["from"], ["from", "grouping separator", "decimal separator"]]),
    ("replace", ["input", "pattern", "replacement", "flags"], None),
    (
        "list replace",
        ["list", "position", "newItem"],
        [
            ["list", "position", "newItem"],
            ["list", "match", "newItem"],
        ],
    ),
    (
        "context put",
        ["context", "key", "value"],
        [
            ["context", "key", "value"],
            ["context", "keys", "value"],
        ],
    ),
    ("get value", ["m", "key"], None),
    ("abs", ["n"], None),
    ("sqrt", ["number"], None),
    ("modulo", ["dividend", "divisor"], None),
    ("is", ["value1", "value2"], None),
    ("years and months duration", ["from", "to"], None),
    ("day of year", ["date"], None),
]


@pytest.mark.parametrize(("name", "params", "overloads"), SIGNATURES)
def test_signatures(name: str, params: list[str], overloads: Any) -> None:
    function = BUILTINS[name]
    assert list(function.params) == params
    if overloads is None:
        assert function.overloads is None
    else:
        assert [list(o) for o in function.overloads or []] == overloads


def test_variadic_flags() -> None:
    for name in ("min", "max", "sum", "mean", "median", "stddev", "mode", "product", "all", "any"):
        assert BUILTINS[name].variadic, name
        assert list(BUILTINS[name].params) == ["list"]
    assert BUILTINS["append"].variadic
    assert BUILTINS["concatenate"].variadic
    assert BUILTINS["union"].variadic
    assert not BUILTINS["count"].variadic


EXPECTED_NAMES = """
date|date and time|time|number|string|duration|years and months duration|range|not|is
substring|string length|upper case|lower case|substring before|substring after|replace
contains|starts with|ends with|matches|split|string join|list contains|count|min|max|sum
mean|all|any|sublist|append|concatenate|insert before|remove|reverse|index of|union
distinct values|flatten|product|median|stddev|mode|list replace|sort|decimal|floor|ceiling
round up|round down|round half up|round half down|abs|modulo|sqrt|log|exp|odd|even
day of year|day of week|month of year|week of year|now|today|before|after|meets|met by
overlaps|overlaps before|overlaps after|finishes|finished by|includes|during|starts
started by|coincides|get value|get entries|context|context put|context merge
"""


def test_every_dmn_15_builtin_is_registered() -> None:
    names = {x.strip() for x in EXPECTED_NAMES.replace("\n", "|").split("|") if x.strip()}
    assert names - BUILTINS.keys() == set()
    for name, function in BUILTINS.items():
        assert function.name == name


def test_builtins_never_raise() -> None:
    weird: list[Any] = [None, D(1), "x", True, [], {}, v("P1D"), r("[1..2]"), object()]
    for name, function in BUILTINS.items():
        if name in ("now", "today"):
            continue
        for a in weird:
            function(a)
            for b in weird:
                function(a, b)
                function(a, b, a)
