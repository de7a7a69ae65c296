"""Fixtures shared by the campaign tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accord.store import open_store
from accord.store.base import AnalyticalStore


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    """An empty in-memory analytical store (DuckDB)."""
    opened = open_store("duckdb")
    yield opened
    opened.close()
