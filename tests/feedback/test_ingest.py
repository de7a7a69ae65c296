"""Classifying a project's tickets into the feedback tables, and the dimensions in SQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlglot import exp
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FixedClock
from accord.errors import ConfigError
from accord.feedback.errors import ModelDirectoryError
from accord.feedback.hub import FeedbackRecord, dimensions
from accord.feedback.ingest import classify_store
from accord.feedback.project import FeedbackPaths, load_triage
from accord.project.template import state_dir, store_path
from accord.store import open_store
from accord.store.base import AnalyticalStore
from tests.feedback.corpus import save_models

NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
#: (customer, days ago, text): c_a's refund complaint is closed by a later thanks; c_b has
#: an old and a recent negative card text; c_c's ticket links nobody; one row has no text.
TICKETS = [
    ("c_a", 200, "where is my refund this is terrible and I am furious"),
    ("c_a", 100, "refund the double charge awful service, really angry"),
    ("c_a", 50, "the refund has not arrived thanks so much, great help"),
    ("c_a", 10, "I forgot my app password worst experience ever, disgusting"),
    ("c_b", 120, "my card was stolen awful service, really angry"),
    ("c_b", 5, "please block my missing card this is terrible and I am furious"),
    (None, 3, "I want my money back how does this work"),
    ("c_b", 2, "   "),
]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained once for the module; each project gets a copy."""
    return save_models(tmp_path_factory.mktemp("models"))


def _project(root: Path, models: Path) -> Path:
    """A project folder whose store holds tickets, identity links and profiles."""
    shutil.copytree(models, state_dir(root))
    naive = NOW.replace(tzinfo=None)
    store = open_store("duckdb", store_path(root))
    try:
        store.write("tickets", pa.table({
            "source_id": [str(i) for i in range(len(TICKETS))],
            "opened_at": pa.array([naive - days * DAY for _, days, _ in TICKETS],
                                  pa.timestamp("us")),
            "status": ["closed"] * (len(TICKETS) - 1) + ["open"],
            "text": [text for _, _, text in TICKETS],
            "_source": ["desk"] * len(TICKETS)}))
        linked = [(str(i), c) for i, (c, _, _) in enumerate(TICKETS) if c is not None]
        store.write("identity_map", pa.table({
            "source": ["desk"] * len(linked), "source_id": [s for s, _ in linked],
            "customer_id": [c for _, c in linked]}))
        store.write("profiles", pa.table({"customer_id": ["c_a", "c_b"],
                                          "monetary": [20.0, 5000.0]}))
    finally:
        store.close()
    return root


@pytest.fixture
def project(tmp_path: Path, models: Path) -> Path:
    return _project(tmp_path, models)


@pytest.fixture
def store(project: Path) -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb", store_path(project))
    yield opened
    opened.close()


def _rows(store: AnalyticalStore, table: str) -> list[dict[str, Any]]:
    return store.query(exp.select("*").from_(table).order_by("1, 2")).to_pylist()


def test_every_text_is_classified_and_linked(project: Path, store: AnalyticalStore) -> None:
    report = classify_store(store, load_triage(FeedbackPaths.of_project(project)),
                            FixedClock(NOW))
    assert (report.texts, report.skipped, report.linked, report.customers) == (7, 1, 6, 2)
    rows = {r["source_id"]: r for r in _rows(store, "feedback")}
    assert [rows[str(i)]["topic"] for i in range(4)] == ["refund"] * 3 + ["app_login"]
    assert [rows[str(i)]["sentiment"] for i in range(4)] == [
        "negative", "negative", "positive", "negative"]
    assert rows["6"]["customer_id"] is None and rows["6"]["sentiment"] == "neutral"
    # the same angry lost card: critical for the customer worth 5000
    assert (rows["5"]["priority"], rows["5"]["queue"]) == ("critical", "priority")
    assert rows["5"]["urgency"] == "high" and 0 < rows["5"]["confidence"] <= 1


def test_sql_dimensions_match_the_python_definition(project: Path,
                                                    store: AnalyticalStore) -> None:
    classify_store(store, load_triage(FeedbackPaths.of_project(project)), FixedClock(NOW))
    records = [FeedbackRecord(r["customer_id"], r["at"], r["text"], r["topic"],
                              r["confidence"], r["sentiment"], 0.0, r["urgency"],
                              r["priority"], r["queue"], False)
               for r in _rows(store, "feedback")]
    expected = dimensions(records, NOW.replace(tzinfo=None))
    found = {r["customer_id"]: r for r in _rows(store, "feedback_dimensions")}
    assert set(found) == set(expected) == {"c_a", "c_b"}
    for customer, dims in expected.items():
        row = found[customer]
        assert row["last_sentiment"] == dims.last_sentiment
        assert row["negative_90d"] == dims.negative_90d
        assert dict(row["open_complaints"]) == dims.open_complaints
        assert row["open_complaints_total"] == sum(dims.open_complaints.values())
    assert dict(found["c_a"]["open_complaints"]) == {"app_login": 1}
    assert dict(found["c_b"]["open_complaints"]) == {"card_lost": 2}
    assert (found["c_a"]["negative_90d"], found["c_b"]["negative_90d"]) == (1, 1)


def test_as_of_leaves_later_texts_out(project: Path, store: AnalyticalStore) -> None:
    classify_store(store, load_triage(FeedbackPaths.of_project(project)), FixedClock(NOW),
                   as_of=NOW - 60 * DAY)
    found = {r["customer_id"]: r for r in _rows(store, "feedback_dimensions")}
    assert found["c_a"]["last_sentiment"] == "negative"
    assert dict(found["c_a"]["open_complaints"]) == {"refund": 2}
    assert dict(found["c_b"]["open_complaints"]) == {"card_lost": 1}
    assert found["c_a"]["negative_90d"] == 1 and found["c_b"]["negative_90d"] == 1


class _FailingDimensions:
    """A store whose dimensions statement fails, after the feedback table was replaced."""

    def __init__(self, inner: AnalyticalStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def execute(self, tree: exp.Expression | str) -> None:
        raise RuntimeError("disk full")

    def transaction(self) -> AbstractContextManager[None]:
        return self.inner.transaction()


def test_a_failure_leaves_the_old_tables(project: Path, store: AnalyticalStore) -> None:
    triage = load_triage(FeedbackPaths.of_project(project))
    classify_store(store, triage, FixedClock(NOW))
    before = _rows(store, "feedback")
    store.execute(exp.delete("tickets", where="source_id = '0'"))
    with pytest.raises(RuntimeError, match="disk full"):
        classify_store(_FailingDimensions(store), triage, FixedClock(NOW))  # type: ignore[arg-type]
    assert _rows(store, "feedback") == before


def test_a_store_without_tickets_is_a_clear_error(tmp_path: Path, project: Path) -> None:
    empty = open_store("duckdb")
    try:
        with pytest.raises(ConfigError,
                           match="no identity_map or tickets table; run 'accord build'"):
            classify_store(empty, load_triage(FeedbackPaths.of_project(project)),
                           FixedClock(NOW))
    finally:
        empty.close()
    with pytest.raises(ModelDirectoryError, match="accord feedback train"):
        load_triage(FeedbackPaths.of_project(tmp_path / "elsewhere"))


def test_without_a_sentiment_model_sentiment_is_unknown(tmp_path: Path, models: Path) -> None:
    root = _project(tmp_path, models)
    paths = FeedbackPaths.of_project(root)
    store = open_store("duckdb", store_path(root))
    try:
        from dataclasses import replace

        classify_store(store, load_triage(replace(paths, sentiment=None)), FixedClock(NOW))
        assert {r["sentiment"] for r in _rows(store, "feedback")} == {"unknown"}
    finally:
        store.close()


def test_the_cli_command(project: Path) -> None:
    result = CliRunner().invoke(app, ["feedback", "classify", "--project", str(project),
                                      "--as-of", "2026-05-04T12:00:00"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["customers"] == 2
    missing = CliRunner().invoke(app, ["feedback", "classify", "--project",
                                       str(project / "nowhere")])
    assert missing.exit_code != 0 and "accord build" in missing.output
