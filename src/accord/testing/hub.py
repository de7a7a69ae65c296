"""Fixture builders for the customer data hub: entity tables, the identity map, identifiers.

Tests of profiles, segments and the online store build these tables directly in a real
(in-memory) DuckDB store rather than running ingest and identity, so that each module is
tested on its own contract (``docs/hub-design.md``).

>>> from accord.store import open_store
>>> store = open_store("duckdb")
>>> small_hub(store)
>>> sorted(store.tables())[:3]
['contacts', 'events', 'identifiers']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sqlglot import exp

from accord.project.config import ENTITY_FIELDS, Entity
from accord.store.base import AnalyticalStore

__all__ = ["SMALL_HUB_AS_OF", "create_entity", "create_table", "literal", "small_hub"]

#: The as-of date :func:`small_hub`'s expected values are computed for.
SMALL_HUB_AS_OF = dt.date(2024, 1, 31)


def literal(value: object) -> exp.Expr:
    """A SQL literal of a Python value (strings, numbers, booleans, dates, None)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | Decimal | float):
        return exp.Literal.number(str(value))
    if isinstance(value, dt.date):  # datetimes too
        return exp.Literal.string(value.isoformat(sep=" ") if isinstance(value, dt.datetime)
                                  else value.isoformat())
    return exp.Literal.string(str(value))


def create_table(store: AnalyticalStore, name: str, columns: Mapping[str, str],
                 rows: Iterable[Sequence[object]]) -> None:
    """Create table ``name`` with typed ``columns`` (name -> SQL type) holding ``rows``."""
    schema = exp.Schema(this=exp.Table(this=exp.to_identifier(name, quoted=True)),
                        expressions=[exp.ColumnDef(this=exp.to_identifier(column, quoted=True),
                                                   kind=exp.DataType.build(sql_type))
                                     for column, sql_type in columns.items()])
    store.execute(exp.Create(this=schema, kind="TABLE", replace=True))
    values = [exp.Tuple(expressions=[literal(value) for value in row]) for row in rows]
    if values:
        store.execute(exp.Insert(this=exp.Table(this=exp.to_identifier(name, quoted=True)),
                                 expression=exp.Values(expressions=values)))


def create_entity(store: AnalyticalStore, entity: Entity,
                  rows: Iterable[Mapping[str, object]]) -> None:
    """Create the entity's table with its canonical columns and ``_source``; missing fields
    are null. Each row must give ``_source`` and ``source_id``."""
    columns = {**ENTITY_FIELDS[entity], "_source": "VARCHAR"}
    create_table(store, entity.value, columns,
                 [[row.get(column) for column in columns] for row in rows])


def _orders() -> list[dict[str, object]]:
    rows = [("o1", "a", "2024-01-30 10:00:00", "100.00"),
            ("o2", "a", "2023-12-15 09:00:00", "50.00"),
            ("o3", "b", "2023-06-01 12:00:00", "20.00"),
            ("o4", "b", "2024-02-05 12:00:00", "999.00"),  # after the as-of date
            ("o5", "c", "2022-01-01 08:00:00", "10.00")]
    return [{"_source": "shop", "source_id": source_id, "customer_ref": ref,
             "ordered_at": at, "total": Decimal(total)}
            for source_id, ref, at, total in rows]


def _order_lines() -> list[dict[str, object]]:
    rows = [("l1", "o1", "2024-01-30 10:00:00", "toys", "2", "25.00"),
            ("l2", "o1", "2024-01-30 10:00:00", "toys", "1", "50.00"),
            ("l3", "o2", "2023-12-15 09:00:00", "books", "1", "50.00"),
            ("l4", "o3", "2023-06-01 12:00:00", "books", "4", "5.00")]
    return [{"_source": "shop", "source_id": source_id, "order_id": order,
             "ordered_at": at, "category": category, "quantity": Decimal(quantity),
             "unit_price": Decimal(price)}
            for source_id, order, at, category, quantity, price in rows]


def _events() -> list[dict[str, object]]:
    rows = [("e1", "email_sent", "2024-01-20 08:00:00"),
            ("e2", "email_opened", "2024-01-21 08:00:00"),
            ("e3", "email_sent", "2023-10-01 08:00:00"),
            ("e4", "web_session", "2024-01-31 23:00:00"),
            ("e5", "web_session", "2024-02-01 00:00:00")]  # the day after: not seen
    return [{"_source": "web", "source_id": source_id, "type": kind, "occurred_at": at,
             "channel": "email" if kind.startswith("email") else "web"}
            for source_id, kind, at in rows]


def _contacts() -> list[dict[str, object]]:
    return [
        {"_source": "crm", "source_id": "k1", "email": "a@crm.example",
         "first_name": "Ann", "city": "Leeds", "updated_at": "2023-01-01 00:00:00"},
        {"_source": "shop", "source_id": "k2", "email": "a@shop.example",
         "city": "York", "updated_at": "2024-01-01 00:00:00"},
        {"_source": "crm", "source_id": "k3", "email": "c@crm.example",
         "first_name": "Cy", "consent_email": True},
    ]


#: (source, source_id) -> customer of :func:`small_hub` (order lines reach theirs through
#: their order, as identity resolution leaves lines out).
_CUSTOMERS = {
    ("shop", "o1"): "c_a", ("shop", "o2"): "c_a", ("shop", "o3"): "c_b",
    ("shop", "o4"): "c_b", ("shop", "o5"): "c_c",
    ("web", "e1"): "c_a", ("web", "e2"): "c_a", ("web", "e3"): "c_a",
    ("web", "e4"): "c_d", ("web", "e5"): "c_d",
    ("desk", "t1"): "c_b",
    ("crm", "k1"): "c_a", ("shop", "k2"): "c_a", ("crm", "k3"): "c_c",
}


def small_hub(store: AnalyticalStore) -> None:
    """Four customers over every entity, as ingest and identity would leave them.

    ``c_a`` has two orders (one two days before :data:`SMALL_HUB_AS_OF`), e-mails and two
    contacts that disagree; ``c_b`` an old order, one after the as-of date, and a ticket;
    ``c_c`` an old order and an undated contact; ``c_d`` only web sessions, one of them the
    day after the as-of date.
    """
    create_entity(store, Entity.ORDERS, _orders())
    create_entity(store, Entity.ORDER_LINES, _order_lines())
    create_entity(store, Entity.EVENTS, _events())
    create_entity(store, Entity.CONTACTS, _contacts())
    create_entity(store, Entity.TICKETS, [{"_source": "desk", "source_id": "t1",
                                           "opened_at": "2023-12-01 10:00:00"}])
    create_table(store, "identity_map",
                 {"source": "VARCHAR", "source_id": "VARCHAR", "customer_id": "VARCHAR"},
                 [(source, source_id, customer)
                  for (source, source_id), customer in _CUSTOMERS.items()])
    create_table(store, "identifiers",
                 {"source": "VARCHAR", "source_id": "VARCHAR", "kind": "VARCHAR",
                  "value": "VARCHAR", "raw": "VARCHAR"},
                 [("crm", "k1", "email", "a@crm.example", "A@crm.example"),
                  ("shop", "k2", "email", "a@shop.example", "a@shop.example"),
                  ("crm", "k3", "email", "c@crm.example", "c@crm.example"),
                  ("shop", "o1", "customer_ref", "a", "a")])
