"""The web shop's orders and order lines.

Registered shoppers' orders carry the CRM contact id (sometimes the id of their duplicate
record) and now and then the e-mail they typed; guest checkouts carry only the e-mail (and
sometimes a phone). Order totals are the exact sum of their lines, in pence until written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.demo import catalogue as cat
from accord.demo.columns import (
    DAY,
    BoolArray,
    IntArray,
    concat,
    mask,
    pick,
    text,
    timestamps,
    uniform_between,
    weighted,
)
from accord.demo.people import People, day_seconds, email_variant, phone_variant
from accord.demo.spec import DemoSpec

_PRICES = np.asarray([round(product[3] * 100) for product in cat.PRODUCTS], dtype=np.int64)
_CATEGORY = np.asarray([cat.CATEGORIES.index(product[2]) for product in cat.PRODUCTS])
#: First product of each category and how many there are (products are grouped by category).
_CATEGORY_START = np.asarray([int(np.argmax(c == _CATEGORY)) for c in range(len(cat.CATEGORIES))])
_CATEGORY_SIZE = np.bincount(_CATEGORY, minlength=len(cat.CATEGORIES))
STATUSES = ("completed", "returned", "cancelled")
CHANNELS = ("web", "app", "store")


@dataclass(frozen=True)
class Orders:
    """A block's orders: the shop's tables and what events and tickets need of them."""

    orders: pa.Table
    lines: pa.Table
    #: Per order: the person (index in the block), time, total in pence, channel, id.
    person: IntArray
    at: IntArray
    total_pence: IntArray
    channel: IntArray
    order_id: pa.Array
    email: pa.Array
    member: BoolArray


def make_orders(rng: np.random.Generator, people: People, spec: DemoSpec,
                first_order: int) -> Orders:
    """Draw the block's orders, numbered from ``first_order``."""
    count = rng.poisson(people.engagement * spec.orders_per_customer)
    count = np.where(people.in_crm, count, np.maximum(count, 1))  # guests exist by ordering
    person = np.repeat(np.arange(len(people)), count)
    size = len(person)
    as_of = day_seconds(spec.as_of) + DAY - 1
    start = np.maximum(people.created, as_of - 3 * 365 * DAY)[person]
    at = uniform_between(rng, np.minimum(start, people.active_until[person]),
                         people.active_until[person])
    order_id = concat("SO-", text(first_order + np.arange(size), 9))
    member = people.in_crm[person] & (rng.random(size) >= 0.15)
    has_duplicate = pc.is_valid(people.duplicate_contact).to_numpy(zero_copy_only=False)
    use_duplicate = has_duplicate[person] & (rng.random(size) < 0.25)
    take = pa.array(person)
    contact = pc.if_else(pa.array(use_duplicate), people.duplicate_contact.take(take),
                         people.primary_contact.take(take))
    email = email_variant(rng, people.email.take(take))
    show_email = ~member | (rng.random(size) < 0.4)
    phone = phone_variant(rng, people.phone_digits.take(take), people.ireland[person])
    show_phone = ~member & people.has_phone[person] & (rng.random(size) < 0.2)
    channel = weighted(rng, (0.55, 0.25, 0.2), size)

    lines_per = 1 + np.minimum(rng.poisson(max(spec.lines_per_order - 1, 0), size), 7)
    line_order = np.repeat(np.arange(size), lines_per)
    lines = len(line_order)
    favourite = rng.random(lines) < 0.5
    category = np.where(favourite, people.favourite[person[line_order]],
                        rng.integers(0, len(cat.CATEGORIES), lines))
    product = _CATEGORY_START[category] + np.floor(
        rng.random(lines) * _CATEGORY_SIZE[category]).astype(np.int64)
    quantity = 1 + weighted(rng, (0.85, 0.12, 0.03), lines)
    on_sale = rng.random(lines) < 0.2
    unit_pence = np.where(on_sale, np.round(_PRICES[product] * 0.8), _PRICES[product])
    total_pence = np.bincount(line_order, weights=quantity * unit_pence,
                              minlength=size).astype(np.int64)
    line_number = np.arange(lines) - np.repeat(np.cumsum(lines_per) - lines_per, lines_per) + 1
    status = weighted(rng, (0.9, 0.06, 0.04), size)
    country = people.country.take(take)
    order_ref = mask(contact, member)
    orders = pa.table({
        "order_id": order_id,
        "customer_id": order_ref,
        "email": mask(email, show_email),
        "phone": mask(phone, show_phone),
        "ordered_at": timestamps(at),
        "total": pa.array(total_pence / 100),
        "currency": pa.array(np.full(size, "GBP", dtype=object), type=pa.string()),
        "channel": pick(CHANNELS, channel),
        "status": pick(STATUSES, status),
        "country": country,
        "_person": pa.array(people.person[person]),
    })
    line_take = pa.array(line_order)
    order_lines = pa.table({
        "line_id": concat(order_id.take(line_take), "-", text(line_number)),
        "order_id": order_id.take(line_take),
        "customer_id": order_ref.take(line_take),
        "ordered_at": timestamps(at[line_order]),
        "sku": pick([p[0] for p in cat.PRODUCTS], product),
        "product_name": pick([p[1] for p in cat.PRODUCTS], product),
        "category": pick([p[2] for p in cat.PRODUCTS], product),
        "quantity": pa.array(quantity.astype(np.float64)),
        "unit_price": pa.array(unit_pence / 100),
        "country": country.take(line_take),
        "_person": pa.array(people.person[person[line_order]]),
    })
    return Orders(orders=orders, lines=order_lines, person=person, at=at,
                  total_pence=total_pence, channel=channel, order_id=order_id,
                  email=email, member=member)
