"""Sentiment (negative, neutral, positive): a classifier of the registry on those labels.

Measured on the airline tweets of ``../shared/data/airline-sentiment`` (bench/feedback.py);
``joint`` is the default because it measured best there (macro-F1 0.789 held out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import FeedbackDataError
from accord.feedback.registry import create

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.classifier import TextClassifier

SENTIMENTS = ("negative", "neutral", "positive")


def train_sentiment(data: LabelledTexts, model: str = "joint") -> TextClassifier:
    """A sentiment classifier trained on texts labelled with :data:`SENTIMENTS`.

    Raises:
        FeedbackDataError: a label that is not a sentiment.
    """
    unknown = sorted(set(data.labels) - set(SENTIMENTS))
    if unknown:
        raise FeedbackDataError(f"sentiment labels must be {', '.join(SENTIMENTS)}; "
                                f"found {', '.join(unknown)}")
    classifier = create(model)
    classifier.fit(data)
    return classifier


def polarity(proba: NDArray[np.float64], classes: Sequence[str]) -> list[float]:
    """P(positive) - P(negative) per text, from -1 (surely negative) to 1.

    >>> import numpy as np
    >>> [round(p, 2) for p in polarity(np.array([[0.7, 0.2, 0.1]]), SENTIMENTS)]
    [-0.6]
    """
    columns = {label: i for i, label in enumerate(classes)}
    positive, negative = columns.get("positive"), columns.get("negative")
    return [(float(row[positive]) if positive is not None else 0.0)
            - (float(row[negative]) if negative is not None else 0.0) for row in proba]
