"""The lifecycle of a rule version, as data: states, and the transitions each role may make.

::

    draft --submit--> in_review --approve--> approved --activate--> active --(next)--> retired
      ^                   |                                            ^                  |
      +-----reject--------+                                            +----rollback------+

Maker-checker: the author of a version may not approve it. Every check here is pure: it
returns the new state or raises :class:`GovernanceError` naming the rule that refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from accord.errors import AccordError


class State(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    RETIRED = "retired"


class Role(enum.StrEnum):
    MARKETER = "marketer"  # authors and submits
    APPROVER = "approver"  # approves or rejects others' versions, activates, rolls back
    ADMIN = "admin"  # everything an approver does, and manages users


class GovernanceError(AccordError):
    """A transition the lifecycle or the actor's role does not allow; nothing changed."""


class Forbidden(GovernanceError):
    """The actor's role does not allow the action, or maker-checker forbids it (HTTP 403)."""


class InvalidTransition(GovernanceError):
    """The version's state does not allow the action (HTTP 409)."""


class UnknownVersion(GovernanceError):
    """No such rule version (HTTP 404)."""


@dataclass(frozen=True, slots=True)
class Transition:
    to: State
    roles: frozenset[Role]


_MAKERS = frozenset({Role.MARKETER, Role.ADMIN})
_CHECKERS = frozenset({Role.APPROVER, Role.ADMIN})

#: (state, action) -> the state it leads to and who may do it.
TRANSITIONS: dict[tuple[State, str], Transition] = {
    (State.DRAFT, "submit"): Transition(State.IN_REVIEW, _MAKERS),
    (State.IN_REVIEW, "approve"): Transition(State.APPROVED, _CHECKERS),
    (State.IN_REVIEW, "reject"): Transition(State.DRAFT, _CHECKERS),
    (State.APPROVED, "activate"): Transition(State.ACTIVE, _CHECKERS),
    (State.RETIRED, "rollback"): Transition(State.ACTIVE, _CHECKERS),
    (State.ACTIVE, "retire"): Transition(State.RETIRED, _CHECKERS),
}


_EVERYONE = frozenset(Role)

#: Actions that are no transition of a version -> who may do them.
ACTIONS: dict[str, frozenset[Role]] = {
    "draft": _MAKERS,  # save a new version
    "read": _EVERYONE,  # versions, files, diffs, scenarios, stored reports, the audit log
    "simulate": _EVERYONE,  # run the whole-base simulation of a version again
}

_WORDS = {"draft": "author rules", "read": "read the rules", "simulate": "run simulations"}

_DONE = {"submit": "submitted", "approve": "approved", "reject": "rejected",
         "activate": "activated", "rollback": "rolled back", "retire": "retired"}


def _needs(roles: frozenset[Role]) -> str:
    return " or ".join(sorted(r.value for r in roles))


def _has(roles: frozenset[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles)) or "no role"


def permit(action: str, *, actor: str, roles: frozenset[Role]) -> None:
    """Refuse ``action`` (a key of :data:`ACTIONS`) unless one of ``roles`` may do it.

    >>> permit("draft", actor="mia", roles=frozenset({Role.MARKETER}))  # allowed: no error
    >>> permit("draft", actor="ola", roles=frozenset({Role.APPROVER}))
    Traceback (most recent call last):
    ...
    accord.rules.lifecycle.Forbidden: 'ola' (approver) may not author rules: ...
    """
    allowed = ACTIONS[action]
    if not roles & allowed:
        raise Forbidden(f"{actor!r} ({_has(roles)}) may not {_WORDS.get(action, action)}: "
                        f"it needs the role {_needs(allowed)}")


def plan(state: State, action: str, *, actor: str, roles: frozenset[Role],
         author: str) -> State:
    """The state ``action`` leads to from ``state``, if ``actor`` may do it.

    Raises:
        Forbidden: the actor's roles do not allow the action (checked before the state),
            or the actor authored the version to approve.
        InvalidTransition: the state does not allow the action.
    """
    # the role first: whoever may never do the action learns that, not the version's state
    may = frozenset().union(*(t.roles for (_, a), t in TRANSITIONS.items() if a == action))
    if not roles & may:
        raise Forbidden(f"{actor!r} ({_has(roles)}) may not {action}: it needs the role "
                        f"{_needs(may)}")
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        allowed = sorted(a for (s, a) in TRANSITIONS if s is state) or ["nothing"]
        raise InvalidTransition(f"a version in state {state.value!r} cannot be "
                                f"{_DONE.get(action, action)} (allowed: {', '.join(allowed)})")
    if not roles & transition.roles:
        raise Forbidden(f"{actor!r} ({_has(roles)}) may not {action}: it needs the role "
                        f"{_needs(transition.roles)}")
    if action == "approve" and actor == author:
        raise Forbidden(f"{actor!r} authored this version and may not approve it: "
                        "another approver must (maker-checker)")
    return transition.to
