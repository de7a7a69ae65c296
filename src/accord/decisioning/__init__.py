"""Real-time decisions: treatments, eligibility, contact policy, arbitration, holdouts and
adaptive propensity, in a pure ``decide``."""

from accord.decisioning.decide import Candidate, Decision, DecisionRequest, decide, digest
from accord.decisioning.history import (
    CustomerHistory,
    Outcome,
    OutcomeKind,
    TreatmentTotals,
)
from accord.decisioning.policy import ContactPolicy, QuietHours
from accord.decisioning.propensity import BetaEstimate, Propensities
from accord.decisioning.reasons import Reason
from accord.decisioning.ruleset import EligibilityTable, RuleSet
from accord.decisioning.treatments import Catalogue, ContactLimit, Treatment, TreatmentKind

__all__ = [
    "BetaEstimate",
    "Candidate",
    "Catalogue",
    "ContactLimit",
    "ContactPolicy",
    "CustomerHistory",
    "Decision",
    "DecisionRequest",
    "EligibilityTable",
    "Outcome",
    "OutcomeKind",
    "Propensities",
    "QuietHours",
    "Reason",
    "RuleSet",
    "Treatment",
    "TreatmentKind",
    "TreatmentTotals",
    "decide",
    "digest",
]
