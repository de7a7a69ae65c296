"""An append-only NDJSON log with one segment file per writing process.

``append`` returns only once its lines are on disk (``fdatasync``): the API acknowledges a
decision, an outcome or an event batch after that, so a ``kill -9`` (or a power cut) loses
nothing acknowledged. One fsync per append would cap a worker at the disk's fsync rate, so
appends **group commit**: an appender writes its lines, then waits for a sync that covers
them. If no sync is running it becomes the leader and syncs everything written so far;
appenders that wrote meanwhile wait for it, and those that wrote during it for the next one,
led by the first of them. Under load one fsync releases every request that arrived while
the previous one ran.

Segments and their folder are owner-only (``0600``, ``0700``): decisions and events hold
personal data.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from accord.permissions import PRIVATE_FILE, private_dir

_sync = getattr(os, "fdatasync", os.fsync)  # the data and the size, not the times


class DurableLog:
    """Segments ``<stream>-<pid>-<start>.ndjson`` in ``folder``; thread-safe."""

    def __init__(self, folder: Path, stream: str) -> None:
        self.folder = folder
        self.stream = stream
        private_dir(folder)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        self.path = folder / f"{stream}-{os.getpid()}-{stamp}.ndjson"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                           PRIVATE_FILE)
        # the segment's name must survive a power cut too, not just its bytes
        _sync_folder(folder)
        self._lock = threading.Lock()
        self._synced_cond = threading.Condition(self._lock)
        self._written = 0  # appends written to the file, numbered from 1
        self._synced = 0  # appends known to be on disk
        self._syncing = False
        self._closed = False
        #: fsyncs run so far (fewer than appends when they were grouped)
        self.syncs = 0

    def append(self, lines: Iterable[bytes], *, durable: bool = True) -> int:
        """Append lines (each without its newline); return how many were written.

        Returns once they are on disk, unless ``durable`` is False (a batch job that closes
        the log when done: :meth:`close` syncs).
        """
        payload = b"".join(line + b"\n" for line in lines)
        if not payload:
            return 0
        with self._lock:
            if self._closed:
                raise ValueError(f"append to the closed log {self.path.name}")
            _write_all(self._fd, payload)
            self._written += 1
            ticket = self._written
            if durable:
                self._wait_synced(ticket)
        return payload.count(b"\n")

    def _wait_synced(self, ticket: int) -> None:
        """Block (holding ``_lock`` on entry and exit) until append ``ticket`` is on disk."""
        while self._synced < ticket:
            if self._syncing:  # a leader is syncing; ours may have come after it began
                self._synced_cond.wait()
                continue
            # lead: sync everything written so far, without the lock, so that others keep
            # writing (they are covered by the next sync)
            self._syncing = True
            target = self._written
            self._lock.release()
            try:
                _sync(self._fd)
                self.syncs += 1
            finally:
                self._lock.acquire()
                self._syncing = False
                self._synced_cond.notify_all()
            self._synced = max(self._synced, target)

    def flush(self) -> None:
        """Make everything appended so far durable."""
        with self._lock:
            if not self._closed:
                self._wait_synced(self._written)

    def close(self) -> None:
        """Sync and close the segment (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._wait_synced(self._written)
            self._closed = True
            os.close(self._fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
