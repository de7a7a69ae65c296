"""``accord build``: ingest, identity, profiles, segments, feedback, timeline, online, in
that order.

Each step is its package's ``run_*`` function (``docs/hub-design.md``); this module only
opens the stores, wires the steps and times them. The analytical store is opened read-write
for the whole build (DuckDB has one writer per file) and closed at the end, so a server
started afterwards can open it read-only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from accord.campaigns.timeline import TimelineReport, build_timeline
from accord.clock import Clock
from accord.connectors.ingest import run_ingest
from accord.connectors.report import IngestReport
from accord.identity.resolve import IdentityReport, run_identity
from accord.online import OnlineReport, open_online, run_online
from accord.permissions import private_dir, private_tree
from accord.profiles.build import ProfilesReport, run_profiles
from accord.progress import Progress
from accord.project import load_project
from accord.project.template import state_dir, store_path
from accord.segments.build import SegmentsReport, run_segments
from accord.store import open_store
from accord.store.base import AnalyticalStore

__all__ = ["ONLINE_FILE", "STEPS", "BuildReport", "build", "online_path"]

#: The online store's file inside the state folder.
ONLINE_FILE = "online.sqlite"
#: The steps of a build, in order (keys of :attr:`BuildReport.seconds`); ``feedback`` runs
#: only in a project with a trained feedback model.
STEPS = ("ingest", "identity", "profiles", "segments", "feedback", "timeline", "online")

_T = TypeVar("_T")


def online_path(project_dir: Path) -> Path:
    """A project's online store (SQLite)."""
    return state_dir(project_dir) / ONLINE_FILE


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What each step of a build did, and how long it took (wall-clock seconds)."""

    project_dir: Path
    ingest: IngestReport
    identity: IdentityReport
    profiles: ProfilesReport
    segments: SegmentsReport
    online: OnlineReport
    seconds: dict[str, float] = field(default_factory=dict)
    #: what the feedback step classified (None: the project has no feedback model)
    feedback: Any = None
    #: the event timeline funnels read (None: the hub has no events)
    timeline: TimelineReport | None = None

    @property
    def total_seconds(self) -> float:
        """The whole build."""
        return sum(self.seconds.values())


def build(project_dir: Path | str, *, as_of: dt.date | None = None, clock: Clock,
          progress: Progress) -> BuildReport:
    """Build everything for the project in ``project_dir``.

    Args:
        project_dir: the project's directory (``accord.yaml`` and, in ``.accord/``, the
            stores, created when missing).
        as_of: profiles see records dated up to this day (today by ``clock`` when None).
        clock: the build's notion of now (load times, build times, the default as-of).
        progress: reports each step.

    Returns:
        The step reports and their durations.

    Raises:
        ConfigError: an invalid or missing ``accord.yaml``, or a step that cannot run.
    """
    root = Path(project_dir)
    project = load_project(root)
    seconds: dict[str, float] = {}

    def timed(step: str, run: Callable[[], _T]) -> _T:
        # Durations come from the monotonic timer: they measure the run, not business time.
        started = time.perf_counter()
        result = run()
        seconds[step] = time.perf_counter() - started
        return result

    # the state folder holds personal data: owner-only, including what an earlier version
    # created readable by all (new files get their mode where they are created)
    private_dir(state_dir(root))
    private_tree(state_dir(root))
    store = open_store("duckdb", store_path(root))
    try:
        ingested = timed("ingest", lambda: run_ingest(project, root, store, clock=clock,
                                                      progress=progress))
        identity = timed("identity", lambda: run_identity(project, store, clock=clock,
                                                          progress=progress))
        profiles = timed("profiles", lambda: run_profiles(project, store, as_of=as_of,
                                                          clock=clock, progress=progress))
        segments = timed("segments", lambda: run_segments(project, store, clock=clock,
                                                          progress=progress))
        feedback = _feedback(root, store, clock, as_of, timed)
        # identities may have moved events to other customers: the timeline is rebuilt whole
        timeline = timed("timeline", lambda: build_timeline(store))
        writer = open_online("sqlite", online_path(root),
                             default_region=project.identity.default_region)
        try:
            online = timed("online", lambda: run_online(project, store, writer,
                                                        progress=progress))
        finally:
            writer.close()
    finally:
        store.close()
    return BuildReport(project_dir=root, ingest=ingested, identity=identity,
                       profiles=profiles, segments=segments, online=online, seconds=seconds,
                       feedback=feedback, timeline=timeline)


def _feedback(root: Path, store: AnalyticalStore, clock: Clock, as_of: dt.date | None,
              timed: Callable[[str, Callable[[], Any]], Any]) -> Any:
    """Classify the project's feedback texts when it has a trained model (the model needs
    the feedback extra; a project without one builds without it)."""
    from accord.feedback.project import FeedbackPaths, classify_in_build

    if not FeedbackPaths.of_project(root).trained:
        return None  # no step, no timing

    at = (dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
          if as_of is not None else None)
    return timed("feedback", lambda: classify_in_build(root, store, clock, at))
