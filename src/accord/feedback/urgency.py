"""Urgency: what the text says (topic and sentiment) and who says it, decided in DMN.

The text gives an urgency level: the predicted topic's own urgency from the taxonomy, raised
one level when the sentiment is strongly negative. The decision table ``feedback-priority.dmn``
(shipped beside this module, editable like any rule) then combines that level, the sentiment
and the customer's value into a priority and a service queue, so the business changes the
routing without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from accord.feedback.taxonomy import URGENCIES, Taxonomy

if TYPE_CHECKING:
    from accord.dmn import Model

#: The decision table shipped with accord.
RULES = Path(__file__).with_name("rules") / "feedback-priority.dmn"
DECISION = "Feedback priority"
#: Polarity at or below which the text's urgency goes up a level.
ANGRY = -0.6


def text_urgency(topic: str, polarity: float, tax: Taxonomy) -> str:
    """The topic's urgency (``low`` when the topic is not in the taxonomy), raised one level
    when the polarity is at or below :data:`ANGRY`.

    >>> from accord.feedback.taxonomy import Topic, taxonomy
    >>> tax = taxonomy([Topic("card.lost", urgency="medium")])
    >>> text_urgency("card.lost", -0.9, tax), text_urgency("other", 0.2, tax)
    ('high', 'low')
    """
    found = tax.topics.get(topic)
    level = URGENCIES.index(found.urgency) if found else 0
    if polarity <= ANGRY:
        level = min(level + 1, len(URGENCIES) - 1)
    return URGENCIES[level]


@dataclass(frozen=True, slots=True)
class Priority:
    """The decision: a priority (critical, high, medium, low) and the queue to route to."""

    priority: str
    queue: str


def load_rules(path: Path = RULES) -> Model:
    """The priority decision model (the shipped one unless ``path`` names another)."""
    from accord.dmn import load

    return load(path)


def decide_priority(model: Model, urgency: str, sentiment: str, customer_value: Decimal
                    ) -> Priority:
    """Evaluate the priority table for one text.

    >>> decide_priority(load_rules(), "high", "negative", Decimal(2500))
    Priority(priority='critical', queue='priority')
    """
    result = model.evaluate(DECISION, {"textUrgency": urgency, "sentiment": sentiment,
                                       "customerValue": customer_value})
    value = result.value
    return Priority(str(value["priority"]), str(value["queue"]))
