"""One logistic-regression head over TF-IDF n-grams and MiniLM embeddings together.

Where :mod:`~accord.feedback.ensemble` averages two separately trained models, this head
learns from both feature sets at once, so it weighs the surface n-grams against the meaning
per label. Its decision biases (a prior shift: each label's log-probability plus a constant)
are tuned for macro-F1 on an inner validation split carved from the training texts, and
the head is then refitted on all of them: minority labels (neutral, positive tweets) are
otherwise under-predicted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from accord.feedback.dataset import LabelledTexts, stratified_split
from accord.feedback.embedding import MiniLMEmbedder, embedder
from accord.feedback.probabilities import log_probabilities, softmax
from accord.feedback.text import normalise
from accord.feedback.tfidf import PRUNE_FROM

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Inverse regularisation of the head (measured on the airline tweets' inner split).
HEAD_C = 0.5
#: Scale of the embedding block against the unit-length TF-IDF blocks.
EMBEDDING_WEIGHT = 0.5
#: Share of the training texts held out to tune the biases, and the split's seed.
INNER_SHARE = 0.15
INNER_SEED = 1
#: Biases are tuned only with this many texts of each label (fewer: biases stay 0).
TUNE_FROM = 30
#: Bias values tried per label, in rounds of coordinate ascent.
BIAS_GRID = tuple(round(-1.0 + 0.1 * k, 1) for k in range(21))
ROUNDS = 2


def macro_f1(truth: NDArray[Any], predicted: NDArray[Any], labels: int) -> float:
    """Macro-averaged F1 of label indices (every label counts, even if never predicted).

    >>> import numpy as np
    >>> round(macro_f1(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2), 4)
    0.7333
    """
    import numpy as np

    scores = []
    for label in range(labels):
        hit = int(np.sum((predicted == label) & (truth == label)))
        said, real = int(np.sum(predicted == label)), int(np.sum(truth == label))
        scores.append(2 * hit / (said + real) if said + real else 0.0)
    return float(np.mean(scores))


def tunable(labels: Sequence[str]) -> bool:
    """Whether there are two labels or more and :data:`TUNE_FROM` texts of each, enough to
    carve an inner split to tune on.

    >>> tunable(["a"] * 30 + ["b"] * 30), tunable(["a"] * 30 + ["b"] * 29)
    (True, False)
    """
    counts = Counter(labels)
    return len(counts) > 1 and min(counts.values()) >= TUNE_FROM


def tune_biases(log_proba: NDArray[np.float64], truth: NDArray[Any]) -> NDArray[np.float64]:
    """Per-label biases added to log-probabilities that maximise macro-F1 (coordinate
    ascent over :data:`BIAS_GRID`, the first label fixed at 0 since only differences count).
    """
    import numpy as np

    labels = log_proba.shape[1]
    biases = np.zeros(labels)

    def score(b: NDArray[np.float64]) -> float:
        return macro_f1(truth, (log_proba + b).argmax(axis=1), labels)

    best = score(biases)
    for _ in range(ROUNDS):
        for label in range(1, labels):
            for value in BIAS_GRID:
                trial = biases.copy()
                trial[label] = value
                found = score(trial)
                if found > best + 1e-12:
                    best, biases = found, trial
    return biases


class JointClassifier:
    """TF-IDF (words and characters) beside MiniLM embeddings, one balanced logistic
    regression over both, prior-shift biases tuned on an inner split."""

    name = "joint"

    def __init__(self, embedder_name: str = MiniLMEmbedder.name) -> None:
        self.embedder_name = embedder_name
        self._features: Any = None
        self._head: Any = None
        self._biases: Any = None
        self._classes: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted."""
        return self._classes

    @property
    def biases(self) -> tuple[float, ...]:
        """The tuned per-label biases, in the order of :attr:`classes`."""
        return tuple(float(b) for b in self._biases) if self._biases is not None else ()

    def _embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return embedder(self.embedder_name).embed(list(texts))

    @staticmethod
    def _fit_head(texts: Sequence[str], vectors: NDArray[np.float32], labels: Sequence[str]
                  ) -> tuple[Any, Any]:
        from scipy import sparse
        from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
            TfidfVectorizer,
        )
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
        from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

        min_df = 2 if len(texts) >= PRUNE_FROM else 1
        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                      sublinear_tf=True, min_df=min_df))])
        matrix = sparse.hstack([features.fit_transform(texts),
                                sparse.csr_matrix(vectors * EMBEDDING_WEIGHT)]).tocsr()
        head = LogisticRegression(C=HEAD_C, max_iter=3000, class_weight="balanced")
        head.fit(matrix, list(labels))
        return features, head

    @staticmethod
    def _log_proba(features: Any, head: Any, texts: Sequence[str],
                   vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        from scipy import sparse

        matrix = sparse.hstack([features.transform(texts),
                                sparse.csr_matrix(vectors * EMBEDDING_WEIGHT)]).tocsr()
        return log_probabilities(head.predict_proba(matrix))

    def fit(self, data: LabelledTexts) -> None:
        """Embed once; tune the biases on an inner split; refit the head on every text."""
        import numpy as np

        texts = [normalise(t) for t in data.texts]
        vectors = self._embed(texts)
        classes = sorted(set(data.labels))
        biases = np.zeros(len(classes))
        if tunable(data.labels):
            # the split runs over row numbers so the embeddings are reused, not recomputed
            rows = LabelledTexts(tuple(str(i) for i in range(len(texts))), data.labels)
            inner, held = (np.array([int(t) for t in part.texts])
                           for part in stratified_split(rows, INNER_SHARE, INNER_SEED))
            features, head = self._fit_head([texts[i] for i in inner], vectors[inner],
                                            [data.labels[i] for i in inner])
            column = {str(c): k for k, c in enumerate(head.classes_)}
            truth = np.array([column[data.labels[i]] for i in held])
            biases = tune_biases(self._log_proba(features, head, [texts[i] for i in held],
                                                 vectors[held]), truth)
        self._features, self._head = self._fit_head(texts, vectors, data.labels)
        self._biases = biases
        self._classes = tuple(str(c) for c in self._head.classes_)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Class probabilities after the prior shift, one row per text."""

        normalised = [normalise(t) for t in texts]
        return softmax(self._log_proba(self._features, self._head, normalised,
                                       self._embed(normalised)) + self._biases)
