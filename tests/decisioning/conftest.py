"""A small retailer's rule set: three offers, a placement default, two eligibility tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.decisioning import (
    Catalogue,
    ContactLimit,
    ContactPolicy,
    QuietHours,
    RuleSet,
    Treatment,
)
from accord.dmn import Model
from accord.testing import table_definitions

NOW = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC)


def eligibility_models() -> list[Model]:
    high_value = Model(table_definitions(
        "High value", inputs={"monetary": "number", "segments": None},
        outputs={"High value": "boolean"},
        rules=[([">= 500", 'list contains(?, "churn risk")'], ["false"]),
               ([">= 500", "-"], ["true"]), (["-", "-"], ["false"])],
        hit_policy="FIRST"))
    cart = Model(table_definitions(
        "Has cart", inputs={"cart value": "number"}, outputs={"Has cart": "boolean"},
        rules=[(["> 0"], ["true"]), (["-"], ["false"])], hit_policy="FIRST"))
    return [high_value, cart]


def catalogue() -> Catalogue:
    return Catalogue.of([
        Treatment("vip", "VIP lounge", channels=frozenset({"web", "email"}),
                  placements=frozenset({"hero"}), value=Decimal(50),
                  eligibility=("High value",), suppress_after_conversion_days=30,
                  limits=(ContactLimit(max_count=2, period_days=7),)),
        Treatment("cart", "Finish your order", channels=frozenset({"web", "email", "sms"}),
                  placements=frozenset({"hero", "banner"}), value=Decimal(20),
                  eligibility=("Has cart",)),
        Treatment("spring", "Spring sale", value=Decimal(5),
                  valid_from=NOW - dt.timedelta(days=1), valid_to=NOW + dt.timedelta(days=9)),
        Treatment("newsletter", "Newsletter", value=Decimal(1)),
    ], defaults={"hero": "newsletter"})


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    policy = ContactPolicy(quiet_hours=(QuietHours("sms", dt.time(21), dt.time(8)),),
                           limits=(ContactLimit(max_count=5, period_days=1, channel="email",
                                                scope="channel"),))
    return RuleSet.build("v1", catalogue(), eligibility_models(), policy=policy)
