"""Profiles built over the small hub: every dimension kind, as-of builds, windows, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accord.clock import FixedClock
from accord.profiles import ProfileDefinitionError, ProfilesReport, run_profiles
from accord.progress import SilentProgress
from accord.project.config import Dimension, Entity, Profiles, Project, Source
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import SMALL_HUB_AS_OF, create_table

AS_OF = SMALL_HUB_AS_OF


def build(store: AnalyticalStore, clock: FixedClock, dimensions: list[Dimension] | None = None,
          *, as_of: dt.date | None = AS_OF, **project: Any) -> ProfilesReport:
    config = Project(name="t", profiles=Profiles(dimensions=dimensions or []), **project)
    return run_profiles(config, store, as_of=as_of, clock=clock, progress=SilentProgress())


def rows(store: AnalyticalStore, table: str = "profiles") -> dict[str, dict[str, Any]]:
    return {row["customer_id"]: row
            for row in store.query(f"SELECT * FROM {table} ORDER BY customer_id").to_pylist()}


def test_default_dimensions_purchase_behaviour(store: AnalyticalStore,
                                               clock: FixedClock) -> None:
    report = build(store, clock)
    assert report.defaults and report.customers == 4 and report.as_of == AS_OF
    profiles = rows(store)
    a, b, c, d = (profiles[k] for k in ("c_a", "c_b", "c_c", "c_d"))
    assert (a["orders_count"], a["revenue"]) == (2, Decimal("150.00"))
    # the order of 2024-02-05 is after the as-of date: not seen
    assert (b["orders_count"], b["revenue"]) == (1, Decimal("20.00"))
    assert a["first_order_at"] == dt.datetime(2023, 12, 15, 9)
    assert a["last_order_at"] == dt.datetime(2024, 1, 30, 10)
    assert (a["recency_days"], b["recency_days"], c["recency_days"]) == (0, 243, 759)
    assert a["avg_order_value"] == Decimal(75)
    assert (d["orders_count"], d["revenue"], d["recency_days"]) == (0, 0, None)
    assert d["avg_order_value"] is None
    assert (a["top_category"], b["top_category"], c["top_category"]) == ("toys", "books", None)
    assert {row["as_of"] for row in profiles.values()} == {AS_OF}


def test_rfm_scores_buyers_only_by_rank_quintile(store: AnalyticalStore,
                                                  clock: FixedClock) -> None:
    build(store, clock)
    profiles = rows(store)
    # three buyers: ranks 1..3 score 1 + floor(5 * (rank - 1) / 3) = 1, 2, 4
    assert [profiles[k]["rfm_r"] for k in ("c_c", "c_b", "c_a")] == [1, 2, 4]
    assert [profiles[k]["rfm_m"] for k in ("c_c", "c_b", "c_a")] == [1, 2, 4]
    # c_b and c_c both have one order: a tie shares the lower score
    assert [profiles[k]["rfm_f"] for k in ("c_b", "c_c", "c_a")] == [1, 1, 4]
    assert profiles["c_a"]["rfm_score"] == 12
    assert profiles["c_d"]["rfm_r"] is None and profiles["c_d"]["rfm_score"] is None


def test_interaction_windows_end_with_the_as_of_day(store: AnalyticalStore,
                                                    clock: FixedClock) -> None:
    build(store, clock)
    profiles = rows(store)
    a = profiles["c_a"]
    assert (a["emails_sent_30d"], a["emails_sent_90d"], a["emails_sent_365d"],
            a["emails_sent"]) == (1, 1, 2, 2)
    assert a["emails_opened_30d"] == 1 and a["emails_clicked"] == 0
    # 23:00 on the as-of day is seen; midnight after it is not
    assert profiles["c_d"]["web_sessions_30d"] == 1 and profiles["c_d"]["web_sessions"] == 1
    b = profiles["c_b"]
    assert (b["service_contacts_30d"], b["service_contacts_90d"]) == (0, 1)


def test_attributes_most_recent_non_null(store: AnalyticalStore, clock: FixedClock) -> None:
    build(store, clock)
    a = rows(store)["c_a"]
    assert (a["email"], a["city"], a["first_name"]) == ("a@shop.example", "York", "Ann")
    c = rows(store)["c_c"]  # an undated contact still counts
    assert (c["email"], c["consent_email"]) == ("c@crm.example", True)


def test_attributes_by_source_priority(store: AnalyticalStore, clock: FixedClock) -> None:
    dimensions = [Dimension(name="email", kind="attribute", field="email",
                            survivorship="source_priority")]
    sources = {name: Source(entity=Entity.CONTACTS, type="csv", path="x.csv",
                            columns={"source_id": "id"}, priority=priority)
               for name, priority in (("crm", 10), ("shop", 50))}
    build(store, clock, dimensions, sources=sources)
    assert rows(store)["c_a"]["email"] == "a@crm.example"


def test_as_of_in_the_past_sees_only_earlier_records(store: AnalyticalStore,
                                                     clock: FixedClock) -> None:
    report = build(store, clock, as_of=dt.date(2023, 12, 31))
    profiles = rows(store)
    # c_d's only records are web sessions of 2024: not a customer yet
    assert report.customers == 3 and "c_d" not in profiles
    assert profiles["c_a"]["orders_count"] == 1
    assert profiles["c_a"]["recency_days"] == 15  # 15.6 days before 2023-12-31 00:00
    assert profiles["c_a"]["email"] == "a@crm.example"  # the 2024 contact is not seen yet


def test_as_of_defaults_to_the_clock_day(store: AnalyticalStore, clock: FixedClock) -> None:
    report = build(store, clock, as_of=None)
    assert report.as_of == dt.date(2024, 2, 10)
    assert rows(store)["c_b"]["orders_count"] == 2


def test_custom_kinds_over_order_lines(store: AnalyticalStore, clock: FixedClock) -> None:
    lines = Entity.ORDER_LINES
    dimensions = [
        Dimension(name="line revenue", kind="sum", entity=lines,
                  field="quantity * unit_price"),
        Dimension(name="invoices", kind="distinct", entity=lines, field="order_id"),
        Dimension(name="toy lines", kind="count", entity=lines, where='category = "toys"'),
        Dimension(name="biggest line", kind="max", entity=lines, field="quantity"),
        Dimension(name="mean price", kind="avg", entity=lines, field="unit_price"),
        Dimension(name="first category", kind="first", entity=lines, field="category"),
        Dimension(name="last category", kind="last", entity=lines, field="category"),
        Dimension(name="categories", kind="top", entity=lines, field="category", top=2),
        Dimension(name="big spender", kind="formula", expression="line revenue > 100"),
    ]
    report = build(store, clock, dimensions)
    assert report.dimensions == tuple(d.name for d in dimensions)
    a = rows(store)["c_a"]
    assert a["line revenue"] == Decimal(150)
    assert (a["invoices"], a["toy lines"], a["biggest line"]) == (2, 2, Decimal(2))
    assert a["mean price"] == pytest.approx(125 / 3)
    assert (a["first category"], a["last category"]) == ("books", "toys")
    assert a["categories"] == ["toys", "books"]
    assert a["big spender"] is True and rows(store)["c_b"]["big spender"] is False


def test_monthly_rollup(store: AnalyticalStore, clock: FixedClock) -> None:
    report = build(store, clock)
    monthly = store.query("SELECT customer_id, month, orders_count, revenue, emails_sent "
                          "FROM profiles_monthly WHERE customer_id = 'c_a' "
                          "ORDER BY month").to_pylist()
    assert [(m["month"], m["orders_count"], m["revenue"], m["emails_sent"]) for m in monthly] \
        == [(dt.date(2023, 10, 1), 0, 0, 1), (dt.date(2023, 12, 1), 1, 50, 0),
            (dt.date(2024, 1, 1), 1, 100, 1)]
    assert report.monthly_rows == 7


def test_missing_entities_read_as_empty(clock: FixedClock) -> None:
    store = open_store("duckdb")
    create_table(store, "identity_map", {"source": "VARCHAR", "source_id": "VARCHAR",
                                         "customer_id": "VARCHAR"}, [])
    report = build(store, clock)
    assert report.customers == 0
    columns = store.query("SELECT * FROM profiles").column_names
    assert "revenue" in columns and "rfm_score" in columns


def test_without_identity_map_asks_for_identity(clock: FixedClock) -> None:
    with pytest.raises(Exception, match="identity"):
        build(open_store("duckdb"), clock)


@pytest.mark.parametrize(("dimension", "message"), [
    (Dimension(name="x", kind="sum", entity=Entity.ORDERS), "needs 'field'"),
    (Dimension(name="x", kind="count"), "needs 'entity'"),
    (Dimension(name="x", kind="sum", entity=Entity.ORDERS, field="nope"),
     "unknown name 'nope'"),
    (Dimension(name="x", kind="count", entity=Entity.EVENTS,
               where="some t in [1] satisfies t > 0"), "cannot be compiled to SQL"),
    (Dimension(name="x", kind="formula", expression="missing + 1"), "unknown name 'missing'"),
    (Dimension(name="x", kind="rfm", field="missing"), "earlier dimension"),
    (Dimension(name="as_of", kind="count", entity=Entity.ORDERS), "reserved"),
])
def test_definition_errors_name_the_dimension(store: AnalyticalStore, clock: FixedClock,
                                              dimension: Dimension, message: str) -> None:
    with pytest.raises(ProfileDefinitionError, match=message) as caught:
        build(store, clock, [dimension])
    assert repr(dimension.name) in str(caught.value)


def test_errors_leave_previous_profiles_in_place(store: AnalyticalStore,
                                                  clock: FixedClock) -> None:
    build(store, clock)
    with pytest.raises(ProfileDefinitionError, match="declared twice"):
        build(store, clock, [Dimension(name="n", kind="count", entity=Entity.ORDERS)] * 2)
    assert "rfm_score" in store.query("SELECT * FROM profiles").column_names


def test_filters_keep_feel_null_rules_under_not(store: AnalyticalStore,
                                               clock: FixedClock) -> None:
    store.execute("INSERT INTO events (source_id, _source, occurred_at) "
                  "VALUES ('e6', 'web', '2024-01-10 00:00:00')")
    store.execute("INSERT INTO identity_map VALUES ('web', 'e6', 'c_a')")
    dimensions = [Dimension(name="not sent", kind="count", entity=Entity.EVENTS,
                            where='not(type = "email_sent")'),
                  Dimension(name="sent", kind="count", entity=Entity.EVENTS,
                            where='type = "email_sent"')]
    build(store, clock, dimensions)
    a = rows(store)["c_a"]
    # the event without a type is "not sent" in FEEL (null = "email_sent" is false)
    assert (a["not sent"], a["sent"]) == (2, 2)
