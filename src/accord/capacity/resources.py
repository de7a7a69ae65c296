"""The capacity registry: what each department's resource can take, who owns it, and when it
is down for maintenance.

A resource's capacity and load are in one unit per 15-minute slot: requests for a web site
given in requests/s (each visit makes ``requests_per_visit``), concurrent sessions for one
given in sessions (a visit holds one for ``session_minutes``; Little's law), calls for a
contact centre (agents on duty in that hour of the week x calls per agent-hour), sends for an
e-mail provider and orders for fulfilment. ``load`` says how many units each response step
(``send``, ``open``, ``click``, ``visit``, ``call``, ``order``) costs the resource.

Specs are pydantic models read from YAML::

    resources:
      - name: web
        kind: web
        owner: ops@example.com
        department: it
        requests_per_second: 400
        requests_per_visit: 12
        maintenance:
          - {start: 2026-03-01T02:00:00Z, end: 2026-03-01T04:00:00Z}
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from accord.capacity.grid import PER_DAY, PER_HOUR, CapacityError, Grid, local_clock, utc

#: Response steps, in funnel order; ``send`` is the message itself.
STEPS = ("send", "open", "click", "visit", "call", "order")
Step = Literal["send", "open", "click", "visit", "call", "order"]
Department = Literal["marketing", "sales", "service", "it"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaintenanceWindow(_Spec):
    """A period the resource runs at ``capacity_share`` of its capacity (0: down)."""

    start: dt.datetime
    end: dt.datetime
    capacity_share: float = Field(0.0, ge=0.0, le=1.0)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        if utc(self.end) <= utc(self.start):
            raise ValueError("end must be after start")
        return self


class StaffingChange(_Spec):
    """A contact centre's staffing for a period, replacing the weekly pattern."""

    start: dt.datetime
    end: dt.datetime
    agents: int = Field(ge=0)
    note: str = ""


class _Resource(_Spec):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    owner: str = Field(min_length=1, description="who may override a red preflight")
    department: Department
    maintenance: tuple[MaintenanceWindow, ...] = ()
    amber_share: float = Field(0.8, gt=0.0, le=1.0,
                               description="P90 peak over this share of capacity: amber")
    load: dict[Step, float] = Field(default_factory=dict,
                                    description="units of load per response step")

    @abstractmethod
    def base_capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        """Capacity per slot before maintenance (each kind defines it)."""

    def weights(self) -> dict[str, float]:
        """Load per response step (the kind's default, or ``load`` when given)."""
        if self.load:
            return {str(step): weight for step, weight in self.load.items()}
        return self.default_load()

    @abstractmethod
    def default_load(self) -> dict[str, float]:
        """Load per response step when ``load`` is not given (each kind defines it)."""

    def capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        """Capacity per slot of ``grid``, maintenance windows applied."""
        out = self.base_capacity(grid)
        for window in self.maintenance:
            out[grid.mask(window.start, window.end)] *= window.capacity_share
        return out


class WebSite(_Resource):
    """A web site: ``requests_per_second``, or ``concurrent_sessions`` (give one)."""

    kind: Literal["web"]
    requests_per_second: float | None = Field(None, gt=0)
    requests_per_visit: float = Field(10.0, gt=0)
    concurrent_sessions: int | None = Field(None, gt=0)
    session_minutes: float = Field(8.0, gt=0)

    @model_validator(mode="after")
    def _one_measure(self) -> WebSite:
        if (self.requests_per_second is None) == (self.concurrent_sessions is None):
            raise ValueError("give exactly one of requests_per_second and concurrent_sessions")
        return self

    @property
    def unit(self) -> str:
        return "requests" if self.requests_per_second is not None else "sessions"

    def base_capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        if self.requests_per_second is not None:
            return np.full(grid.slots, self.requests_per_second * 900.0)
        return np.full(grid.slots, float(self.concurrent_sessions or 0))

    def default_load(self) -> dict[str, float]:
        if self.requests_per_second is not None:
            return {"visit": self.requests_per_visit}
        return {"visit": self.session_minutes / 15.0}


class ContactCentre(_Resource):
    """A contact centre: agents per hour of the week (local time) x calls per agent-hour.

    Hours with no agent on duty are closed: calls then reach the phone menu's closed message
    and are not judged against capacity (their capacity is infinite), so a campaign is not
    blocked by the night; staffing changes set the agents for a period.
    """

    kind: Literal["contact_centre"]
    unit: Literal["calls"] = "calls"
    timezone: str = "UTC"
    calls_per_agent_hour: float = Field(gt=0)
    agents: dict[Weekday, Annotated[list[Annotated[int, Field(ge=0)]],
                                    Field(min_length=24, max_length=24)]]
    staffing: tuple[StaffingChange, ...] = ()

    @model_validator(mode="after")
    def _zone(self) -> ContactCentre:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        return self

    def base_capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        week = np.zeros((7, 24))
        for day, hours in self.agents.items():
            week[WEEKDAYS.index(day)] = hours
        local = _local_hours_of_week(grid, self.timezone)
        agents = week.reshape(-1)[local]
        for change in self.staffing:
            agents[grid.mask(change.start, change.end)] = change.agents
        calls = np.asarray(agents * self.calls_per_agent_hour / PER_HOUR, dtype=np.float64)
        calls[agents == 0] = np.inf  # closed
        return calls

    def default_load(self) -> dict[str, float]:
        return {"call": 1.0}


class EmailProvider(_Resource):
    """An e-mail service provider's sending limit."""

    kind: Literal["email"]
    unit: Literal["sends"] = "sends"
    sends_per_hour: float = Field(gt=0)

    def base_capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        return np.full(grid.slots, self.sends_per_hour / PER_HOUR)

    def default_load(self) -> dict[str, float]:
        return {"send": 1.0}


class Fulfilment(_Resource):
    """A warehouse: orders per day, spread evenly over the day's slots."""

    kind: Literal["fulfilment"]
    unit: Literal["orders"] = "orders"
    orders_per_day: float = Field(gt=0)

    def base_capacity(self, grid: Grid) -> npt.NDArray[np.float64]:
        return np.full(grid.slots, self.orders_per_day / PER_DAY)

    def default_load(self) -> dict[str, float]:
        return {"order": 1.0}


Resource = Annotated[WebSite | ContactCentre | EmailProvider | Fulfilment,
                     Field(discriminator="kind")]
_RESOURCES: TypeAdapter[list[Resource]] = TypeAdapter(list[Resource])
_ONE: TypeAdapter[Resource] = TypeAdapter(Resource)
_KINDS = frozenset({"web", "contact_centre", "email", "fulfilment"})


def _local_hours_of_week(grid: Grid, timezone: str) -> npt.NDArray[np.intp]:
    """Each slot's local hour of the week (Monday 00:00 = 0), daylight saving included."""
    minutes, weekdays = local_clock(grid, timezone)
    return np.asarray(weekdays * 24 + minutes // 60, dtype=np.intp)


class Registry:
    """The resources by name, in the order given."""

    def __init__(self, resources: Iterable[Any]) -> None:
        self.resources: dict[str, Any] = {}
        for resource in resources:
            if resource.name in self.resources:
                raise CapacityError(f"resource {resource.name!r} is defined twice")
            self.resources[resource.name] = resource

    def __iter__(self) -> Iterator[Any]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def names(self) -> list[str]:
        return list(self.resources)

    def get(self, name: str) -> Any:
        """The resource called ``name`` (a clear error naming the known ones otherwise)."""
        try:
            return self.resources[name]
        except KeyError:
            raise CapacityError(f"unknown resource {name!r} (known: "
                                f"{', '.join(self.resources) or 'none'})") from None

    def capacities(self, grid: Grid) -> npt.NDArray[np.float64]:
        """Capacity per resource (rows, registry order) and slot (columns)."""
        return np.vstack([r.capacity(grid) for r in self.resources.values()]) if self.resources \
            else np.zeros((0, grid.slots))

    def to_data(self) -> list[dict[str, Any]]:
        """The registry as plain data (JSON/YAML ready)."""
        return [r.model_dump(mode="json", exclude_defaults=True) | {"kind": r.kind}
                for r in self.resources.values()]


def _where(error: ValidationError, prefix: str) -> str:
    problems = []
    for item in error.errors():
        path = prefix
        previous: object = None
        for part in item["loc"]:
            if isinstance(previous, int) and part in _KINDS:
                previous = part  # the union's tag pydantic adds: not a field
                continue
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
            previous = part
        problems.append(f"{path}: {item['msg']}")
    return "; ".join(problems)


def parse_resource(data: Any, *, where: str = "resource") -> Any:
    """One resource spec from plain data (errors name the field)."""
    try:
        return _ONE.validate_python(data)
    except ValidationError as exc:
        raise CapacityError(f"invalid {where}: {_where(exc, where)}") from None


def parse_registry(data: Any, *, source: str = "registry") -> Registry:
    """A registry from plain data: ``{"resources": [...]}`` (errors name the field)."""
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise CapacityError(f"{source}: expected a mapping with a 'resources' list")
    try:
        return Registry(_RESOURCES.validate_python(data["resources"]))
    except ValidationError as exc:
        raise CapacityError(f"{source}: {_where(exc, 'resources')}") from None


def load_registry(path: Path | str) -> Registry:
    """The registry in a YAML file.

    Raises:
        CapacityError: the file is missing, not YAML, or a field is invalid (the message
            names the file and the field, e.g. ``resources[1].requests_per_second``).
    """
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CapacityError(f"cannot read capacity registry {file}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CapacityError(f"{file}: not valid YAML ({exc})") from None
    return parse_registry(data, source=str(file))
