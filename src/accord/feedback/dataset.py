"""Labelled texts read from CSV, validated, and split for training and validation."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.feedback.errors import FeedbackDataError
from accord.feedback.text import is_text

#: Bad rows named in an error message; the count says how many more there are.
SHOWN_ROWS = 5


@dataclass(frozen=True, slots=True)
class LabelledTexts:
    """Texts with one label each (``labels`` is empty for unlabelled data)."""

    texts: tuple[str, ...]
    labels: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.texts)

    def classes(self) -> list[str]:
        """The distinct labels, sorted."""
        return sorted(set(self.labels))

    def subset(self, indices: Sequence[int]) -> LabelledTexts:
        """The rows at ``indices``, in that order."""
        labels = tuple(self.labels[i] for i in indices) if self.labels else ()
        return LabelledTexts(tuple(self.texts[i] for i in indices), labels)


def _rows_message(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS])
    more = f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
    return f"{shown}{more}"


def check_texts(texts: Sequence[object], source: str = "input") -> tuple[str, ...]:
    """Return the texts as strings, or raise naming the rows that are empty or not text.

    Rows are numbered from 1 in the order given.

    Raises:
        FeedbackDataError: when there are no rows, or some rows hold no text.
    """
    if not texts:
        raise FeedbackDataError(f"{source}: no texts")
    bad = [i + 1 for i, t in enumerate(texts) if not isinstance(t, str) or not is_text(t)]
    if bad:
        raise FeedbackDataError(
            f"{source}: {len(bad)} row(s) are empty or hold no text (rows {_rows_message(bad)})")
    return tuple(str(t) for t in texts)


def read_csv(path: Path, text_column: str, label_column: str | None = None) -> LabelledTexts:
    """Read texts (and labels) from a CSV file with a header row.

    Args:
        path: the CSV file.
        text_column: header of the column holding the texts.
        label_column: header of the column holding the labels, or None for unlabelled data.

    Raises:
        FeedbackDataError: a missing file, an unknown column (the message lists the columns
            there are), empty or non-text rows, or rows without a label; rows are numbered as
            lines of the file (the header is line 1).
    """
    if not path.is_file():
        raise FeedbackDataError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for role, column in (("text", text_column), ("label", label_column)):
                if column is not None and column not in header:
                    raise FeedbackDataError(
                        f"{path}: no {role} column {column!r} (columns: {', '.join(header)})")
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise FeedbackDataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise FeedbackDataError(f"{path}: not a CSV file ({exc})") from None
    if not rows:
        raise FeedbackDataError(f"{path}: no rows under the header")
    texts = [row.get(text_column) or "" for row in rows]
    bad = [i + 2 for i, text in enumerate(texts) if not is_text(text)]
    if bad:
        raise FeedbackDataError(
            f"{path}: column {text_column!r} is empty or holds no text on {len(bad)} line(s) "
            f"(lines {_rows_message(bad)})")
    if label_column is None:
        return LabelledTexts(tuple(texts))
    labels = [(row.get(label_column) or "").strip() for row in rows]
    unlabelled = [i + 2 for i, label in enumerate(labels) if not label]
    if unlabelled:
        raise FeedbackDataError(
            f"{path}: column {label_column!r} is empty on {len(unlabelled)} line(s) "
            f"(lines {_rows_message(unlabelled)})")
    return LabelledTexts(tuple(texts), tuple(labels))


def write_csv(path: Path, data: LabelledTexts, text_column: str = "text",
              label_column: str = "label") -> Path:
    """Write texts (and labels, when there are) as a CSV with a header row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if data.labels:
            writer.writerow([text_column, label_column])
            writer.writerows(zip(data.texts, data.labels, strict=True))
        else:
            writer.writerow([text_column])
            writer.writerows([t] for t in data.texts)
    return path


def stratified_split(data: LabelledTexts, fraction: float, seed: int = 0
                     ) -> tuple[LabelledTexts, LabelledTexts]:
    """Split into (train, held out) keeping each label's share; deterministic for a seed.

    Every label keeps at least one training row, so a rare label is never lost to training.

    >>> data = LabelledTexts(tuple("abcdefgh"), tuple("xxxxyyyy"))
    >>> train, held = stratified_split(data, 0.25)
    >>> len(train), len(held), held.classes()
    (6, 2, ['x', 'y'])
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(data.labels):
        by_label[label].append(i)
    rng = random.Random(seed)
    train: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        rows = by_label[label]
        rng.shuffle(rows)
        cut = min(round(len(rows) * fraction), len(rows) - 1)
        held.extend(rows[:cut])
        train.extend(rows[cut:])
    return data.subset(sorted(train)), data.subset(sorted(held))


def per_class_sample(data: LabelledTexts, count: int, seed: int = 0) -> LabelledTexts:
    """At most ``count`` rows of each label, drawn at random (few-shot training sets)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(data.labels):
        by_label[label].append(i)
    rng = random.Random(seed)
    chosen = [i for label in sorted(by_label)
              for i in rng.sample(by_label[label], min(count, len(by_label[label])))]
    return data.subset(sorted(chosen))
