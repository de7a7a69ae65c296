"""Local users with hashed passwords (argon2) and roles, and API tokens for the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from accord.clock import Clock
from accord.errors import ConfigError
from accord.operational.schema import users
from accord.operational.store import OperationalStore
from accord.rules.lifecycle import Role

_HASHER = PasswordHasher()


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
        """The user, if the password is right."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users.c.password_hash, users.c.roles).where(
                users.c.username == username)).first()
        if row is None:
            return None
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return None
        return User(username, frozenset(Role(r) for r in row.roles))

    def get(self, username: str) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users.c.roles).where(
                users.c.username == username)).first()
        return User(username, frozenset(Role(r) for r in row.roles)) if row else None
