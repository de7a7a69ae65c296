"""The one interface every text classifier implements, and what a prediction says."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.dataset import LabelledTexts


@runtime_checkable
class TextClassifier(Protocol):
    """A classifier of short texts into labels, with calibrated class probabilities.

    ``fit`` learns from labelled texts; ``predict_proba`` gives one row per text, one column
    per label of ``classes`` (sorted), each row summing to 1. Implementations register under
    a short name in :mod:`accord.feedback.registry`; built-ins register the same way a third
    party would. They must pickle (models are saved with their fitted state).
    """

    name: str

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted; empty before."""
        ...

    def fit(self, data: LabelledTexts) -> None:
        """Learn from labelled texts (replacing anything learnt before)."""
        ...

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Class probabilities, shape (len(texts), len(classes))."""
        ...
