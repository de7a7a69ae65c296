"""Durable append-only logs of decisions and events, and their loader into the analytical
store (DuckDB has one writer per file, so the server never writes to it)."""

from accord.logs.durable import DurableLog
from accord.logs.loader import LoadReport, load_logs

__all__ = ["DurableLog", "LoadReport", "load_logs"]
