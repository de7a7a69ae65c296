from __future__ import annotations

import pytest

from accord.feedback.confidence import Prediction
from accord.feedback.discovery import class_tfidf, cluster, propose_topics
from accord.feedback.errors import FeedbackDataError

CRYPTO = ["can I buy bitcoin in the app", "bitcoin purchase failed", "sell my bitcoin",
          "is bitcoin trading available"]
TRAVEL = ["using my card abroad on holiday", "holiday abroad card fees", "card abroad declined",
          "travel abroad card notice"]


def test_clusters_separate_unrelated_groups_and_name_them() -> None:
    found = cluster(CRYPTO + TRAVEL, 2)
    assert {frozenset(c.members) for c in found} == {frozenset(range(4)),
                                                      frozenset(range(4, 8))}
    names = {c.terms[0] for c in found}
    assert names == {"bitcoin", "abroad"}
    assert all(len(c.examples) == 3 for c in found)


def test_class_tfidf_prefers_distinctive_over_common_terms() -> None:
    groups = [["card fee card", "card fee"], ["card refund", "card refund late"]]
    assert [terms[0] for terms in class_tfidf(groups)] == ["fee", "refund"]


def test_propose_topics_from_low_confidence_texts_only() -> None:
    texts = [*CRYPTO, *TRAVEL, "where is my refund"]
    predictions = [Prediction("unknown", "x", 0.2, 0.0)] * 8 + [Prediction("r", "r", 0.95, 0.9)]
    topics = propose_topics(texts, predictions, threshold=0.5, clusters=2)
    assert sorted(t.id for t in topics) == ["proposed.abroad_card", "proposed.bitcoin_app"]
    assert all("refund" not in " ".join(t.examples) for t in topics)
    assert propose_topics(texts[-1:], predictions[-1:], 0.5, 2) == []
    with pytest.raises(FeedbackDataError, match="cannot make 3 clusters of 2 texts"):
        cluster(CRYPTO[:2], 3)
