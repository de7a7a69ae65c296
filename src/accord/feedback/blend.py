"""The combination that measures best on sentiment: fine-tuned MiniLM blended with the joint head.

The fine-tuned encoder reads a tweet as a whole; the joint head weighs surface n-grams
(emoji, "thx", misspellings) that a 30k-word vocabulary maps to ``[UNK]`` or splits apart.
They err on different texts, so a weighted average of their log-probabilities beats either
(bench/RESULTS.md). The weight and per-label decision biases are tuned for macro-F1 on an
inner split of the training texts, with both members trained on the rest; then both are
refitted on every text. Training therefore costs each member twice.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

from accord.feedback.dataset import LabelledTexts, stratified_split
from accord.feedback.errors import FeedbackDataError, UnfittedModelError
from accord.feedback.finetuned import FineTunedClassifier
from accord.feedback.joint import (
    INNER_SEED,
    INNER_SHARE,
    JointClassifier,
    macro_f1,
    tunable,
    tune_biases,
)
from accord.feedback.probabilities import log_probabilities, softmax

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.classifier import TextClassifier

#: Shares of the first member tried on the inner split (the second gets the rest).
WEIGHTS = tuple(round(0.1 * k, 1) for k in range(11))
#: Fine-tuned networks (seeds) in the default first member: two measure about 0.005
#: macro-F1 better than one on the airline tweets, in the blend as alone.
NETWORKS = 2
#: The share used when there are too few texts of some label to tune on.
DEFAULT_WEIGHT = 0.5


def choose(first: NDArray[np.float64], second: NDArray[np.float64], truth: NDArray[np.int64]
           ) -> tuple[float, NDArray[np.float64], float]:
    """The weight of ``first`` and the biases whose blend of log-probabilities scores best.

    Returns:
        (weight, biases, macro-F1 reached on ``truth``); on a tie the weight nearest
        :data:`DEFAULT_WEIGHT` wins, so a flat optimum does not drift to one member.
    """
    labels = first.shape[1]
    best: tuple[float, float, float, NDArray[np.float64]] | None = None
    for weight in WEIGHTS:
        mixed = weight * log_probabilities(first) + (1.0 - weight) * log_probabilities(second)
        biases = tune_biases(mixed, truth)
        score = macro_f1(truth, (mixed + biases).argmax(axis=1), labels)
        key = (score, -abs(weight - DEFAULT_WEIGHT))
        if best is None or key > best[:2]:
            best = (*key, weight, biases)
    assert best is not None
    return best[2], best[3], best[0]


class BlendClassifier:
    """Two classifiers' log-probabilities averaged with a tuned weight and prior shift.

    By default two fine-tuned MiniLM networks (``finetuned``, seeds 0 and 1) and the joint
    TF-IDF + embedding head (``joint``); any two classifiers learning the same labels blend
    the same way.
    """

    name = "blend"

    def __init__(self, first: TextClassifier | None = None,
                 second: TextClassifier | None = None) -> None:
        self.first: TextClassifier = (first if first is not None
                                      else FineTunedClassifier(networks=NETWORKS))
        self.second: TextClassifier = second if second is not None else JointClassifier()
        self.weight = DEFAULT_WEIGHT
        self.biases: tuple[float, ...] = ()
        #: Macro-F1 of the chosen blend on the inner split (None when not tuned).
        self.inner_macro_f1: float | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted (both members learn the same)."""
        return self.first.classes if self.biases else ()

    def fit(self, data: LabelledTexts) -> None:
        """Tune the weight and biases on an inner split, then train both members on all texts.

        Raises:
            FeedbackDataError: fewer than two labels, or texts without labels.
        """
        import numpy as np

        classes = sorted(set(data.labels))
        if len(classes) < 2 or len(data.labels) != len(data.texts):
            raise FeedbackDataError(f"{self.name} classifier: needs every text labelled, with "
                                    f"at least two labels (got {len(classes)})")
        weight, biases, score = DEFAULT_WEIGHT, np.zeros(len(classes)), None
        if tunable(data.labels):
            inner, held = stratified_split(data, INNER_SHARE, INNER_SEED)
            trial = [copy.deepcopy(m) for m in (self.first, self.second)]
            for member in trial:
                member.fit(inner)
            truth = np.array([classes.index(label) for label in held.labels])
            first, second = (m.predict_proba(held.texts) for m in trial)
            weight, biases, score = choose(first, second, truth)
        for member in (self.first, self.second):
            member.fit(data)
        if list(self.first.classes) != classes or list(self.second.classes) != classes:
            raise FeedbackDataError(f"{self.name} classifier: its members learnt different "
                                    f"labels ({self.first.classes} and {self.second.classes})")
        self.weight, self.biases = weight, tuple(float(b) for b in biases)
        self.inner_macro_f1 = score

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Softmax of the weighted log-probabilities plus the biases, one row per text.

        Raises:
            UnfittedModelError: the classifier was never fitted.
        """
        import numpy as np

        if not self.biases:
            raise UnfittedModelError(f"the {self.name} classifier has not been fitted; "
                                     "fit it first")
        return softmax(self.weight * log_probabilities(self.first.predict_proba(texts))
                       + (1.0 - self.weight) * log_probabilities(self.second.predict_proba(texts))
                       + np.array(self.biases))
