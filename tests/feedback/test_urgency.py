from __future__ import annotations

from decimal import Decimal

import pytest

from accord.dmn import check
from accord.feedback.taxonomy import Topic, taxonomy
from accord.feedback.urgency import RULES, Priority, decide_priority, load_rules, text_urgency


def test_shipped_table_has_no_problems() -> None:
    assert check(RULES) == []


@pytest.mark.parametrize(("urgency", "sentiment", "value", "expected"), [
    ("high", "negative", 2500, Priority("critical", "priority")),
    ("high", "neutral", 50, Priority("high", "service")),
    ("medium", "negative", 1000, Priority("high", "priority")),
    ("medium", "negative", 999, Priority("medium", "service")),
    ("low", "negative", 5000, Priority("medium", "retention")),
    ("low", "positive", 5000, Priority("low", "standard")),
])
def test_priority_table(urgency: str, sentiment: str, value: int, expected: Priority) -> None:
    assert decide_priority(load_rules(), urgency, sentiment, Decimal(value)) == expected


def test_text_urgency_rises_with_anger_but_not_past_high() -> None:
    tax = taxonomy([Topic("card.lost", urgency="high"), Topic("fees", urgency="low")])
    assert text_urgency("fees", 0.0, tax) == "low"
    assert text_urgency("fees", -0.6, tax) == "medium"
    assert text_urgency("card.lost", -1.0, tax) == "high"
    assert text_urgency("not-a-topic", -0.5, tax) == "low"
