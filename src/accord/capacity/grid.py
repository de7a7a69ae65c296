"""The 15-minute time grid every forecast, capacity and plan is laid on.

Slot ``i`` of a grid covers ``[start + 15 min * i, start + 15 min * (i + 1))``; every time is
timezone-aware UTC (local rules such as quiet hours convert through the plan's timezone).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.errors import ConfigError

#: The grid's resolution.
SLOT = dt.timedelta(minutes=15)
#: Slots per hour and per day.
PER_HOUR = 4
PER_DAY = 96
#: Load by which a P90 may pass capacity and still count as within it: half a unit (a
#: request, call or order), so the far tail of a response curve, a fraction of a unit, does
#: not count as an overload of a resource that is down.
TOLERANCE = 0.5


class CapacityError(ConfigError):
    """A capacity registry, response model or plan that cannot be used; the message names the
    file, resource, campaign or field at fault."""


def utc(at: dt.datetime) -> dt.datetime:
    """``at`` as aware UTC (a naive time is taken to be UTC already)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Grid:
    """``slots`` consecutive 15-minute slots from ``start`` (aligned to a quarter hour).

    >>> g = Grid(dt.datetime(2026, 1, 5, 9, 7, tzinfo=dt.UTC), 8)
    >>> g.start.isoformat(), g.index(dt.datetime(2026, 1, 5, 9, 40, tzinfo=dt.UTC))
    ('2026-01-05T09:00:00+00:00', 2)
    """

    start: dt.datetime
    slots: int

    def __post_init__(self) -> None:
        start = utc(self.start)
        aligned = start.replace(minute=start.minute - start.minute % 15, second=0,
                                microsecond=0)
        object.__setattr__(self, "start", aligned)
        if self.slots <= 0:
            raise CapacityError(f"a grid needs at least one slot, not {self.slots}")

    @classmethod
    def between(cls, start: dt.datetime, end: dt.datetime) -> Grid:
        """The grid from ``start`` up to (and covering) ``end``."""
        first = cls(start, 1).start
        return cls(first, max(1, -(-int((utc(end) - first) / dt.timedelta(seconds=1)) // 900)))

    @property
    def end(self) -> dt.datetime:
        return self.start + SLOT * self.slots

    def at(self, slot: int) -> dt.datetime:
        """The start of slot ``slot``."""
        return self.start + SLOT * slot

    def index(self, at: dt.datetime) -> int:
        """The slot ``at`` falls in (may be outside ``[0, slots)``)."""
        return int((utc(at) - self.start) // SLOT)

    def times(self) -> npt.NDArray[np.datetime64]:
        """Every slot's start as numpy datetimes (UTC, minutes)."""
        base = np.datetime64(self.start.replace(tzinfo=None), "m")
        return base + np.arange(self.slots) * np.timedelta64(15, "m")

    def mask(self, start: dt.datetime, end: dt.datetime) -> npt.NDArray[np.bool_]:
        """True for the slots overlapping ``[start, end)``."""
        first = max(0, self.index(start))
        last = min(self.slots, -(-int((utc(end) - self.start).total_seconds()) // 900))
        out = np.zeros(self.slots, dtype=bool)
        if last > first:
            out[first:last] = True
        return out


@functools.lru_cache(maxsize=64)
def local_clock(grid: Grid, timezone: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each slot's local minute of the day and weekday (0 = Monday) in ``timezone``,
    daylight saving included (cached; the arrays are read-only).

    >>> minutes, days = local_clock(Grid(dt.datetime(2026, 3, 29, 0, 45), 2), "Europe/London")
    >>> minutes.tolist(), days.tolist()
    ([45, 120], [6, 6])
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)

    def offset(slot: int) -> int:
        found = grid.at(slot).astimezone(zone).utcoffset() or dt.timedelta(0)
        return found // dt.timedelta(minutes=1)

    offsets = np.empty(grid.slots, dtype=np.int64)
    # offsets change a few times a year: look up each day's ends, and every slot only of a
    # day whose ends differ
    for first in range(0, grid.slots, PER_DAY):
        last = min(grid.slots, first + PER_DAY) - 1
        start, end = offset(first), offset(last)
        if start == end:
            offsets[first:last + 1] = start
        else:
            offsets[first:last + 1] = [offset(slot) for slot in range(first, last + 1)]
    local = grid.times() + offsets.astype("timedelta64[m]")
    days = local.astype("datetime64[D]")
    minutes = (local - days).astype(np.int64)
    weekdays = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    minutes.setflags(write=False)
    weekdays.setflags(write=False)
    return minutes, weekdays
