"""Generated feedback for the hub tests: topic and sentiment texts, and saved tfidf models.

Texts combine a topic phrase, a mood phrase and a filler, so topic and sentiment vary
independently and a small tfidf model learns both in well under a second.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from accord.feedback.dataset import LabelledTexts
from accord.feedback.persistence import save
from accord.feedback.project import SENTIMENT_MODEL, TAXONOMY_FILE, TOPIC_MODEL
from accord.feedback.registry import create
from accord.permissions import private_file

TOPICS = {
    "card_lost": ["I lost my card", "my card was stolen", "cannot find my bank card",
                  "please block my missing card"],
    "refund": ["where is my refund", "I want my money back", "the refund has not arrived",
               "refund the double charge"],
    "app_login": ["the app will not let me log in", "I forgot my app password",
                  "login fails in the app", "cannot sign in to the mobile app"],
}
MOODS = {
    "negative": ["this is terrible and I am furious", "awful service, really angry",
                 "worst experience ever, disgusting"],
    "neutral": ["what should I do now", "can you tell me the next step",
                "how does this work"],
    "positive": ["thanks so much, great help", "lovely service, thank you",
                 "awesome, really happy"],
}
FILLERS = ["", "today", "since Monday"]

TAXONOMY = """\
version: 1
topics:
  - {id: card_lost, description: A lost or stolen card, urgency: high}
  - {id: refund, description: A missing refund, urgency: medium}
  - {id: app_login, description: Trouble signing in}
"""


def texts() -> list[tuple[str, str, str]]:
    """Every (text, topic, sentiment) combination: 108 texts."""
    return [(f"{topic_text} {filler} {mood_text}".replace("  ", " "), topic, mood)
            for (topic, phrases), (mood, moods) in itertools.product(TOPICS.items(),
                                                                     MOODS.items())
            for topic_text, mood_text, filler in itertools.product(phrases, moods, FILLERS)]


def _labelled(column: int) -> LabelledTexts:
    rows = texts()
    return LabelledTexts(tuple(r[0] for r in rows), tuple(r[column] for r in rows))


def save_models(state: Path, *, sentiment: bool = True) -> Path:
    """Train tfidf topic (and sentiment) models and write them, with the taxonomy, where a
    project keeps them (``state`` is the project's ``.accord`` folder); returns ``state``."""
    topics = create("tfidf")
    topics.fit(_labelled(1))
    save(topics, state / TOPIC_MODEL, threshold=0.4)
    if sentiment:
        moods = create("tfidf")
        moods.fit(_labelled(2))
        save(moods, state / SENTIMENT_MODEL)
    private_file(state / TAXONOMY_FILE)  # as save_taxonomy writes it: customers' texts
    (state / TAXONOMY_FILE).write_text(TAXONOMY, encoding="utf-8")
    return state
