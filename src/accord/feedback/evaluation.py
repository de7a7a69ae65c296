"""How good a classifier is: accuracy, macro-F1, per-label figures, confusions, speed."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from accord.feedback.classifier import TextClassifier
from accord.feedback.confidence import UNKNOWN, decide
from accord.feedback.dataset import LabelledTexts

#: Confused pairs listed in a report.
CONFUSED_PAIRS = 10


@dataclass(frozen=True, slots=True)
class ClassFigures:
    """Precision, recall and F1 of one label, with its number of true examples."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Confusion:
    """How often texts of ``actual`` were predicted as ``predicted``."""

    actual: str
    predicted: str
    count: int


@dataclass(frozen=True, slots=True)
class Report:
    """An evaluation: ``unknown`` answers count as wrong (their share is ``unknown_rate``)."""

    texts: int
    accuracy: float
    macro_f1: float
    unknown_rate: float
    texts_per_second: float
    per_class: tuple[ClassFigures, ...]
    confused: tuple[Confusion, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score(actual: Sequence[str], predicted: Sequence[str], seconds: float = 0.0) -> Report:
    """Figures for predicted against actual labels (macro-F1 over the actual labels).

    >>> r = score(["a", "a", "b"], ["a", "b", "b"])
    >>> round(r.accuracy, 3), round(r.macro_f1, 3), r.confused[0]
    (0.667, 0.667, Confusion(actual='a', predicted='b', count=1))
    """
    pairs = Counter(zip(actual, predicted, strict=True))
    truth = Counter(actual)
    guessed = Counter(predicted)
    figures = []
    for label in sorted(truth):
        hit = pairs[(label, label)]
        precision, recall = _ratio(hit, guessed[label]), _ratio(hit, truth[label])
        f1 = _ratio(int(2 * hit), guessed[label] + truth[label])
        figures.append(ClassFigures(label, precision, recall, f1, truth[label]))
    confused = sorted((Confusion(a, p, n) for (a, p), n in pairs.items() if a != p),
                      key=lambda c: (-c.count, c.actual, c.predicted))
    correct = sum(n for (a, p), n in pairs.items() if a == p)
    return Report(
        texts=len(actual), accuracy=_ratio(correct, len(actual)),
        macro_f1=sum(f.f1 for f in figures) / len(figures) if figures else 0.0,
        unknown_rate=_ratio(guessed[UNKNOWN], len(actual)),
        texts_per_second=len(actual) / seconds if seconds > 0 else 0.0,
        per_class=tuple(figures), confused=tuple(confused[:CONFUSED_PAIRS]))


def evaluate(classifier: TextClassifier, data: LabelledTexts, threshold: float = 0.0,
             timer: Callable[[], float] = time.perf_counter) -> Report:
    """Classify ``data`` and score the answers; the timer measures texts per second."""
    start = timer()
    proba = classifier.predict_proba(data.texts)
    predicted = [p.label for p in decide(proba, classifier.classes, threshold)]
    return score(data.labels, predicted, timer() - start)


def format_table(report: Report) -> str:
    """A plain-text report: totals, the per-label table, then the most confused pairs."""
    lines = [f"texts {report.texts}  accuracy {report.accuracy:.4f}  "
             f"macro-F1 {report.macro_f1:.4f}  unknown {report.unknown_rate:.4f}  "
             f"texts/s {report.texts_per_second:.1f}", "",
             f"{'label':<40} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    lines += [f"{f.label:<40} {f.precision:>9.3f} {f.recall:>9.3f} {f.f1:>9.3f} {f.support:>8}"
              for f in report.per_class]
    if report.confused:
        lines += ["", "most confused (actual -> predicted: count)"]
        lines += [f"{c.actual} -> {c.predicted}: {c.count}" for c in report.confused]
    return "\n".join(lines)
