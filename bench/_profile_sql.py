"""The profile dimensions of the demo project, hand-written as one DuckDB query.

What an engineer would write by hand for ``src/accord/demo/project.py``'s dimensions, with
the same semantics as Accord's compiled build (records dated after the as-of day are
unseen, windows end with the as-of day, recency in whole days from the start of the as-of
day, ties of the top category to the smaller name, RFM quintiles by ``RANK``), so the two
tables can be compared cell by cell.
"""

from __future__ import annotations

import datetime as dt


def handwritten_profiles(as_of: dt.date) -> str:
    """``CREATE OR REPLACE TABLE profiles_handwritten AS ...`` for builds as of ``as_of``."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    start = dt.datetime.combine(as_of, dt.time())

    def since(days: int) -> str:
        return f"TIMESTAMP '{end - dt.timedelta(days=days)}'"

    end_ts, day_ts = f"TIMESTAMP '{end}'", f"TIMESTAMP '{start}'"
    join = "JOIN identity_map m ON m.source = e._source AND m.source_id = e.source_id"
    # identity resolution maps orders; a line reaches its customer through its order
    lines = "JOIN order_customer m ON m.order_id = e.order_id"

    def seen(field: str) -> str:
        return f"(e.{field} IS NULL OR e.{field} < {end_ts})"

    attributes = ",\n    ".join(
        f"arg_max(e.{name}, coalesce(e.updated_at, TIMESTAMP '0001-01-01')) "
        f"FILTER (WHERE e.{name} IS NOT NULL) AS {name}"
        for name in ("first_name", "last_name", "city", "country", "consent_email", "email",
                     "phone"))
    return f"""
CREATE OR REPLACE TABLE profiles_handwritten AS
WITH order_customer AS (
  SELECT e.source_id AS order_id, min(m.customer_id) AS customer_id
  FROM orders e {join} GROUP BY 1),
c AS (
  SELECT m.customer_id,
    {attributes}
  FROM contacts e {join} WHERE {seen('updated_at')} GROUP BY 1),
o AS (
  SELECT m.customer_id,
    count(*) FILTER (WHERE e.status <> 'cancelled') AS orders,
    sum(e.total) FILTER (WHERE e.status = 'completed') AS monetary,
    avg(e.total) FILTER (WHERE e.status = 'completed') AS avg_order_value,
    min(e.ordered_at) AS first_order_at,
    max(e.ordered_at) AS last_order_at,
    CAST(greatest(0, floor((epoch({day_ts}) - epoch(max(e.ordered_at) FILTER (
      WHERE e.status <> 'cancelled'))) / 86400)) AS BIGINT) AS recency_days,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND e.ordered_at >= {since(90)})
      AS orders_90d,
    sum(e.total) FILTER (WHERE e.status = 'completed' AND e.ordered_at >= {since(365)})
      AS revenue_365d,
    count(*) FILTER (WHERE e.status = 'returned') AS returns
  FROM orders e {join} WHERE {seen('ordered_at')} GROUP BY 1),
l AS (
  SELECT m.customer_id, count(DISTINCT e.category) AS categories
  FROM order_lines e {lines} WHERE {seen('ordered_at')} GROUP BY 1),
t AS (
  SELECT customer_id, category AS top_category FROM (
    SELECT m.customer_id, e.category, row_number() OVER (
      PARTITION BY m.customer_id ORDER BY count(*) DESC, e.category) AS rank
    FROM order_lines e {lines}
    WHERE {seen('ordered_at')} AND e.category IS NOT NULL GROUP BY 1, 2)
  WHERE rank = 1),
v AS (
  SELECT m.customer_id,
    count(*) FILTER (WHERE e.type = 'email_opened' AND e.occurred_at >= {since(90)})
      AS email_opens_90d,
    count(*) FILTER (WHERE e.type = 'email_clicked' AND e.occurred_at >= {since(90)})
      AS email_clicks_90d,
    count(*) FILTER (WHERE e.type = 'page_view' AND e.occurred_at >= {since(30)})
      AS page_views_30d,
    count(*) FILTER (WHERE e.type = 'add_to_cart' AND e.occurred_at >= {since(30)})
      AS cart_adds_30d
  FROM events e {join} WHERE {seen('occurred_at')} GROUP BY 1),
k AS (
  SELECT m.customer_id,
    count(*) FILTER (WHERE e.status = 'open') AS open_tickets,
    count(*) FILTER (WHERE e.opened_at >= {since(365)}) AS tickets_365d
  FROM tickets e {join} WHERE {seen('opened_at')} GROUP BY 1),
everyone AS (
  SELECT customer_id FROM c UNION SELECT customer_id FROM o UNION
  SELECT customer_id FROM l UNION SELECT customer_id FROM v UNION SELECT customer_id FROM k),
base AS (
  SELECT p.customer_id, c.first_name, c.last_name, c.city, c.country, c.consent_email,
    coalesce(o.orders, 0) AS orders, coalesce(o.monetary, 0) AS monetary,
    o.avg_order_value, o.first_order_at, o.last_order_at, o.recency_days,
    coalesce(o.orders_90d, 0) AS orders_90d, coalesce(o.revenue_365d, 0) AS revenue_365d,
    coalesce(o.returns, 0) AS returns, t.top_category,
    coalesce(l.categories, 0) AS categories,
    coalesce(v.email_opens_90d, 0) AS email_opens_90d,
    coalesce(v.email_clicks_90d, 0) AS email_clicks_90d,
    coalesce(v.page_views_30d, 0) AS page_views_30d,
    coalesce(v.cart_adds_30d, 0) AS cart_adds_30d,
    coalesce(k.open_tickets, 0) AS open_tickets,
    coalesce(k.tickets_365d, 0) AS tickets_365d, c.email, c.phone
  FROM everyone p LEFT JOIN c USING (customer_id) LEFT JOIN o USING (customer_id)
  LEFT JOIN l USING (customer_id) LEFT JOIN t USING (customer_id)
  LEFT JOIN v USING (customer_id) LEFT JOIN k USING (customer_id)),
scored AS (
  SELECT *,
    CASE WHEN orders > 0 THEN CAST(floor(5 * (rank() OVER (PARTITION BY orders > 0
      ORDER BY recency_days DESC) - 1) / count(*) OVER (PARTITION BY orders > 0)) + 1 AS INT)
      END AS rfm_r,
    CASE WHEN orders > 0 THEN CAST(floor(5 * (rank() OVER (PARTITION BY orders > 0
      ORDER BY orders) - 1) / count(*) OVER (PARTITION BY orders > 0)) + 1 AS INT)
      END AS rfm_f,
    CASE WHEN orders > 0 THEN CAST(floor(5 * (rank() OVER (PARTITION BY orders > 0
      ORDER BY monetary) - 1) / count(*) OVER (PARTITION BY orders > 0)) + 1 AS INT)
      END AS rfm_m
  FROM base)
SELECT *, rfm_r + rfm_f + rfm_m AS rfm_score, DATE '{as_of}' AS as_of FROM scored
"""


def mismatches(columns: list[str]) -> str:
    """Per column, the customers whose value differs between the two tables (numbers
    compared to 6 decimals, since one side may hold an exact decimal and the other a
    float)."""
    checks = []
    for name in columns:
        a, b = f"a.{name}", f"b.{name}"
        checks.append(
            f"count(*) FILTER (WHERE CASE WHEN try_cast({a} AS DOUBLE) IS NOT NULL "
            f"THEN round(try_cast({a} AS DOUBLE), 6) IS DISTINCT FROM "
            f"round(try_cast({b} AS DOUBLE), 6) "
            f"ELSE CAST({a} AS VARCHAR) IS DISTINCT FROM CAST({b} AS VARCHAR) END) "
            f"AS {name}")
    return (f"SELECT count(*) AS customers, {', '.join(checks)} FROM profiles a "
            "FULL JOIN profiles_handwritten b USING (customer_id)")
