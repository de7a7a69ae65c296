from __future__ import annotations

import pytest

from accord.feedback.evaluation import Confusion, format_table, score


def test_score_matches_hand_computed_figures() -> None:
    actual = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "unknown", "b"]
    report = score(actual, predicted, seconds=2.0)
    assert report.accuracy == pytest.approx(3 / 6)
    figures = {f.label: f for f in report.per_class}
    assert figures["a"].precision == 1.0
    assert figures["a"].recall == pytest.approx(2 / 3)
    assert figures["b"].precision == pytest.approx(1 / 3)
    assert figures["b"].recall == 0.5
    assert figures["c"].f1 == 0.0
    assert report.macro_f1 == pytest.approx((0.8 + 0.4 + 0.0) / 3)
    assert report.unknown_rate == pytest.approx(1 / 6)
    assert report.texts_per_second == 3.0
    assert report.confused[0] == Confusion("a", "b", 1)
    assert len(report.confused) == 3


def test_table_lists_totals_labels_and_confusions() -> None:
    table = format_table(score(["a", "b"], ["a", "a"], 1.0))
    assert "accuracy 0.5000" in table
    assert "b -> a: 1" in table
    assert table.splitlines()[2].split() == ["label", "precision", "recall", "f1", "support"]
