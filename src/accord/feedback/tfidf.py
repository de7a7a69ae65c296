"""The fast baseline: TF-IDF of words and character n-grams with a calibrated linear SVM."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from accord.feedback.text import normalise

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.dataset import LabelledTexts

#: Folds of the probability calibration (fewer when a label has fewer examples).
CALIBRATION_FOLDS = 3
#: From this many texts on, n-grams seen once are dropped (noise, and a smaller model).
PRUNE_FROM = 1000


def _features(size: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

    min_df = 2 if size >= PRUNE_FROM else 1
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=min_df)),
    ])


def calibrated_linear(labels: Sequence[str], c: float = 0.5) -> Any:
    """A linear SVM with sigmoid-calibrated probabilities over cross-validation folds.

    An SVM ranks labels well but gives no probabilities; calibration makes its confidence
    usable for the ``unknown`` threshold. With a label seen once there is nothing to
    cross-validate, so a logistic regression (probabilities of its own) stands in.
    """
    from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

    folds = min(CALIBRATION_FOLDS, min(Counter(labels).values()))
    if folds < 2:
        return LogisticRegression(C=10.0, max_iter=2000)
    return CalibratedClassifierCV(LinearSVC(C=c, class_weight="balanced"), method="sigmoid",
                                  cv=folds)


class TfidfClassifier:
    """Word 1-2-grams and character 2-5-grams (TF-IDF) into a calibrated linear SVM."""

    name = "tfidf"

    def __init__(self) -> None:
        self._features: Any = None
        self._model: Any = None
        self._classes: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted."""
        return self._classes

    def fit(self, data: LabelledTexts) -> None:
        """Learn features and weights from labelled texts."""
        features = _features(len(data))
        matrix = features.fit_transform([normalise(t) for t in data.texts])
        model = calibrated_linear(data.labels)
        model.fit(matrix, list(data.labels))
        self._features, self._model = features, model
        self._classes = tuple(str(c) for c in model.classes_)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Class probabilities, one row per text."""
        matrix = self._features.transform([normalise(t) for t in texts])
        proba: NDArray[np.float64] = self._model.predict_proba(matrix)
        return proba
