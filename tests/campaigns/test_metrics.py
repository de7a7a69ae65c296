"""The shared metric definitions and the lift intervals, against hand-computed figures."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from accord.campaigns.lift import MIN_ARM, mean_lift, rate_lift, wilson
from accord.campaigns.metrics import (
    ArmSummary,
    CostRates,
    benchmark_rows,
    campaign_cost,
    combined,
    economics,
)
from accord.campaigns.window import WindowError, format_window, parse_window


def test_cost_and_its_ratios() -> None:
    treated = ArmSummary("mail", False, 2000, sends=2000, impressions=500, clicks=100,
                         conversions=25, revenue=5000.0)
    control = ArmSummary("none", True, 1000, revenue=1500.0)
    rates = CostRates(fixed=200, per_send=0.05, cpm=4, cpc=0.5)
    cost = 200 + 0.05 * 2000 + 4 * 2500 / 1000 + 0.5 * 100
    assert campaign_cost(rates, treated) == pytest.approx(cost)
    e = economics(treated, control, rates)
    assert e.cpm == pytest.approx(1000 * cost / 2500)
    assert e.cpc == pytest.approx(cost / 100)
    assert e.cpa == pytest.approx(cost / 25)
    assert e.incremental_revenue == pytest.approx((5000 / 2000 - 1500 / 1000) * 2000)
    assert e.romi == pytest.approx((2000 - cost) / cost)


def test_zero_denominators_are_none() -> None:
    e = economics(ArmSummary("mail", False, 10), None, CostRates())
    assert (e.cpm, e.cpc, e.cpa, e.incremental_revenue, e.romi) == (None,) * 5
    assert ArmSummary("empty", False, 0).conversion_rate is None


def test_combined_keeps_unmeasured_counts_unknown() -> None:
    both = combined([ArmSummary("a", False, 10, opens=3), ArmSummary("b", False, 5)])
    assert (both.customers, both.opens) == (15, None)
    rows = benchmark_rows(both, ["email"], {"email": {"open_rate": 0.2, "visit_rate": 0.1}})
    assert [(r.rate, r.value) for r in rows] == [("visit_rate", 0.0)]


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


@pytest.mark.parametrize(("text", "seconds"), [
    ("7d", 604800), ("12h", 43200), ("30m", 1800), ("2w", 1209600), ("45s", 45),
    ("P7D", 604800), ("PT12H", 43200), ("P1DT2H30M", 95400), ("P2W", 1209600),
    ("PT1.5S", 1.5), ("1.5d", 129600),
])
def test_windows(text: str, seconds: float) -> None:
    window = parse_window(text)
    assert window.total_seconds() == seconds
    assert parse_window(format_window(window)) == window


@pytest.mark.parametrize("text", ["", "7", "d", "P1M", "P1Y", "PT", "0d", "7 days", "P-1D"])
def test_not_windows(text: str) -> None:
    with pytest.raises(WindowError, match="not a duration"):
        parse_window(text, "funnel.window")
