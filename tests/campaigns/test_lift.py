"""Lift against the control group: Newcombe's and Welch's intervals, and "too small to say"."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from accord.campaigns.lift import LEVEL, MIN_ARM, MIN_EVENTS, Lift, mean_lift, rate_lift, wilson


def test_wilson_and_newcombe_match_newcombe_1998() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II: 56/70 vs 48/80
    lift = rate_lift(56, 70, 48, 80)
    assert (round(lift.low, 4), round(lift.high, 4)) == (0.0524, 0.3339)
    # example (c) of the same table: 5/56 vs 0/29 gives -0.0381 to 0.1926
    small = rate_lift(5, 56, 0, 29)
    assert (round(small.low, 4), round(small.high, 4)) == (-0.0381, 0.1926)
    assert small.too_small and not small.significant
    assert wilson(0, 0) == (0.0, 1.0)


def test_welch_matches_scipy() -> None:
    treated = [0.0] * 40 + [12.5, 30.0, 8.0, 55.0, 3.5]
    control = [0.0] * 43 + [20.0, 9.0]

    def summary(values: list[float]) -> tuple[int, float, float]:
        mean = sum(values) / len(values)
        return len(values), mean, sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    lift = mean_lift(*summary(treated), *summary(control))
    interval = stats.ttest_ind(treated, control, equal_var=False).confidence_interval(0.95)
    assert (lift.low, lift.high) == (pytest.approx(float(interval.low)),
                                     pytest.approx(float(interval.high)))
    assert not lift.too_small
    tiny = mean_lift(1, 5.0, 0.0, 1, 2.0, 0.0)
    assert tiny.too_small and math.isinf(tiny.high)
    assert mean_lift(MIN_ARM - 1, 1.0, 1.0, 100, 0.0, 1.0).too_small


def test_rate_lift_reports_both_rates_and_their_difference() -> None:
    lift = rate_lift(56, 70, 48, 80)
    assert (lift.treated, lift.control) == (56 / 70, 48 / 80)
    assert lift.difference == pytest.approx(0.2)
    assert (lift.method, lift.too_small, lift.significant) == ("newcombe", False, True)
    assert lift.relative == pytest.approx(0.2 / 0.6)


@pytest.mark.parametrize(("treated", "control", "rates", "relative"), [
    ((0, 0), (10, 50), (0.0, 0.2), -1.0),
    ((10, 50), (0, 0), (0.2, 0.0), None),
])
def test_an_empty_arm_has_rate_zero_and_is_too_small(
        treated: tuple[int, int], control: tuple[int, int], rates: tuple[float, float],
        relative: float | None) -> None:
    # no customers: a rate of 0 (not a division by zero), and too small to say
    lift = rate_lift(*treated, *control)
    assert (lift.treated, lift.control) == rates
    assert lift.relative == (None if relative is None else pytest.approx(relative))
    assert lift.too_small and not lift.significant


def test_rate_lift_builds_its_interval_at_the_level_asked() -> None:
    # Newcombe's hybrid interval from the two Wilson intervals at the same level
    l1, u1 = wilson(56, 70, 0.90)
    l2, u2 = wilson(48, 80, 0.90)
    p1, p2 = 56 / 70, 48 / 80
    lift = rate_lift(56, 70, 48, 80, level=0.90)
    assert lift.low == pytest.approx(p1 - p2 - math.hypot(p1 - l1, u2 - p2))
    assert lift.high == pytest.approx(p1 - p2 + math.hypot(u1 - p1, p2 - l2))
    wide = rate_lift(56, 70, 48, 80)
    assert wide.low < lift.low < lift.high < wide.high


# "Too small to say" for a rate: an arm under MIN_ARM customers, or under MIN_EVENTS
# successes or failures in either arm. Each count at MIN_EVENTS - 1 on its own, and each at
# exactly the limit, with arms of exactly MIN_ARM customers.
@pytest.mark.parametrize(("counts", "too_small"), [
    ((15, MIN_ARM, 15, MIN_ARM), False),
    ((MIN_EVENTS, MIN_ARM, MIN_EVENTS, MIN_ARM), False),                      # successes at 5
    ((MIN_ARM - MIN_EVENTS, MIN_ARM, MIN_ARM - MIN_EVENTS, MIN_ARM), False),  # failures at 5
    ((MIN_EVENTS - 1, MIN_ARM, 15, MIN_ARM), True),                # treated successes
    ((MIN_ARM - MIN_EVENTS + 1, MIN_ARM, 15, MIN_ARM), True),      # treated failures
    ((15, MIN_ARM, MIN_EVENTS - 1, MIN_ARM), True),                # control successes
    ((15, MIN_ARM, MIN_ARM - MIN_EVENTS + 1, MIN_ARM), True),      # control failures
    ((15, MIN_ARM - 1, 15, MIN_ARM), True),                        # treated arm
    ((15, MIN_ARM, 15, MIN_ARM - 1), True),                        # control arm
    ((500, 1000, MIN_EVENTS - 1, 1000), True),                     # large arms, rare event
])
def test_rate_too_small_to_say(counts: tuple[int, int, int, int], too_small: bool) -> None:
    assert rate_lift(*counts).too_small is too_small


def test_too_small_is_never_significant() -> None:
    # 20/29 against 5/29: the interval excludes zero, but 29 customers are too few to say
    lift = rate_lift(20, MIN_ARM - 1, 5, MIN_ARM - 1)
    assert lift.low > 0 and lift.too_small and not lift.significant
    assert rate_lift(20, MIN_ARM, 5, MIN_ARM).significant


def test_mean_lift_with_arms_of_exactly_min_arm_says() -> None:
    assert not mean_lift(MIN_ARM, 1.0, 1.0, MIN_ARM, 0.0, 1.0).too_small
    assert mean_lift(MIN_ARM, 1.0, 1.0, MIN_ARM - 1, 0.0, 1.0).too_small


@pytest.mark.parametrize(("treated_n", "control_n"), [(1, 50), (50, 1), (0, 0)])
def test_mean_lift_of_a_single_customer_has_no_interval(treated_n: int, control_n: int) -> None:
    lift = mean_lift(treated_n, 5.0, 0.0, control_n, 2.0, 0.0)
    assert (lift.treated, lift.control, lift.difference) == (5.0, 2.0, 3.0)
    assert (lift.low, lift.high) == (-math.inf, math.inf)
    assert (lift.method, lift.too_small, lift.significant) == ("welch", True, False)


def test_mean_lift_of_two_customers_per_arm_matches_scipy() -> None:
    # two is the fewest with a sample variance: a (wide) t interval, not the infinite one
    treated, control = [4.0, 8.0], [1.0, 2.0]
    lift = mean_lift(2, 6.0, 8.0, 2, 1.5, 0.5)
    interval = stats.ttest_ind(treated, control, equal_var=False).confidence_interval(0.95)
    assert (lift.low, lift.high) == (pytest.approx(float(interval.low)),
                                     pytest.approx(float(interval.high)))
    assert (lift.treated, lift.control, lift.difference) == (6.0, 1.5, 4.5)
    assert (lift.method, lift.too_small) == ("welch", True)


@pytest.mark.parametrize(("n", "too_small"), [(40, False), (10, True)])
def test_mean_lift_without_variance_is_a_point(n: int, too_small: bool) -> None:
    # everyone spent the same in each arm: the difference is known exactly
    lift = mean_lift(n, 7.0, 0.0, n, 2.5, 0.0)
    assert (lift.treated, lift.control, lift.difference) == (7.0, 2.5, 4.5)
    assert (lift.low, lift.high) == (4.5, 4.5)
    assert lift.method == "welch"
    assert lift.too_small is too_small
    assert lift.significant is not too_small


def test_mean_lift_with_a_standard_error_of_one_is_a_t_interval() -> None:
    # variance 40 over 40 customers and none in the control: standard error exactly 1,
    # df = 39 (all the variance is the treated arm's)
    lift = mean_lift(40, 3.0, 40.0, 40, 1.0, 0.0)
    t = float(stats.t.ppf(0.975, 39))
    assert (lift.low, lift.high) == (pytest.approx(2.0 - t), pytest.approx(2.0 + t))
    assert (lift.treated, lift.control, lift.difference) == (3.0, 1.0, 2.0)
    assert (lift.method, lift.too_small) == ("welch", False)


def test_mean_lift_at_another_level() -> None:
    lift = mean_lift(40, 3.0, 40.0, 40, 1.0, 0.0, level=0.80)
    t = float(stats.t.ppf(0.90, 39))
    assert (lift.low, lift.high) == (pytest.approx(2.0 - t), pytest.approx(2.0 + t))


def test_the_documented_thresholds() -> None:
    # mutmut leaves module constants alone: the rule's numbers are pinned here, as the module
    # docstring and docs/metrics.md state them
    assert (MIN_ARM, MIN_EVENTS, LEVEL) == (30, 5, 0.95)


# mutmut does not mutate properties either: significance and the relative difference are
# pinned by hand, at their boundaries (an interval touching zero does not exclude it)
@pytest.mark.parametrize(("low", "high", "too_small", "significant"), [
    (0.01, 0.2, False, True), (-0.2, -0.01, False, True), (-0.1, 0.1, False, False),
    (0.0, 0.2, False, False), (-0.2, 0.0, False, False), (0.01, 0.2, True, False),
    (-0.2, -0.01, True, False),
])
def test_significant_when_the_interval_excludes_zero(
        low: float, high: float, too_small: bool, significant: bool) -> None:
    lift = Lift(0.3, 0.2, 0.1, low, high, "newcombe", too_small)
    assert lift.significant is significant


@pytest.mark.parametrize(("control", "difference", "relative"), [
    (0.2, 0.1, 0.5), (0.4, -0.1, -0.25), (0.0, 0.3, None),
])
def test_relative_difference(control: float, difference: float, relative: float | None) -> None:
    lift = Lift(control + difference, control, difference, -1.0, 1.0, "newcombe", False)
    assert lift.relative == relative
