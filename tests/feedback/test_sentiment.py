from __future__ import annotations

import numpy as np
import pytest

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import FeedbackDataError
from accord.feedback.evaluation import evaluate
from accord.feedback.sentiment import SENTIMENTS, polarity, train_sentiment
from tests.feedback.conftest import TWEETS


def test_train_sentiment_on_the_three_labels() -> None:
    pairs = [(t, label) for label, texts in TWEETS.items() for t in texts]
    data = LabelledTexts(tuple(t for t, _ in pairs), tuple(label for _, label in pairs))
    classifier = train_sentiment(data, model="tfidf")
    assert classifier.classes == SENTIMENTS
    assert evaluate(classifier, data).accuracy == 1.0
    scores = polarity(classifier.predict_proba(["terrible awful service",
                                                "thanks great crew"]), classifier.classes)
    assert scores[0] < 0 < scores[1]


def test_other_labels_are_refused() -> None:
    data = LabelledTexts(("fine", "bad"), ("ok", "negative"))
    with pytest.raises(FeedbackDataError, match="found ok"):
        train_sentiment(data)


def test_polarity_without_a_positive_column() -> None:
    assert polarity(np.array([[0.25, 0.75]]), ["negative", "neutral"]) == [-0.25]
