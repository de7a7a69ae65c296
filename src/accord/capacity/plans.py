"""Planned campaigns, the input of forecasts, preflights and throttling.

:class:`CampaignPlan` is deliberately small so the campaigns package (or a YAML file, or a
test) can feed it: an id, a channel, an audience size (or a segment whose size a callable
resolves), when sending may start, the send windows and quiet hours in the plan's timezone,
an owner, and optionally the batches already scheduled. A plan without batches is forecast
as it would go without throttling: the whole audience in the first slot it may send in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accord.capacity.grid import CapacityError, Grid, local_clock, utc


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SendWindow(_Spec):
    """Local times on given weekdays (0 = Monday) when sending is allowed; ``end`` before
    ``start`` wraps past midnight."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start: dt.time
    end: dt.time

    @field_validator("days")
    @classmethod
    def _days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not days or any(d < 0 or d > 6 for d in days):
            raise ValueError("days are weekday numbers 0 (Monday) to 6 (Sunday)")
        return days


class Batch(_Spec):
    """``size`` messages sent in the 15-minute slot starting at ``at``."""

    at: dt.datetime
    size: int = Field(ge=0)


class CampaignPlan(_Spec):
    """A campaign as capacity planning sees it."""

    id: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    start: dt.datetime
    audience: int | None = Field(None, ge=0)
    segment: str | None = None
    name: str = ""
    timezone: str = "UTC"
    windows: tuple[SendWindow, ...] = ()
    quiet_hours: tuple[dt.time, dt.time] | None = None
    deadline: dt.datetime | None = None
    batches: tuple[Batch, ...] = ()

    @model_validator(mode="after")
    def _valid(self) -> CampaignPlan:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        if self.audience is None and self.segment is None:
            raise ValueError("give an audience size or a segment to size it from")
        if self.deadline is not None and utc(self.deadline) <= utc(self.start):
            raise ValueError("deadline must be after start")
        return self

    @property
    def size(self) -> int:
        """The audience size (resolve a segment's first: :func:`resolve_audience`)."""
        if self.audience is None:
            raise CapacityError(f"campaign {self.id!r}: the size of segment "
                                f"{self.segment!r} has not been resolved")
        return self.audience

    def scheduled(self) -> int:
        return sum(batch.size for batch in self.batches)


def resolve_audience(plan: CampaignPlan, sizes: Callable[[str], int]) -> CampaignPlan:
    """The plan with its audience sized from its segment (unchanged when already sized)."""
    if plan.audience is not None:
        return plan
    assert plan.segment is not None  # the validator requires one of the two
    return plan.model_copy(update={"audience": int(sizes(plan.segment))})


def _in_range(minutes: npt.NDArray[np.int64], start: dt.time,
              end: dt.time) -> npt.NDArray[np.bool_]:
    low, high = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if low <= high:
        return np.asarray((minutes >= low) & (minutes < high))
    return np.asarray((minutes >= low) | (minutes < high))  # wraps past midnight


def allowed(plan: CampaignPlan, grid: Grid) -> npt.NDArray[np.bool_]:
    """True for the slots the plan may send in: from its start, before its deadline, in a
    send window and outside quiet hours (local time of the plan)."""
    out = grid.mask(plan.start, plan.deadline or grid.end)
    if not plan.windows and plan.quiet_hours is None:
        return out
    minutes, weekdays = local_clock(grid, plan.timezone)
    if plan.windows:
        inside = np.zeros(grid.slots, dtype=bool)
        for window in plan.windows:
            inside |= np.isin(weekdays, window.days) & _in_range(minutes, window.start,
                                                                  window.end)
        out &= inside
    if plan.quiet_hours is not None:
        out &= ~_in_range(minutes, *plan.quiet_hours)
    return out


def schedule(plan: CampaignPlan, grid: Grid) -> npt.NDArray[np.float64]:
    """Sends per slot: the plan's batches, or (none given) the whole audience in the first
    allowed slot. Batches outside the grid are left out."""
    out = np.zeros(grid.slots)
    if plan.batches:
        for batch in plan.batches:
            slot = grid.index(batch.at)
            if 0 <= slot < grid.slots:
                out[slot] += batch.size
        return out
    slots = np.flatnonzero(allowed(plan, grid))
    if len(slots) == 0:
        raise CapacityError(f"campaign {plan.id!r} has no slot it may send in between "
                            f"{grid.start:%Y-%m-%d %H:%M} and {grid.end:%Y-%m-%d %H:%M} UTC")
    out[slots[0]] = plan.size
    return out


def planning_grid(plans: Sequence[CampaignPlan], days: int,
                  now: dt.datetime | None = None) -> Grid:
    """The slots from the first plan's start to ``days`` after the last one's (from ``now``,
    or the current time, when there are no plans)."""
    starts = [utc(p.start) for p in plans] or [utc(now or dt.datetime.now(dt.UTC))]
    return Grid.between(min(starts), max(starts) + dt.timedelta(days=days))
