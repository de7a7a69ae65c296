"""``accord sql``, ``accord profile`` and ``accord segments`` over a small built project."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.analyst import check_read_only
from accord.cli.main import app
from accord.clock import FixedClock
from accord.errors import ConfigError
from accord.online import open_online, run_online
from accord.profiles import run_profiles
from accord.progress import SilentProgress
from accord.project import parse_project
from accord.segments import run_segments
from accord.store import open_store
from accord.testing.hub import SMALL_HUB_AS_OF, small_hub

PROJECT = """
name: small
segments:
  - {name: buyers, condition: orders_count > 0}
  - {name: recent, condition: recency_days < 30}
"""

runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("small")
    (directory / "accord.yaml").write_text(PROJECT, encoding="utf-8")
    config = parse_project(PROJECT)
    clock, progress = FixedClock(dt.datetime(2024, 2, 10)), SilentProgress()
    store = open_store("duckdb", directory / ".accord" / "analytics.duckdb")
    small_hub(store)
    run_profiles(config, store, as_of=SMALL_HUB_AS_OF, clock=clock, progress=progress)
    run_segments(config, store, clock=clock, progress=progress)
    online = open_online("sqlite", directory / ".accord" / "online.sqlite")
    run_online(config, store, online, progress=progress)
    online.close()
    store.close()
    return directory


def test_sql_json_is_decimal_exact(project: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT customer_id, revenue, as_of FROM profiles "
                                 "WHERE customer_id = 'c_a'", "-f", "json", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout, parse_float=Decimal) == [
        {"customer_id": "c_a", "revenue": Decimal("150.00"), "as_of": "2024-01-31"}]
    assert '"revenue": 150.00' in result.stdout


def test_sql_csv_and_table(project: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT segment, count(*) AS n FROM segment_members "
                                 "GROUP BY ALL ORDER BY 1", "--format", "csv",
                                 "--project", str(project)])
    assert result.stdout == "segment,n\nbuyers,3\nrecent,1\n"
    table = runner.invoke(app, ["sql", "SELECT count(*) AS customers FROM profiles",
                                "-p", str(project)])
    assert table.exit_code == 0 and "customers" in table.stdout and "4" in table.stdout


@pytest.mark.parametrize("query", [
    "DELETE FROM profiles",
    "CREATE TABLE x AS SELECT 1",
    "SELECT 1; DROP TABLE profiles",
    "COPY profiles TO '/tmp/accord-leak.csv'",
])
def test_sql_refuses_writes(project: Path, query: str) -> None:
    result = runner.invoke(app, ["sql", query, "-p", str(project)])
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert not Path("/tmp/accord-leak.csv").exists()
    count = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM profiles", "-f", "json",
                                "-p", str(project)])
    assert json.loads(count.stdout) == [{"n": 4}]


def test_check_read_only_accepts_queries() -> None:
    check_read_only("WITH x AS (SELECT 1) SELECT * FROM x")
    check_read_only("DESCRIBE profiles")
    with pytest.raises(ConfigError, match="read-only: a INSERT"):
        check_read_only("INSERT INTO profiles SELECT * FROM profiles")


def test_sql_errors_are_one_line(project: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["sql", "SELECT nope FROM profiles", "-p", str(project)])
    assert bad.exit_code == 2 and "query failed" in bad.stderr
    missing = runner.invoke(app, ["sql", "SELECT 1", "-p", str(tmp_path)])
    assert missing.exit_code == 2 and "no analytical store" in missing.stderr


def test_profile_by_id_or_identifier(project: Path) -> None:
    by_id = runner.invoke(app, ["profile", "c_a", "-p", str(project)])
    assert by_id.exit_code == 0, by_id.output
    assert json.loads(by_id.stdout)["segments"] == ["buyers", "recent"]
    by_email = runner.invoke(app, ["profile", " A@SHOP.example", "-p", str(project)])
    assert json.loads(by_email.stdout)["customer_id"] == "c_a"
    missing = runner.invoke(app, ["profile", "who@example.com", "-p", str(project)])
    assert missing.exit_code == 2 and "no profile" in missing.stderr


def test_segments_counts_overlap_and_profile(project: Path) -> None:
    listing = runner.invoke(app, ["segments", "-p", str(project)])
    assert listing.exit_code == 0, listing.output
    assert "buyers" in listing.stdout and "75.0%" in listing.stdout
    assert "1 (0.33)" in listing.stdout  # buyers x recent: one customer, Jaccard 1/3
    one = runner.invoke(app, ["segments", "recent", "-p", str(project)])
    assert one.exit_code == 0 and "1 of 4 customers" in one.stdout
    unknown = runner.invoke(app, ["segments", "vip", "-p", str(project)])
    assert unknown.exit_code == 2 and "no segment named 'vip'" in unknown.stderr
