"""The campaign spec: who it targets, through which channels, when, at what cost.

Written as YAML (``accord campaign create FILE.yaml``) or JSON (the API) and validated here;
every problem names its field (``costs.cpm``, ``schedule.end``). Status is lifecycle data:
:data:`TRANSITIONS` says which moves are allowed.

>>> spec = Campaign.model_validate({"name": "spring-sale", "owner": "ana",
...     "channels": ["email"], "costs": {"per_send": "0.002"}})
>>> spec.status.value, str(spec.costs.per_send)
('draft', '0.002')
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.campaigns.errors import CampaignDefinitionError, validated
from accord.campaigns.funnel import Funnel
from accord.campaigns.metrics import CostRates
from accord.campaigns.window import Window

__all__ = ["CHANNELS", "TRANSITIONS", "Campaign", "Costs", "Schedule", "SendWindow", "Status",
           "parse_campaign"]

#: Channels a campaign may use.
CHANNELS = frozenset({"email", "sms", "push", "web", "app", "direct_mail", "call_centre",
                      "social", "display"})

_Name = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][\w.\-]*$")]
_Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(enum.StrEnum):
    """Where a campaign is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    COMPLETED = "completed"
    ARCHIVED = "archived"


#: Status -> the statuses it may move to.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SCHEDULED, Status.RUNNING, Status.ARCHIVED}),
    Status.SCHEDULED: frozenset({Status.DRAFT, Status.RUNNING, Status.ARCHIVED}),
    Status.RUNNING: frozenset({Status.COMPLETED}),
    Status.COMPLETED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
}


class Costs(_Strict):
    """What the campaign costs; all amounts in the project's currency, none negative."""

    fixed: _Money = Decimal(0)
    per_send: _Money = Decimal(0)
    #: Per thousand contacts (sends plus impressions).
    cpm: _Money = Decimal(0)
    #: Per click.
    cpc: _Money = Decimal(0)

    def rates(self) -> CostRates:
        """As floats, for the metrics."""
        return CostRates(float(self.fixed), float(self.per_send), float(self.cpm),
                         float(self.cpc))


class SendWindow(_Strict):
    """Hours of the day messages may go out (local time of the project)."""

    start: dt.time
    end: dt.time
    days: list[Annotated[str, Field(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)$")]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])

    @model_validator(mode="after")
    def _ordered(self) -> SendWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Schedule(_Strict):
    """When the campaign runs."""

    start: dt.date | None = None
    end: dt.date | None = None
    send_windows: list[SendWindow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Campaign(_Strict):
    """A campaign."""

    name: _Name
    owner: Annotated[str, Field(min_length=1)]
    goal: str = ""
    #: A segment name (``accord segments``); ``None``: whoever the outcomes name.
    audience: str | None = None
    channels: Annotated[list[str], Field(min_length=1)]
    #: Treatment ids of the decision catalogue this campaign offers.
    treatments: list[str] = Field(default_factory=list)
    schedule: Schedule = Field(default_factory=Schedule)
    costs: Costs = Field(default_factory=Costs)
    #: Share of the audience held out as the control group.
    control_share: Annotated[float, Field(ge=0, lt=1)] = 0.1
    status: Status = Status.DRAFT
    #: Days after the send in which visits, conversions and revenue count.
    measurement_window: Window = dt.timedelta(days=14)
    #: Channel -> rate -> benchmark, replacing the defaults for that channel.
    benchmarks: dict[str, dict[str, Annotated[float, Field(ge=0, le=1)]]] = Field(
        default_factory=dict)
    #: A funnel of its own (the channel's standard funnel otherwise).
    funnel: Funnel | None = None

    @model_validator(mode="after")
    def _channels(self) -> Campaign:
        for index, channel in enumerate(self.channels):
            if channel not in CHANNELS:
                raise CampaignDefinitionError(
                    f"channels.{index}", f"unknown channel {channel!r}; known: "
                    f"{', '.join(sorted(CHANNELS))}")
        return self


def parse_campaign(data: Any, *, segments: frozenset[str] | set[str] | None = None) -> Campaign:
    """Validate a campaign spec.

    Args:
        data: the parsed YAML or JSON.
        segments: the project's segments; an ``audience`` not among them is an error
            (``None``: not checked).

    Raises:
        CampaignDefinitionError: naming the field at fault (``costs.fixed``, ``audience``).
    """
    campaign = validated(Campaign, data)
    if segments is not None and campaign.audience is not None \
            and campaign.audience not in segments:
        known = ", ".join(sorted(segments)) or "none built yet"
        raise CampaignDefinitionError("audience", f"unknown segment {campaign.audience!r}; "
                                      f"known: {known}")
    return campaign
