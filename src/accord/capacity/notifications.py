"""Notifications to the owners in sales, service and IT: when a campaign is scheduled or
changed, 24 hours before it launches, and on a red preflight.

A :class:`Notifier` sends each notification to the recipients of the departments concerned,
over each recipient's channels (``webhook``: :mod:`accord.capacity.webhook`; ``email``:
:mod:`accord.capacity.mail`). Channels register in a table, as a third-party one would.
A delivery that fails for good lands in the dead-letter list (:class:`DeadLetters`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from accord.capacity.grid import CapacityError, utc
from accord.capacity.plans import CampaignPlan
from accord.capacity.preflight import Preflight
from accord.clock import Clock


class Event(StrEnum):
    SCHEDULED = "campaign.scheduled"
    CHANGED = "campaign.changed"
    LAUNCH_SOON = "campaign.launch_24h"
    PREFLIGHT_RED = "preflight.red"


#: Who hears of what (the owners of red resources are added on a red preflight).
AUDIENCE: dict[Event, frozenset[str]] = {
    Event.SCHEDULED: frozenset({"sales", "service", "it"}),
    Event.CHANGED: frozenset({"sales", "service", "it"}),
    Event.LAUNCH_SOON: frozenset({"sales", "service", "it"}),
    Event.PREFLIGHT_RED: frozenset({"marketing"}),
}


@dataclass(frozen=True, slots=True)
class Notification:
    """What happened, to which campaign, in words and as data."""

    event: Event
    campaign: str
    subject: str
    body: str
    at: dt.datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    owners: frozenset[str] = frozenset()  # people to reach beyond the departments

    def payload(self) -> bytes:
        """The JSON a webhook receives."""
        return json.dumps({"event": self.event.value, "campaign": self.campaign,
                           "subject": self.subject, "body": self.body,
                           "at": utc(self.at).isoformat(), "data": dict(self.data)},
                          sort_keys=True, default=str).encode()


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person or team: a department, and how to reach them."""

    name: str
    department: str
    email: str | None = None
    webhook: str | None = None
    secret: str | None = None  # signs webhook bodies (HMAC-SHA256)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A notification that could not be delivered after every retry."""

    channel: str
    target: str
    event: str
    campaign: str
    payload: str
    error: str
    attempts: int
    at: dt.datetime


class DeadLetters(Protocol):
    """Where failed deliveries are kept for a person to look at (and resend)."""

    def add(self, letter: DeadLetter) -> None:
        """Keep a failed delivery."""

    def list(self) -> list[DeadLetter]:
        """Every failed delivery, oldest first."""


class MemoryDeadLetters:
    """Dead letters in a list (tests; one-off runs)."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def add(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    def list(self) -> list[DeadLetter]:
        return list(self.letters)


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    target: str
    ok: bool
    attempts: int
    error: str = ""


class Channel(Protocol):
    """A way to reach a recipient; returns None when the recipient has no address on it."""

    def deliver(self, recipient: Recipient, notification: Notification) -> Delivery | None:
        """Send, retrying as the channel sees fit; failures end as dead letters."""


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): exponential, capped.

    >>> [backoff(n, 0.5, 3.0) for n in range(1, 5)]
    [0.5, 1.0, 2.0, 3.0]
    """
    return float(min(cap, base * 2 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one try went: ``error`` empty when it went through; ``final`` when retrying
    cannot help (a refused address, a 4xx answer)."""

    error: str = ""
    final: bool = False


class Retry:
    """Tries a delivery up to ``attempts`` times with capped exponential backoff.

    Raises:
        CapacityError: fewer than one attempt.
    """

    def __init__(self, what: str, sleep: Callable[[float], None], *, attempts: int,
                 base_delay: float, max_delay: float) -> None:
        if attempts < 1:
            raise CapacityError(f"the {what} channel needs at least one attempt, not {attempts}")
        self.sleep = sleep
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay

    def run(self, once: Callable[[], Attempt]) -> tuple[int, str]:
        """Try until one goes through or the attempts run out: (attempts made, the last
        error, empty when it went through)."""
        error = ""
        attempt = 0
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(backoff(attempt - 1, self.base_delay, self.max_delay))
            outcome = once()
            if not outcome.error:
                return attempt, ""
            error = outcome.error
            if outcome.final:
                break
        return attempt, error


class Notifier:
    """Sends notifications to the recipients concerned over every channel they have."""

    def __init__(self, recipients: Sequence[Recipient], channels: Mapping[str, Channel]) -> None:
        self.recipients = list(recipients)
        self.channels = dict(channels)

    def recipients_for(self, notification: Notification) -> list[Recipient]:
        departments = AUDIENCE[notification.event]
        return [r for r in self.recipients
                if r.department in departments or r.name in notification.owners
                or (r.email is not None and r.email in notification.owners)]

    def notify(self, notification: Notification) -> list[Delivery]:
        """Deliver to everyone concerned; the result says what went through."""
        out = []
        for recipient in self.recipients_for(notification):
            for channel in self.channels.values():
                delivery = channel.deliver(recipient, notification)
                if delivery is not None:
                    out.append(delivery)
        return out


def _describe(plan: CampaignPlan) -> str:
    size = f"{plan.audience:,}" if plan.audience is not None else f"segment {plan.segment}"
    return (f"{plan.name or plan.id}: {plan.channel} to {size}, from "
            f"{utc(plan.start):%Y-%m-%d %H:%M} UTC ({len(plan.batches)} batches); "
            f"owner {plan.owner}")


def scheduled(plan: CampaignPlan, at: dt.datetime) -> Notification:
    return Notification(Event.SCHEDULED, plan.id, f"Campaign scheduled: {plan.name or plan.id}",
                        _describe(plan), at, {"start": utc(plan.start).isoformat()})


def changed(before: CampaignPlan, after: CampaignPlan, at: dt.datetime) -> Notification:
    """A change, with the fields that changed."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    fields = sorted(k for k in new if old.get(k) != new.get(k))
    if not fields:
        raise CapacityError(f"campaign {after.id!r} has not changed")
    return Notification(Event.CHANGED, after.id, f"Campaign changed: {after.name or after.id}",
                        f"{_describe(after)}; changed: {', '.join(fields)}", at,
                        {"changed": fields})


def preflight_red(result: Preflight, at: dt.datetime) -> Notification:
    """A red preflight, to marketing and the owner of every red resource."""
    red = result.red()
    return Notification(Event.PREFLIGHT_RED, result.campaign,
                        f"Red preflight: {result.campaign}",
                        "; ".join(f.describe() for f in red), at,
                        {"red": [f.resource for f in red]},
                        owners=frozenset(f.owner for f in red))


def launch_reminders(plans: Iterable[CampaignPlan], clock: Clock,
                     sent: Callable[[str], bool]) -> list[Notification]:
    """Reminders for the campaigns launching within 24 hours that ``sent`` says have not had
    theirs yet (run it on a schedule; ``sent`` keeps it from reminding twice)."""
    now = clock.now()
    out = []
    for plan in plans:
        start = utc(plan.start)
        if now < start <= now + dt.timedelta(hours=24) and not sent(plan.id):
            out.append(Notification(Event.LAUNCH_SOON, plan.id,
                                    f"Launching within 24 hours: {plan.name or plan.id}",
                                    _describe(plan), now, {"start": start.isoformat()}))
    return out
