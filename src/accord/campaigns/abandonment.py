"""Abandonment: carts and checkouts with no purchase within the window, the revenue they
held, and how much of it came back later.

A cart (an ``add_to_cart`` event) or a checkout is **abandoned** when the same customer made
no purchase after it within ``window``; the revenue it **held** is the event's ``value``. An
abandoned one is **recovered** when a purchase came later, within ``horizon`` of it; its
value then "came back". Split by day (of the cart), campaign (of the cart event) or segment
(a customer in several segments counts in each). One sqlglot query, like the funnels; events
sharing an ``event_id`` count once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.timeline import EventSource, as_event_source
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import subquery
from accord.store.sql import table as _table

__all__ = ["BREAKDOWNS", "STAGES", "AbandonmentRow", "compile_abandonment", "run_abandonment"]

#: Stage name -> event type.
STAGES = {"cart": "add_to_cart", "checkout": "checkout"}
PURCHASE = "purchase"


def _day() -> exp.Expr:
    return exp.Cast(this=_col("ts", "s"), to=exp.DataType.build("DATE"))


#: Breakdown -> the key expression over the stage rows ``s`` (segment: joined ``g``).
BREAKDOWNS: dict[str, Callable[[], exp.Expr]] = {
    "day": _day,
    "campaign": lambda: _col("campaign", "s"),
    "segment": lambda: _col("segment", "g"),
}


@dataclass(frozen=True, slots=True)
class AbandonmentRow:
    """Carts (or checkouts) for one breakdown value."""

    stage: str
    key: Any
    started: int
    abandoned: int
    held: float
    recovered: int
    recovered_value: float

    @property
    def abandonment_rate(self) -> float | None:
        """Abandoned / started."""
        return self.abandoned / self.started if self.started else None


def _interval(span: dt.timedelta) -> exp.Expr:
    return exp.Interval(this=exp.Literal.string(str(span // dt.timedelta(microseconds=1))),
                        unit=exp.var("MICROSECOND"))


def compile_abandonment(source: exp.Expr, window: dt.timedelta, horizon: dt.timedelta,
                        by: str | None = None, *, customer: str = "customer_id",
                        unique_ids: bool = False) -> exp.Select:
    """The abandonment query over an events relation (see :mod:`accord.campaigns.funnel`).

    ``customer`` is the column telling customers apart for the purchase join and
    ``unique_ids`` says the relation has one row per ``event_id`` already (the timeline:
    see :func:`~accord.campaigns.funnel.compile_funnel`).

    Raises:
        FunnelDefinitionError: an unknown breakdown, or a horizon shorter than the window.
    """
    if by is not None and by not in BREAKDOWNS:
        raise FunnelDefinitionError("by", f"unknown breakdown {by!r}; known: "
                                    f"{', '.join(BREAKDOWNS)}")
    if horizon < window:
        raise FunnelDefinitionError("horizon", "must not be shorter than the window")
    types = [*STAGES.values(), PURCHASE]
    first = exp.Window(this=exp.RowNumber(), partition_by=[_col("event_id")],
                       order=exp.Order(expressions=[exp.Ordered(this=_col("ts"))]))
    # an event without a time cannot be placed before or after a purchase (nor in the
    # timeline), so it is left out
    once = (exp.select(exp.Star()).from_(source)
            .where(exp.and_(exp.In(this=_col("event_type"),
                                   expressions=[exp.Literal.string(t) for t in types]),
                            exp.Not(this=exp.Is(this=_col("ts"), expression=exp.Null())))))
    if not unique_ids:
        once = once.qualify(exp.EQ(this=first, expression=exp.Literal.number(1)))
    stage = exp.Case(ifs=[exp.If(this=exp.EQ(this=_col("event_type", "s"),
                                             expression=exp.Literal.string(event)),
                                 true=exp.Literal.string(name))
                          for name, event in STAGES.items()])
    purchases = (exp.select(exp.alias_(_col(customer), "buyer"),
                            exp.alias_(_col("ts"), "bought_at"))
                 .from_(_table("once")).where(_col("event_type").eq(
                     exp.Literal.string(PURCHASE))))
    next_purchase = _col("bought_at", "p")
    abandoned = exp.or_(exp.Is(this=next_purchase, expression=exp.Null()),
                        exp.GT(this=next_purchase.copy(),
                               expression=exp.Add(this=_col("ts", "s"),
                                                  expression=_interval(window))))
    # no purchase at all leaves the comparison null: not recovered
    recovered = exp.func("COALESCE", exp.and_(abandoned.copy(), exp.LTE(
        this=next_purchase.copy(), expression=exp.Add(this=_col("ts", "s"),
                                                      expression=_interval(horizon)))),
        exp.false())
    value = exp.func("COALESCE", exp.Cast(this=_col("value", "s"),
                                          to=exp.DataType.build("DOUBLE")),
                     exp.Literal.number(0))
    key = BREAKDOWNS[by]() if by else exp.Null()
    query = (exp.select(
        exp.alias_(stage, "stage"), exp.alias_(key, "key"),
        exp.alias_(exp.Count(this=exp.Star()), "started"),
        exp.alias_(exp.CountIf(this=abandoned), "abandoned"),
        exp.alias_(exp.func("COALESCE", exp.Filter(this=exp.Sum(this=value), expression=exp.Where(
            this=abandoned.copy())), exp.Literal.number(0)), "held"),
        exp.alias_(exp.CountIf(this=recovered), "recovered"),
        exp.alias_(exp.func("COALESCE", exp.Filter(this=exp.Sum(this=value.copy()),
                                                   expression=exp.Where(this=recovered.copy())),
                            exp.Literal.number(0)), "recovered_value"))
        .from_(_table("once", "s"))
        .join(subquery(purchases, "p"),
            on=exp.and_(exp.EQ(this=_col("buyer", "p"), expression=_col(customer, "s")),
                        exp.LT(this=_col("ts", "s"), expression=_col("bought_at", "p"))),
            join_type="ASOF LEFT"))
    if by == "segment":
        query = query.join(_table("segment_members", "g"), on=exp.EQ(
            this=_col("customer_id", "g"), expression=_col("customer_id", "s")))
    query = query.where(exp.In(this=_col("event_type", "s"),
                               expressions=[exp.Literal.string(t) for t in STAGES.values()]))
    query = query.group_by(exp.column("stage"), exp.column("key")).order_by(
        exp.column("stage"), exp.Ordered(this=exp.column("key"), nulls_first=False))
    return query.with_(exp.to_identifier("once", quoted=True), as_=once)


def run_abandonment(store: AnalyticalStore, source: exp.Query | str | EventSource, *,
                    window: dt.timedelta, horizon: dt.timedelta,
                    by: str | None = None) -> list[AbandonmentRow]:
    """Run :func:`compile_abandonment` over ``source`` (a table name, a query or the hub's
    :func:`~accord.campaigns.timeline.event_source`)."""
    events = as_event_source(source)
    rows = store.query(compile_abandonment(
        events.relation, window, horizon, by, customer=events.customer,
        unique_ids=events.unique_ids)).to_pylist()
    return [AbandonmentRow(stage=r["stage"], key=r["key"], started=int(r["started"]),
                           abandoned=int(r["abandoned"]), held=float(r["held"]),
                           recovered=int(r["recovered"]),
                           recovered_value=float(r["recovered_value"])) for r in rows]
