"""Arbitration: score eligible treatments and fill each placement's slots with the best.

The score is a FEEL expression over ``propensity``, ``value``, ``cost`` and ``weight`` (and
the request context), ``propensity * value * weight`` by default, as Pega's P x V x L:
marketing changes the formula in the rule set, not in code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.errors import ConfigError, FeelSyntaxError
from accord.feel.compiler import compile_expression

DEFAULT_FORMULA = "propensity * value * weight"


@dataclass(frozen=True, slots=True)
class Scored:
    """An eligible treatment with its score."""

    treatment_id: str
    placements: tuple[str, ...]
    propensity: float
    score: Decimal


class Arbitration:
    """A compiled scoring formula."""

    def __init__(self, formula: str = DEFAULT_FORMULA) -> None:
        self.formula = formula
        try:
            self._score = compile_expression(formula, ("propensity", "value", "cost", "weight"))
        except FeelSyntaxError as exc:
            raise ConfigError(f"arbitration formula: {exc}") from exc

    def score(self, propensity: float, value: Decimal, cost: Decimal, weight: Decimal,
              context: Mapping[str, Any]) -> Decimal:
        """The score; a formula that does not give a number scores zero."""
        scope = {**context, "propensity": Decimal(repr(propensity)), "value": value,
                 "cost": cost, "weight": weight}
        result = self._score(scope)
        return result if isinstance(result, Decimal) else Decimal(0)


def fill(placements: Mapping[str, int], candidates: Sequence[Scored]) -> dict[str, list[str]]:
    """Give each placement (in request order) its best ``slots`` candidates that fit it; a
    treatment fills one slot at most. Ties go to the smaller treatment id (deterministic)."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.treatment_id))
    used: set[str] = set()
    result: dict[str, list[str]] = {}
    for placement, slots in placements.items():
        chosen = result.setdefault(placement, [])
        for candidate in ranked:
            if len(chosen) >= slots:
                break
            if candidate.treatment_id in used or placement not in candidate.placements:
                continue
            chosen.append(candidate.treatment_id)
            used.add(candidate.treatment_id)
    return result
