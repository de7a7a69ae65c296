"""The audit log: every change (who, when, what, why), appended and never edited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from accord.operational.schema import audit_log


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    reason: str
    detail: dict[str, Any]


def append(connection: sa.Connection, *, at: dt.datetime, actor: str, action: str,
           subject: str, reason: str = "", detail: dict[str, Any] | None = None) -> None:
    """Append one entry, inside the caller's transaction (the change and its record commit
    together or not at all)."""
    connection.execute(audit_log.insert().values(at=at, actor=actor, action=action,
                                                 subject=subject, reason=reason,
                                                 detail=detail or {}))


def read(engine: sa.Engine, *, subject: str | None = None, limit: int = 200
         ) -> list[AuditEntry]:
    """The newest entries first (for one subject, when given)."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.subject, r.reason, dict(r.detail))
            for r in rows]
