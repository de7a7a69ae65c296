"""The decision service: the I/O around the pure ``decide``.

It reads the profile (by any identifier), the customer's contact history and recent events,
treatment totals and propensities; calls :func:`~accord.decisioning.decide.decide` with the
active rule set; then remembers the decision (for outcomes) and appends it to the decision
log. Outcomes and events go the other way: into the contact state at once, so the next
decision sees them, and into the durable logs for the analytical store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.clock import Clock
from accord.decisioning.active import ActiveRules
from accord.decisioning.decide import Decision, DecisionRequest, decide
from accord.decisioning.history import OutcomeKind
from accord.decisioning.propensity import Propensities
from accord.errors import AccordError
from accord.logs.durable import DurableLog
from accord.online.base import OnlineReader, ProfileLookupError, resolve
from accord.online.contacts import ContactStore, RecentEvent, RecordedOutcome

#: Recent events older than this are not shown to eligibility tables.
RECENT_EVENTS_DAYS = 7
#: At most this many of them, the newest: a customer (or a bot) sending thousands of events
#: must not make each of their decisions read and convert every one.
RECENT_EVENTS_LIMIT = 100
#: Contact history further back than this is not read (limits must be shorter).
HISTORY_DAYS = 400


class UnknownCustomer(AccordError):
    """The customer key matches no profile and the rule set refuses anonymous decisions."""


class EventIn(BaseModel):
    """One event (a line of an ``/v1/events`` batch), validated: unknown fields are refused,
    one of ``customer_id``, ``email`` or ``anonymous_id`` names who it is about, and a
    time without an offset is UTC."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=128)
    type: str = Field(min_length=1, max_length=64)
    occurred_at: dt.datetime
    customer_id: str | None = None
    email: str | None = None
    anonymous_id: str | None = None
    channel: str | None = None
    value: Decimal | None = None
    properties: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _someone(self) -> EventIn:
        if not (self.customer_id or self.email or self.anonymous_id):
            raise ValueError("needs customer_id, email or anonymous_id")
        if self.occurred_at.tzinfo is None:
            self.occurred_at = self.occurred_at.replace(tzinfo=dt.UTC)
        return self


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact; the loader keeps it as text and SQL casts it
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def decision_record(decision: Decision) -> dict[str, Any]:
    """The decision as JSON-ready data (the API's response body and the log's line)."""
    return {
        "decision_id": decision.decision_id,
        "at": decision.at.isoformat(),
        "customer_id": decision.customer_id,
        "channel": decision.channel,
        "rule_version": decision.rule_version,
        "input_digest": decision.input_digest,
        "placements": {p: list(t) for p, t in decision.placements.items()},
        "given": decision.given(),
        "holdouts": list(decision.holdouts),
        "candidates": [
            {"treatment_id": c.treatment_id, "reason": c.reason.value, "detail": c.detail,
             "placement": c.placement,
             "score": str(c.score) if c.score is not None else None,
             "propensity": round(c.propensity, 6) if c.propensity is not None else None}
            for c in decision.candidates],
    }


class DecisionService:
    """Decides, and records outcomes and events, for one process."""

    def __init__(self, rules: ActiveRules, profiles: OnlineReader | None,
                 contacts: ContactStore, clock: Clock, *,
                 decision_log: DurableLog | None = None,
                 event_log: DurableLog | None = None,
                 outcome_log: DurableLog | None = None) -> None:
        self.rules = rules
        self.profiles = profiles
        self.contacts = contacts
        self.clock = clock
        self.decision_log = decision_log
        self.event_log = event_log
        self.outcome_log = outcome_log

    def _customer(self, key: str | None, reject_unknown: bool
                  ) -> tuple[str | None, dict[str, Any] | None, str | None]:
        """The customer id and profile of ``key``, or why there is none (a key named but
        not found; None when no key was named)."""
        if key is None:
            return None, None, None
        if self.profiles is None:
            return None, None, "no profiles are served"
        try:
            document = resolve(self.profiles, key)
        except ProfileLookupError as exc:
            if reject_unknown:
                raise UnknownCustomer(str(exc)) from None
            return None, None, str(exc)
        customer_id = str(document.get("customer_id") or key)
        return customer_id, dict(document), None  # numbers decode as exact Decimals

    def decide(self, channel: str, placements: Mapping[str, int], *,
               customer: str | None = None, anonymous_id: str | None = None,
               context: Mapping[str, Any] | None = None, request_id: str | None = None,
               explore: bool = True, trace: bool = False) -> Decision:
        """Decide for a customer named by any identifier (or anonymously)."""
        return self.decide_record(channel, placements, customer=customer,
                                  anonymous_id=anonymous_id, context=context,
                                  request_id=request_id, explore=explore, trace=trace)[0]

    def decide_record(self, channel: str, placements: Mapping[str, int], *,
                      customer: str | None = None, anonymous_id: str | None = None,
                      context: Mapping[str, Any] | None = None, request_id: str | None = None,
                      explore: bool = True, trace: bool = False, wait: bool = True
                      ) -> tuple[Decision, dict[str, Any], str | None]:
        """:meth:`decide`, also returning the decision as logged (:func:`decision_record`),
        built once for the log and the API's response, and why the customer named was not
        found (None when found or none was named: the decision was then anonymous).

        Returns once the decision is on disk in the decision log, or at once with ``wait``
        False: the caller then waits for :meth:`logged` before acknowledging it (an event
        loop decides inline and waits for the disk in a thread, where concurrent requests
        share one fsync)."""
        decision, key, now, profile, missing = self._decide(
            channel, placements, customer=customer, anonymous_id=anonymous_id,
            context=context, request_id=request_id, explore=explore, trace=trace)
        segments = list((profile or {}).get("segments") or ())
        self.contacts.record_decision(decision.decision_id, key, channel, now, segments,
                                      decision.given())
        record = decision_record(decision)
        if self.decision_log is not None:
            # acknowledged means on disk: the log group-commits concurrent appends
            self.decision_log.append([orjson.dumps(record, default=str)], durable=wait)
        return decision, record, missing

    def logged(self) -> None:
        """Return once every decision this process has appended is on disk."""
        if self.decision_log is not None:
            self.decision_log.flush()

    def preview(self, channel: str, placements: Mapping[str, int], *, customer: str,
                context: Mapping[str, Any] | None = None) -> Decision:
        """What :meth:`decide` would answer now, with the trace, recording nothing: no
        decision logged or counted against contact limits, no exploration (the web app's
        customer page shows it)."""
        return self._decide(channel, placements, customer=customer, anonymous_id=None,
                            context=context, request_id=None, explore=False, trace=True)[0]

    def _decide(self, channel: str, placements: Mapping[str, int], *, customer: str | None,
                anonymous_id: str | None, context: Mapping[str, Any] | None,
                request_id: str | None, explore: bool, trace: bool
                ) -> tuple[Decision, str | None, dt.datetime, dict[str, Any] | None, str | None]:
        rules = self.rules.current()
        now = self.clock.now()
        customer_id, profile, missing = self._customer(customer,
                                                       rules.unknown_customer == "reject")
        key = customer_id or anonymous_id or (customer if customer_id is None else None)
        context = dict(context or {})
        events = self.contacts.recent_events(key, now - dt.timedelta(days=RECENT_EVENTS_DAYS),
                                             limit=RECENT_EVENTS_LIMIT)
        context.setdefault("recent events", [e.as_feel() for e in events])
        context.setdefault("cart value", _open_cart(events))
        request = DecisionRequest(channel, dict(placements), context, customer_id,
                                  anonymous_id or (None if customer_id else customer),
                                  request_id, explore, trace)
        decision = decide(request, profile,
                          self.contacts.history(key, now - dt.timedelta(days=HISTORY_DAYS)),
                          self.contacts.totals(), Propensities(self.contacts.propensities()),
                          rules, now)
        return decision, key, now, profile, missing

    def record_outcome(self, decision_id: str, treatment_id: str, kind: OutcomeKind, *,
                       value: Decimal | None = None) -> RecordedOutcome:
        """Record an outcome; the next decision for the customer sees it. Returns once it is
        also on disk in the outcome log (for the analytical store)."""
        rules = self.rules.current()
        treatment = rules.catalogue.by_id().get(treatment_id)
        segments = self.contacts.decision_segments(decision_id) or []
        keys = rules.propensities_for(Propensities()).key(treatment_id, segments)
        now = self.clock.now()
        recorded = self.contacts.record_outcome(
            decision_id, treatment_id, kind, now, value=value,
            cost=treatment.cost if treatment is not None else Decimal(0),
            segment_keys=tuple({"", keys[1]}))
        if self.outcome_log is not None:
            self.outcome_log.append([orjson.dumps({
                "decision_id": decision_id, "treatment_id": treatment_id, "kind": kind.value,
                "at": now.isoformat(), "value": None if value is None else str(value),
                "customer_id": recorded.customer_key})])
        return recorded

    def ingest_events(self, events: Sequence[EventIn]) -> int:
        """Make a batch durable (returns once on disk), then visible to decisions."""
        if self.event_log is not None:
            self.event_log.append([orjson.dumps(_plain(_event_row(e))) for e in events])
        recent = []
        for event in events:
            key = event.customer_id or self._email_customer(event.email) or event.anonymous_id
            if key is not None:
                recent.append(RecentEvent(event.event_id, key, event.type, event.channel,
                                          event.occurred_at, event.value,
                                          dict(event.properties or {})))
        self.contacts.record_events(recent)
        return len(events)

    def _email_customer(self, email: str | None) -> str | None:
        if email is None or self.profiles is None:
            return None
        customers = self.profiles.customers("email", email)
        return customers[0] if len(customers) == 1 else None


def _event_row(event: EventIn) -> dict[str, Any]:
    return {"event_id": event.event_id, "type": event.type,
            "occurred_at": event.occurred_at.isoformat(), "customer_id": event.customer_id,
            "email": event.email, "anonymous_id": event.anonymous_id, "channel": event.channel,
            "value": event.value, "properties": dict(event.properties or {})}


def _open_cart(events: Sequence[RecentEvent]) -> Decimal:
    """Value added to the cart since the last purchase: what an abandonment offer is about."""
    total = Decimal(0)
    for event in events:
        if event.type == "purchase":
            total = Decimal(0)
        elif event.type == "add_to_cart" and event.value is not None:
            total += event.value
    return total
