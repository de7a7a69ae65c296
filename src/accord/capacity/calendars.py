"""The shared calendar: campaigns, maintenance windows, staffing changes and launches, the
conflicts between them, and an iCalendar feed per department that Outlook or Google Calendar
can subscribe to.

Conflicts are of two kinds: two campaigns on the same channel whose send periods overlap and
whose audiences do (same segment, or either sent to everyone, unless an ``overlap`` callable
that counts shared members says otherwise), and a resource whose P90 load passes capacity
(one conflict per run of consecutive slots over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import icalendar
import numpy as np

from accord.capacity.forecast import Forecast
from accord.capacity.grid import SLOT, TOLERANCE, CapacityError, utc
from accord.capacity.plans import CampaignPlan
from accord.capacity.resources import ContactCentre, Registry

DEPARTMENTS = ("marketing", "sales", "service", "it")


class Kind(StrEnum):
    CAMPAIGN = "campaign"
    MAINTENANCE = "maintenance"
    STAFFING = "staffing"
    LAUNCH = "launch"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Entry:
    """One calendar entry, seen by the departments named."""

    uid: str
    kind: Kind
    title: str
    start: dt.datetime
    end: dt.datetime
    departments: frozenset[str]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Launch:
    """A product or site launch someone wants the others to know about."""

    id: str
    title: str
    at: dt.datetime
    departments: frozenset[str] = field(default_factory=lambda: frozenset(DEPARTMENTS))
    hours: float = 1.0


def send_period(plan: CampaignPlan) -> tuple[dt.datetime, dt.datetime]:
    """From the first send to the end of the last batch's slot (the start's slot when the
    plan has no batches yet)."""
    if not plan.batches:
        return utc(plan.start), utc(plan.start) + SLOT
    times = [utc(b.at) for b in plan.batches if b.size > 0] or [utc(plan.start)]
    return min(times), max(times) + SLOT


def campaign_entry(plan: CampaignPlan) -> Entry:
    """A campaign's send period, for every department (each is affected)."""
    start, end = send_period(plan)
    audience = f"{plan.audience:,}" if plan.audience is not None else f"segment {plan.segment}"
    return Entry(f"campaign-{plan.id}@accord", Kind.CAMPAIGN,
                 f"Campaign {plan.name or plan.id} ({plan.channel})", start, end,
                 frozenset(DEPARTMENTS),
                 f"{plan.channel} campaign {plan.id} to {audience}; owner {plan.owner}")


def resource_entries(registry: Registry) -> list[Entry]:
    """Maintenance windows (the resource's department and marketing) and staffing changes
    (service and marketing)."""
    out = []
    for resource in registry:
        for index, window in enumerate(resource.maintenance):
            out.append(Entry(
                f"maintenance-{resource.name}-{index}@accord", Kind.MAINTENANCE,
                f"Maintenance: {resource.name}", utc(window.start), utc(window.end),
                frozenset({resource.department, "marketing"}),
                f"{resource.name} at {window.capacity_share:.0%} of capacity. {window.note}"))
        if isinstance(resource, ContactCentre):
            for index, change in enumerate(resource.staffing):
                out.append(Entry(
                    f"staffing-{resource.name}-{index}@accord", Kind.STAFFING,
                    f"Staffing: {resource.name} {change.agents} agents", utc(change.start),
                    utc(change.end), frozenset({"service", "marketing"}), change.note))
    return out


def launch_entry(launch: Launch) -> Entry:
    at = utc(launch.at)
    return Entry(f"launch-{launch.id}@accord", Kind.LAUNCH, f"Launch: {launch.title}", at,
                 at + dt.timedelta(hours=launch.hours), launch.departments)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Something on the calendar that clashes: what, when, and who must look at it."""

    kind: str  # "audience" or "capacity"
    start: dt.datetime
    end: dt.datetime
    subjects: tuple[str, ...]
    detail: str
    departments: frozenset[str]

    def entry(self) -> Entry:
        return Entry(f"conflict-{self.kind}-{'-'.join(self.subjects)}-"
                     f"{self.start:%Y%m%dT%H%M}@accord", Kind.CONFLICT,
                     f"Conflict: {self.detail}", self.start, self.end, self.departments,
                     self.detail)


Overlap = Callable[[CampaignPlan, CampaignPlan], int]


def _default_overlap(a: CampaignPlan, b: CampaignPlan) -> int:
    # without member lists: the same segment overlaps fully, "everyone" overlaps everybody
    if a.segment is None or b.segment is None or a.segment == b.segment:
        return min(a.audience or 1, b.audience or 1)
    return 0


def audience_conflicts(plans: Sequence[CampaignPlan],
                       overlap: Overlap = _default_overlap) -> list[Conflict]:
    """Campaigns on the same channel with overlapping send periods and audiences."""
    out = []
    for i, a in enumerate(plans):
        for b in plans[i + 1:]:
            if a.channel != b.channel:
                continue
            (a_start, a_end), (b_start, b_end) = send_period(a), send_period(b)
            if a_start >= b_end or b_start >= a_end:
                continue
            shared = overlap(a, b)
            if shared > 0:
                out.append(Conflict(
                    "audience", max(a_start, b_start), min(a_end, b_end), (a.id, b.id),
                    f"{a.id} and {b.id} reach {shared:,} of the same people on {a.channel}",
                    frozenset({"marketing", "sales"})))
    return out


def capacity_conflicts(forecast: Forecast, registry: Registry) -> list[Conflict]:
    """One conflict per run of consecutive slots where a resource's P90 passes capacity."""
    out = []
    for row, name in enumerate(forecast.resources):
        resource = registry.get(name)
        over = forecast.p90[row] > forecast.capacity[row] + TOLERANCE
        edges = np.flatnonzero(np.diff(np.concatenate(([0], over.astype(np.int8), [0]))))
        for first, stop in zip(edges[::2], edges[1::2], strict=True):
            peak = float(forecast.p90[row, first:stop].max())
            out.append(Conflict(
                "capacity", forecast.grid.at(int(first)), forecast.grid.at(int(stop)), (name,),
                f"{name} over capacity (P90 peak {peak:,.0f}, capacity "
                f"{forecast.capacity[row, first:stop].min():,.0f})",
                frozenset({resource.department, "marketing"})))
    return out


def feed(entries: Iterable[Entry], department: str, *, stamp: dt.datetime) -> bytes:
    """The iCalendar (RFC 5545) feed of one department's entries.

    Raises:
        CapacityError: an unknown department.
    """
    if department not in DEPARTMENTS:
        raise CapacityError(f"unknown department {department!r} "
                            f"(departments: {', '.join(DEPARTMENTS)})")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Accord//capacity calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Accord: {department}")
    for entry in sorted(entries, key=lambda e: (e.start, e.uid)):
        if department not in entry.departments:
            continue
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", utc(stamp))
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
        event.add("summary", entry.title)
        event.add("description", entry.description)
        event.add("categories", [entry.kind.value])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
