from __future__ import annotations

import numpy as np

from accord.feedback.confidence import UNKNOWN, Prediction, decide, labelling_queue


def test_decide_answers_unknown_under_the_threshold() -> None:
    proba = np.array([[0.8, 0.15, 0.05], [0.4, 0.35, 0.25], [0.1, 0.1, 0.8]])
    predictions = decide(proba, ["a", "b", "c"], threshold=0.5)
    assert [p.label for p in predictions] == ["a", UNKNOWN, "c"]
    assert predictions[1].best == "a"
    assert round(predictions[1].margin, 6) == 0.05
    assert [p.label for p in decide(proba, ["a", "b", "c"])] == ["a", "a", "c"]


def test_single_class_is_always_certain() -> None:
    assert decide(np.ones((2, 1)), ["only"]) == [Prediction("only", "only", 1.0, 1.0)] * 2


def test_queue_lists_least_confident_first_then_smallest_margin() -> None:
    predictions = [Prediction("a", "a", 0.9, 0.8), Prediction(UNKNOWN, "b", 0.4, 0.3),
                   Prediction(UNKNOWN, "c", 0.4, 0.1), Prediction("a", "a", 0.6, 0.5)]
    queue = labelling_queue(["t0", "t1", "t2", "t3"], predictions, 3)
    assert [(q.index, q.guess) for q in queue] == [(2, "c"), (1, "b"), (3, "a")]
