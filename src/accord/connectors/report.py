"""What ``accord ingest`` did, per source: frozen values the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass

from accord.connectors.base import RowError

#: How many row errors a report keeps per source (all of them are in the ``rejects`` table).
MAX_SHOWN_ERRORS = 20


@dataclass(frozen=True, slots=True)
class SourceReport:
    """One source's ingest.

    Attributes:
        source: the source's name.
        entity: the entity it feeds.
        batches: batches loaded (files, or database chunks).
        rows: rows loaded.
        rejected: rows skipped into the ``rejects`` table.
        seconds: time taken (by the clock passed in).
        files: what each batch was (file paths, or the table).
        errors: the first row errors, for display.
    """

    source: str
    entity: str
    batches: int = 0
    rows: int = 0
    rejected: int = 0
    seconds: float = 0.0
    files: tuple[str, ...] = ()
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The whole run.

    Attributes:
        sources: one report per source ingested, in configuration order.
        seconds: time taken (by the clock passed in).
    """

    sources: tuple[SourceReport, ...]
    seconds: float = 0.0

    @property
    def batches(self) -> int:
        """Batches loaded, over all sources."""
        return sum(source.batches for source in self.sources)

    @property
    def rows(self) -> int:
        """Rows loaded, over all sources."""
        return sum(source.rows for source in self.sources)

    @property
    def rejected(self) -> int:
        """Rows rejected, over all sources."""
        return sum(source.rejected for source in self.sources)
