"""The shared FEEL spec cases (tests/spec/feel_cases.csv) through the Python path."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accord.feel import evaluate
from accord.feel.semantics import feel_equal
from accord.feel.values import from_python

CASES = Path(__file__).resolve().parents[1] / "spec" / "feel_cases.csv"


def _rows() -> list[dict[str, str]]:
    with CASES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if type(actual) is not type(expected):
        return False
    return feel_equal(actual, expected) is True


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["note"])
def test_feel_case(row: dict[str, str]) -> None:
    context = from_python(json.loads(row["context"], parse_float=Decimal))
    expected = evaluate(row["expected"])
    actual = evaluate(row["expression"], context)
    assert _same(actual, expected), f"{row['expression']!r} gave {actual!r}, want {expected!r}"


def test_cases_file_is_not_trivial() -> None:
    # Guard against a broken CSV silently shrinking the suite.
    assert len(_rows()) >= 60


def test_evaluate_takes_plain_python_values() -> None:
    assert evaluate("a > 1000 and b = 0.5", {"a": 1500, "b": 0.5}) is True
