"""The standard dimensions, used when a project declares none.

Purchase behaviour from ``orders`` (and the category mix from ``order_lines``), RFM scores,
channel interactions from ``events`` and ``tickets`` in 30, 90 and 365 day windows and over
the lifetime, and contact attributes (most recent non-null value).

Event types the standard set counts (what connectors and the demo should write in
``events.type``): ``email_sent``, ``email_opened``, ``email_clicked`` and ``web_session``.
Service contacts are ``tickets`` rows.
"""

from __future__ import annotations

from accord.project.config import Dimension, Entity

__all__ = ["EVENT_TYPES", "WINDOWS", "default_dimensions"]

#: Rolling windows of the interaction counts, in days (``None``: the lifetime).
WINDOWS: tuple[int | None, ...] = (30, 90, 365, None)

#: Dimension stem -> the ``events.type`` it counts.
EVENT_TYPES: dict[str, str] = {
    "emails_sent": "email_sent",
    "emails_opened": "email_opened",
    "emails_clicked": "email_clicked",
    "web_sessions": "web_session",
}

_ATTRIBUTES = ("email", "phone", "first_name", "last_name", "city", "country",
               "consent_email")


def _windowed(stem: str, entity: Entity, where: str | None) -> list[Dimension]:
    return [Dimension(name=f"{stem}_{days}d" if days else stem, kind="count", entity=entity,
                      where=where, window_days=days) for days in WINDOWS]


def _purchases() -> list[Dimension]:
    orders = Entity.ORDERS
    return [
        Dimension(name="orders_count", kind="count", entity=orders),
        Dimension(name="revenue", kind="sum", entity=orders, field="total"),
        Dimension(name="first_order_at", kind="min", entity=orders, field="ordered_at"),
        Dimension(name="last_order_at", kind="max", entity=orders, field="ordered_at"),
        Dimension(name="recency_days", kind="recency_days", entity=orders),
        Dimension(name="top_category", kind="top", entity=Entity.ORDER_LINES,
                  field="category"),
    ]


def _interactions() -> list[Dimension]:
    dimensions: list[Dimension] = []
    for stem, event_type in EVENT_TYPES.items():
        dimensions += _windowed(stem, Entity.EVENTS, f'type = "{event_type}"')
    dimensions += _windowed("service_contacts", Entity.TICKETS, None)
    return dimensions


def _attributes() -> list[Dimension]:
    return [Dimension(name=field, kind="attribute", entity=Entity.CONTACTS, field=field)
            for field in _ATTRIBUTES]


def _derived() -> list[Dimension]:
    buyers = "orders_count > 0"
    return [
        Dimension(name="avg_order_value", kind="formula",
                  expression="if orders_count > 0 then revenue / orders_count else null"),
        Dimension(name="frequency", kind="formula", expression="orders_count"),
        Dimension(name="monetary", kind="formula", expression="revenue"),
        Dimension(name="rfm_r", kind="rfm", field="recency_days", where=buyers),
        Dimension(name="rfm_f", kind="rfm", field="frequency", where=buyers),
        Dimension(name="rfm_m", kind="rfm", field="monetary", where=buyers),
        Dimension(name="rfm_score", kind="formula", expression="rfm_r + rfm_f + rfm_m"),
    ]


def default_dimensions() -> list[Dimension]:
    """The standard dimensions, aggregates first, then formulas and RFM scores.

    >>> [d.name for d in default_dimensions()][:3]
    ['orders_count', 'revenue', 'first_order_at']
    """
    return [*_purchases(), *_interactions(), *_attributes(), *_derived()]
