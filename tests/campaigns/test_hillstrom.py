"""Acceptance: the Hillstrom example's figures equal those computed directly from the file.

The expected figures come from plain DuckDB SQL over the CSV and from formulas written out
here (Wilson and Newcombe) or scipy (Welch), never from Accord; Accord's come from the
``accord campaign`` commands of ``examples/hillstrom``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scipy import stats
from typer.testing import CliRunner

from accord.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hillstrom"
DATA = ROOT.parent / "shared" / "data" / "hillstrom" / "hillstrom.csv.gz"
CONTROL = "No E-Mail"
ARMS = ("Mens E-Mail", "Womens E-Mail", CONTROL)

pytestmark = pytest.mark.skipif(
    not DATA.is_file(), reason=f"Hillstrom data not present at {DATA} (the example reads "
    "../shared/data/hillstrom beside the repository)")


def _accord(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A project holding the example's campaign and its outcomes (as ``run.sh`` does)."""
    folder = str(tmp_path_factory.mktemp("hillstrom"))
    _accord("campaign", "create", str(EXAMPLE / "campaign.yaml"), "--project", folder)
    _accord("campaign", "outcomes", "hillstrom-2008", str(DATA), "--project", folder,
            "--variant", "segment", "--control", CONTROL, "--visit", "visit",
            "--conversion", "conversion", "--revenue", "spend")
    return folder


@pytest.fixture(scope="module")
def report(project: str) -> dict[str, Any]:
    out = Path(project) / "report.json"
    _accord("campaign", "report", "hillstrom-2008", "--project", project, "--format", "json",
            "--output", str(out))
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def direct() -> dict[str, dict[str, Any]]:
    rows = duckdb.execute(
        "SELECT segment, count(*) AS n, sum(visit) AS visits, sum(conversion) AS conversions, "
        "avg(spend) AS spend FROM read_csv(?) GROUP BY segment", [str(DATA)]).fetchall()
    return {segment: {"n": n, "visits": int(v), "conversions": int(c), "spend": s}
            for segment, n, v, c, s in rows}


def _spend(segment: str) -> list[float]:
    rows = duckdb.execute("SELECT spend FROM read_csv(?) WHERE segment = ?",
                          [str(DATA), segment]).fetchall()
    return [row[0] for row in rows]


def _newcombe(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float]:
    """Newcombe (1998) method 10, written out from the paper."""
    z = 1.959963984540054

    def wilson(x: int, n: int) -> tuple[float, float]:
        p = x / n
        root = math.sqrt(4 * n * p * (1 - p) + z * z)
        return ((2 * n * p + z * z - z * root) / (2 * (n + z * z)),
                (2 * n * p + z * z + z * root) / (2 * (n + z * z)))

    p1, p0 = x1 / n1, x0 / n0
    (l1, u1), (l0, u0) = wilson(x1, n1), wilson(x0, n0)
    d = p1 - p0
    return (d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))


def test_arms_equal_the_file(report: dict[str, Any], direct: dict[str, dict[str, Any]]
                             ) -> None:
    arms = {arm["variant"]: arm for arm in report["arms"]}
    assert set(arms) == set(ARMS)
    assert [a["variant"] for a in report["arms"] if a["control"]] == [CONTROL]
    for name in ARMS:
        arm, expected = arms[name], direct[name]
        assert arm["customers"] == expected["n"]
        assert arm["visit_rate"] == pytest.approx(expected["visits"] / expected["n"], abs=1e-12)
        assert arm["conversion_rate"] == pytest.approx(
            expected["conversions"] / expected["n"], abs=1e-12)
        assert arm["revenue_per_customer"] == pytest.approx(expected["spend"], rel=1e-9)
    # the published reference figures (README of the data set)
    assert [arms[name]["customers"] for name in ARMS] == [21307, 21387, 21306]
    assert round(arms["Mens E-Mail"]["revenue_per_customer"], 4) == 1.4226


def test_lift_against_control_equals_the_file(report: dict[str, Any],
                                              direct: dict[str, dict[str, Any]]) -> None:
    lifts = {(item["variant"], item["metric"]): item for item in report["lifts"]}
    control = direct[CONTROL]
    control_spend = _spend(CONTROL)
    for name in ARMS[:2]:
        arm = direct[name]
        for metric, key in (("visit_rate", "visits"), ("conversion_rate", "conversions")):
            item = lifts[(name, metric)]
            difference = arm[key] / arm["n"] - control[key] / control["n"]
            low, high = _newcombe(arm[key], arm["n"], control[key], control["n"])
            assert item["method"] == "newcombe"
            assert item["difference"] == pytest.approx(difference, abs=1e-12)
            assert (item["low"], item["high"]) == (pytest.approx(low, abs=1e-9),
                                                   pytest.approx(high, abs=1e-9))
            assert item["significant"] and not item["too_small"]
        spend = stats.ttest_ind(_spend(name), control_spend, equal_var=False)
        interval = spend.confidence_interval(0.95)
        item = lifts[(name, "revenue_per_customer")]
        assert item["method"] == "welch"
        assert item["difference"] == pytest.approx(arm["spend"] - control["spend"], rel=1e-9)
        assert item["low"] == pytest.approx(float(interval.low), rel=1e-6)
        assert item["high"] == pytest.approx(float(interval.high), rel=1e-6)


def test_economics_follow_the_definitions(report: dict[str, Any],
                                          direct: dict[str, dict[str, Any]]) -> None:
    e = report["economics"]
    treated = [direct[name] for name in ARMS[:2]]
    sends = sum(arm["n"] for arm in treated)
    cost = 0.10 * sends  # campaign.yaml: 0.10 per send, nothing else
    revenue = sum(arm["spend"] * arm["n"] for arm in treated)
    incremental = revenue - direct[CONTROL]["spend"] * sends
    assert e["sends"] == sends
    assert e["cost"] == pytest.approx(cost)
    assert e["cpm"] == pytest.approx(100.0)
    assert e["cpa"] == pytest.approx(cost / sum(arm["conversions"] for arm in treated))
    assert e["incremental_revenue"] == pytest.approx(incremental, rel=1e-9)
    assert e["romi"] == pytest.approx((incremental - cost) / cost, rel=1e-9)
    assert e["cpc"] is None  # clicks were not measured


def test_html_report_has_both_charts_and_their_data(project: str) -> None:
    page = _accord("campaign", "report", "hillstrom-2008", "--project", project,
                   "--format", "html")
    assert "vegaEmbed" in page and "Outcome funnel" in page and "Lift against control" in page
    assert "<caption>Lift against control (95% intervals)</caption>" in page
    assert "Womens E-Mail" in page and "+4.52 pp" in page
