"""The profile-build benchmark end to end on a tiny retailer (no speed assertions): its
hand-written SQL and pandas versions must compute what Accord's build computes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "profile_build.py"
KEYS = {"customers", "profile_build_s", "handwritten_sql_s", "identity_s", "peak_rss_mb"}


def test_tiny_run_reports_every_figure_and_the_versions_agree(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH), "--customers", "400", "--dir", str(tmp_path)]
    with_pandas = importlib.util.find_spec("pandas") is not None
    if not with_pandas:
        command += ["--skip", "pandas"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["customers"] == 400
    assert figures["segments"] == 20
    assert figures["profile_columns"] == 28
    assert figures["handwritten_mismatches"] == {}
    assert figures["handwritten_customers"] == figures["profiles"]
    if with_pandas:
        assert figures["pandas_customers"] == figures["profiles"]
    assert figures["peak_rss_mb"] > 0
