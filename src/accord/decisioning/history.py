"""What the decision path knows of a customer's past contacts and of treatments' totals.

The decision path receives these as values (read from the online store by the edge), so
``decide`` stays pure.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


class OutcomeKind(enum.StrEnum):
    """What happened after a decision (``POST /v1/outcomes``)."""

    IMPRESSION = "impression"  # shown or sent: a contact
    CLICK = "click"
    ACCEPT = "accept"
    REJECT = "reject"
    CONVERT = "convert"
    COMPLAINT = "complaint"


#: Outcomes that count as contacting the customer, for contact limits.
CONTACTS = frozenset({OutcomeKind.IMPRESSION})
#: Outcomes that count as a success for propensity learning.
SUCCESSES = frozenset({OutcomeKind.ACCEPT, OutcomeKind.CONVERT, OutcomeKind.CLICK})


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome of a treatment for a customer."""

    treatment_id: str
    channel: str
    kind: OutcomeKind
    at: dt.datetime
    value: Decimal | None = None
    decision_id: str | None = None


@dataclass(frozen=True, slots=True)
class TreatmentTotals:
    """Totals of one treatment over all customers (budget and inventory caps)."""

    spent: Decimal = Decimal(0)
    accepted: int = 0


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """A customer's outcomes, newest last."""

    outcomes: Sequence[Outcome] = ()

    def count(self, kinds: frozenset[OutcomeKind], since: dt.datetime, *,
              treatment_id: str | None = None, channel: str | None = None) -> int:
        """How many outcomes of ``kinds`` since ``since``, optionally of one treatment or
        channel."""
        return sum(1 for o in self.outcomes
                   if o.kind in kinds and o.at > since
                   and (treatment_id is None or o.treatment_id == treatment_id)
                   and (channel is None or o.channel == channel))

    def last(self, kind: OutcomeKind, treatment_id: str | None = None) -> dt.datetime | None:
        """When the latest outcome of ``kind`` happened (for one treatment, or any)."""
        times = [o.at for o in self.outcomes
                 if o.kind is kind and (treatment_id is None or o.treatment_id == treatment_id)]
        return max(times) if times else None
