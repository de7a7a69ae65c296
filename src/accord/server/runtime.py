"""What a server process builds once: the decision service over the project's stores, and
the API key verifier. Created lazily (after uvicorn forks its workers: each worker has its
own connections and its own log segments)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from accord.clock import Clock, SystemClock
from accord.decisioning.active import ActiveRules
from accord.decisioning.service import DecisionService
from accord.logs import DurableLog
from accord.online import OnlineReader
from accord.online.contacts import ContactStore
from accord.operational import ApiKey, ApiKeyRepository, RuleRepository, open_operational
from accord.operational.store import OperationalStore, sqlite_url
from accord.project.template import state_dir
from accord.rules.governance import Governance

#: Seconds a verified key is trusted before the store is asked again (revocation delay).
KEY_CACHE_SECONDS = 30.0


def operational_path(project_dir: Path) -> Path:
    return state_dir(project_dir) / "operational.sqlite"


def contacts_path(project_dir: Path) -> Path:
    return state_dir(project_dir) / "contacts.sqlite"


def logs_path(project_dir: Path) -> Path:
    return state_dir(project_dir) / "logs"


def open_project_operational(project_dir: Path) -> OperationalStore:
    """The project's operational store (SQLite, migrated)."""
    return open_operational(sqlite_url(operational_path(project_dir)))


class KeyVerifier:
    """Verifies API keys against the operational store, caching answers briefly."""

    def __init__(self, keys: Callable[[], ApiKeyRepository],
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._keys = keys
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def __call__(self, secret: str) -> ApiKey | None:
        now = self._monotonic()
        hit = self._cache.get(secret)
        if hit is not None and now - hit[0] < KEY_CACHE_SECONDS:
            return hit[1]
        key = self._keys().verify(secret)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[secret] = (now, key)
        return key


T = TypeVar("T")


class Lazy(Generic[T]):
    """A value built on first use, once, by whichever thread asks first."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value

    def reset(self) -> None:
        """Build it again on next use (what it was built from has changed)."""
        with self._lock:
            self._value = None


def decision_service(project_dir: Path, profiles: OnlineReader,
                     clock: Clock | None = None) -> DecisionService:
    """The decision service over a project's stores."""
    clock = clock or SystemClock()
    operational = open_project_operational(project_dir)
    repository = RuleRepository(operational, clock)
    governance = Governance(operational, clock)

    def active_version() -> str | None:
        # every worker's poll is also the scheduler's tick: an approved version whose time
        # has come is activated by whichever worker looks first (in one transaction)
        governance.activate_due()
        return repository.active_version()

    return DecisionService(
        ActiveRules(active_version, repository.load), profiles,
        ContactStore(contacts_path(project_dir)), clock,
        decision_log=DurableLog(logs_path(project_dir), "decisions"),
        event_log=DurableLog(logs_path(project_dir), "events"),
        outcome_log=DurableLog(logs_path(project_dir), "outcomes"))
