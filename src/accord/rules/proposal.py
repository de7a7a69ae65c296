"""The simulation report stored with a proposal: what a version would do to the whole base
against the active version, run when it is submitted and shown to whoever approves it.

The simulation itself is a :data:`Simulator` handed to
:class:`~accord.rules.governance.Governance`, so governance knows nothing of where a
project's profiles are (see :mod:`accord.rules.simulation_store` for a project's). When no
simulation can be run (no built analytical store, no active version to compare with, a
table SQL cannot express), the reason is stored instead of a report.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from accord.decisioning.ruleset import RuleSet
from accord.operational.schema import simulation_reports

#: Runs the whole-base simulation of ``new`` against ``old`` at a time: the report as JSON
#: (``{"customers": n, "views": [{"channel", "placement", **SimulationReport.to_json()}]}``).
#: Raises :class:`accord.errors.AccordError` when none can be run, saying why.
Simulator = Callable[[RuleSet, RuleSet, dt.datetime], dict[str, Any]]


class SimulationStatus(enum.StrEnum):
    RAN = "ran"
    NOT_RUN = "not_run"


@dataclass(frozen=True, slots=True)
class StoredSimulation:
    """A simulation of ``version`` against ``against`` (the active version then).

    Attributes:
        version: the proposed version.
        against: the version in force when it ran (None: there was none).
        at: when it ran.
        status: whether it ran.
        message: why it did not run, or a one-line summary.
        report: the report (see :data:`Simulator`), when it ran.
    """

    version: str
    against: str | None
    at: dt.datetime
    status: SimulationStatus
    message: str
    report: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, as the API serves it."""
        return {"version": self.version, "against": self.against,
                "at": self.at.isoformat(), "status": self.status.value,
                "message": self.message, "summary": self.summary(), "report": self.report}

    def moves(self) -> list[tuple[str, str, str | None, str | None, int]]:
        """(channel, placement, from, to, customers) for every treatment change, biggest
        first."""
        found = [(view["channel"], view["placement"], t["from"], t["to"], t["customers"])
                 for view in (self.report or {}).get("views", [])
                 for t in view["transitions"] if t["from"] != t["to"]]
        return sorted(found, key=lambda m: (-m[4], m[0], m[1], m[2] or "", m[3] or ""))

    def summary(self) -> list[str]:
        """What an approver reads: who moves from which treatment to which, and the change in
        expected value, per channel and placement (or why there is no report)."""
        if self.status is not SimulationStatus.RAN or self.report is None:
            return [f"no simulation: {self.message}"]
        lines = [f"{self.version} against {self.against} over "
                 f"{self.report['customers']:,} customers ({self.at.isoformat()})"]
        for channel, placement, old, new, count in self.moves():
            lines.append(f"{channel} / {placement}: {count:,} customers move from "
                         f"{old or '(nothing)'} to {new or '(nothing)'}")
        for view in self.report["views"]:
            change = Decimal(view["expected_change"])
            if change:
                lines.append(f"{view['channel']} / {view['placement']}: expected value "
                             f"{view['expected_before']} -> {view['expected_after']} "
                             f"({change:+})")
        if len(lines) == 1:
            lines.append("no customer's treatment changes")
        return lines


def store(connection: sa.Connection, simulation: StoredSimulation) -> None:
    """Append a simulation, inside the caller's transaction (kept with the proposal)."""
    connection.execute(simulation_reports.insert().values(
        version=simulation.version, against=simulation.against, at=simulation.at,
        status=simulation.status.value, message=simulation.message,
        report=simulation.report))


def latest(engine: sa.Engine, version: str) -> StoredSimulation | None:
    """The newest simulation stored for ``version``, if any."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(simulation_reports).where(simulation_reports.c.version == version)
            .order_by(simulation_reports.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=dt.UTC)
    return StoredSimulation(row.version, row.against, at, SimulationStatus(row.status),
                            row.message, row.report)
