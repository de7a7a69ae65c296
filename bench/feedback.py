"""Feedback classifiers on Banking77 (intents) and the airline tweets (sentiment).

For each registered model: training time, validation accuracy and macro-F1, and
classification throughput (texts/s, the validation texts classified in one call) on a
stratified 10 % validation split carved from Banking77's train.csv (seed 0). Then the same
with only 10 examples per intent (few-shot), and the sentiment models' macro-F1 on a 15 %
validation split of the airline tweets (seed 0; ``joint`` tunes its biases on an inner
split of the training part only, so the held-out rows are seen once). The official Banking77
test split is not in ../shared, so accuracy on it is not measured here.

    python bench/feedback.py                 # everything (~15 min on 2 busy cores)
    python bench/feedback.py --skip-sentiment
    python bench/feedback.py --models tfidf,ensemble
    python bench/feedback.py --models ensemble,joint --skip-banking77   # sentiment only

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from accord.feedback.dataset import LabelledTexts, per_class_sample, read_csv, stratified_split
from accord.feedback.evaluation import evaluate
from accord.feedback.registry import CLASSIFIERS, create

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
    args = parser.parse_args()
    models = args.models.split(",")
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
        result["airline_sentiment"] = {name: measure(name, tweets_train, tweets_held)
                                       for name in models if name != "zeroshot"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
