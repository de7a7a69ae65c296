"""The feedback tables of the analytical store, as sqlglot trees.

``feedback`` holds one row per classified text; ``feedback_dimensions`` one row per customer
with feedback, computed from it in SQL with the semantics of
:func:`accord.feedback.hub.dimensions`: the last sentiment, negative texts in the 90 days up
to ``as_of``, and open complaints per topic (negative texts since the customer's last
non-negative text on that topic; at the same instant, the non-negative one closes).
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from accord.feedback.hub import NEGATIVE_WINDOW
from accord.store.sql import column as _col
from accord.store.sql import table as _table

#: The entity whose rows carry feedback text: help-desk tickets, and reviews mapped to it.
SOURCE_ENTITY = "tickets"
FEEDBACK_TABLE = "feedback"
DIMENSIONS_TABLE = "feedback_dimensions"
#: Columns of ``feedback``, in order.
FEEDBACK_COLUMNS = ("customer_id", "source", "source_id", "at", "text", "topic", "sentiment",
                    "urgency", "confidence", "status", "priority", "queue")


def _eq(left: exp.Expression, right: exp.Expression) -> exp.EQ:
    return exp.EQ(this=left, expression=right)


def _timestamp(at: dt.datetime) -> exp.Expression:
    """A TIMESTAMP literal in UTC without zone (as the entity tables store instants)."""
    naive = at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
    return exp.cast(exp.Literal.string(naive.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)


def sources_query(value_field: str | None) -> exp.Select:
    """The texts of :data:`SOURCE_ENTITY`, each with its customer (NULL when identity
    resolution linked nobody) and, as ``value``, the customer's profile field
    ``value_field`` (NULL when None or absent)."""
    value: exp.Expression = (_col(value_field, "p") if value_field is not None
                             else exp.Null())
    query = (exp.select(_col("customer_id", "m"), exp.alias_(_col("_source", "t"), "source"),
                        _col("source_id", "t"), exp.alias_(_col("opened_at", "t"), "at"),
                        _col("text", "t"), _col("status", "t"), exp.alias_(value, "value"))
             .from_(_table(SOURCE_ENTITY, "t"))
             .join(_table("identity_map", "m"), join_type="left",
                   on=exp.and_(_eq(_col("source", "m"), _col("_source", "t")),
                               _eq(_col("source_id", "m"), _col("source_id", "t")))))
    if value_field is not None:
        query = query.join(_table("profiles", "p"), join_type="left",
                           on=_eq(_col("customer_id", "p"), _col("customer_id", "m")))
    return query.order_by(exp.Ordered(this=_col("_source", "t")),
                          exp.Ordered(this=_col("source_id", "t")))


def _bigint(value: exp.Expression) -> exp.Expression:
    """DuckDB sums and counts-if into HUGEINT, which Arrow and JSON readers lack."""
    return exp.cast(value, exp.DataType.Type.BIGINT)


def _negative(table: str | None = None) -> exp.Expression:
    return _eq(_col("sentiment", table), exp.Literal.string("negative"))


def _ordered_list(name: str) -> exp.Expression:
    return exp.ArrayAgg(this=exp.Order(this=_col(name),
                                       expressions=[exp.Ordered(this=_col("topic"))]))


def dimensions_query(as_of: dt.datetime) -> exp.Select:
    """Per-customer dimensions of the ``feedback`` rows dated up to ``as_of``."""
    dated = (exp.select(_col("customer_id"), _col("topic"), _col("sentiment"), _col("at"))
             .from_(_table(FEEDBACK_TABLE))
             .where(exp.and_(exp.Not(this=exp.Is(this=_col("customer_id"),
                                                 expression=exp.Null())),
                             exp.LTE(this=_col("at"), expression=_timestamp(as_of)))))
    closed = (exp.select(_col("customer_id"), _col("topic"),
                         exp.alias_(exp.Max(this=_col("at")), "closed_at"))
              .from_(_table("f"))
              .where(exp.Not(this=exp.NullSafeEQ(this=_col("sentiment"),
                                                 expression=exp.Literal.string("negative"))))
              .group_by(_col("customer_id"), _col("topic")))
    still_open = exp.or_(exp.Is(this=_col("closed_at", "c"), expression=exp.Null()),
                         exp.GT(this=_col("at", "f"), expression=_col("closed_at", "c")))
    complaints = (exp.select(_col("customer_id", "f"), _col("topic", "f"),
                             exp.alias_(exp.Count(this=exp.Star()), "n"))
                  .from_(_table("f", "f"))
                  .join(_table("closed", "c"), join_type="left",
                        on=exp.and_(_eq(_col("customer_id", "c"), _col("customer_id", "f")),
                                    _eq(_col("topic", "c"), _col("topic", "f"))))
                  .where(exp.and_(_negative("f"), still_open))
                  .group_by(_col("customer_id", "f"), _col("topic", "f")))
    per_customer = (exp.select(_col("customer_id"),
                               exp.alias_(exp.Map(keys=_ordered_list("topic"),
                                                  values=_ordered_list("n")), "complaints"),
                               exp.alias_(_bigint(exp.Sum(this=_col("n"))), "total"))
                    .from_(_table("complaints")).group_by(_col("customer_id")))
    recent = exp.and_(_negative("f"), exp.GT(this=_col("at", "f"),
                                             expression=_timestamp(as_of - NEGATIVE_WINDOW)))
    summary = (exp.select(_col("customer_id", "f"),
                          exp.alias_(exp.func("arg_max", _col("sentiment", "f"),
                                              _col("at", "f")), "last_sentiment"),
                          exp.alias_(exp.Max(this=_col("at", "f")), "last_feedback_at"),
                          exp.alias_(exp.Count(this=exp.Star()), "feedback_count"),
                          exp.alias_(_bigint(exp.CountIf(this=recent)), "negative_90d"))
               .from_(_table("f", "f")).group_by(_col("customer_id", "f")))
    empty = exp.Map(keys=exp.Array(expressions=[]), values=exp.Array(expressions=[]))
    return (exp.select(_col("customer_id", "s"), _col("last_sentiment", "s"),
                       _col("last_feedback_at", "s"), _col("feedback_count", "s"),
                       _col("negative_90d", "s"),
                       exp.alias_(exp.Coalesce(this=_col("complaints", "o"),
                                               expressions=[empty]), "open_complaints"),
                       exp.alias_(exp.Coalesce(this=_col("total", "o"),
                                               expressions=[exp.Literal.number(0)]),
                                  "open_complaints_total"))
            .with_("f", dated).with_("closed", closed).with_("complaints", complaints)
            .with_("o", per_customer)
            .from_(summary.subquery("s"))
            .join(_table("o", "o"), join_type="left",
                  on=_eq(_col("customer_id", "o"), _col("customer_id", "s")))
            .order_by(exp.Ordered(this=_col("customer_id", "s"))))


def create_dimensions(as_of: dt.datetime) -> exp.Create:
    """``CREATE OR REPLACE TABLE feedback_dimensions AS`` :func:`dimensions_query`."""
    return exp.Create(this=_table(DIMENSIONS_TABLE), kind="TABLE", replace=True,
                      expression=dimensions_query(as_of))
