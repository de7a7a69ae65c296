"""The joint head over TF-IDF and embeddings, and its prior-shift biases."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.feedback import embedding
from accord.feedback.dataset import LabelledTexts
from accord.feedback.evaluation import evaluate
from accord.feedback.joint import JointClassifier, macro_f1, tune_biases
from accord.feedback.persistence import load, save
from tests.feedback.corpus import texts


class HashedWords:
    """A deterministic stand-in embedder: each word a fixed random unit vector, averaged."""

    name = "hashed-words"

    def embed(self, batch: Sequence[str]) -> NDArray[np.float32]:
        rows = []
        for text in batch:
            vectors = [np.random.default_rng(int(hashlib.sha1(w.encode()).hexdigest()[:8], 16))
                       .standard_normal(16) for w in text.lower().split()] or [np.ones(16)]
            mean = np.mean(vectors, axis=0)
            rows.append(mean / np.linalg.norm(mean))
        return np.array(rows, dtype=np.float32)


@pytest.fixture
def hashed() -> Iterator[str]:
    embedding.EMBEDDERS[HashedWords.name] = HashedWords
    yield HashedWords.name
    del embedding.EMBEDDERS[HashedWords.name]
    embedding._LOADED.pop(HashedWords.name, None)


def _sentiments() -> LabelledTexts:
    rows = texts()
    return LabelledTexts(tuple(r[0] for r in rows), tuple(r[2] for r in rows))


def test_biases_recover_an_under_predicted_label() -> None:
    # the model always prefers label 0 a little; label 1 is right whenever it is close
    truth = np.array([0] * 50 + [1] * 50)
    log_proba = np.log(np.array([[0.9, 0.1]] * 50 + [[0.6, 0.4]] * 50))
    before = macro_f1(truth, log_proba.argmax(axis=1), 2)
    biases = tune_biases(log_proba, truth)
    after = macro_f1(truth, (log_proba + biases).argmax(axis=1), 2)
    assert biases[0] == 0.0 and biases[1] > 0.4
    assert before < 0.5 and after == 1.0


def test_the_joint_head_learns_sentiment_and_survives_a_save(hashed: str,
                                                             tmp_path: Path) -> None:
    classifier = JointClassifier(hashed)
    classifier.fit(_sentiments())
    assert classifier.classes == ("negative", "neutral", "positive")
    assert len(classifier.biases) == 3 and classifier.biases[0] == 0.0
    held = LabelledTexts(("the refund is awful, I am furious", "thank you, lovely help",
                          "what is the next step for my card"),
                         ("negative", "positive", "neutral"))
    assert evaluate(classifier, held).accuracy == 1.0
    proba = classifier.predict_proba(held.texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    loaded = load(save(classifier, tmp_path / "joint")).classifier
    np.testing.assert_allclose(loaded.predict_proba(held.texts), proba)


def test_few_examples_per_label_leave_the_biases_at_zero(hashed: str) -> None:
    data = LabelledTexts(("good", "great", "bad", "awful"), ("pos", "pos", "neg", "neg"))
    classifier = JointClassifier(hashed)
    classifier.fit(data)
    assert classifier.biases == (0.0, 0.0)
