"""The TF-IDF baseline on a slice of Banking77 from ../shared (skipped when absent).

A working baseline scores about 0.9 on this slice; a model that lost its features, its
labels' order or its calibration falls far below the floor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.feedback.dataset import LabelledTexts, read_csv, stratified_split
from accord.feedback.evaluation import evaluate
from accord.feedback.registry import create

BANKING77 = Path(__file__).resolve().parents[3] / "shared" / "data" / "banking77" / "train.csv"
INTENTS = 20


@pytest.mark.slow
def test_baseline_on_a_banking77_slice() -> None:
    if not BANKING77.is_file():
        pytest.skip(f"Banking77 not found at {BANKING77} (expected ../shared/data/banking77)")
    data = read_csv(BANKING77, "text", "category")
    keep = set(data.classes()[:INTENTS])
    rows = [i for i, label in enumerate(data.labels) if label in keep]
    subset: LabelledTexts = data.subset(rows)
    train, held = stratified_split(subset, 0.2, seed=0)
    classifier = create("tfidf")
    classifier.fit(train)
    report = evaluate(classifier, held)
    assert report.accuracy >= 0.85
    assert report.macro_f1 >= 0.85
