"""Classifiers by short name: the built-ins register here exactly as a plug-in would."""

from __future__ import annotations

from collections.abc import Callable

from accord.feedback.blend import BlendClassifier
from accord.feedback.centroid import CentroidClassifier
from accord.feedback.classifier import TextClassifier
from accord.feedback.ensemble import EnsembleClassifier
from accord.feedback.errors import UnknownClassifierError
from accord.feedback.finetuned import FineTunedClassifier
from accord.feedback.joint import JointClassifier
from accord.feedback.sentence import SentenceClassifier
from accord.feedback.tfidf import TfidfClassifier

#: Factories of classifiers by the name given to ``accord feedback train --model``.
CLASSIFIERS: dict[str, Callable[[], TextClassifier]] = {}


def register(name: str, factory: Callable[[], TextClassifier]) -> None:
    """Make a classifier available by ``name`` (replaces an earlier one of that name)."""
    CLASSIFIERS[name] = factory


def create(name: str) -> TextClassifier:
    """A new, unfitted classifier.

    Raises:
        UnknownClassifierError: no classifier is registered under ``name``.
    """
    try:
        factory = CLASSIFIERS[name]
    except KeyError:
        raise UnknownClassifierError(
            f"unknown classifier {name!r} (known: {', '.join(sorted(CLASSIFIERS))})") from None
    return factory()


register(TfidfClassifier.name, TfidfClassifier)
register(SentenceClassifier.name, SentenceClassifier)
register(EnsembleClassifier.name, EnsembleClassifier)
register(CentroidClassifier.name, CentroidClassifier)
register(JointClassifier.name, JointClassifier)
register(FineTunedClassifier.name, FineTunedClassifier)
register(BlendClassifier.name, BlendClassifier)
