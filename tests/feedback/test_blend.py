"""The blend of two classifiers: weight and biases tuned on an inner split, members refitted."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.feedback.blend import DEFAULT_WEIGHT, BlendClassifier, choose
from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import FeedbackDataError, UnfittedModelError
from accord.feedback.evaluation import evaluate
from accord.feedback.persistence import load, save

LABELS = ("a", "b", "c")


def _world(per_label: int, start: int = 0) -> LabelledTexts:
    """Texts named after their label, so a fake member can know the truth of any text."""
    pairs = [(f"{label} text {i}", label) for label in LABELS
             for i in range(start, start + per_label)]
    return LabelledTexts(tuple(t for t, _ in pairs), tuple(label for _, label in pairs))


class PartlyRight:
    """A fake member that is sure and right on some labels and leans to ``fallback`` on the
    rest (the truth second), like a model blind to one kind of text."""

    name = "partly-right"

    def __init__(self, right_on: str, fallback: str) -> None:
        self.right_on, self.fallback = right_on, fallback
        self.fits: list[int] = []
        self._classes: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        return self._classes

    def fit(self, data: LabelledTexts) -> None:
        self.fits.append(len(data))
        self._classes = tuple(sorted(set(data.labels)))

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        rows = []
        for text in texts:
            truth = text.split()[0]
            row = dict.fromkeys(self._classes, 0.1)
            if truth in self.right_on:
                row[truth] = 0.8
            else:
                row[self.fallback], row[truth] = 0.6, 0.3
            rows.append([row[c] for c in self._classes])
        return np.array(rows)


def _pair() -> BlendClassifier:
    return BlendClassifier(PartlyRight("ab", fallback="a"), PartlyRight("ac", fallback="c"))


def test_the_blend_is_right_where_each_member_is_half_wrong() -> None:
    blend = _pair()
    data = _world(40)
    blend.fit(data)
    held = _world(10, start=100)
    assert evaluate(blend, held).accuracy == 1.0
    assert evaluate(blend.first, held).accuracy == pytest.approx(2 / 3)
    assert evaluate(blend.second, held).accuracy == pytest.approx(2 / 3)
    assert blend.classes == LABELS
    # a flat optimum keeps the middle weight rather than drifting to one member
    assert blend.weight == DEFAULT_WEIGHT and blend.inner_macro_f1 == 1.0
    # the members kept are trained on every text; the inner-split copies were separate
    assert blend.first.fits == [len(data)]  # type: ignore[attr-defined]
    proba = blend.predict_proba(held.texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)


def test_choose_leans_to_the_member_that_is_right() -> None:
    truth = np.array([0] * 20 + [1] * 20)
    right = np.where(truth[:, None] == np.arange(2), 0.7, 0.3)
    wrong = np.tile([0.99, 0.01], (40, 1))  # sure of label 0, always
    weight, biases, score = choose(right, wrong, truth)
    assert score == 1.0 and weight > DEFAULT_WEIGHT and biases.shape == (2,)
    weight_swapped, _, _ = choose(wrong, right, truth)
    assert weight_swapped < DEFAULT_WEIGHT


def test_few_texts_per_label_keep_the_default_weight_and_no_biases() -> None:
    blend = _pair()
    blend.fit(_world(5))
    assert blend.weight == DEFAULT_WEIGHT and blend.biases == (0.0, 0.0, 0.0)
    assert blend.inner_macro_f1 is None
    assert blend.first.fits == [15]  # type: ignore[attr-defined]


def test_a_pickle_and_a_model_directory_keep_the_blend(tmp_path: Path) -> None:
    blend = _pair()
    blend.fit(_world(40))
    held = _world(3, start=100)
    restored = pickle.loads(pickle.dumps(blend))
    np.testing.assert_array_equal(restored.predict_proba(held.texts),
                                  blend.predict_proba(held.texts))
    loaded = load(save(blend, tmp_path / "blend")).classifier
    np.testing.assert_array_equal(loaded.predict_proba(held.texts),
                                  blend.predict_proba(held.texts))


def test_bad_input_is_refused() -> None:
    with pytest.raises(UnfittedModelError, match="blend classifier has not been fitted"):
        _pair().predict_proba(["a text 1"])
    with pytest.raises(FeedbackDataError, match="at least two labels"):
        _pair().fit(LabelledTexts(("a text 1", "a text 2"), ("a", "a")))


def test_members_that_learn_different_labels_are_refused() -> None:
    class Renamed(PartlyRight):
        def fit(self, data: LabelledTexts) -> None:
            super().fit(data)
            self._classes = tuple(c.upper() for c in self._classes)

    blend = BlendClassifier(PartlyRight("ab", "a"), Renamed("ac", "c"))
    with pytest.raises(FeedbackDataError, match="members learnt different labels"):
        blend.fit(_world(5))
