"""Personal tokens: shown once, stored as a digest, expiring, revocable, acting with the
user's current roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.clock import FixedClock
from accord.errors import ConfigError
from accord.operational import open_operational, sqlite_url
from accord.rules.lifecycle import Role
from accord.rules.tokens import TokenRepository
from accord.rules.users import User, UserRepository

NOW = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)


@pytest.fixture
def repos(tmp_path: Path) -> tuple[TokenRepository, UserRepository, FixedClock]:
    clock = FixedClock(NOW)
    store = open_operational(sqlite_url(tmp_path / "ops.sqlite"))
    users = UserRepository(store, clock)
    users.create("mia", "mia's long password", ["marketer"])
    users.create("ada", "ada's long password", ["admin"])
    return TokenRepository(store, clock), users, clock


def test_a_token_acts_as_its_user_until_it_expires(
        repos: tuple[TokenRepository, UserRepository, FixedClock]) -> None:
    tokens, users, clock = repos
    mia = users.get("mia")
    assert mia is not None
    record, secret = tokens.create(mia, "ci", expires_at=NOW + dt.timedelta(days=1))
    assert secret.startswith(f"acu_{record.id}_") and len(secret) > 40
    assert tokens.verify(secret) == User("mia", frozenset({Role.MARKETER}))
    assert tokens.verify(secret + "x") is None
    assert tokens.verify("acc_0123_notapersonaltoken") is None
    with tokens.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT token_hash FROM user_tokens")).scalar_one()
    assert secret not in stored and len(stored) == 64
    clock.advance(dt.timedelta(days=1))
    assert tokens.verify(secret) is None
    assert [t.name for t in tokens.of("mia")] == ["ci"]


def test_tokens_follow_the_users_roles(
        repos: tuple[TokenRepository, UserRepository, FixedClock]) -> None:
    tokens, users, _ = repos
    mia = users.get("mia")
    assert mia is not None
    _, secret = tokens.create(mia, "laptop")
    with tokens.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET roles = '[\"approver\"]' "
                                   "WHERE username = 'mia'"))
    assert tokens.verify(secret) == User("mia", frozenset({Role.APPROVER}))


def test_revoking(repos: tuple[TokenRepository, UserRepository, FixedClock]) -> None:
    tokens, users, _ = repos
    mia, ada = users.get("mia"), users.get("ada")
    assert mia is not None and ada is not None
    record, secret = tokens.create(mia, "laptop")
    other, other_secret = tokens.create(ada, "ci")
    with pytest.raises(ConfigError, match=f"'mia' has no token '{other.id}'"):
        tokens.revoke(mia, other.id)  # somebody else's: as if it did not exist
    assert tokens.verify(other_secret) is not None
    tokens.revoke(mia, record.id)
    assert tokens.verify(secret) is None
    with pytest.raises(ConfigError, match="revoked already"):
        tokens.revoke(mia, record.id)
    spare, spare_secret = tokens.create(mia, "spare")
    tokens.revoke(ada, spare.id)  # an admin may revoke anybody's
    assert tokens.verify(spare_secret) is None
    assert [t.revoked_at for t in tokens.of("mia")] == [NOW, NOW]


@pytest.mark.parametrize(("name", "expires", "says"), [
    ("", None, "a token needs a name"),
    ("ci", NOW, "not in the future"),
])
def test_bad_tokens_are_refused(repos: tuple[TokenRepository, UserRepository, FixedClock],
                                name: str, expires: dt.datetime | None, says: str) -> None:
    tokens, users, _ = repos
    mia = users.get("mia")
    assert mia is not None
    with pytest.raises(ConfigError, match=says):
        tokens.create(mia, name, expires_at=expires)
    assert tokens.of("mia") == []
