"""A small hub in a real in-memory DuckDB store (see accord.testing.hub)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from accord.clock import FixedClock
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import small_hub


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    small_hub(opened)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2024, 2, 10, 9, 0))
