"""Login throttling: failed logins counted per user name and per address, in the operational
store so that every worker process sees the same counts.

After :data:`USER_LIMIT` failures for one user name (or :data:`ADDRESS_LIMIT` from one
address) the name (or address) is locked for :data:`FIRST_LOCK`, and every further failure
doubles the lock, up to :data:`LONGEST_LOCK`. Counts are forgotten :data:`WINDOW` after the
last failure or the end of the last lock, whichever is later. While locked, a login is
refused without looking at the password, so a guess made then is never right. Unknown user
names are counted like known ones: a lock says nothing about which names exist. Every failed
and every refused login leaves an audit entry.

An attempt is counted (and the lock it would bring is set) *before* its password is checked,
and uncounted if the password is right: a hundred guesses sent at once cannot all slip past
the check while the first ones are still being verified. A right password clears the user
name's count; the address only loses the attempt (one account's success must not buy
guesses at others). Counts change by compare-and-set (an ``UPDATE`` that names the count it
read), so two workers counting at once both count.
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


@dataclass(frozen=True, slots=True)
class Attempt:
    """A login attempt as counted before its password is checked."""

    #: Locked already: the attempt may not go on (its password is not checked).
    refused: Lock | None
    #: The lock this attempt brings if its password is wrong (set already, lifted if right).
    locks: Lock | None
    #: Every lock the attempt set (one per user name or address that reached its limit).
    brought: tuple[Lock, ...] = ()


class Throttle:
    """Counts login attempts and says who is locked.

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

    def begin(self, username: str, address: str) -> Attempt:
        """Count an attempt before its password is checked (see the module docstring)."""
        now = self.clock.now()
        refused = self._locked(username, address, now)
        if refused is not None:
            return Attempt(refused, None)
        locks: list[Lock] = []
        for key, limit in self._keys(username, address):
            held, brought = self._count(key, limit, now)
            if held is not None:  # locked by another worker in between
                return Attempt(held, None)
            if brought is not None:
                locks.append(brought)
        return Attempt(None, max(locks, key=lambda lock: lock.until, default=None),
                       tuple(locks))

    def refused(self, username: str, address: str, lock: Lock) -> None:
        """Record a login refused because of ``lock`` (in the audit log)."""
        now = self.clock.now()
        with self._engine().begin() as connection:
            audit.append(connection, at=now, actor=username[:128], action="login_throttled",
                         subject=f"user:{username}"[:255], reason=lock.message(now),
                         detail={"address": address, "lock": lock.key,
                                 "until": lock.until.isoformat()})

    def failed(self, username: str, address: str, attempt: Attempt) -> Lock | None:
        """A wrong password (or unknown user name), counted by :meth:`begin`: audited; the
        lock it brought."""
        now = self.clock.now()
        lock = attempt.locks
        with self._engine().begin() as connection:
            audit.append(connection, at=now, actor=username[:128], action="login_failed",
                         subject=f"user:{username}"[:255],
                         reason="wrong user name or password",
                         detail={"address": address,
                                 "locked_until": lock.until.isoformat() if lock else None})
        return lock

    def succeeded(self, username: str, address: str, attempt: Attempt) -> None:
        """A right password: the user name's count starts again, and the address loses the
        attempt :meth:`begin` counted and the lock it set, if it set one."""
        (user, _), (where, _) = self._keys(username, address)
        table = login_attempts
        with self._engine().begin() as connection:
            connection.execute(table.delete().where(table.c.key == user))
            connection.execute(table.update().where(table.c.key == where).values(
                failures=sa.case((table.c.failures > 0, table.c.failures - 1), else_=0)))
            for lock in attempt.brought:
                if lock.key == where:  # unless another failure has moved it on since
                    connection.execute(table.update().where(
                        table.c.key == where, table.c.locked_until == lock.until).values(
                        locked_until=None))

    def _locked(self, username: str, address: str, now: dt.datetime) -> Lock | None:
        keys = [key for key, _ in self._keys(username, address)]
        with self._engine().connect() as connection:
            rows = connection.execute(sa.select(login_attempts).where(
                login_attempts.c.key.in_(keys))).all()
        locks = [Lock(row.key, until, row.failures) for row in rows
                 if (until := _utc(row.locked_until)) is not None and until > now]
        return max(locks, key=lambda lock: lock.until, default=None)

    def _count(self, key: str, limit: int, now: dt.datetime
               ) -> tuple[Lock | None, Lock | None]:
        """Count one attempt on ``key``: (the lock that refuses it, the lock it brings)."""
        table = login_attempts
        for _ in range(100):  # compare-and-set: read again when another worker wrote between
            with self._engine().begin() as connection:
                row = connection.execute(sa.select(table).where(table.c.key == key)).first()
                if row is None:
                    failures = 1
                else:
                    last, until = _utc(row.last_failure_at), _utc(row.locked_until)
                    if until is not None and until > now:
                        return Lock(key, until, row.failures), None
                    since = max(last, until) if last and until else last
                    failures = 1 if since is None or now - since > WINDOW else row.failures + 1
                length = lock_length(failures, limit)
                values = {"failures": failures, "last_failure_at": now,
                          "locked_until": now + length if length else None}
                if row is None:
                    try:
                        connection.execute(table.insert().values(key=key, **values))
                    except sa.exc.IntegrityError:
                        continue  # another worker counted the first attempt: count again
                else:
                    changed = connection.execute(table.update().where(
                        table.c.key == key, table.c.failures == row.failures,
                        table.c.last_failure_at == row.last_failure_at).values(**values))
                    if changed.rowcount != 1:
                        continue
            return None, Lock(key, now + length, failures) if length else None
        raise RuntimeError(f"login attempts on {key} kept changing: not counted")
