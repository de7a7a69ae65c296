"""Wide temporal values: years outside 1..9999 and nanoseconds (accord.feel.wide, wide_ops)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accord.feel import evaluate
from accord.feel import temporal as tp
from accord.feel.semantics import feel_compare, feel_equal, feel_is
from accord.feel.values import YearsMonthsDuration, feel_type_name
from accord.feel.wide import (
    MAX_YEAR,
    WideDate,
    WideDateTime,
    WideTime,
    civil_from_days,
    days_from_civil,
    make_date,
    window_year,
)

D = Decimal


def feel(text: str) -> Any:
    return evaluate(text)


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1600, 2, 29), dt.date(1970, 1, 1),
                                 dt.date(2000, 3, 1), dt.date(9999, 12, 31)])
def test_epoch_days_agree_with_python(day: dt.date) -> None:
    days = days_from_civil(day.year, day.month, day.day)
    assert days == (day - dt.date(1970, 1, 1)).days
    assert civil_from_days(days) == (day.year, day.month, day.day)


def test_epoch_days_round_trip_across_year_zero() -> None:
    start = days_from_civil(-401, 1, 1)
    previous = None
    for days in range(start, start + 2 * 146_097, 97):
        y, m, d = civil_from_days(days)
        assert days_from_civil(y, m, d) == days
        assert previous is None or (y, m, d) > previous
        previous = (y, m, d)


def test_year_zero_exists_and_is_leap() -> None:
    assert civil_from_days(days_from_civil(-1, 12, 31) + 1) == (0, 1, 1)
    assert make_date(0, 2, 29) == WideDate(0, 2, 29)
    assert make_date(-1, 2, 29) is None  # -1 is 2 BC, not a leap year
    assert make_date(-4, 2, 29) == WideDate(-4, 2, 29)


def test_window_year_keeps_the_calendar() -> None:
    for year in (-999_999_999, -2017, 0, 10_000, 999_999_999):
        w = window_year(year)
        assert 1 <= w <= 9999 and (w - year) % 400 == 0


# --------------------------------------------------------------------------- canonical values


def test_in_range_values_stay_python() -> None:
    assert type(tp.parse_date("2017-12-31")) is dt.date
    assert type(tp.parse_datetime("2017-12-31T11:22:33.123456")) is dt.datetime
    assert type(tp.parse_time("11:22:33.123456000")) is dt.time
    assert tp.parse_date("-2017-12-31") == WideDate(-2017, 12, 31)
    assert tp.parse_time("11:22:33.000000001") == WideTime(11, 22, 33, 1)


def test_results_back_in_range_become_python() -> None:
    assert feel('date("10000-01-01") - duration("P1D")') == dt.date(9999, 12, 31)
    back = feel('date and time("10000-01-01T00:00:00") - duration("PT1H")')
    assert back == dt.datetime(9999, 12, 31, 23)


def test_year_range_is_bounded() -> None:
    assert tp.parse_date(f"{MAX_YEAR}-12-31") == WideDate(MAX_YEAR, 12, 31)
    assert feel(f"date({MAX_YEAR}, 12, 31) + duration(\"P1D\")") is None
    assert feel("date(-1000999999, 12, 1)") is None


# --------------------------------------------------------------------------- string()


@pytest.mark.parametrize(("expression", "expected"), [
    ('string(date("-999999999-12-31"))', "-999999999-12-31"),
    ('string(date(999999999, 12, 31))', "999999999-12-31"),
    ('string(date("-0005-01-01"))', "-0005-01-01"),
    ('string(date and time("99999-12-31T11:22:33"))', "99999-12-31T11:22:33"),
    ('string(date and time("-2017-12-31T11:22:33.456+01:35"))', "-2017-12-31T11:22:33.456+01:35"),
    ('string(date and time("2011-12-31T10:15:30.123456789@Europe/Paris"))',
     "2011-12-31T10:15:30.123456789@Europe/Paris"),
    ('string(time("10:15:30.987654321Z"))', "10:15:30.987654321Z"),
    ('string(date and time(date("2017-01-01"), time("23:59:01.123456789@Europe/Paris")))',
     "2017-01-01T23:59:01.123456789@Europe/Paris"),
    ('string(date and time("-0001-12-31T24:00:00"))', "0000-01-01T00:00:00"),
])
def test_string(expression: str, expected: str) -> None:
    assert feel(expression) == expected


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(("expression", "expected"), [
    ('@"-2021-01-01T10:10:10+11:00" + @"PT1H"', "-2021-01-01T11:10:10+11:00"),
    ('@"-2021-01-01T10:10:10+11:00" - @"P1D"', "-2022-12-31T10:10:10+11:00"),
    ('@"P1D" + @"-2021-01-01T10:10:10@Australia/Melbourne"',
     "-2021-01-02T10:10:10@Australia/Melbourne"),
    ('@"-2021-01-01T10:10:10@Australia/Melbourne" - @"-P1Y"',
     "-2020-01-01T10:10:10@Australia/Melbourne"),
    ('@"-2021-03-31" + @"P1M"', "-2021-04-30"),
    ('@"-0001-12-31" + @"P1D"', "0000-01-01"),
    ('@"9999-12-31" + @"P1D"', "10000-01-01"),
    ('@"9999-12-31T23:00:00" + @"PT1H"', "10000-01-01T00:00:00"),
    ('time("23:59:59.999999999") + duration("PT1S")', "00:00:00.999999999"),
    ('date and time("2017-01-01T00:00:00.000000001") - duration("PT1S")',
     "2016-12-31T23:59:59.000000001"),
])
def test_add_and_subtract_durations(expression: str, expected: str) -> None:
    assert feel(f"string({expression})") == expected


def test_differences() -> None:
    assert feel('date("0001-01-01") - date("0000-12-31")') == dt.timedelta(days=1)
    assert feel('date("-0001-01-01") - date("0001-01-01")') == dt.timedelta(days=-731)
    assert feel('date and time("10000-01-01T00:00:00Z") - date and time("9999-12-31T23:00:00Z")') \
        == dt.timedelta(hours=1)
    # a date mixed with a date-time is midnight UTC
    assert feel('date and time("-0001-01-01T12:00:00Z") - date("-0001-01-01")') \
        == dt.timedelta(hours=12)
    assert feel('date and time("-0001-01-01T12:00:00") - date and time("-0001-01-01T12:00:00Z")') \
        is None
    assert feel('time("10:00:00.000000500") - time("10:00:00")') == dt.timedelta(0)


def test_years_and_months_duration() -> None:
    assert feel('years and months duration(date and time("2014-12-31T23:59:59"), '
                'date and time("-2019-10-01T12:32:59"))') == YearsMonthsDuration(-48398)
    assert feel('years and months duration(date("-0001-01-31"), date("0000-03-01"))') \
        == YearsMonthsDuration(13)


# --------------------------------------------------------------------------- comparison


def test_compare_across_representations() -> None:
    wide, python = tp.parse_date("-2017-12-31"), dt.date(2017, 1, 1)
    assert feel_compare(wide, python) == -1
    assert feel_compare(python, wide) == 1
    assert feel_equal(wide, python) is False
    assert feel_equal(wide, dt.time(1, 0)) is None
    assert feel('date("-2017-12-31") < date("2017-01-01")') is True
    assert feel('date("10000-01-01") in [date("9999-01-01")..date("10001-01-01")]') is True


def test_compare_date_times() -> None:
    assert feel('date and time("-2017-12-31T10:00:00+01:00") = '
                'date and time("-2017-12-31T09:00:00Z")') is True
    assert feel('date and time("-2017-12-31T10:00:00") = '
                'date and time("-2017-12-31T10:00:00Z")') is False
    assert feel('date and time("-2017-12-31T10:00:00") < '
                'date and time("-2017-12-31T10:00:00Z")') is None
    # millisecond precision, as for datetime values
    assert feel('time("10:00:00.000000001") = time("10:00:00")') is True


def test_is_needs_same_zone() -> None:
    a = tp.parse_datetime("-2017-12-31T10:00:00+01:00")
    b = tp.parse_datetime("-2017-12-31T09:00:00Z")
    assert feel_equal(a, b) is True
    assert feel_is(a, b) is False
    assert feel_is(a, tp.parse_datetime("-2017-12-31T10:00:00+01:00")) is True


# --------------------------------------------------------------------------- properties, types


def window_date_week(year: int, month: int, day: int) -> int:
    return dt.date(window_year(year), month, day).isocalendar()[1]



@pytest.mark.parametrize(("expression", "expected"), [
    ('date("-2017-12-31").year', D(-2017)),
    ('date("-2017-12-31").month', D(12)),
    ('date("0000-01-01").weekday', D(6)),  # a Saturday, as 2000-01-01
    ('date and time("99999-12-31T11:22:33.5Z").second', D("33.5")),
    ('time("10:15:30.123456789+02:00").second', D("30.123456789")),
    ('time("10:15:30.123456789+02:00").time offset', dt.timedelta(hours=2)),
    ('date and time("-2017-12-31T11:22:33@Europe/Paris").timezone', "Europe/Paris"),
    ('date and time("-2017-12-31T11:22:33+01:35").time offset',
     dt.timedelta(hours=1, minutes=35)),
    ('day of week(date("0000-01-01"))', "Saturday"),
    ('week of year(date("-2017-12-31"))', D(window_date_week(-2017, 12, 31))),
    ('month of year(date("-2017-02-01"))', "February"),
    ('day of year(date("-2016-12-31"))', D(366)),
])
def test_properties_and_calendar_functions(expression: str, expected: Any) -> None:
    assert feel(expression) == expected


def test_types() -> None:
    assert feel('date("-2017-12-31") instance of date') is True
    assert feel('date and time("-2017-12-31T00:00:00") instance of date and time') is True
    assert feel('time("10:00:00.000000001") instance of time') is True
    assert feel_type_name(WideDate(-1, 1, 1)) == "date"
    assert feel_type_name(WideTime(1, 0, 0, 1)) == "time"
    assert feel_type_name(WideDateTime(-1, 1, 1, 0, 0, 0, 0)) == "date and time"


def test_conversions() -> None:
    assert feel('date(date and time("-2017-12-31T11:00:00"))') == WideDate(-2017, 12, 31)
    assert feel('time(date and time("2017-12-31T11:00:00.000000001"))') == WideTime(11, 0, 0, 1)
    assert feel('date and time(date("-2017-12-31"))') == WideDateTime(
        -2017, 12, 31, 0, 0, 0, 0, tp.UTC)
    assert feel('date(-2017, 2, 29)') is None
