"""Local users with hashed passwords (argon2) and roles, and API tokens for the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from accord.clock import Clock
from accord.errors import ConfigError
from accord.operational.schema import users, web_sessions
from accord.operational.store import OperationalStore
from accord.rules import audit
from accord.rules.lifecycle import Role

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash nobody's password matches: verified for unknown user names, so that they take
    as long to refuse as a wrong password (made on first use, not at import)."""
    return _HASHER.hash("no user has this password")


class WrongPassword(ConfigError):
    """The current password given to change it is not the user's."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    roles: frozenset[Role]


class UserRepository:
    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock

    def create(self, username: str, password: str, roles: Iterable[str]) -> User:
        """A new user; the password is stored only as an argon2 hash."""
        try:
            role_set = frozenset(Role(r) for r in roles)
        except ValueError as exc:
            raise ConfigError(f"{exc}; roles: {', '.join(r.value for r in Role)}") from None
        if len(password) < 8:
            raise ConfigError("a password needs at least 8 characters")
        with self.engine.begin() as connection:
            exists = connection.execute(sa.select(users.c.username).where(
                users.c.username == username)).first()
            if exists is not None:
                raise ConfigError(f"user {username!r} exists already")
            connection.execute(users.insert().values(
                username=username, password_hash=_HASHER.hash(password),
                roles=sorted(r.value for r in role_set), created_at=self.clock.now()))
        return User(username, role_set)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is right.

        An unknown user name costs the same argon2 verification as a wrong password, so the
        time of the answer does not tell which names exist.
        """
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users.c.password_hash, users.c.roles).where(
                users.c.username == username)).first()
        try:
            _HASHER.verify(_dummy_hash() if row is None else row.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return None
        if row is None:
            return None
        return User(username, frozenset(Role(r) for r in row.roles))

    def change_password(self, username: str, current: str, new: str) -> User:
        """Set a new password after checking the current one; every web session of the user
        ends with the old password (in the same transaction), wherever it was opened.

        Raises:
            WrongPassword: the current password is wrong.
            ConfigError: the new password is too short.
        """
        user = self.authenticate(username, current)
        if user is None:
            raise WrongPassword("the current password is wrong")
        if len(new) < 8:
            raise ConfigError("a password needs at least 8 characters")
        now = self.clock.now()
        with self.engine.begin() as connection:
            connection.execute(users.update().where(users.c.username == username).values(
                password_hash=_HASHER.hash(new)))
            connection.execute(web_sessions.update().where(
                web_sessions.c.username == username,
                web_sessions.c.revoked_at.is_(None)).values(revoked_at=now))
            audit.append(connection, at=now, actor=username, action="password_changed",
                         subject=f"user:{username}", reason="password changed")
        return user

    def get(self, username: str) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users.c.roles).where(
                users.c.username == username)).first()
        return User(username, frozenset(Role(r) for r in row.roles)) if row else None
