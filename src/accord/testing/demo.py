"""A generated and built demo project, for tests of the pipeline, the server and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from accord.clock import FixedClock
from accord.demo import DemoReport, DemoSpec, generate_demo
from accord.pipeline import BuildReport, build
from accord.progress import SilentProgress

__all__ = ["AS_OF", "BuiltDemo", "built_demo"]

#: The history end and build day of test demos (fixed, so tests do not depend on today).
AS_OF = dt.date(2025, 6, 30)


@dataclass(frozen=True, slots=True)
class BuiltDemo:
    """A demo project after a build: where it is, what was generated, what was built."""

    directory: Path
    generated: DemoReport
    built: BuildReport


def built_demo(directory: Path, *, customers: int = 2_000, seed: int = 7) -> BuiltDemo:
    """Generate ``customers`` people into ``directory`` and build them as of :data:`AS_OF`."""
    generated = generate_demo(directory, DemoSpec(customers=customers, seed=seed, as_of=AS_OF))
    clock = FixedClock(dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6)))
    built = build(directory, as_of=AS_OF, clock=clock, progress=SilentProgress())
    return BuiltDemo(directory=directory, generated=generated, built=built)
