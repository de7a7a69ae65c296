"""The identity benchmark runs end to end on a small size and prints its JSON (no timings
asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "identity.py"
KEYS = {"records", "identity_s", "identity_cpu_s", "precision", "recall", "peak_rss_mb",
        "rebuild_s", "rebuild_merges", "phases_s"}


def test_identity_bench_small() -> None:
    command = [sys.executable, str(BENCH), "--records", "6000", "--seed", "3"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["records"] == 6000
    assert figures["precision"] == 1.0
    assert figures["recall"] >= 0.95
    assert figures["rebuild_merges"] == 0 and figures["rebuild_new_ids"] == 0
