"""Feedback classifiers on Banking77 (intents) and the airline tweets (sentiment).

For each registered model: training time, validation accuracy and macro-F1, and
classification throughput (texts/s, the validation texts classified in one call) on a
stratified 10 % validation split carved from Banking77's train.csv (seed 0). Then the same
with only 10 examples per intent (few-shot), and the sentiment models' macro-F1 on a 15 %
validation split of the airline tweets (seed 0; ``joint`` tunes its biases, and ``blend``
its weight and biases, on an inner split of the training part only, so the held-out rows
are seen once). The official Banking77 test split is not in ../shared, so accuracy on it is
not measured here. ``--folds K`` adds a stratified K-fold cross-validation over the whole
airline file (mean and standard deviation of macro-F1), so a split's luck shows; each tweet
is embedded once and reused across folds.

    python bench/feedback.py                 # everything (~1 h on 2 cores, mostly fine-tuning)
    python bench/feedback.py --skip-sentiment
    python bench/feedback.py --models tfidf,ensemble
    python bench/feedback.py --models ensemble,joint --skip-banking77   # sentiment only
    python bench/feedback.py --models joint --skip-banking77 --folds 5 --threads 1
    python bench/feedback.py --models blend --skip-banking77   # ~20 min on 2 cores

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from accord.feedback import embedding
from accord.feedback.dataset import LabelledTexts, per_class_sample, read_csv, stratified_split
from accord.feedback.embedding import MiniLMEmbedder
from accord.feedback.evaluation import evaluate
from accord.feedback.registry import CLASSIFIERS, create

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


class RememberingEmbedder:
    """MiniLM on a chosen number of threads that, once ``remember`` is on, embeds each text
    once: cross-validation folds embed the same tweets again, and timing runs must not be
    flattered by vectors computed for an earlier model."""

    name = MiniLMEmbedder.name

    def __init__(self, threads: int) -> None:
        self.inner = MiniLMEmbedder(threads)
        self.remember = False
        self.vectors: dict[str, NDArray[np.float32]] = {}

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not self.remember:
            return self.inner.embed(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.embed(missing), strict=True))
        return np.array([self.vectors[t] for t in texts], dtype=np.float32)


def stratified_folds(data: LabelledTexts, k: int, seed: int = 0
                     ) -> list[tuple[LabelledTexts, LabelledTexts]]:
    """K (train, held out) pairs; each label's rows are shuffled and dealt round the folds."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(data.labels):
        by_label[label].append(i)
    rng = random.Random(seed)
    fold_of = [0] * len(data)
    for label in sorted(by_label):
        rows = by_label[label]
        rng.shuffle(rows)
        for n, i in enumerate(rows):
            fold_of[i] = n % k
    return [(data.subset([i for i in range(len(data)) if fold_of[i] != f]),
             data.subset([i for i in range(len(data)) if fold_of[i] == f])) for f in range(k)]


def cross_validate(name: str, data: LabelledTexts, k: int) -> dict[str, object]:
    scores = []
    for train, held in stratified_folds(data, k):
        classifier = create(name)
        classifier.fit(train)
        report = evaluate(classifier, held)
        scores.append((report.macro_f1, report.accuracy))
    f1s, accuracies = [s[0] for s in scores], [s[1] for s in scores]
    row: dict[str, object] = {
        "macro_f1_mean": round(statistics.mean(f1s), 4),
        "macro_f1_std": round(statistics.stdev(f1s), 4),
        "accuracy_mean": round(statistics.mean(accuracies), 4),
        "macro_f1_folds": [round(f, 4) for f in f1s]}
    print(f"  {name:<9} {k}-fold {row}", file=sys.stderr, flush=True)
    return row


def measure(name: str, train: LabelledTexts, held: LabelledTexts) -> dict[str, float]:
    classifier = create(name)
    start = time.perf_counter()
    classifier.fit(train)
    seconds = time.perf_counter() - start
    report = evaluate(classifier, held)
    row = {"train_s": round(seconds, 2), "accuracy": round(report.accuracy, 4),
           "macro_f1": round(report.macro_f1, 4),
           "texts_per_s": round(report.texts_per_second, 1)}
    print(f"  {name:<9} {row}", file=sys.stderr, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(CLASSIFIERS))
    parser.add_argument("--skip-sentiment", action="store_true")
    parser.add_argument("--skip-banking77", action="store_true")
    parser.add_argument("--folds", type=int, default=0,
                        help="also cross-validate the sentiment models over K folds (K >= 2)")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads of MiniLM")
    args = parser.parse_args()
    if args.folds == 1 or args.folds < 0:
        parser.error(f"--folds must be 0 (off) or at least 2, not {args.folds}")
    models = args.models.split(",")
    minilm = RememberingEmbedder(args.threads)
    embedding.EMBEDDERS[MiniLMEmbedder.name] = lambda: minilm
    result: dict[str, object] = {"load_average": os.getloadavg()[0],
                                 "python": platform.python_version()}
    if not args.skip_banking77:
        intents = read_csv(DATA / "banking77" / "train.csv", "text", "category")
        train, held = stratified_split(intents, 0.1, seed=0)
        print(f"banking77: {len(train)} train, {len(held)} validation", file=sys.stderr)
        result |= {"banking77_train": len(train), "banking77_validation": len(held)}
        result["banking77"] = {name: measure(name, train, held) for name in models}
        few = per_class_sample(train, 10, seed=0)
        print(f"banking77 few-shot: {len(few)} train (10 per intent)", file=sys.stderr)
        result["banking77_10_shot"] = {name: measure(name, few, held) for name in models}
    if not args.skip_sentiment:
        tweets = read_csv(DATA / "airline-sentiment" / "tweets_dev.csv", "text",
                          "airline_sentiment")
        tweets_train, tweets_held = stratified_split(tweets, 0.15, seed=0)
        print(f"airline sentiment: {len(tweets_train)} train, {len(tweets_held)} validation",
              file=sys.stderr)
        sentiment_models = [name for name in models if name != "zeroshot"]
        result["airline_sentiment"] = {name: measure(name, tweets_train, tweets_held)
                                       for name in sentiment_models}
        if args.folds:
            print(f"airline sentiment: {args.folds}-fold cross-validation over {len(tweets)}",
                  file=sys.stderr)
            minilm.remember = True
            result[f"airline_sentiment_{args.folds}_fold"] = {
                name: cross_validate(name, tweets, args.folds) for name in sentiment_models}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
