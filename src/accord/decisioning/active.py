"""The active rule set of a running process, switched atomically when a new one activates.

Every request takes :meth:`ActiveRules.current` once and uses that rule set throughout, so a
switch never shows a request half of one version and half of another. A new version is
compiled completely before the reference is replaced (one assignment, atomic in Python);
until then requests keep the old one. No restart, in every worker: each polls the
operational store's active version at most every ``check_interval`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from accord.decisioning.ruleset import RuleSet
from accord.errors import ConfigError


class ActiveRules:
    """Holds the rule set a process decides with."""

    def __init__(self, active_version: Callable[[], str | None],
                 load: Callable[[str], RuleSet], *, check_interval: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._active_version = active_version
        self._load = load
        self._interval = check_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._rules: RuleSet | None = None
        self._checked = float("-inf")

    def current(self) -> RuleSet:
        """The rule set to use for one request.

        Raises:
            ConfigError: when no version was ever activated.
        """
        now = self._monotonic()
        # before the first set is loaded, wait for whichever thread is loading it, rather
        # than answer "no active rule set" because its check was recorded a moment ago
        if self._rules is None or now - self._checked >= self._interval:
            self.refresh(now)
        if self._rules is None:
            raise ConfigError("no active rule set: activate a version first "
                              "('accord rules approve' and 'accord rules activate')")
        return self._rules

    def refresh(self, now: float | None = None) -> bool:
        """Load the active version if it changed; returns whether it did."""
        if not self._lock.acquire(blocking=self._rules is None):
            return False  # another thread is refreshing: keep serving the current set
        try:
            self._checked = self._monotonic() if now is None else now
            version = self._active_version()
            if version is None or (self._rules is not None and self._rules.version == version):
                return False
            rules = self._load(version)  # compiled in full before anyone sees it
            self._rules = rules
            return True
        finally:
            self._lock.release()
