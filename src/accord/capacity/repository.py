"""Capacity planning's state in the operational store: the resource registry, saved
throttled plans, preflight overrides, dead letters and the reminders already sent.

Every write is one transaction: replacing the registry either replaces every resource or
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from accord.capacity.grid import utc
from accord.capacity.notifications import DeadLetter
from accord.capacity.plans import CampaignPlan
from accord.capacity.preflight import Override
from accord.capacity.resources import Registry, parse_resource
from accord.clock import Clock
from accord.operational.schema import (
    capacity_dead_letters,
    capacity_notices,
    capacity_overrides,
    capacity_plans,
    capacity_resources,
)


class CapacityRepository:
    """Reads and writes capacity planning's tables."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def save_registry(self, registry: Registry, by: str) -> None:
        """Replace the registry (all or nothing)."""
        now = self.clock.now()
        rows = [{"name": data["name"], "kind": data["kind"], "spec": data,
                 "updated_at": now, "updated_by": by} for data in registry.to_data()]
        with self.engine.begin() as connection:
            connection.execute(capacity_resources.delete())
            if rows:
                connection.execute(capacity_resources.insert(), rows)

    def registry(self) -> Registry:
        """The saved registry (empty when none was saved)."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(capacity_resources.c.name,
                                                capacity_resources.c.spec)
                                      .order_by(capacity_resources.c.name)).all()
        return Registry(parse_resource(spec, where=f"stored resource {name}")
                        for name, spec in rows)

    def save_plan(self, plan: CampaignPlan, proof: str, finish: dt.datetime | None,
                  by: str) -> None:
        """Save (or replace) a campaign's plan."""
        values: dict[str, Any] = {"plan": plan.model_dump(mode="json"), "proof": proof,
                                  "finish_at": finish, "saved_at": self.clock.now(),
                                  "saved_by": by}
        with self.engine.begin() as connection:
            updated = connection.execute(capacity_plans.update().where(
                capacity_plans.c.campaign_id == plan.id).values(**values)).rowcount
            if not updated:
                connection.execute(capacity_plans.insert().values(campaign_id=plan.id,
                                                                  **values))

    def plans(self) -> list[CampaignPlan]:
        """Every saved plan, by start."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(capacity_plans.c.plan)).scalars().all()
        return sorted((CampaignPlan.model_validate(row) for row in rows),
                      key=lambda p: (utc(p.start), p.id))

    def add_override(self, override: Override) -> None:
        with self.engine.begin() as connection:
            connection.execute(capacity_overrides.insert().values(
                campaign_id=override.campaign, resource=override.resource, by=override.by,
                reason=override.reason, at=override.at))

    def overrides(self, campaign: str) -> list[Override]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(capacity_overrides).where(
                capacity_overrides.c.campaign_id == campaign)
                .order_by(capacity_overrides.c.id)).mappings().all()
        return [Override(r["campaign_id"], r["resource"], r["by"], r["reason"], utc(r["at"]))
                for r in rows]

    def noticed(self, key: str) -> bool:
        """Has the notice ``key`` (e.g. ``campaign.launch_24h:spring``) been sent?"""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(capacity_notices.c.key).where(
                capacity_notices.c.key == key)).first() is not None

    def mark_noticed(self, key: str) -> None:
        with self.engine.begin() as connection:
            if connection.execute(sa.select(capacity_notices.c.key).where(
                    capacity_notices.c.key == key)).first() is None:
                connection.execute(capacity_notices.insert().values(key=key,
                                                                    at=self.clock.now()))


class SqlDeadLetters:
    """Dead letters kept in the operational store (survive restarts)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, letter: DeadLetter) -> None:
        with self.engine.begin() as connection:
            connection.execute(capacity_dead_letters.insert().values(
                channel=letter.channel, target=letter.target, event=letter.event,
                campaign_id=letter.campaign, payload=letter.payload, error=letter.error,
                attempts=letter.attempts, at=letter.at))

    def list(self) -> list[DeadLetter]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(capacity_dead_letters)
                                      .order_by(capacity_dead_letters.c.id)).mappings().all()
        return [DeadLetter(r["channel"], r["target"], r["event"], r["campaign_id"],
                           r["payload"], r["error"], r["attempts"], utc(r["at"]))
                for r in rows]
