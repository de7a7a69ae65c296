"""Classify a project's feedback texts into the analytical store.

Reads the texts of the ticket entity (help-desk tickets, and reviews mapped to it) with the
customer identity resolution linked each to, triages them in one batch (topic, sentiment,
urgency, priority and queue, see :class:`accord.feedback.hub.Triage`), and replaces the
``feedback`` and ``feedback_dimensions`` tables in one transaction: a failure leaves the
tables of the previous run. Rows without text are skipped and counted.

It is a step run after ``accord build`` rather than part of it: it needs the optional
``feedback`` extra and a model trained for the project, which a build must not depend on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from accord.feedback.project import VALUE_FIELD, customer_value
from accord.feedback.tables import (
    DIMENSIONS_TABLE,
    FEEDBACK_TABLE,
    SOURCE_ENTITY,
    create_dimensions,
    sources_query,
)
from accord.feedback.text import is_text

if TYPE_CHECKING:
    from accord.clock import Clock
    from accord.feedback.hub import Triage
    from accord.store.base import AnalyticalStore

SCHEMA = pa.schema([("customer_id", pa.string()), ("source", pa.string()),
                    ("source_id", pa.string()), ("at", pa.timestamp("us")),
                    ("text", pa.string()), ("topic", pa.string()), ("sentiment", pa.string()),
                    ("urgency", pa.string()), ("confidence", pa.float64()),
                    ("status", pa.string()), ("priority", pa.string()), ("queue", pa.string())])


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What a run classified and wrote."""

    texts: int
    skipped: int
    linked: int
    customers: int
    unknown_topic: int


def _value_field(store: AnalyticalStore, field: str) -> str | None:
    """``field`` when the profiles table has it (a project without profiles has no value)."""
    if "profiles" not in store.tables():
        return None
    from sqlglot import exp

    schema = store.query(exp.select(exp.Star()).from_("profiles").limit(0)).schema
    return field if field in schema.names else None


def classify_store(store: AnalyticalStore, triage: Triage, clock: Clock, *,
                   as_of: dt.datetime | None = None, value_field: str = VALUE_FIELD
                   ) -> IngestReport:
    """Classify every text of the ticket entity and replace the feedback tables.

    Args:
        store: the project's analytical store, opened for writing.
        triage: the project's models and priority rules.
        clock: stamps the triage; also the default ``as_of``.
        as_of: the moment the dimensions are computed at (90-day window, texts after it
            left out); now when None.
        value_field: the profile field weighed as the customer's value.

    Raises:
        accord.errors.ConfigError: the store has no ticket entity table (run a build first).
    """
    from accord.errors import ConfigError

    tables = set(store.tables())
    missing = sorted({SOURCE_ENTITY, "identity_map"} - tables)
    if missing:
        raise ConfigError(f"the analytical store has no {' or '.join(missing)} table; run "
                          f"'accord build' with a source of entity {SOURCE_ENTITY!r} first")
    rows = store.query(sources_query(_value_field(store, value_field))).to_pylist()
    kept = [r for r in rows if isinstance(r["text"], str) and is_text(r["text"])]
    records = triage.run([(r["customer_id"], customer_value({"v": r["value"]}, "v"))
                          for r in kept], [r["text"] for r in kept], clock) if kept else []
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for row, record in zip(kept, records, strict=True):
        for name in ("customer_id", "source", "source_id", "at", "text", "status"):
            columns[name].append(row[name])
        columns["topic"].append(record.topic)
        columns["sentiment"].append(record.sentiment)
        columns["urgency"].append(record.urgency)
        columns["confidence"].append(record.topic_confidence)
        columns["priority"].append(record.priority)
        columns["queue"].append(record.queue)
    data = pa.table({n: pa.array(columns[n], SCHEMA.field(n).type) for n in SCHEMA.names},
                    schema=SCHEMA)
    with store.transaction():
        store.write(FEEDBACK_TABLE, data, mode="replace")
        store.execute(create_dimensions(as_of or clock.now()))
    from sqlglot import exp

    customers = store.query(exp.select(exp.Count(this=exp.Star()).as_("n"))
                            .from_(DIMENSIONS_TABLE)).to_pylist()[0]["n"]
    return IngestReport(len(kept), len(rows) - len(kept),
                        sum(r["customer_id"] is not None for r in kept), int(customers),
                        sum(r.topic == "unknown" for r in records))
