from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.feedback.dataset import LabelledTexts, read_csv
from accord.feedback.persistence import MANIFEST
from tests.feedback.conftest import write_csv

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path, tiny_train: LabelledTexts) -> Path:
    return write_csv(tmp_path / "train.csv", tiny_train)


@pytest.fixture
def model(tmp_path: Path, data: Path) -> Path:
    result = runner.invoke(app, ["feedback", "train", "--data", str(data), "--text", "body",
                                 "--label", "intent", "--out", str(tmp_path / "model"),
                                 "--model", "tfidf", "--validation", "0.34",
                                 "--validation-out", str(tmp_path / "held.csv")])
    assert result.exit_code == 0, result.output
    held = read_csv(tmp_path / "held.csv", "body", "intent")
    assert len(held) == 6 and held.classes() == ["app_login", "card_lost", "refund"]
    summary = json.loads(result.stdout)
    assert summary["train_rows"] == 12
    assert summary["validation"]["rows"] == 6
    assert 0.1 <= summary["validation"]["temperature"] <= 11
    return tmp_path / "model"


def test_evaluate_prints_json_figures(model: Path, data: Path) -> None:
    result = runner.invoke(app, ["feedback", "evaluate", "--model", str(model), "--data",
                                 str(data), "--text", "body", "--label", "intent",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["texts"] == 18
    assert report["accuracy"] >= 0.8
    assert {f["label"] for f in report["per_class"]} == {"app_login", "card_lost", "refund"}
    assert {"macro_f1", "confused", "texts_per_second"} <= set(report)


def test_evaluate_prints_a_table_and_queue_lists_unsure_texts(model: Path, data: Path) -> None:
    table = runner.invoke(app, ["feedback", "evaluate", "--model", str(model), "--data",
                                str(data), "--text", "body", "--label", "intent"])
    assert table.exit_code == 0 and "macro-F1" in table.stdout
    queue = runner.invoke(app, ["feedback", "queue", "--model", str(model), "--data",
                                str(data), "--text", "body", "--size", "3"])
    items = [json.loads(line) for line in queue.stdout.splitlines()]
    assert len(items) == 3
    assert [i["confidence"] for i in items] == sorted(i["confidence"] for i in items)


@pytest.mark.parametrize(("args", "message"), [
    (["--text", "message", "--label", "intent"], "no text column 'message'"),
    (["--text", "body", "--label", "topic"], "no label column 'topic'"),
    (["--text", "body", "--label", "intent", "--model", "bert"], "unknown classifier 'bert'"),
    (["--text", "body", "--label", "intent", "--validation", "1.5"], "--validation must be"),
])
def test_train_errors_are_one_line(tmp_path: Path, data: Path, args: list[str],
                                   message: str) -> None:
    result = runner.invoke(app, ["feedback", "train", "--data", str(data), "--out",
                                 str(tmp_path / "m"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "m").exists()


def test_empty_rows_and_foreign_model_are_refused(tmp_path: Path, model: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("body,intent\nlost card,card_lost\n,refund\n", encoding="utf-8")
    result = runner.invoke(app, ["feedback", "evaluate", "--model", str(model), "--data",
                                 str(bad), "--text", "body", "--label", "intent"])
    assert result.exit_code == 2 and "holds no text on 1 line(s) (lines 3)" in result.stderr
    manifest = json.loads((model / MANIFEST).read_text())
    manifest["accord_version"] = "9.9.9"
    (model / MANIFEST).write_text(json.dumps(manifest))
    result = runner.invoke(app, ["feedback", "evaluate", "--model", str(model), "--data",
                                 str(bad), "--text", "body", "--label", "intent"])
    assert result.exit_code == 2 and "written by accord 9.9.9" in result.stderr


def test_taxonomy_is_learnt_from_labels(tmp_path: Path, data: Path) -> None:
    from accord.feedback.taxonomy import load_taxonomy

    result = runner.invoke(app, ["feedback", "taxonomy", "--data", str(data), "--text", "body",
                                 "--label", "intent", "--out", str(tmp_path / "t.yaml"),
                                 "--separator", "_", "--examples", "2"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"out": str(tmp_path / "t.yaml"), "topics": 5,
                                         "leaves": 3}
    learnt = load_taxonomy(tmp_path / "t.yaml")
    assert learnt.ancestors("card_lost") == ["card"]


def test_discover_proposes_topics_for_unsure_texts(tmp_path: Path, model: Path) -> None:
    import yaml

    from tests.feedback.test_discovery import CRYPTO, TRAVEL

    new = write_csv(tmp_path / "new.csv", LabelledTexts(tuple(CRYPTO + TRAVEL),
                                                         ("?",) * 8))
    result = runner.invoke(app, ["feedback", "discover", "--model", str(model), "--data",
                                 str(new), "--text", "body", "--threshold", "1.0",
                                 "--clusters", "2"])
    assert result.exit_code == 0, result.output
    proposed = yaml.safe_load(result.stdout)
    assert sorted(t["id"] for t in proposed["topics"]) == ["proposed.abroad_card",
                                                           "proposed.bitcoin_app"]
