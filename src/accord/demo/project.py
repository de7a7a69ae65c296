"""The demo's ``accord.yaml``: five sources, identity rules, profile dimensions, segments.

Kept as YAML text (not a dumped model) so the generated file reads like one a person wrote,
comments included; :func:`accord.project.parse_project` validates it in the tests.
"""

from __future__ import annotations

from typing import Literal

PROJECT_YAML = """\
# A generated retailer: a CRM export, the web shop's orders, web/app/e-mail events and the
# service desk's tickets. `accord build` ingests, resolves identities, builds profiles and
# segments, and fills the online store; `accord serve` answers lookups over HTTP.
name: demo-retailer

sources:
  crm:
    entity: contacts
    type: csv
    path: data/crm/contacts-*.csv
    priority: 10            # the CRM wins ties on names and addresses
    columns:
      source_id: contact_id
      customer_ref: contact_id
      email: email
      phone: phone
      first_name: first_name
      last_name: last_name
      birth_date: birth_date
      street: street
      city: city
      postcode: postcode
      country: country
      consent_email: email_opt_in
      consent_sms: sms_opt_in
      created_at: created
      updated_at: modified
  shop_orders:
    entity: orders
    type: parquet
    path: data/shop/orders-*.parquet
    priority: 20
    columns:
      source_id: order_id
      customer_ref: customer_id
      email: email
      phone: phone
      ordered_at: ordered_at
      total: total
      currency: currency
      channel: channel
      status: status
      country: country
  shop_order_lines:
    entity: order_lines
    type: parquet
    path: data/shop/order_lines-*.parquet
    priority: 20
    columns:
      source_id: line_id
      order_id: order_id
      customer_ref: customer_id
      ordered_at: ordered_at
      product_id: sku
      product_name: product_name
      category: category
      quantity: quantity
      unit_price: unit_price
      country: country
  events:
    entity: events
    type: {events_type}
    path: data/events/events-*.{events_ext}
    priority: 50
    columns:
      source_id: event_id
      customer_ref: user_id
      email: email
      anonymous_id: anonymous_id
      type: event
      channel: channel
      occurred_at: timestamp
      campaign: campaign
      value: value
      properties: properties
  service_desk:
    entity: tickets
    type: sqlite
    url: data/service.sqlite
    table: tickets
    cursor: max_id
    cursor_column: ticket_id
    priority: 40
    columns:
      source_id: ticket_id
      email: requester_email
      phone: requester_phone
      opened_at: created_at
      closed_at: closed_at
      status: status
      topic: topic
      channel: channel
      text: body

identity:
  default_region: GB        # phones written without +44 are British
  # A value found beside more other identifiers than this (other people's e-mails, phones,
  # ids) links nobody: a shop's phone number, test@example.com.
  max_group_size: 25

profiles:
  dimensions:
    - {{name: first_name, kind: attribute, entity: contacts, field: first_name}}
    - {{name: last_name, kind: attribute, entity: contacts, field: last_name}}
    - {{name: city, kind: attribute, entity: contacts, field: city}}
    - {{name: country, kind: attribute, entity: contacts, field: country}}
    - {{name: consent_email, kind: attribute, entity: contacts, field: consent_email}}
    - {{name: orders, kind: count, entity: orders, where: 'status != "cancelled"'}}
    - {{name: monetary, kind: sum, entity: orders, field: total, where: 'status = "completed"'}}
    - {{name: avg_order_value, kind: avg, entity: orders, field: total,
       where: 'status = "completed"'}}
    - {{name: first_order_at, kind: min, entity: orders, field: ordered_at}}
    - {{name: last_order_at, kind: max, entity: orders, field: ordered_at}}
    - {{name: recency_days, kind: recency_days, entity: orders, field: ordered_at,
       where: 'status != "cancelled"'}}
    - {{name: orders_90d, kind: count, entity: orders, window_days: 90,
       where: 'status != "cancelled"'}}
    - {{name: revenue_365d, kind: sum, entity: orders, field: total, window_days: 365,
       where: 'status = "completed"'}}
    - {{name: returns, kind: count, entity: orders, where: 'status = "returned"'}}
    - {{name: top_category, kind: top, entity: order_lines, field: category}}
    - {{name: categories, kind: distinct, entity: order_lines, field: category}}
    - {{name: email_opens_90d, kind: count, entity: events, window_days: 90,
       where: 'type = "email_opened"'}}
    - {{name: email_clicks_90d, kind: count, entity: events, window_days: 90,
       where: 'type = "email_clicked"'}}
    - {{name: page_views_30d, kind: count, entity: events, window_days: 30,
       where: 'type = "page_view"'}}
    - {{name: cart_adds_30d, kind: count, entity: events, window_days: 30,
       where: 'type = "add_to_cart"'}}
    - {{name: open_tickets, kind: count, entity: tickets, where: 'status = "open"'}}
    - {{name: tickets_365d, kind: count, entity: tickets, window_days: 365}}
    - {{name: email, kind: attribute, entity: contacts, field: email}}
    - {{name: phone, kind: attribute, entity: contacts, field: phone}}
    # RFM quintile scores (5 is best) among customers who ordered
    - {{name: rfm_r, kind: rfm, field: recency_days, where: orders > 0}}
    - {{name: rfm_f, kind: rfm, field: orders, where: orders > 0}}
    - {{name: rfm_m, kind: rfm, field: monetary, where: orders > 0}}
    - {{name: rfm_score, kind: formula, expression: rfm_r + rfm_f + rfm_m}}

segments:
  - name: vip
    description: Big spenders who bought in the last three months
    condition: monetary > 1000 and recency_days <= 90
  - name: loyal
    description: Five or more orders, the last within six months
    condition: orders >= 5 and recency_days <= 180
  - name: new_customers
    description: First order in the last 30 days
    condition: orders = 1 and recency_days <= 30
  - name: at_risk
    description: Regular customers who have not ordered for six months to a year
    condition: orders >= 3 and recency_days > 180 and recency_days <= 365
  - name: lapsed
    description: No order for over a year
    condition: recency_days > 365
  - name: cart_abandoners
    description: Added to cart in the last 30 days without ordering in 90
    condition: cart_adds_30d > 0 and orders_90d = 0
  - name: email_engaged
    description: Clicked an e-mail in the last 90 days
    condition: email_clicks_90d >= 1
  - name: unengaged_subscribers
    description: Opted in to e-mail but opened nothing in 90 days
    condition: consent_email = true and email_opens_90d = 0
  - name: champions
    description: The best RFM scores
    condition: rfm_score >= 13
  - name: service_recovery
    description: Valuable customers with a ticket still open
    condition: open_tickets > 0 and monetary > 500
"""


def project_yaml(events_format: Literal["ndjson", "parquet"] = "ndjson") -> str:
    """The demo project's ``accord.yaml`` text for events written as ``events_format``."""
    return PROJECT_YAML.format(events_type=events_format, events_ext=events_format)
