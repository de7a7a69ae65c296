"""Personal API tokens: how a person acts from the CLI or from automation without a password.

A user creates a token with their password once; the token itself is shown once and only a
SHA-256 digest of it is stored (a token is 32 random bytes, so a slow hash such as argon2
would add nothing but a delay to every request). A token may expire and may be revoked; a
token acts with its user's roles as they are when it is used, so taking a role away takes
it away from the user's tokens too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from accord.clock import Clock
from accord.errors import ConfigError
from accord.operational.schema import user_tokens, users
from accord.operational.store import OperationalStore
from accord.rules.lifecycle import Role
from accord.rules.users import User

#: Every personal token starts with this, so that it is told apart from channel API keys.
PREFIX = "acu_"


@dataclass(frozen=True, slots=True)
class UserToken:
    """A token's record (never the secret)."""

    id: str
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(at: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else _aware(at)


class TokenRepository:
    """Creates, verifies, lists and revokes personal tokens."""

    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock

    def create(self, user: User, name: str, *, expires_at: dt.datetime | None = None
               ) -> tuple[UserToken, str]:
        """A new token of ``user``: its record, and the secret to hand over (shown once).

        Raises:
            ConfigError: an empty name, or an expiry that is not in the future.
        """
        now = self.clock.now()
        if not name.strip():
            raise ConfigError("a token needs a name (what it is for, e.g. 'laptop' or 'ci')")
        if expires_at is not None and _aware(expires_at) <= now:
            raise ConfigError(f"the token would expire at {expires_at.isoformat()}, which is "
                              "not in the future")
        token_id = secrets.token_hex(8)
        secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.engine.begin() as connection:
            connection.execute(user_tokens.insert().values(
                id=token_id, username=user.username, name=name, token_hash=_digest(secret),
                created_at=now, expires_at=expires_at))
        record = UserToken(token_id, user.username, name, now, _utc(expires_at), None)
        return record, secret

    def verify(self, secret: str) -> User | None:
        """The user a secret acts for, unless it is unknown, revoked or expired."""
        if not secret.startswith(PREFIX):
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(user_tokens.c.username, user_tokens.c.expires_at, users.c.roles)
                .join(users, users.c.username == user_tokens.c.username)
                .where(user_tokens.c.token_hash == _digest(secret),
                       user_tokens.c.revoked_at.is_(None))).first()
        if row is None:
            return None
        expires = _utc(row.expires_at)
        if expires is not None and expires <= self.clock.now():
            return None
        return User(row.username, frozenset(Role(r) for r in row.roles))

    def of(self, username: str) -> list[UserToken]:
        """A user's tokens, revoked and expired ones included (oldest first)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(user_tokens.c.id, user_tokens.c.username, user_tokens.c.name,
                          user_tokens.c.created_at, user_tokens.c.expires_at,
                          user_tokens.c.revoked_at)
                .where(user_tokens.c.username == username)
                .order_by(user_tokens.c.created_at, user_tokens.c.id)).all()
        return [UserToken(r.id, r.username, r.name, _aware(r.created_at),
                          _utc(r.expires_at), _utc(r.revoked_at)) for r in rows]

    def revoke(self, actor: User, token_id: str) -> None:
        """Revoke a token: one's own, or anybody's for an admin.

        Raises:
            ConfigError: no such token, a token of somebody else, or one revoked already.
        """
        with self.engine.begin() as connection:
            row = connection.execute(
                sa.select(user_tokens.c.username, user_tokens.c.revoked_at)
                .where(user_tokens.c.id == token_id)).first()
            if row is None or (row.username != actor.username
                               and Role.ADMIN not in actor.roles):
                # the same answer for a stranger's token as for none: ids are not disclosed
                raise ConfigError(f"{actor.username!r} has no token {token_id!r}")
            if row.revoked_at is not None:
                raise ConfigError(f"token {token_id!r} is revoked already")
            connection.execute(user_tokens.update().where(user_tokens.c.id == token_id)
                               .values(revoked_at=self.clock.now()))
