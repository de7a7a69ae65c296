"""The shared metrics: one definition each, the same for marketing and IT (``docs/metrics.md``).

Every figure is computed from an :class:`ArmSummary` (one arm of a campaign: a variant or the
control group) by a pure function here; the SQL that builds the summaries is in
:mod:`accord.campaigns.outcomes`.

Definitions (``treated`` = the arms that received the campaign, together):

* **sends**: messages sent (e-mail, SMS, push, post); **impressions**: placements shown (web,
  app). **contacts** = sends + impressions.
* **cost** = fixed + per_send x sends + CPM rate x contacts / 1000 + CPC rate x clicks.
* **CPM** = 1000 x cost / contacts; **CPC** = cost / clicks; **CPA** = cost / conversions.
* **conversion rate** = converting customers / customers of the arm.
* **revenue**: the arm's revenue in the measurement window.
* **incremental revenue** = (revenue per treated customer - revenue per control customer)
  x treated customers; needs a control group.
* **ROMI** = (incremental revenue - cost) / cost.

A ratio whose denominator is zero is ``None`` (shown as "n/a"), never 0 or infinity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from accord.campaigns.lift import Lift, mean_lift, rate_lift

__all__ = ["DEFAULT_BENCHMARKS", "ArmSummary", "BenchmarkRow", "CostRates", "Economics",
           "benchmark_rows", "campaign_cost", "combined", "economics", "lifts"]

#: Channel -> rate -> industry benchmark, overridable per campaign (``benchmarks:``). E-mail:
#: Mailchimp, "Email Marketing Benchmarks" (2019, all industries): opens 21.33 %, clicks
#: 2.62 % of e-mails delivered. Web: Baymard Institute's average documented cart abandonment
#: rate, 70.19 %, i.e. 29.81 % of carts purchased.
DEFAULT_BENCHMARKS: dict[str, dict[str, float]] = {
    "email": {"open_rate": 0.2133, "click_rate": 0.0262},
    "web": {"cart_purchase_rate": 0.2981},
}


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class CostRates:
    """What a campaign costs: fixed, per send, per thousand contacts, per click."""

    fixed: float = 0.0
    per_send: float = 0.0
    cpm: float = 0.0
    cpc: float = 0.0


@dataclass(frozen=True, slots=True)
class ArmSummary:
    """One arm: its customers and what they did, summed (``revenue_sumsq`` for variances)."""

    variant: str
    control: bool
    customers: int
    sends: int = 0
    impressions: int = 0
    #: ``None`` when not measured (no open or click tracking).
    opens: int | None = None
    clicks: int | None = None
    visits: int = 0
    conversions: int = 0
    revenue: float = 0.0
    revenue_sumsq: float = 0.0

    @property
    def contacts(self) -> int:
        """Sends plus impressions."""
        return self.sends + self.impressions

    @property
    def visit_rate(self) -> float | None:
        """Visiting customers / customers."""
        return _ratio(self.visits, self.customers)

    @property
    def conversion_rate(self) -> float | None:
        """Converting customers / customers."""
        return _ratio(self.conversions, self.customers)

    @property
    def revenue_per_customer(self) -> float | None:
        """Revenue / customers (spend per customer, zeros included)."""
        return _ratio(self.revenue, self.customers)

    @property
    def revenue_variance(self) -> float:
        """Sample variance (``ddof=1``) of revenue per customer."""
        if self.customers < 2:
            return 0.0
        mean = self.revenue / self.customers
        return max(0.0, (self.revenue_sumsq - self.customers * mean * mean)
                   / (self.customers - 1))


def _total(values: Iterable[int | None]) -> int | None:
    """The sum, or ``None`` when any part was not measured."""
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def combined(arms: Sequence[ArmSummary], variant: str = "treated") -> ArmSummary:
    """Several arms as one (all treated variants together)."""
    return ArmSummary(
        variant=variant, control=False, customers=sum(a.customers for a in arms),
        sends=sum(a.sends for a in arms), impressions=sum(a.impressions for a in arms),
        opens=_total(a.opens for a in arms), clicks=_total(a.clicks for a in arms),
        visits=sum(a.visits for a in arms), conversions=sum(a.conversions for a in arms),
        revenue=sum(a.revenue for a in arms), revenue_sumsq=sum(a.revenue_sumsq for a in arms))


def campaign_cost(rates: CostRates, arm: ArmSummary) -> float:
    """fixed + per_send x sends + cpm x contacts / 1000 + cpc x clicks.

    >>> campaign_cost(CostRates(fixed=100, per_send=0.01, cpm=2, cpc=0.5),
    ...               ArmSummary("a", False, 1000, sends=1000, clicks=40))
    132.0
    """
    return (rates.fixed + rates.per_send * arm.sends + rates.cpm * arm.contacts / 1000
            + rates.cpc * (arm.clicks or 0))


@dataclass(frozen=True, slots=True)
class Economics:
    """The money side of a campaign's treated arms (against the control, when there is one)."""

    sends: int
    impressions: int
    clicks: int | None
    conversions: int
    cost: float
    cpm: float | None
    cpc: float | None
    cpa: float | None
    conversion_rate: float | None
    revenue: float
    incremental_revenue: float | None
    romi: float | None


def economics(treated: ArmSummary, control: ArmSummary | None, rates: CostRates) -> Economics:
    """Cost, CPM, CPC, CPA, conversion rate, revenue, incremental revenue and ROMI."""
    cost = campaign_cost(rates, treated)
    incremental: float | None = None
    if control is not None and control.customers and treated.customers:
        per_customer = treated.revenue / treated.customers - control.revenue / control.customers
        incremental = per_customer * treated.customers
    romi = (incremental - cost) / cost if incremental is not None and cost else None
    return Economics(
        sends=treated.sends, impressions=treated.impressions, clicks=treated.clicks,
        conversions=treated.conversions, cost=cost,
        cpm=_ratio(1000 * cost, treated.contacts), cpc=_ratio(cost, treated.clicks or 0),
        cpa=_ratio(cost, treated.conversions), conversion_rate=treated.conversion_rate,
        revenue=treated.revenue, incremental_revenue=incremental, romi=romi)


def lifts(treated: ArmSummary, control: ArmSummary) -> dict[str, Lift]:
    """Visit rate, conversion rate (Newcombe) and revenue per customer (Welch) vs control."""
    return {
        "visit_rate": rate_lift(treated.visits, treated.customers,
                                control.visits, control.customers),
        "conversion_rate": rate_lift(treated.conversions, treated.customers,
                                     control.conversions, control.customers),
        "revenue_per_customer": mean_lift(
            treated.customers, treated.revenue_per_customer or 0.0, treated.revenue_variance,
            control.customers, control.revenue_per_customer or 0.0, control.revenue_variance),
    }


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    """A channel rate beside its benchmark."""

    channel: str
    rate: str
    value: float | None
    benchmark: float
    #: value / benchmark (above 1: better than the benchmark).
    index: float | None


#: Rate name -> (numerator, denominator) of an arm; a numerator not measured is ``None``.
_RATES: dict[str, Callable[[ArmSummary], tuple[int | None, int]]] = {
    "open_rate": lambda a: (a.opens, a.sends),
    "click_rate": lambda a: (a.clicks, a.sends),
    "visit_rate": lambda a: (a.visits, a.customers),
    "conversion_rate": lambda a: (a.conversions, a.customers),
}


def benchmark_rows(arm: ArmSummary, channels: Sequence[str],
                   benchmarks: Mapping[str, Mapping[str, float]]) -> list[BenchmarkRow]:
    """The arm's rates for each channel's benchmarks that it can compute."""
    rows = []
    for channel in channels:
        for rate, benchmark in benchmarks.get(channel, {}).items():
            measure = _RATES.get(rate)
            if measure is None:
                continue  # a rate only the abandonment report computes (cart_purchase_rate)
            part, whole = measure(arm)
            if part is None:
                continue  # not measured: no figure rather than a false zero
            value = _ratio(part, whole)
            rows.append(BenchmarkRow(channel, rate, value, benchmark,
                                     _ratio(value, benchmark) if value is not None else None))
    return rows
