"""Service level objectives between IT and marketing, measured from Accord's own telemetry,
and a report with the error budget left.

Every indicator counts good and total events over the window:

========================  ======================================================  ===========
indicator                 a good event                                            source
========================  ======================================================  ===========
``decision_latency``      a decision request answered within ``threshold`` s      ``/metrics``
``availability``          a request answered without a 5xx                        ``/metrics``
``profile_freshness``     a minute in which profiles were under ``threshold`` s   build times
                          old
``approval_to_live``      a rule version live within ``threshold`` s of approval  audit log
``event_to_decision``     an event acted on by a decision within ``threshold`` s  event and
                                                                                  decision logs
========================  ======================================================  ===========

The error budget is the bad events the objective allows, ``(1 - objective) * total``; the
report gives the share of it left (negative: overspent). Latency also reports its p99,
interpolated within the histogram's buckets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlglot
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlglot import exp

from accord.capacity.grid import CapacityError, utc
from accord.operational.schema import audit_log
from accord.store.base import AnalyticalStore


class Indicator(StrEnum):
    DECISION_LATENCY = "decision_latency"
    AVAILABILITY = "availability"
    PROFILE_FRESHNESS = "profile_freshness"
    APPROVAL_TO_LIVE = "approval_to_live"
    EVENT_TO_DECISION = "event_to_decision"


class SloSpec(BaseModel):
    """One objective: the indicator, the share of good events, and (for the timed ones)
    the threshold in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    indicator: Indicator
    objective: float = Field(gt=0.0, lt=1.0)
    threshold_seconds: float | None = Field(None, gt=0)
    route: str = "/v1/decisions"


#: The objectives Accord proposes when a project sets none.
DEFAULT_SLOS = (
    SloSpec(name="decision API p99 under 50 ms", indicator=Indicator.DECISION_LATENCY,
            objective=0.99, threshold_seconds=0.05),
    SloSpec(name="API availability", indicator=Indicator.AVAILABILITY, objective=0.999,
            threshold_seconds=None),
    SloSpec(name="profiles under 26 hours old", indicator=Indicator.PROFILE_FRESHNESS,
            objective=0.99, threshold_seconds=26 * 3600),
    SloSpec(name="approved rules live within 1 hour", indicator=Indicator.APPROVAL_TO_LIVE,
            objective=0.95, threshold_seconds=3600),
    SloSpec(name="events acted on within 5 minutes", indicator=Indicator.EVENT_TO_DECISION,
            objective=0.95, threshold_seconds=300),
)

_SPECS: TypeAdapter[list[SloSpec]] = TypeAdapter(list[SloSpec])


def parse_slos(data: Any, *, source: str = "slos") -> list[SloSpec]:
    """Objectives from plain data (a list of specs); errors name the entry and field."""
    try:
        specs = _SPECS.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CapacityError(f"{source}: [{where}] {first['msg']}") from None
    for spec in specs:
        if spec.indicator is not Indicator.AVAILABILITY and spec.threshold_seconds is None:
            raise CapacityError(f"{source}: objective {spec.name!r} ({spec.indicator}) needs "
                                "threshold_seconds")
    return specs


@dataclass(frozen=True, slots=True)
class Histogram:
    """A cumulative latency histogram: ``(upper bound, count at or under it)``, ascending."""

    buckets: tuple[tuple[float, float], ...]

    @property
    def count(self) -> float:
        return self.buckets[-1][1] if self.buckets else 0.0

    def under(self, threshold: float) -> float:
        """Observations at or under ``threshold`` (interpolated within its bucket)."""
        low_bound, low_count = 0.0, 0.0
        for bound, count in self.buckets:
            if threshold <= bound:
                if bound == float("inf"):
                    return low_count
                share = (threshold - low_bound) / (bound - low_bound)
                return low_count + share * (count - low_count)
            low_bound, low_count = bound, count
        return low_count

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile, interpolated linearly within its bucket (None: no data)."""
        if self.count == 0:
            return None
        rank = q * self.count
        low_bound, low_count = 0.0, 0.0
        for bound, count in self.buckets:
            if count >= rank:
                if bound == float("inf"):
                    return low_bound  # beyond the last finite bucket: its bound, at least
                return low_bound + (bound - low_bound) * (rank - low_count) / (
                    count - low_count)
            low_bound, low_count = bound, count
        return low_bound


@dataclass(frozen=True, slots=True)
class Telemetry:
    """What the indicators are computed from, over ``[start, end)``."""

    start: dt.datetime
    end: dt.datetime
    latency: dict[str, Histogram] = field(default_factory=dict)   # by route
    requests: dict[str, float] = field(default_factory=dict)      # by status code
    builds: tuple[dt.datetime, ...] = ()
    approvals: tuple[tuple[dt.datetime, dt.datetime | None], ...] = ()
    event_lags: tuple[float | None, ...] = ()                     # None: never acted on


def from_prometheus(text: str) -> tuple[dict[str, Histogram], dict[str, float]]:
    """Latency histograms by route and request counts by status from a ``/metrics`` page."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    statuses: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "accord_http_request_duration_seconds_bucket":
                buckets.setdefault(sample.labels["route"], []).append(
                    (float(sample.labels["le"]), float(sample.value)))
            elif sample.name == "accord_http_requests_total":
                status = sample.labels["status"]
                statuses[status] = statuses.get(status, 0.0) + float(sample.value)
    return ({route: Histogram(tuple(sorted(b))) for route, b in buckets.items()}, statuses)


def approvals(engine: sa.Engine, start: dt.datetime, end: dt.datetime
              ) -> tuple[tuple[dt.datetime, dt.datetime | None], ...]:
    """``(approved at, live at)`` of each rule version approved in the window (live at None:
    not activated yet), from the operational store's audit log."""
    query = (sa.select(audit_log.c.subject, audit_log.c.action, audit_log.c.at)
             .where(audit_log.c.action.in_(("approve", "activate")))
             .order_by(audit_log.c.at, audit_log.c.id))
    approved: dict[str, dt.datetime] = {}
    live: dict[str, dt.datetime] = {}
    with engine.connect() as connection:
        for subject, action, at in connection.execute(query):
            at = utc(at)
            if action == "approve":
                approved.setdefault(subject, at)
            elif subject in approved:
                live.setdefault(subject, at)
    return tuple((at, live.get(subject)) for subject, at in approved.items()
                 if utc(start) <= at < utc(end))


#: Each event with the first decision for the same customer at or after it (DuckDB's ASOF
#: join); the logs keep times as ISO text.
_LAGS = sqlglot.parse_one("""
    SELECT DATE_DIFF('millisecond', CAST(e.occurred_at AS TIMESTAMPTZ),
                     CAST(d.at AS TIMESTAMPTZ)) / 1000.0 AS lag
    FROM (SELECT customer_id, CAST(occurred_at AS TIMESTAMPTZ) AS ts, occurred_at
          FROM raw_api_events WHERE customer_id IS NOT NULL) AS e
    ASOF LEFT JOIN (SELECT customer_id, CAST(at AS TIMESTAMPTZ) AS ts, at
                    FROM decision_log) AS d
      ON e.customer_id = d.customer_id AND d.ts >= e.ts
""", read="duckdb")


def event_lags(store: AnalyticalStore, start: dt.datetime, end: dt.datetime
               ) -> tuple[float | None, ...]:
    """Seconds from each event in the window (``raw_api_events``) to the first decision for
    the same customer at or after it (``decision_log``); None when none followed yet."""
    if not {"raw_api_events", "decision_log"} <= set(store.tables()):
        return ()
    window = exp.column("ts", table="e").between(
        exp.cast(exp.Literal.string(utc(start).isoformat()), "TIMESTAMPTZ"),
        exp.cast(exp.Literal.string(utc(end).isoformat()), "TIMESTAMPTZ"))
    query = _LAGS.copy()
    assert isinstance(query, exp.Select)
    table = store.query(query.where(window))
    return tuple(table.column("lag").to_pylist())


@dataclass(frozen=True, slots=True)
class Result:
    """One objective's measurement."""

    spec: SloSpec
    good: float
    total: float
    value: float | None = None  # p99 seconds for latency, else None

    @property
    def sli(self) -> float | None:
        return self.good / self.total if self.total else None

    @property
    def budget_left(self) -> float | None:
        """Share of the error budget left (1: untouched, 0: spent, below 0: overspent)."""
        if not self.total:
            return None
        allowed = (1 - self.spec.objective) * self.total
        return 1 - (self.total - self.good) / allowed

    @property
    def met(self) -> bool | None:
        return None if self.sli is None else self.sli >= self.spec.objective


def _fresh_minutes(builds: Sequence[dt.datetime], start: dt.datetime, end: dt.datetime,
                   threshold: float) -> tuple[float, float]:
    """(fresh minutes, known minutes) of the window; before the first build is unknown."""
    times = sorted(utc(b) for b in builds if utc(b) < end)
    if not times:
        return 0.0, 0.0
    known_from = max(start, times[0])
    fresh = 0.0
    for index, built in enumerate(times):
        until = times[index + 1] if index + 1 < len(times) else end
        span_start = max(built, start)
        span_end = min(until, built + dt.timedelta(seconds=threshold), end)
        if span_end > span_start:
            fresh += (span_end - span_start).total_seconds() / 60
    return fresh, max(0.0, (end - known_from).total_seconds() / 60)


def _measure(spec: SloSpec, t: Telemetry) -> Result:
    threshold = spec.threshold_seconds or 0.0
    if spec.indicator is Indicator.DECISION_LATENCY:
        histogram = t.latency.get(spec.route, Histogram(()))
        return Result(spec, histogram.under(threshold), histogram.count,
                      histogram.quantile(0.99))
    if spec.indicator is Indicator.AVAILABILITY:
        total = sum(t.requests.values())
        bad = sum(n for status, n in t.requests.items() if status.startswith("5"))
        return Result(spec, total - bad, total)
    if spec.indicator is Indicator.PROFILE_FRESHNESS:
        fresh, known = _fresh_minutes(t.builds, utc(t.start), utc(t.end), threshold)
        return Result(spec, fresh, known)
    if spec.indicator is Indicator.APPROVAL_TO_LIVE:
        good = sum(1 for approved, live in t.approvals
                   if live is not None and (live - approved).total_seconds() <= threshold)
        return Result(spec, good, len(t.approvals))
    good = sum(1 for lag in t.event_lags if lag is not None and lag <= threshold)
    return Result(spec, good, len(t.event_lags))


def report(specs: Iterable[SloSpec], telemetry: Telemetry) -> list[Result]:
    """Every objective measured over the telemetry's window."""
    return [_measure(spec, telemetry) for spec in specs]


def render(results: Sequence[Result]) -> list[dict[str, Any]]:
    """The report as JSON-ready rows."""
    return [{"name": r.spec.name, "indicator": r.spec.indicator.value,
             "objective": r.spec.objective, "sli": r.sli, "good": r.good, "total": r.total,
             "met": r.met, "error_budget_left": r.budget_left, "p99_seconds": r.value}
            for r in results]


def project_telemetry(project: Path, metrics_text: str, start: dt.datetime,
                      end: dt.datetime) -> Telemetry:
    """Everything the SLOs are measured from, for one project: request latency and counts
    from a ``/metrics`` page's text, event-to-decision lags and the last profile build from
    the analytical store (read-only), rule approvals from the operational store's audit log.
    """
    from accord.project.template import store_path
    from accord.server.runtime import open_project_operational
    from accord.server.segments import SegmentCounts
    from accord.store import open_store

    latency, requests = from_prometheus(metrics_text)
    lags: tuple[float | None, ...] = ()
    builds: tuple[dt.datetime, ...] = ()
    path = store_path(project)
    if path.is_file():
        built = SegmentCounts(path).read().built_at
        builds = (built,) if built is not None else ()
        store = open_store("duckdb", path, read_only=True)
        try:
            lags = tuple(event_lags(store, start, end))
        finally:
            store.close()
    engine = open_project_operational(project).engine
    return Telemetry(start, end, latency, requests, builds, approvals(engine, start, end),
                     lags)
