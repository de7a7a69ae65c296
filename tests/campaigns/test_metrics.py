"""The shared metric definitions and the lift intervals, against hand-computed figures."""

from __future__ import annotations

import statistics

import pytest

from accord.campaigns.lift import Lift, mean_lift, rate_lift
from accord.campaigns.metrics import (
    ArmSummary,
    BenchmarkRow,
    CostRates,
    Economics,
    benchmark_rows,
    campaign_cost,
    combined,
    economics,
    lifts,
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


def _arm(variant: str, values: list[float], **counts: int | None) -> ArmSummary:
    """An arm from the revenue of each of its customers."""
    return ArmSummary(variant, variant == "control", len(values), revenue=sum(values),
                      revenue_sumsq=sum(v * v for v in values), **counts)  # type: ignore[arg-type]


def test_combined_sums_every_field() -> None:
    # every count distinct in each arm, so a field dropped or taken from one arm shows
    a = ArmSummary("a", False, 100, sends=90, impressions=7, opens=30, clicks=11, visits=20,
                   conversions=4, revenue=250.0, revenue_sumsq=9000.0)
    b = ArmSummary("b", False, 60, sends=50, impressions=3, opens=12, clicks=5, visits=9,
                   conversions=2, revenue=80.5, revenue_sumsq=1200.25)
    assert combined([a, b]) == ArmSummary(
        "treated", False, 160, sends=140, impressions=10, opens=42, clicks=16, visits=29,
        conversions=6, revenue=330.5, revenue_sumsq=10200.25)
    assert combined([a, b], "mail+sms").variant == "mail+sms"
    assert combined([a]) == ArmSummary(
        "treated", False, 100, sends=90, impressions=7, opens=30, clicks=11, visits=20,
        conversions=4, revenue=250.0, revenue_sumsq=9000.0)


def test_combined_of_controls_is_not_a_control() -> None:
    # the treated arms together; the flag is the combination's, not copied from an arm
    both = combined([ArmSummary("c1", True, 5), ArmSummary("c2", True, 6)])
    assert both.control is False


def test_combined_counts_unmeasured_only_when_every_arm_measured_it() -> None:
    measured = [ArmSummary("a", False, 10, opens=3, clicks=1),
                ArmSummary("b", False, 10, opens=4, clicks=0)]
    assert (combined(measured).opens, combined(measured).clicks) == (7, 1)
    one_blind = [*measured, ArmSummary("c", False, 10, opens=None, clicks=2)]
    assert (combined(one_blind).opens, combined(one_blind).clicks) == (None, 3)
    assert combined([]) == ArmSummary("treated", False, 0, opens=0, clicks=0)


def test_revenue_variance_is_the_sample_variance() -> None:
    values = [0.0, 0.0, 12.5, 30.0, 8.0]
    assert _arm("a", values).revenue_variance == pytest.approx(statistics.variance(values))
    assert _arm("a", [1.0, 3.0]).revenue_variance == pytest.approx(2.0)  # two: ddof=1
    assert _arm("a", [5.0]).revenue_variance == 0.0
    assert _arm("a", []).revenue_variance == 0.0
    # identical values: rounding may leave a tiny negative sum of squares, read as zero
    assert _arm("a", [0.1] * 3).revenue_variance == 0.0


# ArmSummary's figures are properties, which mutmut does not mutate: pinned here, each
# ratio with its denominator at zero
def test_arm_figures() -> None:
    arm = ArmSummary("mail", False, 40, sends=30, impressions=12, visits=10, conversions=2,
                     revenue=50.0)
    assert (arm.contacts, arm.visit_rate, arm.conversion_rate, arm.revenue_per_customer) == (
        42, 0.25, 0.05, 1.25)
    empty = ArmSummary("mail", False, 0, sends=3)
    assert (empty.contacts, empty.visit_rate, empty.conversion_rate,
            empty.revenue_per_customer) == (3, None, None, None)


def test_cost_without_click_tracking_charges_no_clicks() -> None:
    rates = CostRates(fixed=10.0, per_send=0.5, cpm=2.0, cpc=3.0)
    arm = ArmSummary("mail", False, 100, sends=100, impressions=400)
    assert arm.clicks is None
    assert campaign_cost(rates, arm) == pytest.approx(10.0 + 50.0 + 1.0)
    counted = ArmSummary("mail", False, 100, sends=100, impressions=400, clicks=1)
    assert campaign_cost(rates, counted) == pytest.approx(10.0 + 50.0 + 1.0 + 3.0)


def test_economics_reports_every_field() -> None:
    treated = ArmSummary("mail", False, 2000, sends=1800, impressions=200, clicks=80,
                         conversions=40, revenue=6000.0)
    control = ArmSummary("control", True, 1000, revenue=2000.0)
    rates = CostRates(fixed=100.0, per_send=0.1, cpm=5.0, cpc=1.0)
    cost = 100.0 + 0.1 * 1800 + 5.0 * 2000 / 1000 + 1.0 * 80
    assert economics(treated, control, rates) == Economics(
        sends=1800, impressions=200, clicks=80, conversions=40, cost=pytest.approx(cost),
        cpm=pytest.approx(1000 * cost / 2000), cpc=pytest.approx(cost / 80),
        cpa=pytest.approx(cost / 40), conversion_rate=0.02, revenue=6000.0,
        incremental_revenue=pytest.approx(2000.0), romi=pytest.approx((2000.0 - cost) / cost))


def test_no_romi_without_a_control_or_without_a_cost() -> None:
    treated = ArmSummary("mail", False, 100, sends=100, clicks=None, revenue=50.0)
    costly = economics(treated, None, CostRates(fixed=10.0))
    assert (costly.cost, costly.incremental_revenue, costly.romi) == (10.0, None, None)
    assert costly.clicks is None and costly.cpc is None
    free = economics(treated, ArmSummary("control", True, 100, revenue=20.0), CostRates())
    assert (free.cost, free.incremental_revenue, free.romi) == (0.0, pytest.approx(30.0), None)
    # a control group without customers says nothing about revenue without the campaign
    empty = economics(treated, ArmSummary("control", True, 0), CostRates(fixed=10.0))
    assert (empty.incremental_revenue, empty.romi) == (None, None)


def test_lifts_compare_each_rate_and_the_revenue_per_customer() -> None:
    treated_values = [0.0] * 90 + [20.0, 35.5, 8.0, 12.0, 60.0, 5.0, 9.0, 14.0, 3.0, 41.0]
    control_values = [0.0] * 55 + [10.0, 25.0, 7.5, 4.0, 30.0]
    treated = _arm("treated", treated_values, visits=31, conversions=10)
    control = _arm("control", control_values, visits=12, conversions=5)
    found = lifts(treated, control)
    assert found["visit_rate"] == rate_lift(31, 100, 12, 60)
    assert found["conversion_rate"] == rate_lift(10, 100, 5, 60)
    revenue = mean_lift(100, statistics.mean(treated_values), statistics.variance(treated_values),
                        60, statistics.mean(control_values), statistics.variance(control_values))
    assert found["revenue_per_customer"] == Lift(
        pytest.approx(revenue.treated), pytest.approx(revenue.control),
        pytest.approx(revenue.difference), pytest.approx(revenue.low),
        pytest.approx(revenue.high), "welch", False)
    assert list(found) == ["visit_rate", "conversion_rate", "revenue_per_customer"]


def test_lifts_against_an_empty_control() -> None:
    found = lifts(_arm("treated", [4.0, 6.0], visits=1, conversions=1), _arm("control", []))
    assert {name: (lift.treated, lift.control, lift.too_small)
            for name, lift in found.items()} == {
        "visit_rate": (0.5, 0.0, True), "conversion_rate": (0.5, 0.0, True),
        "revenue_per_customer": (5.0, 0.0, True)}


@pytest.mark.parametrize("treated_values", [[], [0.0] * 40])
def test_lifts_of_a_treated_arm_without_revenue(treated_values: list[float]) -> None:
    # no customers, or customers who spent nothing: 0 per customer either way
    found = lifts(_arm("treated", treated_values), _arm("control", [0.0] * 39 + [39.0]))
    revenue = found["revenue_per_customer"]
    assert (revenue.treated, revenue.control, revenue.difference) == (0.0, 0.975, -0.975)


def test_benchmark_rows_give_each_rate_and_its_index() -> None:
    arm = ArmSummary("mail", False, 200, sends=400, opens=100, clicks=8, visits=50,
                     conversions=10)
    rows = benchmark_rows(arm, ["email", "web", "sms"], {
        "email": {"cart_purchase_rate": 0.3, "open_rate": 0.2, "click_rate": 0.04},
        "web": {"visit_rate": 0.5, "conversion_rate": 0.1},
    })
    assert rows == [
        BenchmarkRow("email", "open_rate", 0.25, 0.2, pytest.approx(1.25)),
        BenchmarkRow("email", "click_rate", 0.02, 0.04, 0.5),
        BenchmarkRow("web", "visit_rate", 0.25, 0.5, 0.5),
        BenchmarkRow("web", "conversion_rate", 0.05, 0.1, 0.5),
    ]


def test_benchmark_row_of_a_rate_without_denominator() -> None:
    # opens tracked but nothing sent: the rate is n/a, and so is its index
    rows = benchmark_rows(ArmSummary("web", False, 10, opens=0), ["email"],
                          {"email": {"open_rate": 0.2}})
    assert rows == [BenchmarkRow("email", "open_rate", None, 0.2, None)]
    assert benchmark_rows(ArmSummary("web", False, 10), ["fax"], {"email": {}}) == []


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
