"""Login throttling: failed logins counted per user name and per address, in the operational
store so that every worker process sees the same counts.

After :data:`USER_LIMIT` failures for one user name (or :data:`ADDRESS_LIMIT` from one
address) the name (or address) is locked for :data:`FIRST_LOCK`, and every further failure
doubles the lock, up to :data:`LONGEST_LOCK`. Counts are forgotten :data:`WINDOW` after the
last failure or the end of the last lock, whichever is later; a right password clears the
user name's count (not the address's: one account's success must not buy guesses at others).
While locked, a login is refused without looking at the password, so a guess made then is
never right. Unknown user names are counted like known ones: a lock says nothing about
which names exist. Every failed and every refused login leaves an audit entry.

Counts change by compare-and-set (an ``UPDATE`` that names the count it read), so two
workers counting the same failure at once both count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from accord.clock import Clock
from accord.operational.schema import login_attempts
from accord.rules import audit

#: Failures for one user name before it is locked.
USER_LIMIT = 5
#: Failures from one address before it is locked (several people may share an address).
ADDRESS_LIMIT = 20
#: The first lock; each further failure doubles it.
FIRST_LOCK = dt.timedelta(seconds=30)
#: The longest lock.
LONGEST_LOCK = dt.timedelta(hours=1)
#: How long after the last failure (or the end of the last lock) counts are forgotten.
WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Lock:
    """A user name or address that may not log in until ``until``."""

    key: str
    until: dt.datetime
    failures: int

    def seconds(self, now: dt.datetime) -> int:
        """Whole seconds left (at least 1)."""
        return max(1, math.ceil((self.until - now).total_seconds()))

    def message(self, now: dt.datetime) -> str:
        left = self.seconds(now)
        wait = f"{left} seconds" if left < 120 else f"{math.ceil(left / 60)} minutes"
        return (f"Too many failed logins for this user name or from this address: try again "
                f"in {wait}.")


def lock_length(failures: int, limit: int) -> dt.timedelta | None:
    """How long the ``failures``-th failure locks for (None: not yet).

    >>> [lock_length(n, 5) for n in (4, 5, 6, 7)] == [None, dt.timedelta(seconds=30),
    ...                                              dt.timedelta(seconds=60),
    ...                                              dt.timedelta(seconds=120)]
    True
    """
    if failures < limit:
        return None
    # the exponent is capped before it is used: a count in the thousands must not overflow
    length: dt.timedelta = FIRST_LOCK * 2 ** min(failures - limit, 20)
    return min(length, LONGEST_LOCK)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives back the UTC times it was given without their offset
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class Throttle:
    """Counts failed logins and says who is locked.

    Args:
        engine: the operational database (called when first needed).
        clock: the time of failures and locks.
    """

    def __init__(self, engine: Callable[[], sa.Engine], clock: Clock) -> None:
        self._engine = engine
        self.clock = clock

    @staticmethod
    def _keys(username: str, address: str) -> tuple[tuple[str, int], ...]:
        return ((f"user:{username}"[:255], USER_LIMIT),
                (f"address:{address}"[:255], ADDRESS_LIMIT))

    def locked(self, username: str, address: str) -> Lock | None:
        """The lock on this user name or address now (the longer of the two), if any."""
        now = self.clock.now()
        keys = [key for key, _ in self._keys(username, address)]
        with self._engine().connect() as connection:
            rows = connection.execute(sa.select(login_attempts).where(
                login_attempts.c.key.in_(keys))).all()
        locks = [Lock(row.key, until, row.failures) for row in rows
                 if (until := _utc(row.locked_until)) is not None and until > now]
        return max(locks, key=lambda lock: lock.until, default=None)

    def refused(self, username: str, address: str, lock: Lock) -> None:
        """Record a login refused because of ``lock`` (in the audit log)."""
        now = self.clock.now()
        with self._engine().begin() as connection:
            audit.append(connection, at=now, actor=username[:128], action="login_throttled",
                         subject=f"user:{username}"[:255], reason=lock.message(now),
                         detail={"address": address, "lock": lock.key,
                                 "until": lock.until.isoformat()})

    def failed(self, username: str, address: str) -> Lock | None:
        """Count a wrong password (or unknown user name) and audit it; the lock it starts."""
        now = self.clock.now()
        locks = [lock for key, limit in self._keys(username, address)
                 if (lock := self._count(key, limit, now)) is not None]
        lock = max(locks, key=lambda each: each.until, default=None)
        with self._engine().begin() as connection:
            audit.append(connection, at=now, actor=username[:128], action="login_failed",
                         subject=f"user:{username}"[:255],
                         reason="wrong user name or password",
                         detail={"address": address,
                                 "locked_until": lock.until.isoformat() if lock else None})
        return lock

    def succeeded(self, username: str) -> None:
        """A right password: the user name's count starts again."""
        with self._engine().begin() as connection:
            connection.execute(login_attempts.delete().where(
                login_attempts.c.key == self._keys(username, "")[0][0]))

    def _count(self, key: str, limit: int, now: dt.datetime) -> Lock | None:
        table = login_attempts
        while True:
            with self._engine().begin() as connection:
                row = connection.execute(sa.select(table).where(table.c.key == key)).first()
                if row is None:
                    failures = 1
                else:
                    last = _utc(row.last_failure_at)
                    until = _utc(row.locked_until)
                    since = max(last, until) if last and until else last
                    failures = 1 if since is None or now - since > WINDOW else row.failures + 1
                length = lock_length(failures, limit)
                values = {"failures": failures, "last_failure_at": now,
                          "locked_until": now + length if length else None}
                if row is None:
                    try:
                        connection.execute(table.insert().values(key=key, **values))
                    except sa.exc.IntegrityError:
                        continue  # another worker counted the first failure: count again
                else:
                    changed = connection.execute(table.update().where(
                        table.c.key == key, table.c.failures == row.failures,
                        table.c.last_failure_at == row.last_failure_at).values(**values))
                    if changed.rowcount != 1:
                        continue  # another worker counted in between: read again
            return Lock(key, now + length, failures) if length else None
