WITH "order_customers" AS (
  SELECT
    "e"."source_id" AS "order_id",
    MIN("m"."customer_id") AS "customer_id"
  FROM "orders" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  GROUP BY
    "e"."source_id"
), "agg_contacts" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    ARG_MAX(
      "e"."email",
      (
        CASE WHEN "e"."_source" = 'crm' THEN -10 ELSE -100 END,
        COALESCE("e"."updated_at", CAST('0001-01-01 00:00:00' AS TIMESTAMP))
      )
    ) FILTER(WHERE
      NOT "e"."email" IS NULL) AS "email"
  FROM "contacts" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  WHERE
    "e"."updated_at" IS NULL
    OR "e"."updated_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id"
), "agg_orders" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    COUNT(*) AS "orders_count",
    SUM("e"."total") AS "revenue",
    CAST(GREATEST(
      0,
      FLOOR(
        (
          EPOCH(CAST('2024-01-31 00:00:00' AS TIMESTAMP)) - EPOCH(MAX("e"."ordered_at"))
        ) / 86400
      )
    ) AS BIGINT) AS "recency_days"
  FROM "orders" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  WHERE
    "e"."ordered_at" IS NULL
    OR "e"."ordered_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id"
), "agg_order_lines" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    SUM(CAST("e"."quantity" * "e"."unit_price" AS DECIMAL(38, 10))) FILTER(WHERE
      "e"."quantity" > 0) AS "line revenue"
  FROM "order_lines" AS "e"
  JOIN "order_customers" AS "m"
    ON "m"."order_id" = "e"."order_id"
  WHERE
    "e"."ordered_at" IS NULL
    OR "e"."ordered_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id"
), "agg_events" AS MATERIALIZED (
  SELECT
    "m"."customer_id" AS "customer_id",
    COUNT(*) FILTER(WHERE
      "e"."type" = 'email_opened'
      AND "e"."occurred_at" >= CAST('2024-01-02 00:00:00' AS TIMESTAMP)) AS "emails_opened_30d"
  FROM "events" AS "e"
  JOIN "identity_map" AS "m"
    ON "m"."source" = "e"."_source" AND "m"."source_id" = "e"."source_id"
  WHERE
    "e"."occurred_at" IS NULL
    OR "e"."occurred_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    "m"."customer_id"
), "top_1" AS (
  SELECT
    "customer_id",
    "value" AS "top_category"
  FROM (
    SELECT
      "m"."customer_id" AS customer_id,
      "e"."category" AS value,
      ROW_NUMBER() OVER (PARTITION BY "m"."customer_id" ORDER BY COUNT(*) DESC, "e"."category") AS rank
    FROM "order_lines" AS "e"
    JOIN "order_customers" AS "m"
      ON "m"."order_id" = "e"."order_id"
    WHERE
      (
        "e"."ordered_at" IS NULL
        OR "e"."ordered_at" < CAST('2024-02-01 00:00:00' AS TIMESTAMP)
      )
      AND NOT "e"."category" IS NULL
    GROUP BY
      "m"."customer_id",
      "e"."category"
  ) AS ranked
  WHERE
    "rank" = 1
), "customers" AS (
  SELECT
    "customer_id"
  FROM "agg_contacts"
  UNION
  SELECT
    "customer_id"
  FROM "agg_orders"
  UNION
  SELECT
    "customer_id"
  FROM "agg_order_lines"
  UNION
  SELECT
    "customer_id"
  FROM "agg_events"
), "base" AS (
  SELECT
    "c"."customer_id",
    COALESCE("agg_orders"."orders_count", 0) AS "orders_count",
    COALESCE("agg_orders"."revenue", 0) AS "revenue",
    "agg_orders"."recency_days" AS "recency_days",
    COALESCE("agg_order_lines"."line revenue", 0) AS "line revenue",
    "top_1"."top_category" AS "top_category",
    COALESCE("agg_events"."emails_opened_30d", 0) AS "emails_opened_30d",
    "agg_contacts"."email" AS "email"
  FROM "customers" AS "c"
  LEFT JOIN "agg_contacts"
    ON "agg_contacts"."customer_id" = "c"."customer_id"
  LEFT JOIN "agg_orders"
    ON "agg_orders"."customer_id" = "c"."customer_id"
  LEFT JOIN "agg_order_lines"
    ON "agg_order_lines"."customer_id" = "c"."customer_id"
  LEFT JOIN "agg_events"
    ON "agg_events"."customer_id" = "c"."customer_id"
  LEFT JOIN "top_1"
    ON "top_1"."customer_id" = "c"."customer_id"
), "layer_1" AS (
  SELECT
    *,
    CASE
      WHEN "orders_count" > 0
      THEN CAST(CAST("revenue" AS DOUBLE) / NULLIF(CAST("orders_count" AS DOUBLE), 0) AS DECIMAL(38, 10))
      ELSE CAST(NULL AS DECIMAL(38, 10))
    END AS "aov",
    CASE
      WHEN (
        NOT "recency_days" IS NULL AND COALESCE("orders_count" > 0, FALSE)
      )
      THEN CAST(FLOOR(
        5 * (
          RANK() OVER (
            PARTITION BY (
              NOT "recency_days" IS NULL AND COALESCE("orders_count" > 0, FALSE)
            )
            ORDER BY "recency_days" DESC
          ) - 1
        ) / COUNT(*) OVER (
          PARTITION BY (
            NOT "recency_days" IS NULL AND COALESCE("orders_count" > 0, FALSE)
          )
        )
      ) + 1 AS INT)
    END AS "rfm_r",
    CASE
      WHEN (
        NOT "revenue" IS NULL AND COALESCE("orders_count" > 0, FALSE)
      )
      THEN CAST(FLOOR(
        5 * (
          RANK() OVER (
            PARTITION BY (
              NOT "revenue" IS NULL AND COALESCE("orders_count" > 0, FALSE)
            )
            ORDER BY "revenue" ASC
          ) - 1
        ) / COUNT(*) OVER (PARTITION BY (
          NOT "revenue" IS NULL AND COALESCE("orders_count" > 0, FALSE)
        ))
      ) + 1 AS INT)
    END AS "rfm_m"
  FROM "base"
), "layer_2" AS (
  SELECT
    *,
    "rfm_r" + "rfm_m" AS "rfm_score"
  FROM "layer_1"
)
SELECT
  "customer_id",
  "orders_count",
  "revenue",
  "recency_days",
  "line revenue",
  "top_category",
  "emails_opened_30d",
  "email",
  "aov",
  "rfm_r",
  "rfm_m",
  "rfm_score",
  CAST('2024-01-31' AS DATE) AS "as_of"
FROM "layer_2"
