from __future__ import annotations

from pathlib import Path

import numpy as np

from accord.feedback.calibration import TemperatureScaled, fit_temperature, scale
from accord.feedback.dataset import LabelledTexts
from accord.feedback.persistence import load, save
from accord.feedback.registry import create


def test_scaling_keeps_the_answer_and_sums_to_one() -> None:
    proba = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    for t in (0.3, 1.0, 4.0):
        scaled = scale(proba, t)
        np.testing.assert_allclose(scaled.sum(axis=1), 1.0)
        assert (scaled.argmax(axis=1) == proba.argmax(axis=1)).all()
    np.testing.assert_allclose(scale(proba, 1.0), proba)


def test_flat_but_right_probabilities_get_sharpened_and_overconfident_ones_flattened() -> None:
    flat = np.tile([0.5, 0.25, 0.25], (20, 1))
    assert fit_temperature(flat, ["a", "b", "c"], ["a"] * 20) < 0.5
    # always 0.98 sure, but right only 60% of the time: needs flattening
    sure = np.tile([0.98, 0.01, 0.01], (20, 1))
    assert fit_temperature(sure, ["a", "b", "c"], ["a"] * 12 + ["b"] * 8) > 1.5
    assert fit_temperature(flat, ["a", "b", "c"], ["zzz"] * 20) == 1.0


def test_scaled_model_saves_and_loads(tmp_path: Path, tiny_train: LabelledTexts,
                                      tiny_held: LabelledTexts) -> None:
    inner = create("tfidf")
    inner.fit(tiny_train)
    scaled = TemperatureScaled(inner, 0.5)
    assert (scaled.name, scaled.classes) == ("tfidf", inner.classes)
    loaded = load(save(scaled, tmp_path / "m")).classifier
    np.testing.assert_allclose(loaded.predict_proba(tiny_held.texts),
                               scale(inner.predict_proba(tiny_held.texts), 0.5))
