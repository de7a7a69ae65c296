from __future__ import annotations

import numpy as np
import pytest

from accord.feedback.centroid import CentroidClassifier
from accord.feedback.classifier import TextClassifier
from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import UnfittedModelError, UnknownClassifierError
from accord.feedback.evaluation import evaluate
from accord.feedback.registry import CLASSIFIERS, create, register
from accord.feedback.tfidf import TfidfClassifier
from tests.feedback.conftest import TRAIN, needs_minilm


def _check_probabilities(classifier: TextClassifier, data: LabelledTexts) -> None:
    proba = classifier.predict_proba(data.texts)
    assert proba.shape == (len(data), len(TRAIN))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert classifier.classes == tuple(sorted(TRAIN))


def test_registry_names_the_builtins_and_refuses_unknown_names() -> None:
    assert sorted(CLASSIFIERS) == ["blend", "ensemble", "finetuned", "joint", "minilm",
                                   "tfidf", "zeroshot"]
    assert all(isinstance(create(name), TextClassifier) for name in CLASSIFIERS)
    with pytest.raises(UnknownClassifierError,
                       match=r"unknown classifier 'bert' \(known: blend, ensemble, "):
        create("bert")


def test_a_plugin_registers_like_the_builtins(tiny_train: LabelledTexts) -> None:
    register("tfidf-copy", TfidfClassifier)
    try:
        classifier = create("tfidf-copy")
        classifier.fit(tiny_train)
        assert classifier.classes == tuple(sorted(TRAIN))
    finally:
        del CLASSIFIERS["tfidf-copy"]


def test_tfidf_learns_the_tiny_set(tiny_train: LabelledTexts, tiny_held: LabelledTexts) -> None:
    classifier = create("tfidf")
    classifier.fit(tiny_train)
    _check_probabilities(classifier, tiny_held)
    assert evaluate(classifier, tiny_train).accuracy == 1.0
    # character n-grams carry the baseline to new wordings sharing words with training
    assert evaluate(classifier, tiny_held).accuracy >= 4 / 6


def test_tfidf_falls_back_to_logistic_regression_with_single_examples() -> None:
    data = LabelledTexts(("lost card", "refund please", "login broken"),
                         ("card", "refund", "login"))
    classifier = create("tfidf")
    classifier.fit(data)
    assert evaluate(classifier, data).accuracy == 1.0


@needs_minilm
@pytest.mark.parametrize("name", ["minilm", "ensemble", "zeroshot"])
def test_embedding_classifiers_generalise_to_new_wordings(
        name: str, tiny_train: LabelledTexts, tiny_held: LabelledTexts) -> None:
    classifier = create(name)
    classifier.fit(tiny_train)
    _check_probabilities(classifier, tiny_held)
    assert evaluate(classifier, tiny_held).accuracy == 1.0


@needs_minilm
def test_zero_shot_from_descriptions_and_examples_only(tiny_held: LabelledTexts) -> None:
    classifier = CentroidClassifier.from_examples({
        "card_lost": ["A payment card that is lost or stolen", "I lost my card"],
        "refund": ["Money returned to the customer", "where is my refund"],
        "app_login": ["Trouble signing in to the mobile app", "I cannot log in"],
    })
    assert evaluate(classifier, tiny_held).accuracy >= 5 / 6


@needs_minilm
def test_embeddings_are_unit_vectors_and_order_independent() -> None:
    from accord.feedback.embedding import MiniLMEmbedder, embedder

    shared = embedder(MiniLMEmbedder.name)
    assert embedder(MiniLMEmbedder.name) is shared
    texts = ["a much longer sentence about a lost card and a refund", "hi", "reset password"]
    vectors = shared.embed(texts)
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    # batches are sorted by length internally; rows must still follow the input order
    np.testing.assert_allclose(shared.embed(texts[::-1])[::-1], vectors, atol=1e-5)
    assert float(vectors[0] @ vectors[2]) < 0.9


def test_zero_shot_refuses_to_predict_before_it_has_topics() -> None:
    with pytest.raises(UnfittedModelError, match="fit it first"):
        CentroidClassifier().predict_proba(["text"])


@needs_minilm
def test_the_tokenizer_truncates_but_never_pads() -> None:
    from accord.feedback.embedding import tokenizer

    # the packaged tokenizer.json pads to 128; fine-tuning paid for that padding fourfold
    loaded = tokenizer(8)
    assert loaded.encode("hi").ids == [101, 7632, 102]  # [CLS] hi [SEP]
    assert len(loaded.encode("a much longer sentence about a lost card and a refund").ids) == 8
