"""API keys for channel applications: one per application, with scopes.

Only a SHA-256 digest of a key is stored; the key itself is shown once, when created.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from accord.clock import Clock
from accord.errors import ConfigError
from accord.operational.schema import api_keys
from accord.operational.store import OperationalStore

#: What a key may do.
SCOPES = frozenset({"decisions", "outcomes", "events", "profiles", "admin", "dmn", "feedback"})


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    app: str
    scopes: frozenset[str]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKeyRepository:
    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock

    def create(self, app: str, scopes: set[str] | frozenset[str]) -> tuple[ApiKey, str]:
        """A new key for ``app``: the record, and the secret to hand over (shown once)."""
        unknown = set(scopes) - SCOPES
        if unknown:
            raise ConfigError(f"unknown scope(s) {', '.join(sorted(unknown))}; "
                              f"known: {', '.join(sorted(SCOPES))}")
        key_id = secrets.token_hex(8)
        token = f"acc_{key_id}_{secrets.token_urlsafe(24)}"
        with self.engine.begin() as connection:
            connection.execute(api_keys.insert().values(
                id=key_id, app=app, key_hash=_digest(token), scopes=sorted(scopes),
                created_at=self.clock.now()))
        return ApiKey(key_id, app, frozenset(scopes)), token

    def verify(self, token: str) -> ApiKey | None:
        """The key a secret belongs to, unless unknown or revoked."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(api_keys.c.id, api_keys.c.app, api_keys.c.scopes).where(
                    api_keys.c.key_hash == _digest(token), api_keys.c.revoked_at.is_(None))
            ).first()
        return ApiKey(row.id, row.app, frozenset(row.scopes)) if row else None

    def revoke(self, key_id: str) -> None:
        with self.engine.begin() as connection:
            result = connection.execute(api_keys.update().where(api_keys.c.id == key_id).values(
                revoked_at=self.clock.now()))
            if result.rowcount == 0:
                raise ConfigError(f"no API key {key_id!r}")

    def all(self) -> list[ApiKey]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(api_keys.c.id, api_keys.c.app,
                                                api_keys.c.scopes)).all()
        return [ApiKey(row.id, row.app, frozenset(row.scopes)) for row in rows]
