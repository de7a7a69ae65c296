"""The stronger classifier: MiniLM sentence embeddings with a logistic-regression head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from accord.feedback.embedding import MiniLMEmbedder, embedder
from accord.feedback.text import normalise

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.dataset import LabelledTexts
    from accord.feedback.embedding import Embedder

#: Inverse regularisation of the head; embeddings are dense and few, so it can be weak.
HEAD_C = 10.0


class SentenceClassifier:
    """Embeds texts with all-MiniLM-L6-v2 and classifies them with a logistic regression.

    Logistic regression gives probabilities of its own that are close to calibrated on
    these dense features. The embedder is not pickled: it is rebuilt by name on load.
    """

    name = "minilm"

    def __init__(self, embedder_name: str = MiniLMEmbedder.name) -> None:
        self.embedder_name = embedder_name
        self._embedder: Embedder | None = None
        self._head: Any = None
        self._classes: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        # The ONNX session cannot be pickled; embed() rebuilds it by name after loading.
        state = dict(self.__dict__)
        state["_embedder"] = None
        return state

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted."""
        return self._classes

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The normalised texts' embeddings (the embedder loads on first use)."""
        if self._embedder is None:
            self._embedder = embedder(self.embedder_name)
        return self._embedder.embed([normalise(t) for t in texts])

    def fit(self, data: LabelledTexts) -> None:
        """Embed the texts and train the head."""
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        head = LogisticRegression(C=HEAD_C, max_iter=3000, class_weight="balanced")
        head.fit(self.embed(data.texts), list(data.labels))
        self._head = head
        self._classes = tuple(str(c) for c in head.classes_)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Class probabilities, one row per text."""
        proba: NDArray[np.float64] = self._head.predict_proba(self.embed(texts))
        return proba
