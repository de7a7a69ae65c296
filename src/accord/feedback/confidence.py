"""From class probabilities to answers: the label, its confidence, or ``unknown``.

Also the labelling queue: the texts a model is least sure about, which are the most useful
ones for a person to label next (uncertainty sampling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: The answer given when the best label's probability is under the threshold.
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Prediction:
    """One text's answer: ``label`` (or ``unknown``), the best label, and its probability.

    ``margin`` is the gap between the best and second-best probabilities; a small margin
    means the model hesitates between two labels.
    """

    label: str
    best: str
    confidence: float
    margin: float


def decide(proba: NDArray[np.float64], classes: Sequence[str], threshold: float = 0.0
           ) -> list[Prediction]:
    """One prediction per row of ``proba``; ``unknown`` when the best is under ``threshold``.

    >>> import numpy as np
    >>> [p.label for p in decide(np.array([[0.9, 0.1], [0.55, 0.45]]), ["a", "b"], 0.6)]
    ['a', 'unknown']
    """
    import numpy as np

    if proba.shape[1] == 1:  # one class: every text gets it, nothing to hesitate between
        return [Prediction(classes[0], classes[0], 1.0, 1.0) for _ in range(proba.shape[0])]
    top_two = np.sort(proba, axis=1)[:, -2:]
    best = proba.argmax(axis=1)
    predictions = []
    for row, index in enumerate(best):
        confidence = float(top_two[row, 1])
        label = classes[index]
        predictions.append(Prediction(label if confidence >= threshold else UNKNOWN, label,
                                      confidence, confidence - float(top_two[row, 0])))
    return predictions


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A text to label, with what the model would have said."""

    index: int
    text: str
    guess: str
    confidence: float


def labelling_queue(texts: Sequence[str], predictions: Sequence[Prediction], size: int
                    ) -> list[QueueItem]:
    """The ``size`` least confident texts, least confident first (ties: smaller margin).

    >>> p = [Prediction("a", "a", 0.9, 0.8), Prediction("unknown", "b", 0.4, 0.1)]
    >>> [q.text for q in labelling_queue(["sure", "unsure"], p, 1)]
    ['unsure']
    """
    order = sorted(range(len(texts)),
                   key=lambda i: (predictions[i].confidence, predictions[i].margin, i))
    return [QueueItem(i, texts[i], predictions[i].best, predictions[i].confidence)
            for i in order[:size]]
