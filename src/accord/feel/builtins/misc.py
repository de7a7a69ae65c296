"""Boolean functions (DMN 1.5 clause 10.3.4.2) and ``is`` (10.3.4.7)."""

from __future__ import annotations

from typing import Any

from accord.feel.builtins._common import Registry, builtin
from accord.feel.semantics import feel_is

FUNCTIONS: Registry = {}


@builtin(FUNCTIONS, "not", ["negand"])
def not_(negand: Any) -> bool | None:
    """``not(negand)``: boolean negation; null for a non-boolean."""
    return (not negand) if type(negand) is bool else None


@builtin(FUNCTIONS, "is", ["value1", "value2?"])
def is_(value1: Any, value2: Any = None) -> bool:
    """``is(value1, value2)``: same type and value (temporals: same offset or zone too)."""
    return feel_is(value1, value2)
