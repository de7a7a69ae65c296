"""Connectors: sources read as Arrow batches into the analytical store's raw tables.

``run_ingest`` loads what is new in each configured source (files not loaded before, rows
past a database cursor); connectors are chosen by the source's ``type:`` from
:data:`CONNECTORS`.
"""

from accord.connectors.base import (
    CONNECTORS,
    Connector,
    IngestError,
    Pending,
    RawBatch,
    RowError,
    SourceState,
    connector_for,
    register_connector,
)
from accord.connectors.ingest import run_ingest
from accord.connectors.report import IngestReport, SourceReport

__all__ = ["CONNECTORS", "Connector", "IngestError", "IngestReport", "Pending", "RawBatch",
           "RowError", "SourceReport", "SourceState", "connector_for", "register_connector",
           "run_ingest"]
