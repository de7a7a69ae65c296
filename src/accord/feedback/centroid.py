"""Zero- and few-shot classification: the nearest centroid of example embeddings.

A topic that has only a description and a few example phrases cannot train a classifier,
but its examples' embeddings mark where it lies; a text goes to the closest topic. Cosine
similarities become probabilities through a softmax with a low temperature, because the
similarities of MiniLM vectors all sit in a narrow band.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import UnfittedModelError
from accord.feedback.probabilities import softmax
from accord.feedback.sentence import SentenceClassifier

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Softmax temperature over cosine similarities.
TEMPERATURE = 0.05


class CentroidClassifier(SentenceClassifier):
    """Nearest centroid of MiniLM embeddings; learns from a handful of texts per label."""

    name = "zeroshot"

    def __init__(self) -> None:
        super().__init__()
        self._centroids: NDArray[np.float32] | None = None

    @classmethod
    def from_examples(cls, examples: Mapping[str, Sequence[str]]) -> CentroidClassifier:
        """A classifier from each topic's description and example phrases, no training set."""
        classifier = cls()
        pairs = [(text, topic) for topic, texts in examples.items() for text in texts]
        classifier.fit(LabelledTexts(tuple(t for t, _ in pairs), tuple(c for _, c in pairs)))
        return classifier

    def fit(self, data: LabelledTexts) -> None:
        """One centroid per label: the normalised mean of its texts' embeddings."""
        import numpy as np

        vectors = self.embed(data.texts)
        rows: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(data.labels):
            rows[label].append(i)
        self._classes = tuple(sorted(rows))
        centroids = np.stack([vectors[rows[c]].mean(axis=0) for c in self._classes])
        self._centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Softmax of the cosine similarity to each centroid."""
        import numpy as np

        if self._centroids is None:
            raise UnfittedModelError("the zero-shot classifier has no topics yet: fit it first")
        return softmax((self.embed(texts) @ self._centroids.T).astype(np.float64)
                       / TEMPERATURE)
