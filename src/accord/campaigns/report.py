"""A campaign's report: arms, lift against control with intervals, economics, benchmarks,
funnels. :func:`build_report` is pure; :mod:`accord.campaigns.page` renders it as HTML and
:func:`report_tables` as terminal tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Group
from rich.table import Table

from accord.campaigns.lift import Lift
from accord.campaigns.metrics import (
    DEFAULT_BENCHMARKS,
    ArmSummary,
    BenchmarkRow,
    Economics,
    benchmark_rows,
    combined,
    economics,
    lifts,
)
from accord.campaigns.model import Campaign
from accord.campaigns.results import FunnelResult

__all__ = ["ArmLift", "CampaignReport", "FunnelResult", "build_report", "report_funnel_tables",
           "report_json", "report_tables"]


@dataclass(frozen=True, slots=True)
class ArmLift:
    """One treated arm (or all together) against the control, for one metric."""

    variant: str
    metric: str
    lift: Lift


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """Everything ``accord campaign report`` shows."""

    campaign: Campaign
    arms: tuple[ArmSummary, ...]
    lifts: tuple[ArmLift, ...]
    economics: Economics
    benchmarks: tuple[BenchmarkRow, ...]
    funnels: tuple[FunnelResult, ...] = field(default=())

    @property
    def control(self) -> ArmSummary | None:
        """The control arm (the first, if several are marked)."""
        return next((arm for arm in self.arms if arm.control), None)

    def outcome_funnel(self) -> list[dict[str, Any]]:
        """Per arm: customers, visitors, converters (the chart's and table's rows)."""
        rows = []
        for arm in self.arms:
            for stage, count in (("customers", arm.customers), ("visited", arm.visits),
                                 ("converted", arm.conversions)):
                rows.append({"variant": arm.variant, "stage": stage, "customers": count,
                             "share": count / arm.customers if arm.customers else None})
        return rows


def build_report(campaign: Campaign, arms: Sequence[ArmSummary],
                 funnels: Sequence[FunnelResult] = ()) -> CampaignReport:
    """Compute a campaign's report from its arm summaries. Pure."""
    control = next((arm for arm in arms if arm.control), None)
    treated_arms = [arm for arm in arms if not arm.control]
    treated = combined(treated_arms)
    found: list[ArmLift] = []
    if control is not None:
        comparisons = [*treated_arms, treated] if len(treated_arms) > 1 else treated_arms
        for arm in comparisons:
            found.extend(ArmLift(arm.variant, metric, lift)
                         for metric, lift in lifts(arm, control).items())
    benchmarks: Mapping[str, Mapping[str, float]] = {**DEFAULT_BENCHMARKS,
                                                     **campaign.benchmarks}
    return CampaignReport(
        campaign=campaign, arms=tuple(arms), lifts=tuple(found),
        economics=economics(treated, control, campaign.costs.rates()),
        benchmarks=tuple(benchmark_rows(treated, campaign.channels, benchmarks)),
        funnels=tuple(funnels))


def _lift_dict(item: ArmLift) -> dict[str, Any]:
    lift = item.lift
    return {"variant": item.variant, "metric": item.metric, "treated": lift.treated,
            "control": lift.control, "difference": lift.difference, "low": lift.low,
            "high": lift.high, "relative": lift.relative, "method": lift.method,
            "too_small": lift.too_small, "significant": lift.significant}


def report_json(report: CampaignReport) -> dict[str, Any]:
    """The report as plain data (``--format json``)."""
    return {
        "campaign": report.campaign.model_dump(mode="json"),
        "arms": [{**asdict(arm), "visit_rate": arm.visit_rate,
                  "conversion_rate": arm.conversion_rate,
                  "revenue_per_customer": arm.revenue_per_customer} for arm in report.arms],
        "lifts": [_lift_dict(item) for item in report.lifts],
        "economics": asdict(report.economics),
        "benchmarks": [asdict(row) for row in report.benchmarks],
        "funnels": [funnel.as_dict() for funnel in report.funnels],
    }


def _pct(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _pp(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:+.2f} pp"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+,.4f}"


#: Metric -> how its differences (and interval bounds) are shown.
FORMATS = {"visit_rate": _pp, "conversion_rate": _pp, "revenue_per_customer": _signed}


def report_tables(report: CampaignReport) -> Group:
    """The report as terminal tables (``--format table``)."""
    c = report.campaign
    arms = Table("arm", "control", "customers", "visit rate", "conversion rate",
                 "revenue / customer", title=f"{c.name} ({c.status.value}, owner {c.owner})")
    for arm in report.arms:
        arms.add_row(arm.variant, "yes" if arm.control else "", f"{arm.customers:,}",
                     _pct(arm.visit_rate), _pct(arm.conversion_rate, 3),
                     _num(arm.revenue_per_customer, 4))
    lift_table = Table("arm", "metric", "difference", "95% interval", "method", "verdict",
                       title="Lift against control")
    for item in report.lifts:
        show = FORMATS[item.metric]
        verdict = ("too small to say" if item.lift.too_small else
                   "significant" if item.lift.significant else "not significant")
        lift_table.add_row(item.variant, item.metric, show(item.lift.difference),
                           f"{show(item.lift.low)} to {show(item.lift.high)}",
                           item.lift.method, verdict)
    e = report.economics
    money = Table("metric", "value", title="Economics (treated arms)")
    clicks = "not measured" if e.clicks is None else f"{e.clicks:,}"
    for name, value in (("sends", f"{e.sends:,}"), ("impressions", f"{e.impressions:,}"),
                        ("clicks", clicks), ("conversions", f"{e.conversions:,}"),
                        ("cost", _num(e.cost)), ("CPM", _num(e.cpm)), ("CPC", _num(e.cpc)),
                        ("CPA", _num(e.cpa)), ("conversion rate", _pct(e.conversion_rate, 3)),
                        ("revenue", _num(e.revenue)),
                        ("incremental revenue", _num(e.incremental_revenue)),
                        ("ROMI", _pct(e.romi, 1))):
        money.add_row(name, value)
    parts: list[Any] = [arms, lift_table, money]
    if report.benchmarks:
        bench = Table("channel", "rate", "value", "benchmark", "index", title="Benchmarks")
        for row in report.benchmarks:
            bench.add_row(row.channel, row.rate, _pct(row.value), _pct(row.benchmark),
                          _num(row.index))
        parts.append(bench)
    parts.extend(report_funnel_tables(report.funnels).renderables)
    return Group(*parts)


def report_funnel_tables(funnels: Sequence[FunnelResult]) -> Group:
    """Funnel results as terminal tables, one per breakdown value."""
    parts = []
    for funnel in funnels:
        steps = Table("step", "customers", "from previous", "from first", "dropped",
                      "median time from previous", title=f"Funnel {funnel.funnel}"
                      + (f" ({funnel.breakdown})" if funnel.breakdown is not None else ""))
        for step in funnel.steps:
            steps.add_row(step.name, f"{step.customers:,}", _pct(step.from_previous),
                          _pct(step.from_first), f"{step.dropped:,}",
                          "" if step.median_seconds is None else f"{step.median_seconds:,.0f} s")
        parts.append(steps)
    return Group(*parts)
