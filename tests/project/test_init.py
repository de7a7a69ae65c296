"""``init_project``: a commented, valid project that ingests as it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.clock import FixedClock
from accord.connectors import run_ingest
from accord.errors import ConfigError
from accord.progress import SilentProgress
from accord.project import load_project
from accord.project.template import init_project, store_path
from accord.store import open_store


def test_init_writes_a_valid_project_that_ingests(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    written = init_project(root)
    assert [path.relative_to(root).as_posix() for path in written] == \
        ["accord.yaml", "data/contacts.csv", "data/orders.csv"]
    assert (root / ".accord").is_dir()
    text = (root / "accord.yaml").read_text(encoding="utf-8")
    assert "# Each source maps its own columns" in text
    project = load_project(root)
    assert project.name == "shop"
    assert set(project.sources) == {"crm", "shop"}
    assert [segment.name for segment in project.segments] == ["repeat_buyers", "lapsed"]
    store = open_store("duckdb", store_path(root))
    try:
        report = run_ingest(project, root, store, clock=_clock(), progress=SilentProgress())
        assert [(s.source, s.rows, s.rejected) for s in report.sources] == \
            [("crm", 4, 0), ("shop", 5, 0)]
        names = store.query("SELECT first_name FROM contacts ORDER BY source_id").to_pylist()
        assert [row["first_name"] for row in names] == ["Ann", "Bo", "Carla", "Dev"]
    finally:
        store.close()


def _clock() -> FixedClock:
    return FixedClock(dt.datetime(2024, 3, 10, tzinfo=dt.UTC))


def test_init_refuses_to_overwrite_a_project(tmp_path: Path) -> None:
    init_project(tmp_path)
    (tmp_path / "accord.yaml").write_text("name: mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists: not overwriting"):
        init_project(tmp_path)
    assert (tmp_path / "accord.yaml").read_text(encoding="utf-8") == "name: mine\n"


def test_init_does_not_overwrite_sample_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"orders\.csv already exists"):
        init_project(tmp_path)
    assert not (tmp_path / "accord.yaml").exists()


def test_odd_folder_names_are_quoted(tmp_path: Path) -> None:
    init_project(tmp_path / "2024: shop", name=None)
    assert load_project(tmp_path / "2024: shop").name == "2024: shop"
