"""Feedback into the hub: triage a text for a customer, log it, and sum it up per customer.

:class:`Triage` runs the topic and sentiment models on a text, derives its urgency, and lets
the priority decision table (:mod:`accord.feedback.urgency`) route it; a priority of
``critical`` or ``high`` raises an alert. Each triage becomes one NDJSON line of a decision
log (any object with ``append(lines, durable=...)``, such as
:class:`accord.logs.durable.DurableLog`). :func:`dimensions` computes the per-customer
feedback figures a profile carries from the triaged records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from accord.feedback.confidence import decide
from accord.feedback.dataset import check_texts
from accord.feedback.sentiment import polarity
from accord.feedback.urgency import DECISION, decide_priority, text_urgency

if TYPE_CHECKING:
    from accord.clock import Clock
    from accord.dmn import Model
    from accord.feedback.classifier import TextClassifier
    from accord.feedback.taxonomy import Taxonomy

#: Priorities that raise an alert.
ALERTING = frozenset({"critical", "high"})
#: The window of :attr:`FeedbackDimensions.negative_90d`.
NEGATIVE_WINDOW = dt.timedelta(days=90)


class LineLog(Protocol):
    """Where decision records go (one JSON line each)."""

    def append(self, lines: Iterable[bytes], *, durable: bool = True) -> int:
        """Append lines without their newline; return how many were written."""
        ...


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One triaged text of one customer (None: nobody known): what it was about and where
    it was routed."""

    customer_id: str | None
    at: dt.datetime
    text: str
    topic: str
    topic_confidence: float
    sentiment: str
    polarity: float
    urgency: str
    priority: str
    queue: str
    alert: bool

    def to_json(self, extra: Mapping[str, Any] | None = None) -> bytes:
        """The decision-log line of this record, with ``extra`` fields (channel, source)."""
        data = asdict(self) | dict(extra or {}) | {"decision": DECISION,
                                                    "at": self.at.isoformat()}
        return json.dumps(data, sort_keys=True).encode()


@dataclass(frozen=True, slots=True)
class Triage:
    """The models and rules that triage feedback; ``threshold`` gates the topic answer."""

    topics: TextClassifier
    sentiment: TextClassifier
    taxonomy: Taxonomy
    rules: Model
    threshold: float = 0.0

    def run(self, customers: Sequence[tuple[str | None, Decimal]], texts: Sequence[str],
            clock: Clock, log: LineLog | None = None) -> list[FeedbackRecord]:
        """Triage texts of customers given as (id, value) pairs, in one batch per model.

        Raises:
            FeedbackDataError: an empty or non-text text.
        """
        texts = check_texts(texts, "feedback")
        if len(customers) != len(texts):
            raise ValueError(f"{len(customers)} customers for {len(texts)} texts")
        at = clock.now()
        topics = decide(self.topics.predict_proba(texts), self.topics.classes, self.threshold)
        proba = self.sentiment.predict_proba(texts)
        moods = decide(proba, self.sentiment.classes)
        scores = polarity(proba, self.sentiment.classes)
        records = []
        for (customer, value), text, topic, mood, score in zip(
                customers, texts, topics, moods, scores, strict=True):
            urgency = text_urgency(topic.label, score, self.taxonomy)
            routed = decide_priority(self.rules, urgency, mood.label, value)
            records.append(FeedbackRecord(customer, at, text, topic.label, topic.confidence,
                                          mood.label, score, urgency, routed.priority,
                                          routed.queue, routed.priority in ALERTING))
        if log is not None:
            log.append((r.to_json() for r in records), durable=False)
        return records


@dataclass(frozen=True, slots=True)
class FeedbackDimensions:
    """A customer's feedback figures as of a moment.

    ``open_complaints`` counts negative feedback per topic since the customer's last
    non-negative feedback on that topic (a later neutral or positive text closes it).
    """

    last_sentiment: str | None
    negative_90d: int
    open_complaints: dict[str, int]


def dimensions(records: Iterable[FeedbackRecord], as_of: dt.datetime
               ) -> dict[str, FeedbackDimensions]:
    """Per-customer feedback dimensions from triaged records dated up to ``as_of``
    (records of nobody known are left out)."""
    by_customer: dict[str, list[FeedbackRecord]] = {}
    for record in records:
        if record.customer_id is not None and record.at <= as_of:
            by_customer.setdefault(record.customer_id, []).append(record)
    result = {}
    for customer, rows in sorted(by_customer.items()):
        rows.sort(key=lambda r: r.at)
        complaints: Counter[str] = Counter()
        for row in rows:
            if row.sentiment == "negative":
                complaints[row.topic] += 1
            else:
                complaints.pop(row.topic, None)
        recent = sum(1 for r in rows if r.sentiment == "negative" and
                     r.at > as_of - NEGATIVE_WINDOW)
        result[customer] = FeedbackDimensions(rows[-1].sentiment, recent, dict(complaints))
    return result


def summary(records: Sequence[FeedbackRecord]) -> dict[str, Any]:
    """Counts by queue and the number of alerts (for a CLI or an API answer)."""
    return {"texts": len(records), "alerts": sum(r.alert for r in records),
            "queues": dict(sorted(Counter(r.queue for r in records).items()))}
