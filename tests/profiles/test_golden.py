"""Golden SQL: the DuckDB text compiled for a small project, reviewed in diffs.

Regenerate after an intended change with ``ACCORD_UPDATE_GOLDEN=1 pytest tests/profiles``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from accord.profiles import plan_profiles
from accord.project import parse_project
from accord.project.config import Entity

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ACCORD_UPDATE_GOLDEN") == "1"

PROJECT = """
name: golden
sources:
  crm: {entity: contacts, type: csv, path: crm.csv, columns: {source_id: id}, priority: 10}
profiles:
  dimensions:
    - {name: orders_count, kind: count, entity: orders}
    - {name: revenue, kind: sum, entity: orders, field: total}
    - {name: recency_days, kind: recency_days, entity: orders}
    - {name: line revenue, kind: sum, entity: order_lines, field: quantity * unit_price,
       where: quantity > 0}
    - {name: top_category, kind: top, entity: order_lines, field: category}
    - {name: emails_opened_30d, kind: count, entity: events, where: 'type = "email_opened"',
       window_days: 30}
    - {name: email, kind: attribute, field: email, survivorship: source_priority}
    - {name: aov, kind: formula, expression: 'if orders_count > 0 then revenue / orders_count
       else null'}
    - {name: rfm_r, kind: rfm, field: recency_days, where: orders_count > 0}
    - {name: rfm_m, kind: rfm, field: revenue, where: orders_count > 0}
    - {name: rfm_score, kind: formula, expression: rfm_r + rfm_m}
segments: []
"""

AS_OF = dt.date(2024, 1, 31)
ENTITIES = [Entity.CONTACTS, Entity.ORDERS, Entity.ORDER_LINES, Entity.EVENTS]


def _check(name: str, sql: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(sql + "\n", encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {path}; review and commit it")
    assert sql + "\n" == path.read_text(encoding="utf-8"), \
        f"{name} differs; rerun with ACCORD_UPDATE_GOLDEN=1 and review the diff"


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    return plan_profiles(parse_project(PROJECT), as_of=AS_OF, entities=ENTITIES)


def test_profiles_sql(plan) -> None:  # type: ignore[no-untyped-def]
    _check("profiles.sql", plan.profiles.sql(dialect="duckdb", pretty=True))


def test_monthly_sql(plan) -> None:  # type: ignore[no-untyped-def]
    assert plan.monthly is not None
    _check("profiles_monthly.sql", plan.monthly.sql(dialect="duckdb", pretty=True))


def test_one_scan_per_entity(plan) -> None:  # type: ignore[no-untyped-def]
    # the cost target: each entity is read once however many dimensions use it
    sql = plan.profiles.sql(dialect="duckdb")
    assert sql.count('FROM "orders" AS "e"') == 2  # agg_orders and order_customers
    assert sql.count('FROM "events" AS "e"') == 1
    assert sql.count('FROM "order_lines" AS "e"') == 2  # agg_order_lines and the top subquery
