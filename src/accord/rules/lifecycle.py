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


_DONE = {"submit": "submitted", "approve": "approved", "reject": "rejected",
         "activate": "activated", "rollback": "rolled back", "retire": "retired"}


def plan(state: State, action: str, *, actor: str, roles: frozenset[Role],
         author: str) -> State:
    """The state ``action`` leads to from ``state``, if ``actor`` may do it."""
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        allowed = sorted(a for (s, a) in TRANSITIONS if s is state) or ["nothing"]
        raise GovernanceError(f"a version in state {state.value!r} cannot be "
                              f"{_DONE.get(action, action)} (allowed: {', '.join(allowed)})")
    if not roles & transition.roles:
        raise GovernanceError(
            f"{actor!r} ({', '.join(sorted(r.value for r in roles)) or 'no role'}) may not "
            f"{action}: it needs the role {' or '.join(sorted(r.value for r in transition.roles))}")
    if action == "approve" and actor == author:
        raise GovernanceError(f"{actor!r} authored this version and may not approve it: "
                              "another approver must (maker-checker)")
    return transition.to
