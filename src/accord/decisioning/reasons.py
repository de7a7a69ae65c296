"""Reason codes: every candidate treatment of a decision carries one (style point 2)."""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a treatment was or was not given."""

    SELECTED = "selected"
    OUTRANKED = "outranked"  # eligible, but others scored higher for the slots
    HOLDOUT = "holdout"  # selected, but the customer is in its holdout: the default was given
    DEFAULT = "default"  # the placement's default, given for a holdout or an empty slot
    WRONG_CHANNEL = "wrong_channel"
    WRONG_PLACEMENT = "wrong_placement"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    RULE_MISS = "rule_miss"  # an eligibility table did not say yes
    NO_CONSENT = "no_consent"
    QUIET_HOURS = "quiet_hours"
    CAPPED = "capped"  # a contact limit is reached
    SUPPRESSED_CONVERSION = "suppressed_conversion"
    SUPPRESSED_COMPLAINT = "suppressed_complaint"
    BUDGET_EXHAUSTED = "budget_exhausted"
    INVENTORY_EXHAUSTED = "inventory_exhausted"
