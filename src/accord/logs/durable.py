"""An append-only NDJSON log with one segment file per writing process.

``append(..., durable=True)`` returns only once the lines are on disk (``fsync``): the events
API acknowledges a batch after that. Decisions are appended with ``durable=False`` and a
background flush makes them durable within ``flush_interval``: an fsync per decision would
cap the decision rate at the disk's fsync rate.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable
from pathlib import Path


class DurableLog:
    """Segments ``<stream>-<pid>-<start>.ndjson`` in ``folder``; thread-safe."""

    def __init__(self, folder: Path, stream: str, *, flush_interval: float = 0.05) -> None:
        self.folder = folder
        self.stream = stream
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        self.path = folder / f"{stream}-{os.getpid()}-{stamp}.ndjson"
        self._file = open(self.path, "ab")  # noqa: SIM115 - lives as long as the log
        self._lock = threading.Lock()
        self._dirty = False
        self._closed = threading.Event()
        self._interval = flush_interval
        self._flusher = threading.Thread(target=self._flush_loop, daemon=True,
                                         name=f"{stream}-log-flush")
        self._flusher.start()

    def append(self, lines: Iterable[bytes], *, durable: bool = True) -> int:
        """Append lines (each without its newline); return how many were written."""
        payload = b"".join(line + b"\n" for line in lines)
        if not payload:
            return 0
        with self._lock:
            self._file.write(payload)
            if durable:
                self._file.flush()
                os.fsync(self._file.fileno())
            else:
                self._dirty = True
        return payload.count(b"\n")

    def flush(self) -> None:
        """Make everything appended so far durable."""
        with self._lock:
            if self._dirty and not self._file.closed:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._dirty = False

    def _flush_loop(self) -> None:
        while not self._closed.wait(self._interval):
            self.flush()

    def close(self) -> None:
        self._closed.set()
        self.flush()
        with self._lock:
            self._file.close()
