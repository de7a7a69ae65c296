"""Pick a customer worth showing after a demo build: one the hub put back together.

The sample is a customer of the first non-empty segment (VIPs first) whose records came from
the most sources, preferring two CRM records (a duplicate the identity step merged); ties go
to the smallest customer id so the same build always shows the same customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col

__all__ = ["Sample", "sample_customer"]


@dataclass(frozen=True, slots=True)
class Sample:
    """A customer to show, with an e-mail address to look them up by."""

    customer_id: str
    email: str | None
    #: Source name -> that source's records of the customer.
    records: dict[str, int]



def sample_customer(store: AnalyticalStore, segment: str = "vip") -> Sample | None:
    """The customer to show (None when there are no customers at all)."""
    per_source = (exp.select(_col("customer_id"), _col("source"),
                             exp.Count(this=exp.Star()).as_("n"))
                  .from_("identity_map").group_by(_col("customer_id"), _col("source")))
    crm = exp.Sum(this=exp.If(this=exp.EQ(this=_col("source"),
                                           expression=exp.Literal.string("crm")),
                               true=_col("n"), false=exp.Literal.number(0)))
    ranked = (exp.select(_col("customer_id"),
                         exp.Count(this=exp.Star()).as_("sources"), crm.as_("crm"))
              .from_(per_source.subquery("s")).group_by(_col("customer_id")))
    members = (exp.select(_col("customer_id")).from_("segment_members")
               .where(exp.EQ(this=_col("segment"), expression=exp.Literal.string(segment))))
    tables = set(store.tables())
    query = exp.select(_col("customer_id", "r")).from_(ranked.subquery("r"))
    if "segment_members" in tables:
        query = query.order_by(exp.Ordered(
            this=exp.In(this=_col("customer_id", "r"), query=members.subquery()), desc=True))
    query = query.order_by(
        exp.Ordered(this=exp.GTE(this=_col("crm", "r"), expression=exp.Literal.number(2)),
                    desc=True),
        exp.Ordered(this=_col("sources", "r"), desc=True),
        _col("customer_id", "r"), append=True).limit(1)
    found = store.query(query).column("customer_id").to_pylist()
    if not found:
        return None
    customer = str(found[0])
    counts = store.query(per_source.where(
        exp.EQ(this=_col("customer_id"), expression=exp.Literal.string(customer)))).to_pylist()
    emails = store.query(
        exp.select(_col("value", "i")).from_(exp.to_table("identifiers").as_("i"))
        .join(exp.to_table("identity_map").as_("m"),
              on=exp.and_(exp.EQ(this=_col("source", "i"), expression=_col("source", "m")),
                          exp.EQ(this=_col("source_id", "i"),
                                 expression=_col("source_id", "m"))))
        .where(exp.and_(exp.EQ(this=_col("customer_id", "m"),
                               expression=exp.Literal.string(customer)),
                        exp.EQ(this=_col("kind", "i"), expression=exp.Literal.string("email"))))
        .order_by(_col("value", "i")).limit(1)).column("value").to_pylist()
    return Sample(customer_id=customer, email=str(emails[0]) if emails else None,
                  records={str(row["source"]): int(row["n"]) for row in counts})
