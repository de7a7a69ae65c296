"""Web, app and e-mail events as the event platform exports them.

E-mail events carry the address the e-mail platform holds (lower case); web and app events
carry a cookie id and the CRM contact id of the logged-in shopper (with
``DemoSpec.anonymous_share``, some are logged out and carry only the cookie); purchases
carry the order id and, for guests, the e-mail typed at checkout. Engaged people open and
click more; people who stopped buying (``active_until``) still get e-mails but rarely open
them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.demo import catalogue as cat
from accord.demo.columns import (
    DAY,
    IntArray,
    choose,
    concat,
    mask,
    pick,
    text,
    timestamps,
    uniform_between,
)
from accord.demo.orders import Orders
from accord.demo.people import People, day_seconds
from accord.demo.spec import DemoSpec

EVENT_TYPES = ("email_sent", "email_opened", "email_clicked", "page_view", "add_to_cart",
               "checkout", "purchase")


def make_events(rng: np.random.Generator, people: People, orders: Orders, spec: DemoSpec,
                first_event: int) -> pa.Table:
    """The block's events in time order, numbered from ``first_event``."""
    as_of = day_seconds(spec.as_of) + DAY - 1
    year_ago = as_of - 365 * DAY
    parts = [
        *_email(rng, people, spec, as_of, year_ago),
        *_web(rng, people, spec, year_ago),
        _purchases(orders, people, year_ago),
    ]
    table = pa.concat_tables(parts)
    table = table.take(pc.sort_indices(table, [("_at", "ascending"), ("_person", "ascending")]))
    size = table.num_rows
    stamp = pc.strftime(table["_at"], format="%Y-%m-%dT%H:%M:%SZ")
    table = table.drop_columns(["_at"])
    table = table.add_column(0, "event_id", concat("EV", text(first_event + np.arange(size), 11)))
    return table.add_column(6, "timestamp", stamp)


def _frame(people: People, who: IntArray, at: IntArray, event: str, channel: pa.Array, *,
           user_id: pa.Array, email: pa.Array, anonymous_id: pa.Array, campaign: pa.Array,
           value: pa.Array, properties: pa.Array) -> pa.Table:
    size = len(who)
    return pa.table({
        "user_id": user_id,
        "email": email,
        "anonymous_id": anonymous_id,
        "event": pa.array(np.full(size, event, dtype=object), type=pa.string()),
        "channel": channel,
        "campaign": campaign,
        "value": value,
        "properties": properties,
        "_at": timestamps(at),
        "_person": pa.array(people.person[who]),
    })


def _nulls(size: int, kind: pa.DataType | None = None) -> pa.Array:
    return pa.nulls(size, kind or pa.string())


def _constant(size: int, value: str) -> pa.Array:
    return pa.array(np.full(size, value, dtype=object), type=pa.string())


def _email(rng: np.random.Generator, people: People, spec: DemoSpec, as_of: int,
           year_ago: int) -> list[pa.Table]:
    reachable = people.consent_email
    sends = np.where(reachable, rng.poisson(spec.events_per_customer * 0.4, len(people)), 0)
    who = np.repeat(np.arange(len(people)), sends)
    size = len(who)
    at = uniform_between(rng, np.full(size, year_ago), np.full(size, as_of - DAY))
    sent = timestamps(at)
    promotion = rng.random(size) < 0.3
    campaign = pc.if_else(pa.array(promotion),
                          pick(cat.PROMOTIONS, rng.integers(0, len(cat.PROMOTIONS), size)),
                          concat("newsletter-", pc.strftime(sent, format="%Y-%m")))
    kind = choose(promotion.astype(np.int64), (_constant(size, '{"type": "newsletter"}'),
                                                _constant(size, '{"type": "promotion"}')))
    engaged = at <= people.active_until[who]
    open_rate = np.where(engaged, np.minimum(0.85, 0.1 + 0.35 * people.engagement[who]), 0.05)
    opened = rng.random(size) < open_rate
    clicked = opened & (rng.random(size) < 0.3)
    address = people.email.take(pa.array(who))
    opened_at = at + rng.integers(60, 2 * DAY, size)
    clicked_at = opened_at + rng.integers(5, 600, size)
    frames = []
    for event, keep, when in (("email_sent", np.ones(size, np.bool_), at),
                              ("email_opened", opened, opened_at),
                              ("email_clicked", clicked, clicked_at)):
        rows = pa.array(np.flatnonzero(keep))
        count = len(rows)
        frames.append(_frame(
            people, who[keep], np.minimum(when[keep], as_of), event, _constant(count, "email"),
            user_id=_nulls(count), email=address.take(rows), anonymous_id=_nulls(count),
            campaign=campaign.take(rows), value=_nulls(count, pa.float64()),
            properties=kind.take(rows)))
    return frames


def _web(rng: np.random.Generator, people: People, spec: DemoSpec,
         year_ago: int) -> list[pa.Table]:
    views = rng.poisson(people.engagement * spec.events_per_customer * 0.45)
    # The event platform keeps a year: people who stopped visiting before that left none.
    views = np.where(people.active_until >= year_ago, views, 0)
    if spec.anonymous_share == 0:  # guests browse logged out: only with anonymous events
        views = np.where(people.in_crm, views, 0)
    who = np.repeat(np.arange(len(people)), views)
    size = len(who)
    until = people.active_until[who]
    at = uniform_between(rng, np.minimum(np.maximum(people.created[who], year_ago), until), until)
    channel = pick(("web", "app"), (rng.random(size) < 0.3).astype(np.int64))
    logged_in = people.in_crm[who] & (rng.random(size) >= spec.anonymous_share)
    take = pa.array(who)
    user_id = mask(people.primary_contact.take(take), logged_in)
    anonymous = people.anonymous_id.take(take)
    paths = pick(cat.PAGE_PATHS, rng.integers(0, len(cat.PAGE_PATHS), size))
    utm = rng.random(size) < 0.15
    campaign = mask(pick(cat.PROMOTIONS, rng.integers(0, len(cat.PROMOTIONS), size)), utm)
    frames = [_frame(people, who, at, "page_view", channel, user_id=user_id,
                     email=_nulls(size), anonymous_id=anonymous, campaign=campaign,
                     value=_nulls(size, pa.float64()),
                     properties=concat('{"path": "', paths, '"}'))]
    carted = rng.random(size) < 0.12
    checked_out = carted & (rng.random(size) < 0.45)
    product = rng.integers(0, len(cat.PRODUCTS), size)
    price = np.asarray([p[3] for p in cat.PRODUCTS])[product]
    skus = pick([p[0] for p in cat.PRODUCTS], product)
    cart_at = at + rng.integers(30, 600, size)
    for event, keep, when, value, properties in (
            ("add_to_cart", carted, cart_at, pa.array(price),
             concat('{"sku": "', skus, '", "quantity": 1}')),
            ("checkout", checked_out, cart_at + rng.integers(60, 900, size), pa.array(price),
             concat('{"sku": "', skus, '"}'))):
        rows = pa.array(np.flatnonzero(keep))
        frames.append(_frame(
            people, who[keep], np.minimum(when[keep], until[keep]), event, channel.take(rows),
            user_id=user_id.take(rows), email=_nulls(len(rows)),
            anonymous_id=anonymous.take(rows), campaign=campaign.take(rows),
            value=value.take(rows), properties=properties.take(rows)))
    return frames


def _purchases(orders: Orders, people: People, year_ago: int) -> pa.Table:
    online = (orders.channel < 2) & (orders.at >= year_ago)  # web and app, last year
    rows = pa.array(np.flatnonzero(online))
    who = orders.person[online]
    count = len(who)
    member = orders.member[online]
    user_id = orders.orders["customer_id"].take(rows)
    email = mask(pc.utf8_trim_whitespace(pc.utf8_lower(orders.email.take(rows))), ~member)
    return _frame(
        people, who, orders.at[online], "purchase",
        pick(("web", "app"), orders.channel[online]), user_id=user_id, email=email,
        anonymous_id=people.anonymous_id.take(pa.array(who)), campaign=_nulls(count),
        value=pa.array(orders.total_pence[online] / 100),
        properties=concat('{"order_id": "', orders.order_id.take(rows), '"}'))
