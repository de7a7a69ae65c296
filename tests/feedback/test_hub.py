from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from accord.clock import FixedClock
from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import FeedbackDataError
from accord.feedback.hub import FeedbackRecord, Triage, dimensions, summary
from accord.feedback.registry import create
from accord.feedback.taxonomy import Topic, taxonomy
from accord.feedback.urgency import load_rules
from accord.logs.durable import DurableLog
from tests.feedback.conftest import TRAIN, TWEETS

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def triage() -> Triage:
    def labelled(groups: dict[str, list[str]]) -> LabelledTexts:
        pairs = [(t, label) for label, texts in groups.items() for t in texts]
        return LabelledTexts(tuple(t for t, _ in pairs), tuple(label for _, label in pairs))

    topics, mood = create("tfidf"), create("tfidf")
    topics.fit(labelled(TRAIN))
    mood.fit(labelled(TWEETS))
    tax = taxonomy([Topic("card_lost", urgency="high"), Topic("refund", urgency="medium"),
                    Topic("app_login")])
    return Triage(topics, mood, tax, load_rules())


def test_lost_card_of_a_valuable_customer_goes_to_the_priority_queue(
        triage: Triage, tmp_path: Path) -> None:
    log = DurableLog(tmp_path, "feedback")
    try:
        records = triage.run([("c1", Decimal(5000)), ("c2", Decimal(20))],
                             ["I lost my card, terrible", "thanks, the app login works great"],
                             FixedClock(NOW), log)
    finally:
        log.close()
    lost, thanks = records
    assert (lost.topic, lost.urgency, lost.priority, lost.queue, lost.alert) == (
        "card_lost", "high", "critical", "priority", True)
    assert (thanks.topic, thanks.sentiment, thanks.queue, thanks.alert) == (
        "app_login", "positive", "standard", False)
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [(x["customer_id"], x["decision"], x["at"]) for x in lines] == [
        ("c1", "Feedback priority", NOW.isoformat()), ("c2", "Feedback priority", NOW.isoformat())]
    assert summary(records) == {"texts": 2, "alerts": 1,
                                "queues": {"priority": 1, "standard": 1}}


def test_triage_refuses_empty_texts_and_mismatched_customers(triage: Triage) -> None:
    with pytest.raises(FeedbackDataError, match="rows 1"):
        triage.run([("c1", Decimal(1))], [" "], FixedClock(NOW))
    with pytest.raises(ValueError, match="2 customers for 1 texts"):
        triage.run([("c1", Decimal(1)), ("c2", Decimal(1))], ["lost card"], FixedClock(NOW))


def _record(customer: str, days_ago: int, topic: str, sentiment: str) -> FeedbackRecord:
    return FeedbackRecord(customer, NOW - dt.timedelta(days=days_ago), "t", topic, 0.9,
                          sentiment, 0.0, "low", "low", "standard", False)


def test_dimensions_per_customer() -> None:
    records = [_record("a", 200, "refund", "negative"), _record("a", 30, "fees", "negative"),
               _record("a", 20, "fees", "negative"), _record("a", 10, "refund", "positive"),
               _record("a", 5, "card", "neutral"), _record("b", 1, "card", "negative"),
               _record("b", -1, "card", "positive")]  # after as_of: not seen
    found = dimensions(records, NOW)
    assert found["a"].last_sentiment == "neutral"
    assert found["a"].negative_90d == 2
    assert found["a"].open_complaints == {"fees": 2}
    assert (found["b"].last_sentiment, found["b"].open_complaints) == ("negative", {"card": 1})
