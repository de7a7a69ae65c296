"""Progress reporting for long steps, decoupled from how it is shown (Rich in the CLI)."""

from __future__ import annotations

from typing import Protocol


class Task(Protocol):
    """One unit of work being reported on."""

    def advance(self, amount: int = 1) -> None:
        """Record ``amount`` more done (rows, files, records)."""

    def done(self) -> None:
        """The task finished."""


class Progress(Protocol):
    """Creates tasks; the CLI shows them with rows per second."""

    def task(self, description: str, total: int | None = None) -> Task:
        """Start a task of ``total`` units (None when unknown)."""


class _Silent:
    def advance(self, amount: int = 1) -> None:
        pass

    def done(self) -> None:
        pass


class SilentProgress:
    """Reports nothing (library use and tests)."""

    def task(self, description: str, total: int | None = None) -> Task:
        return _Silent()
