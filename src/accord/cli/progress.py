"""Progress bars for long steps: :class:`accord.progress.Progress` shown with Rich.

Each task is a line with its description, a bar (a pulse when the total is unknown), the
count done and the rate (``rows/s``). Use it as a context manager around the step::

    with RichProgress(err_console) as progress:
        report = run_ingest(..., progress=progress)
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as _RichProgress
from rich.progress import Task as _RichTask
from rich.text import Text

from accord.progress import Task


class CountColumn(ProgressColumn):
    """``12,345 rows`` (or ``12,345/20,000 rows`` when the total is known)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: _RichTask) -> Text:
        done = f"{int(task.completed):,}"
        if task.total is not None:
            done += f"/{int(task.total):,}"
        return Text(f"{done} {self.unit}", style="progress.download")


class RateColumn(ProgressColumn):
    """``250,000 rows/s``: the recent rate (the average once a task is finished)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: _RichTask) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.elapsed:
            speed = task.completed / task.elapsed
        shown = f"{speed:,.0f}" if speed is not None else "-"
        return Text(f"{shown} {self.unit}/s", style="progress.data.speed")


class _RichTaskHandle:
    def __init__(self, progress: _RichProgress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)

    def done(self) -> None:
        task = self._progress.tasks[self._task]
        if task.total is None:  # an unknown total ends as a full bar
            self._progress.update(self._task, total=task.completed)
        self._progress.stop_task(self._task)


class RichProgress:
    """:class:`accord.progress.Progress` on a Rich console, with rows per second.

    Args:
        console: where to draw (stderr, so that stdout stays for results).
        unit: what the counts count.
    """

    def __init__(self, console: Console | None = None, *, unit: str = "rows") -> None:
        self._progress = _RichProgress(
            SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
            BarColumn(), CountColumn(unit), RateColumn(unit), TimeElapsedColumn(),
            console=console)

    def task(self, description: str, total: int | None = None) -> Task:
        return _RichTaskHandle(self._progress, self._progress.add_task(description,
                                                                       total=total))

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._progress.stop()
