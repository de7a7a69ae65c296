"""What to generate: the size and shape of the demo retailer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

#: Upper bound of ``customers``: e-mail numbers and phone numbers are built from bijections
#: that stay unique below it.
MAX_CUSTOMERS = 10_000_000


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """Parameters of a generated retailer.

    Attributes:
        customers: people in the truth table (a few appear only as guest shoppers).
        seed: the random seed; the same spec always writes the same files.
        as_of: the last day of generated history (profiles are built as of this day).
        orders_per_customer: mean orders per person (heavy-tailed across people).
        lines_per_order: mean order lines per order.
        events_per_customer: mean web, app and e-mail events per person (roughly).
        tickets_per_customer: mean service tickets per person.
        duplicate_rate: share of CRM people with a second CRM record.
        guest_rate: share of people who never registered (guest checkouts only).
        anonymous_share: share of web and app events from logged-out visitors (only a cookie
            id; identity resolution links them to nobody).
        placeholder_records: CRM records (per block) given one placeholder e-mail address
            (they keep their phone); identity resolution must not link on it.
        events_format: ``ndjson`` (as an event API exports) or ``parquet`` (benchmarks).
        block: people generated per block; bounds memory for millions of customers.
    """

    customers: int = 50_000
    seed: int = 7
    as_of: dt.date = dt.date(2025, 6, 30)
    orders_per_customer: float = 3.0
    lines_per_order: float = 2.2
    events_per_customer: float = 12.0
    tickets_per_customer: float = 0.15
    duplicate_rate: float = 0.05
    guest_rate: float = 0.08
    anonymous_share: float = 0.0
    placeholder_records: int = 0
    events_format: Literal["ndjson", "parquet"] = "ndjson"
    block: int = 250_000

    def __post_init__(self) -> None:
        if not 1 <= self.customers <= MAX_CUSTOMERS:
            raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}")
        if self.block < 1:
            raise ValueError("block must be positive")
