"""Arbitration: the scoring formula, and placements filled best first, one slot per
treatment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.decisioning.arbitration import DEFAULT_FORMULA, Arbitration, Scored, fill
from accord.errors import ConfigError


def _scored(treatment_id: str, score: int, *placements: str) -> Scored:
    return Scored(treatment_id, placements or ("hero", "banner"), 0.5, Decimal(score))


def test_the_default_formula_is_propensity_times_value_times_weight() -> None:
    arbitration = Arbitration()
    assert arbitration.formula == DEFAULT_FORMULA == "propensity * value * weight"
    assert arbitration.score(0.5, Decimal(5), Decimal(3), Decimal(2), {}) == Decimal(5)


def test_a_formula_sees_every_input_and_the_request_context() -> None:
    formula = "propensity * (value - cost) * weight * boost"
    arbitration = Arbitration(formula)
    assert arbitration.formula == formula
    score = arbitration.score(0.25, Decimal(10), Decimal(2), Decimal(2), {"boost": Decimal(3)})
    assert score == Decimal(12)
    # the propensity enters as the decimal it prints as, not its binary expansion
    assert Arbitration("propensity").score(0.1, Decimal(1), Decimal(0), Decimal(1), {}) == \
        Decimal("0.1")


@pytest.mark.parametrize("formula", ['"high"', "propensity * unknown", "null", "true"])
def test_a_formula_that_gives_no_number_scores_zero(formula: str) -> None:
    score = Arbitration(formula).score(0.5, Decimal(10), Decimal(0), Decimal(1), {})
    assert score == Decimal(0) and isinstance(score, Decimal)


def test_a_formula_that_does_not_parse_is_a_config_error_saying_where() -> None:
    with pytest.raises(ConfigError) as raised:
        Arbitration("propensity *")
    assert str(raised.value).startswith("arbitration formula: unexpected end of expression "
                                        "at line 1, column 13")


def test_placements_take_the_best_in_request_order() -> None:
    candidates = [_scored("a", 1), _scored("b", 3), _scored("c", 2), _scored("d", 4)]
    assert fill({"hero": 1, "banner": 2}, candidates) == {"hero": ["d"], "banner": ["b", "c"]}
    assert fill({"banner": 1, "hero": 2}, candidates) == {"banner": ["d"], "hero": ["b", "c"]}


def test_a_treatment_fills_one_slot_at_most() -> None:
    candidates = [_scored("a", 9), _scored("b", 1)]
    assert fill({"hero": 1, "banner": 1}, candidates) == {"hero": ["a"], "banner": ["b"]}
    assert fill({"hero": 2, "banner": 2}, candidates) == {"hero": ["a", "b"], "banner": []}


def test_a_treatment_fills_only_placements_it_fits() -> None:
    candidates = [_scored("wide", 9, "banner"), _scored("narrow", 1, "hero")]
    assert fill({"hero": 2, "banner": 2}, candidates) == {"hero": ["narrow"],
                                                          "banner": ["wide"]}
    assert fill({"footer": 1}, candidates) == {"footer": []}


def test_ties_go_to_the_smaller_id_and_empty_placements_are_kept() -> None:
    candidates = [_scored("b", 5), _scored("a", 5), _scored("c", 5)]
    assert fill({"hero": 2, "banner": 0}, candidates) == {"hero": ["a", "b"], "banner": []}
    assert fill({}, candidates) == {}
    assert fill({"hero": 1}, []) == {"hero": []}
