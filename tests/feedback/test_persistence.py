from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import ModelDirectoryError
from accord.feedback.persistence import FORMAT_VERSION, MANIFEST, MODEL, accord_version, load, save
from accord.feedback.registry import create
from tests.feedback.conftest import needs_minilm


@pytest.mark.parametrize("name", ["tfidf", pytest.param("ensemble", marks=needs_minilm)])
def test_round_trip_predicts_the_same(tmp_path: Path, name: str, tiny_train: LabelledTexts,
                                      tiny_held: LabelledTexts) -> None:
    classifier = create(name)
    classifier.fit(tiny_train)
    save(classifier, tmp_path / "model", threshold=0.4, metadata={"rows": len(tiny_train)})
    manifest = json.loads((tmp_path / "model" / MANIFEST).read_text())
    assert manifest["accord_version"] == accord_version()
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["classifier"] == name
    loaded = load(tmp_path / "model")
    assert (loaded.threshold, loaded.metadata) == (0.4, {"rows": len(tiny_train)})
    np.testing.assert_allclose(loaded.classifier.predict_proba(tiny_held.texts),
                               classifier.predict_proba(tiny_held.texts))


def _saved(tmp_path: Path, data: LabelledTexts) -> Path:
    classifier = create("tfidf")
    classifier.fit(data)
    return save(classifier, tmp_path / "model")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("accord_version", "0.0.0-other", r"written by accord 0\.0\.0-other \(format 2\), this is"),
    ("format_version", 99, r"\(format 99\), this is accord .* \(format 2\); retrain"),
    ("format", "something-else", "not a accord-feedback-model manifest"),
])
def test_a_model_from_another_version_is_refused(tmp_path: Path, tiny_train: LabelledTexts,
                                                 field: str, value: object,
                                                 message: str) -> None:
    directory = _saved(tmp_path, tiny_train)
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest[field] = value
    (directory / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelDirectoryError, match=message):
        load(directory)


def test_missing_or_damaged_directories(tmp_path: Path, tiny_train: LabelledTexts) -> None:
    with pytest.raises(ModelDirectoryError, match="not a feedback model directory"):
        load(tmp_path)
    directory = _saved(tmp_path, tiny_train)
    (directory / MODEL).write_bytes(b"not a pickle")
    with pytest.raises(ModelDirectoryError, match="cannot load the model"):
        load(directory)
    (directory / MANIFEST).write_text("{")
    with pytest.raises(ModelDirectoryError, match="unreadable manifest"):
        load(directory)


def test_save_replaces_a_model_but_never_other_files(tmp_path: Path,
                                                     tiny_train: LabelledTexts) -> None:
    directory = _saved(tmp_path, tiny_train)
    classifier = create("tfidf")
    classifier.fit(tiny_train.subset(range(12)))  # two labels only
    save(classifier, directory)
    assert len(load(directory).classifier.classes) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no staging left behind
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff")
    with pytest.raises(ModelDirectoryError, match="not a feedback model directory"):
        save(classifier, other)
    assert [p.name for p in other.iterdir()] == ["cat.jpg"]
