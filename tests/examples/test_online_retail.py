"""The online-retail example builds, and its figures match a direct query of the raw file.

The expected figures come from DuckDB reading the CSV itself with the usual cleaning, not
from Accord; the acceptance check runs ``accord sql`` over the built profiles.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FixedClock
from accord.progress import SilentProgress
from accord.project import load_project
from accord.store import open_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "online-retail"
DATA = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
AS_OF = dt.date(2011, 12, 10)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.is_file(), reason=f"shared data not present at {DATA} "
                       "(the example reads ../shared beside the repository)"),
]

INDEPENDENT = """
WITH lines AS (
    SELECT * FROM read_csv(?, header = true, types = {
        'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'CustomerID': 'VARCHAR',
        'Quantity': 'DECIMAL(18,3)', 'UnitPrice': 'DECIMAL(18,4)', 'InvoiceDate': 'TIMESTAMP'})
), clean AS (
    SELECT * FROM lines
    WHERE CustomerID IS NOT NULL AND NOT starts_with(InvoiceNo, 'C')
      AND Quantity > 0 AND UnitPrice > 0
), per_customer AS (
    SELECT CustomerID, count(DISTINCT InvoiceNo) AS frequency,
           sum(Quantity * UnitPrice) AS monetary,
           date_sub('day', max(InvoiceDate), TIMESTAMP '2011-12-10') AS recency
    FROM clean GROUP BY CustomerID
)
SELECT count(*) AS customers, sum(monetary) AS revenue, median(recency) AS recency,
       median(frequency) AS frequency, median(monetary) AS monetary
FROM per_customer
"""


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    connection = duckdb.connect()
    row = connection.execute(INDEPENDENT, [str(DATA)]).fetchone()
    connection.close()
    assert row is not None
    return dict(zip(("customers", "revenue", "recency", "frequency", "monetary"), row,
                    strict=True))


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example built into a scratch state folder (the sources are read in place)."""
    from accord.connectors.ingest import run_ingest
    from accord.identity.resolve import run_identity
    from accord.online import open_online, run_online
    from accord.profiles import run_profiles
    from accord.segments import run_segments

    target = tmp_path_factory.mktemp("online-retail")
    shutil.copy(EXAMPLE / "accord.yaml", target / "accord.yaml")
    project = load_project(EXAMPLE)
    clock, progress = FixedClock(dt.datetime(2024, 1, 1)), SilentProgress()
    store = open_store("duckdb", target / ".accord" / "analytics.duckdb")
    try:
        run_ingest(project, EXAMPLE, store, clock=clock, progress=progress)
        run_identity(project, store, clock=clock, progress=progress)
        run_profiles(project, store, as_of=AS_OF, clock=clock, progress=progress)
        run_segments(project, store, clock=clock, progress=progress)
        online = open_online("sqlite", target / ".accord" / "online.sqlite")
        run_online(project, store, online, progress=progress)
        online.close()
    finally:
        store.close()
    yield target


def sql(project_dir: Path, query: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["sql", query, "--format", "json",
                                      "--project", str(project_dir)])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout, parse_float=Decimal)
    return rows


def test_reference_figures_of_the_raw_file(expected: dict[str, Any]) -> None:
    # the dataset README's figures, so that a changed file is noticed here first
    assert expected["customers"] == 4338
    assert round(expected["revenue"], 2) == Decimal("8911407.90")
    assert (expected["recency"], expected["frequency"]) == (50, 2)
    assert expected["monetary"] == Decimal("674.485")


def test_accord_sql_gives_customers_and_revenue(project_dir: Path,
                                                expected: dict[str, Any]) -> None:
    [row] = sql(project_dir, "SELECT count(*) FILTER (WHERE invoices > 0) AS customers, "
                             "sum(revenue) AS revenue FROM profiles")
    assert row["customers"] == expected["customers"]
    assert Decimal(row["revenue"]) == expected["revenue"]


def test_rfm_medians(project_dir: Path, expected: dict[str, Any]) -> None:
    [row] = sql(project_dir, "SELECT median(recency_days) AS recency, median(frequency) AS "
                             "frequency, median(monetary) AS monetary FROM profiles "
                             "WHERE invoices > 0")
    assert Decimal(row["recency"]) == expected["recency"]
    assert Decimal(row["frequency"]) == expected["frequency"]
    assert Decimal(row["monetary"]) == expected["monetary"]


def test_segments_and_profile_lookup(project_dir: Path, expected: dict[str, Any]) -> None:
    [row] = sql(project_dir, "SELECT members FROM segments WHERE segment = 'customers'")
    assert row["members"] == expected["customers"]
    result = CliRunner().invoke(app, ["profile", "12347", "--project", str(project_dir)])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    # customer 12347: 7 invoices, last on 2011-12-07, all figures from the raw file
    assert (profile["invoices"], profile["recency_days"]) == (7, 2)
    assert "customers" in profile["segments"]
