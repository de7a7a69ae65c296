WITH "order_customers" AS (
  SELECT
    "e"."source_id" AS "order_id",
    MIN("m"."customer_id") AS "customer_id"
  FROM "orders" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  GROUP BY
    "e"."source_id"
), "month_orders" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    CAST(DATE_TRUNC('MONTH', "e"."ordered_at") AS DATE) AS "month",
    COUNT(*) AS "orders_count",
    SUM("e"."total") AS "revenue"
  FROM "orders" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  WHERE
    NOT "e"."ordered_at" IS NULL
    AND "e"."ordered_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id",
    CAST(DATE_TRUNC('MONTH', "e"."ordered_at") AS DATE)
), "month_order_lines" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    CAST(DATE_TRUNC('MONTH', "e"."ordered_at") AS DATE) AS "month",
    SUM(CAST("e"."quantity" * "e"."unit_price" AS DECIMAL(38, 10))) FILTER(WHERE
      "e"."quantity" > 0) AS "line revenue"
  FROM "order_lines" AS "e"
  JOIN "order_customers" AS "m"
    ON "m"."order_id" = "e"."order_id"
  WHERE
    NOT "e"."ordered_at" IS NULL
    AND "e"."ordered_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id",
    CAST(DATE_TRUNC('MONTH', "e"."ordered_at") AS DATE)
), "keys" AS (
  SELECT
    "customer_id",
    "month"
  FROM "month_orders"
  UNION
  SELECT
    "customer_id",
    "month"
  FROM "month_order_lines"
)
SELECT
  "k"."customer_id",
  "k"."month",
  COALESCE("month_orders"."orders_count", 0) AS "orders_count",
  COALESCE("month_orders"."revenue", 0) AS "revenue",
  COALESCE("month_order_lines"."line revenue", 0) AS "line revenue"
FROM "keys" AS "k"
LEFT JOIN "month_orders"
  ON "month_orders"."customer_id" = "k"."customer_id"
  AND "month_orders"."month" = "k"."month"
LEFT JOIN "month_order_lines"
  ON "month_order_lines"."customer_id" = "k"."customer_id"
  AND "month_order_lines"."month" = "k"."month"
