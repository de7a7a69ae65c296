from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.feedback.dataset import (
    LabelledTexts,
    check_texts,
    per_class_sample,
    read_csv,
    stratified_split,
    write_csv,
)
from accord.feedback.errors import FeedbackDataError


def test_read_csv_reads_texts_and_labels(tmp_path: Path, tiny_train: LabelledTexts) -> None:
    data = read_csv(write_csv(tmp_path / "d.csv", tiny_train, "body", "intent"), "body", "intent")
    assert data == tiny_train
    assert read_csv(tmp_path / "d.csv", "body").labels == ()


@pytest.mark.parametrize(("text", "label", "message"), [
    ("text", "intent", "no text column 'text' (columns: body, intent)"),
    ("body", "category", "no label column 'category' (columns: body, intent)"),
])
def test_unknown_column_lists_the_columns(tmp_path: Path, tiny_train: LabelledTexts, text: str,
                                          label: str, message: str) -> None:
    path = write_csv(tmp_path / "d.csv", tiny_train, "body", "intent")
    with pytest.raises(FeedbackDataError, match=re.escape(message)):
        read_csv(path, text, label)


def test_empty_and_non_text_rows_are_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("body,intent\nfine text,a\n,a\n12.50,b\n  ?! ,b\nok,b\n", encoding="utf-8")
    with pytest.raises(FeedbackDataError,
                       match=r"empty or holds no text on 3 line\(s\) \(lines 3, 4, 5\)"):
        read_csv(path, "body", "intent")


def test_missing_labels_missing_file_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("body,intent\nfine text,a\nother text,\n", encoding="utf-8")
    with pytest.raises(FeedbackDataError, match=r"'intent' is empty on 1 line\(s\) \(lines 3\)"):
        read_csv(path, "body", "intent")
    with pytest.raises(FeedbackDataError, match="no such file"):
        read_csv(tmp_path / "absent.csv", "body")
    path.write_text("body,intent\n", encoding="utf-8")
    with pytest.raises(FeedbackDataError, match="no rows"):
        read_csv(path, "body")


def test_check_texts_names_rows_and_caps_the_list() -> None:
    assert check_texts(["a text"]) == ("a text",)
    with pytest.raises(FeedbackDataError, match="no texts"):
        check_texts([])
    with pytest.raises(FeedbackDataError, match=r"7 row\(s\).*rows 1, 2, 3, 4, 5 and 2 more"):
        check_texts(["", " ", "1", None, 3, "--", "...", "words"])


def test_split_keeps_every_label_and_is_deterministic(tiny_train: LabelledTexts) -> None:
    train, held = stratified_split(tiny_train, 0.34, seed=1)
    assert len(train) + len(held) == len(tiny_train)
    assert train.classes() == held.classes() == tiny_train.classes()
    assert not set(train.texts) & set(held.texts)
    assert stratified_split(tiny_train, 0.34, seed=1) == (train, held)
    with pytest.raises(ValueError, match="between 0 and 1"):
        stratified_split(tiny_train, 1.0)


def test_per_class_sample_caps_each_label(tiny_train: LabelledTexts) -> None:
    sample = per_class_sample(tiny_train, 2)
    assert sorted(sample.labels) == sorted(tiny_train.classes() * 2)


def test_write_csv_round_trips_labelled_and_unlabelled(tmp_path: Path,
                                                       tiny_train: LabelledTexts) -> None:
    path = write_csv(tmp_path / "out.csv", tiny_train, "t", "l")
    assert read_csv(path, "t", "l") == tiny_train
    bare = LabelledTexts(tiny_train.texts)
    assert read_csv(write_csv(tmp_path / "bare.csv", bare), "text") == bare


def test_binary_files_are_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"body,intent\n\xff\xfe,a\n")
    with pytest.raises(FeedbackDataError, match="not UTF-8 text"):
        read_csv(path, "body")
    path.write_text('body,intent\n"' + "x" * 200_000 + '",a\n', encoding="utf-8")
    with pytest.raises(FeedbackDataError, match=r"not a CSV file \(field larger than"):
        read_csv(path, "body")
