"""Customer service tickets, as the help desk's database table holds them.

Tickets identify the customer by the e-mail or phone they wrote from (typed their way) and
carry free text from a few topic templates, filled with the customer's own order numbers
and products.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.demo import catalogue as cat
from accord.demo.columns import (
    DAY,
    IntArray,
    mask,
    pick,
    text,
    timestamps,
    uniform_between,
    weighted,
)
from accord.demo.orders import Orders
from accord.demo.people import (
    PLACEHOLDER_EMAIL,
    People,
    day_seconds,
    email_variant,
    phone_variant,
)
from accord.demo.spec import DemoSpec

TOPICS = tuple(cat.TICKET_TEMPLATES)
_TEMPLATES = tuple((topic, body) for topic in TOPICS for body in cat.TICKET_TEMPLATES[topic])
_TOPIC_WEIGHTS = (0.35, 0.25, 0.12, 0.18, 0.1)


def make_tickets(rng: np.random.Generator, people: People, orders: Orders, spec: DemoSpec,
                 first_ticket: int) -> pa.Table:
    """The block's tickets, numbered from ``first_ticket`` (integer ids, as a database
    sequence gives)."""
    as_of = day_seconds(spec.as_of) + DAY - 1
    count = rng.poisson(spec.tickets_per_customer * (0.5 + 0.5 * people.engagement))
    who = np.repeat(np.arange(len(people)), count)
    size = len(who)
    take = pa.array(who)
    opened = uniform_between(rng, np.maximum(people.created[who], as_of - 2 * 365 * DAY),
                             np.full(size, as_of - 3600))
    opened = np.minimum(opened, as_of - 3600)
    recent = opened > as_of - 14 * DAY
    still_open = recent & (rng.random(size) < 0.6)
    closed = np.minimum(opened + rng.integers(2 * 3600, 10 * DAY, size), as_of)
    topic = weighted(rng, _TOPIC_WEIGHTS, size)
    per_topic = np.asarray([len(cat.TICKET_TEMPLATES[t]) for t in TOPICS])
    first_of_topic = np.cumsum(per_topic) - per_topic
    template = first_of_topic[topic] + np.floor(rng.random(size) * per_topic[topic]).astype(
        np.int64)
    body = pick([t[1] for t in _TEMPLATES], template)
    body = _fill(body, "{order}", _their_order(rng, orders, who, len(people)))
    body = _fill(body, "{days}", text(rng.integers(3, 30, size)))
    body = _fill(body, "{product}", pick([p[1].lower() for p in cat.PRODUCTS],
                                         rng.integers(0, len(cat.PRODUCTS), size)))
    real_email = ~people.placeholder[who]
    writes_email = real_email & (rng.random(size) < 0.8) | ~people.has_phone[who]
    gives_phone = people.has_phone[who] & (~writes_email | (rng.random(size) < 0.3))
    email = email_variant(rng, people.email.take(take))
    email = pc.if_else(pa.array(real_email), email, pa.scalar(PLACEHOLDER_EMAIL))
    return pa.table({
        "ticket_id": pa.array(first_ticket + np.arange(size) + 1),
        "requester_email": mask(email, writes_email),
        "requester_phone": mask(phone_variant(rng, people.phone_digits.take(take),
                                              people.ireland[who]), gives_phone),
        "created_at": pc.strftime(timestamps(opened), format="%Y-%m-%d %H:%M:%S"),
        "closed_at": mask(pc.strftime(timestamps(closed), format="%Y-%m-%d %H:%M:%S"),
                          ~still_open),
        "status": pick(("closed", "open"), still_open.astype(np.int64)),
        "topic": pick(TOPICS, topic),
        "channel": pick(("email", "phone", "chat"), weighted(rng, (0.5, 0.3, 0.2), size)),
        "body": body,
        "_person": pa.array(people.person[who]),
    })


def _fill(body: pa.Array, placeholder: str, values: pa.Array) -> pa.Array:
    """Put each row's value where ``placeholder`` is (replace_substring only takes one
    replacement for all rows, so split on the placeholder and join with the values)."""
    return pc.binary_join(pc.split_pattern(body, placeholder), values)


def _their_order(rng: np.random.Generator, orders: Orders, who: IntArray,
                 people: int) -> pa.Array:
    """One of each ticket writer's own order numbers ("my order" when they have none)."""
    per_person = np.bincount(orders.person, minlength=people)
    first = np.cumsum(per_person) - per_person  # orders are grouped by person, in order
    count = per_person[who]
    pick_index = first[who] + np.floor(rng.random(len(who)) * np.maximum(count, 1)).astype(
        np.int64)
    has = count > 0
    safe = np.where(has, pick_index, 0)
    if len(orders.order_id) == 0:
        return pa.array(np.full(len(who), "my last order", dtype=object), type=pa.string())
    chosen = orders.order_id.take(pa.array(safe))
    return pc.if_else(pa.array(has), chosen, pa.scalar("my last order"))
