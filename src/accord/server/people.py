"""People at the governance API: a personal token (``Authorization: Bearer acu_...``) names
the user, and a refusal of governance becomes an HTTP error with the reason as its message.

A missing, unknown, expired or revoked token is 401 before anything is read; what the user
may do is then decided by :mod:`accord.rules.lifecycle` (403 for a role, 409 for a state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import Request

from accord.errors import AccordError, ConfigError, DmnError, FeelError
from accord.rules.governance import ConflictError, ScenarioFailure
from accord.rules.lifecycle import Forbidden, GovernanceError, InvalidTransition, UnknownVersion
from accord.rules.tokens import TokenRepository
from accord.rules.users import User
from accord.server.errors import ApiError

#: Refusals, most specific first -> (HTTP status, error code).
REFUSALS: tuple[tuple[type[AccordError], int, str], ...] = (
    (UnknownVersion, 404, "unknown_version"),
    (Forbidden, 403, "forbidden"),
    (ConflictError, 409, "stale_base"),
    (ScenarioFailure, 409, "scenarios_failed"),
    (InvalidTransition, 409, "invalid_transition"),
    (GovernanceError, 409, "refused"),
    (ConfigError, 422, "invalid_rule_set"),
    (DmnError, 422, "invalid_rule_set"),
    (FeelError, 422, "invalid_rule_set"),
    (AccordError, 422, "invalid_request"),
)


@contextmanager
def refusals() -> Iterator[None]:
    """Report a governance refusal or an invalid rule set as its HTTP error."""
    try:
        yield
    except AccordError as exc:
        status, code = next((s, c) for kind, s, c in REFUSALS if isinstance(exc, kind))
        raise ApiError(status, code, str(exc)) from None


def person(tokens: Callable[[], TokenRepository]) -> Callable[[Request], User]:
    """A FastAPI dependency: the user whose personal token the request carries."""

    def dependency(request: Request) -> User:
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "missing_token", "send your personal token: 'Authorization: "
                           "Bearer <token>' (create one with 'accord users token create')")
        user = tokens().verify(secret.strip())
        if user is None:
            raise ApiError(401, "invalid_token", "unknown, expired or revoked personal token")
        return user

    return dependency
