"""Preflight: the forecast against capacity, per resource green, amber or red, with the
peak, its time and the resource; a red blocks the launch unless that resource's owner
overrides it, and the override is recorded.

A resource is red when its P90 load passes capacity in some slot (by more than
:data:`~accord.capacity.grid.TOLERANCE`), amber when it passes ``amber_share`` of capacity,
green otherwise. Closed slots (infinite capacity) are not judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from accord.capacity.forecast import Forecast
from accord.capacity.grid import TOLERANCE, CapacityError, utc
from accord.capacity.resources import Registry
from accord.errors import AccordError


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


_ORDER = {Status.GREEN: 0, Status.AMBER: 1, Status.RED: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One resource's verdict: its worst slot (highest P90 share of capacity)."""

    resource: str
    owner: str
    status: Status
    at: dt.datetime
    p90: float
    mean: float
    capacity: float

    @property
    def share(self) -> float:
        return self.p90 / self.capacity if self.capacity > 0 else float("inf")

    def describe(self) -> str:
        return (f"{self.resource}: {self.status} (P90 {self.p90:,.0f} against capacity "
                f"{self.capacity:,.0f} at {self.at:%Y-%m-%d %H:%M} UTC; owner {self.owner})")


@dataclass(frozen=True, slots=True)
class Preflight:
    """The verdict on a campaign: one finding per resource, worst first."""

    campaign: str
    findings: tuple[Finding, ...]

    @property
    def status(self) -> Status:
        return max((f.status for f in self.findings), key=_ORDER.__getitem__,
                   default=Status.GREEN)

    def red(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.RED]


def preflight(campaign: str, forecast: Forecast, registry: Registry) -> Preflight:
    """Judge the forecast (every scheduled campaign, this one included) against capacity."""
    findings = []
    for row, name in enumerate(forecast.resources):
        resource = registry.get(name)
        p90, capacity = forecast.p90[row], forecast.capacity[row]
        judged = np.isfinite(capacity)
        if not judged.any():
            continue
        share = np.where(judged, (p90 - TOLERANCE) / np.maximum(capacity, 1e-9), -np.inf)
        slot = int(np.argmax(share))
        over = p90[slot] > capacity[slot] + TOLERANCE
        status = Status.RED if over else (
            Status.AMBER if p90[slot] > resource.amber_share * capacity[slot] else Status.GREEN)
        findings.append(Finding(name, resource.owner, status, forecast.grid.at(slot),
                                float(p90[slot]), float(forecast.mean[row, slot]),
                                float(capacity[slot])))
    findings.sort(key=lambda f: (-_ORDER[f.status], -f.share))
    return Preflight(campaign, tuple(findings))


class LaunchBlocked(AccordError):
    """A red preflight without an override by the owner of each red resource."""


@dataclass(frozen=True, slots=True)
class Override:
    """A resource owner's decision to launch despite a red preflight."""

    campaign: str
    resource: str
    by: str
    reason: str
    at: dt.datetime


def override(result: Preflight, resource: str, by: str, reason: str,
             at: dt.datetime) -> Override:
    """An override of a red resource by its owner (anyone else is refused).

    Raises:
        CapacityError: the resource is not red, the user is not its owner, or no reason.
    """
    finding = next((f for f in result.findings if f.resource == resource), None)
    if finding is None or finding.status is not Status.RED:
        raise CapacityError(f"resource {resource!r} is not red for campaign "
                            f"{result.campaign!r}: nothing to override")
    if by != finding.owner:
        raise CapacityError(f"only {finding.owner} (owner of {resource!r}) may override its "
                            f"red preflight, not {by}")
    if not reason.strip():
        raise CapacityError("an override needs a reason")
    return Override(result.campaign, resource, by, reason, utc(at))


def check_launch(result: Preflight, overrides: Iterable[Override]) -> None:
    """Allow the launch, or raise :class:`LaunchBlocked` naming each red resource that no
    owner's override covers."""
    covered = {(o.campaign, o.resource) for o in overrides}
    blocking = [f for f in result.red() if (result.campaign, f.resource) not in covered]
    if blocking:
        raise LaunchBlocked(f"campaign {result.campaign!r} is blocked by a red preflight: "
                            + "; ".join(f.describe() for f in blocking)
                            + " (the resource's owner may override)")
