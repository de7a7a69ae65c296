"""A campaign's outcomes built from the hub's own data: its decisions, then the events after.

Who is in the campaign comes from the decision log (``accord logs load``, table
``decision_log``): a decision on one of the campaign's channels, within its schedule, that
gave one of its treatments puts the customer in that treatment's arm (``variant`` = the
treatment id); one that held a treatment out (the treatment id in ``holdouts``) puts the
customer in the control group (``variant`` = ``"control"``, one group for every treatment,
as the report compares each treated arm with one control). A customer's **first** such
decision decides the arm, for good: later decisions do not move them, so nobody is counted
twice. What they did comes from the hub's events (:func:`accord.campaigns.events.hub_events`)
after that first decision and within the campaign's measurement window; see
``docs/metrics.md`` ("Outcomes from the hub") for each column's definition.

Everything is one sqlglot tree over the analytical store; :func:`build_hub_outcomes` writes
the rows with :func:`~accord.campaigns.outcomes.replace_outcomes` (all or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import duckdb
from sqlglot import exp

from accord.campaigns.events import hub_events
from accord.campaigns.model import Campaign
from accord.campaigns.outcomes import replace_outcomes
from accord.errors import ConfigError
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["CONTROL", "OUTBOUND", "PURCHASE", "VISIT_TYPES", "build_hub_outcomes",
           "hub_outcome_rows"]

#: The variant of held-out customers.
CONTROL = "control"
#: Channels whose treated decisions are sends; decisions on the others are impressions.
OUTBOUND = frozenset({"email", "sms", "push", "direct_mail"})
#: Event types that show a visit to the web site or app (the web funnel's steps).
VISIT_TYPES = ("page_view", "product_view", "add_to_cart", "checkout", "purchase")
#: The event type of a conversion; its ``value`` is the revenue.
PURCHASE = "purchase"
#: Event types counted as opens and clicks (measured only when the hub has them at all).
OPEN, CLICK = "email_opened", "email_clicked"


def _s(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _cast(value: exp.Expr, kind: str) -> exp.Expr:
    return exp.Cast(this=value, to=exp.DataType.build(kind))


def _utc(value: exp.Expr) -> exp.Expr:
    """The log's ISO text with an offset -> the UTC instant without zone (as events hold)."""
    instant = _cast(value, "TIMESTAMPTZ")
    return _cast(exp.AtTimeZone(this=instant, zone=_s("UTC")), "TIMESTAMP")


def _midnight(day: dt.date) -> exp.Expr:
    return _cast(_s(f"{day.isoformat()} 00:00:00"), "TIMESTAMP")


def _first_of(listed: exp.Expr, treatments: Sequence[str]) -> exp.Expr:
    """The first of ``treatments`` (in the campaign's order) in the JSON text list."""
    values = exp.func("from_json", listed, _s('["VARCHAR"]'))
    return exp.Case(ifs=[exp.If(this=exp.func("list_contains", values.copy(), _s(t)),
                                true=_s(t)) for t in treatments])


def _schedule(campaign: Campaign, at: exp.Expr) -> list[exp.Expr]:
    """Schedule dates are whole UTC days: from ``start`` 00:00 to the end of ``end``."""
    bounds: list[exp.Expr] = []
    if campaign.schedule.start is not None:
        bounds.append(exp.GTE(this=at.copy(), expression=_midnight(campaign.schedule.start)))
    if campaign.schedule.end is not None:
        after = campaign.schedule.end + dt.timedelta(days=1)
        bounds.append(exp.LT(this=at.copy(), expression=_midnight(after)))
    return bounds


def _touches(campaign: Campaign) -> exp.Select:
    """Decisions of the campaign: the first treatment given, the first held out."""
    at = _utc(_col("at"))
    decisions = (exp.select(
        _col("customer_id"), _col("decision_id"), _col("channel"), exp.alias_(at, "ts"),
        exp.alias_(_first_of(_col("given"), campaign.treatments), "given_t"),
        exp.alias_(_first_of(_col("holdouts"), campaign.treatments), "held_t"))
        .from_(_table("decision_log"))
        .where(exp.Not(this=exp.Is(this=_col("customer_id"), expression=exp.Null())),
               exp.In(this=_col("channel"), expressions=[_s(c) for c in campaign.channels]),
               *_schedule(campaign, at)))
    return (exp.select(exp.Star()).from_(decisions.subquery("d"))
            .where(exp.or_(exp.Not(this=exp.Is(this=_col("given_t"), expression=exp.Null())),
                           exp.Not(this=exp.Is(this=_col("held_t"), expression=exp.Null())))))


def _arms() -> exp.Select:
    """Each customer's first decision: its instant and arm (a treatment given wins)."""
    order = exp.Window(this=exp.RowNumber(), partition_by=[_col("customer_id")],
                       order=exp.Order(expressions=[exp.Ordered(this=_col("ts")),
                                                    exp.Ordered(this=_col("decision_id"))]))
    return (exp.select(
        _col("customer_id"), exp.alias_(_col("ts"), "first_at"),
        exp.alias_(exp.Is(this=_col("given_t"), expression=exp.Null()), "control"),
        exp.alias_(exp.func("COALESCE", _col("given_t"), _s(CONTROL)), "variant"))
        .from_("touches").qualify(exp.EQ(this=order, expression=exp.Literal.number(1))))


def _contacts() -> exp.Select:
    """Treated customers' decisions that gave a campaign treatment: sends or impressions."""
    outbound = exp.In(this=_col("channel", "t"),
                      expressions=[_s(c) for c in sorted(OUTBOUND)])
    return (exp.select(
        _col("customer_id", "t"),
        exp.alias_(exp.CountIf(this=outbound), "sends"),
        exp.alias_(exp.CountIf(this=exp.Not(this=outbound.copy())), "impressions"))
        .from_(_table("touches", "t"))
        .join(_table("arms", "a"), on=exp.EQ(this=_col("customer_id", "a"),
                                              expression=_col("customer_id", "t")))
        .where(exp.Not(this=_col("control", "a")),
               exp.Not(this=exp.Is(this=_col("given_t", "t"), expression=exp.Null())))
        .group_by(_col("customer_id", "t")))


def _matched(campaign: Campaign, tables: Collection[str]) -> exp.Select:
    """The events that count: a campaign customer's, after the first decision and within
    the window, of a type some column reads; each event id once (a re-delivery is no second
    purchase). Filtering before the de-duplication keeps it to the campaign's events."""
    window = exp.Interval(this=_s(str(campaign.measurement_window // dt.timedelta(
        microseconds=1))), unit=exp.Var(this="MICROSECOND"))
    on = exp.and_(
        exp.EQ(this=_col("customer_id", "e"), expression=_col("customer_id", "a")),
        exp.GT(this=_col("ts", "e"), expression=_col("first_at", "a")),
        exp.LTE(this=_col("ts", "e"),
                expression=exp.Add(this=_col("first_at", "a"), expression=window)))
    once = exp.Window(this=exp.RowNumber(), partition_by=[_col("event_id", "e")],
                      order=exp.Order(expressions=[exp.Ordered(this=_col("ts", "e"))]))
    read = sorted({*VISIT_TYPES, OPEN, CLICK})
    return (exp.select(_col("customer_id", "a"), _col("event_type", "e"), _col("value", "e"),
                       _col("campaign", "e"))
            .from_(_table("arms", "a"))
            .join(hub_events(tables).subquery("e"), on=on)
            .where(exp.In(this=_col("event_type", "e"), expressions=[_s(t) for t in read]))
            .qualify(exp.EQ(this=once, expression=exp.Literal.number(1))))


def _acted(campaign: Campaign) -> exp.Select:
    """Per customer, what the events that count say."""
    kind, value = _col("event_type"), _cast(_col("value"), "DOUBLE")
    is_purchase = exp.EQ(this=kind.copy(), expression=_s(PURCHASE))
    # e-mail engagement counts when it is this campaign's or carries no campaign at all:
    # opens of an unrelated newsletter are not the campaign's
    own = exp.or_(exp.Is(this=_col("campaign"), expression=exp.Null()),
                  exp.EQ(this=_col("campaign"), expression=_s(campaign.name)))
    return (exp.select(
        _col("customer_id"),
        exp.alias_(exp.func("bool_or", exp.In(this=kind.copy(), expressions=[
            _s(t) for t in VISIT_TYPES])), "visited"),
        exp.alias_(exp.func("bool_or", is_purchase), "converted"),
        exp.alias_(exp.Sum(this=exp.If(this=is_purchase.copy(), true=exp.func(
            "COALESCE", value, exp.Literal.number(0)), false=exp.Literal.number(0))),
            "revenue"),
        *(exp.alias_(exp.CountIf(this=exp.and_(exp.EQ(this=kind.copy(), expression=_s(t)),
                                               own.copy())), name)
          for name, t in (("opens", OPEN), ("clicks", CLICK))))
        .from_(_table("matched"))
        .group_by(_col("customer_id")))


def _measured(name: str, measured: bool) -> exp.Expr:
    """A count, 0 for a customer without events; NULL when the hub never measures it."""
    if not measured:
        return _cast(exp.Null(), "BIGINT")
    return _cast(exp.func("COALESCE", _col(name, "x"), exp.Literal.number(0)), "BIGINT")


def hub_outcome_rows(campaign: Campaign, tables: Collection[str],
                     event_types: Collection[str]) -> exp.Select:
    """The outcome rows of ``campaign`` (all columns of ``campaign_outcomes``). Pure.

    Args:
        campaign: the campaign; its treatments, channels, schedule and measurement window.
        tables: the tables in the analytical store.
        event_types: the event types the hub has; opens (clicks) are measured only when it
            has ``email_opened`` (``email_clicked``) events and the campaign uses e-mail.

    Raises:
        ConfigError: the campaign names no treatments, or there is no decision log.
    """
    if not campaign.treatments:
        raise ConfigError(f"campaign {campaign.name!r} names no treatments: its customers "
                          "cannot be found in the decision log")
    if "decision_log" not in tables:
        raise ConfigError("no decision log in the analytical store: run 'accord logs load' "
                          "first")
    email = "email" in campaign.channels
    zero = exp.Literal.number(0)
    rows = (exp.select(
        exp.alias_(_s(campaign.name), "campaign"), _col("customer_id", "a"),
        _col("variant", "a"), _col("control", "a"),
        exp.alias_(_cast(exp.func("COALESCE", _col("sends", "c"), zero), "BIGINT"), "sends"),
        exp.alias_(_cast(exp.func("COALESCE", _col("impressions", "c"), zero.copy()),
                         "BIGINT"), "impressions"),
        exp.alias_(_measured("opens", email and OPEN in event_types), "opens"),
        exp.alias_(_measured("clicks", email and CLICK in event_types), "clicks"),
        *(exp.alias_(exp.func("COALESCE", _col(flag, "x"), exp.false()), flag)
          for flag in ("visited", "converted")),
        exp.alias_(_cast(exp.func("COALESCE", _col("revenue", "x"), zero.copy()), "DOUBLE"),
                   "revenue"))
        .from_(_table("arms", "a"))
        .join(_table("contacts", "c"), on=exp.EQ(this=_col("customer_id", "c"),
                                                  expression=_col("customer_id", "a")),
              join_type="left")
        .join(_table("acted", "x"), on=exp.EQ(this=_col("customer_id", "x"),
                                               expression=_col("customer_id", "a")),
              join_type="left"))
    for name, query in (("touches", _touches(campaign)), ("arms", _arms()),
                        ("contacts", _contacts()), ("matched", _matched(campaign, tables)),
                        ("acted", _acted(campaign))):
        rows = rows.with_(exp.to_identifier(name, quoted=True), as_=query)
    return rows


def build_hub_outcomes(store: AnalyticalStore, campaign: Campaign,
                       event_types: Collection[str]) -> int:
    """Replace ``campaign``'s outcomes by the ones the hub's decisions and events give.

    Args:
        store: the analytical store holding ``decision_log`` (and the hub's events).
        campaign: the campaign.
        event_types: the event types the hub has
            (:func:`accord.campaigns.service.event_types`).

    Returns:
        The number of customers written.

    Raises:
        ConfigError: no treatments, no decision log, a log the hub cannot read, or no
            decision in the schedule gave or held out a campaign treatment (the earlier
            outcomes are then kept).
    """
    rows = hub_outcome_rows(campaign, store.tables(), event_types)
    try:
        # one pass: write, and roll the replacement back when it found nobody
        with store.transaction():
            written = replace_outcomes(store, campaign.name, rows)
            if not written:
                raise ConfigError(
                    f"no decision gave or held out a treatment of campaign {campaign.name!r} "
                    f"({', '.join(campaign.treatments)}) on its channels "
                    f"({', '.join(campaign.channels)}) within its schedule: nothing to "
                    "measure")
    except duckdb.Error as exc:  # a log that is not as the loader writes it
        raise ConfigError(f"cannot measure campaign {campaign.name!r} from the hub: "
                          f"{exc}") from None
    return written
