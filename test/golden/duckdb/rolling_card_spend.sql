-- feature-backfill dry run (duckdb): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] rolling_card_spend -> features.rolling_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2024-10-17, 2025-10-14)
BEGIN TRANSACTION;
CREATE SCHEMA IF NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."rolling_card_spend" (
  "customer_id" BIGINT,
  "date" DATE,
  "spend_30d" DOUBLE,
  "spend_90d" DOUBLE,
  "active_days_90d" BIGINT,
  "max_daily_spend_90d" DOUBLE
);
DELETE FROM "features"."rolling_card_spend"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
INSERT INTO
  "features"."rolling_card_spend" (
    "customer_id",
    "date",
    "spend_30d",
    "spend_90d",
    "active_days_90d",
    "max_daily_spend_90d"
  )
WITH
  "card_transactions" AS (
    SELECT
      CAST("transaction_id" AS BIGINT) AS "transaction_id",
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "transaction_ts",
      CAST("amount" AS DOUBLE) AS "amount",
      "merchant_category",
      "is_declined"
    FROM
      "raw"."card_transactions"
    WHERE
      "transaction_ts" >= TIMESTAMP '2024-10-17 00:00:00'
      AND "transaction_ts" < TIMESTAMP '2025-10-14 00:00:00'
  ),
  "daily_card_spend" AS (
    SELECT
      "customer_id",
      CAST(date_trunc('day', "transaction_ts") AS DATE) AS "date",
      COALESCE(sum("amount"), 0) AS "spend",
      count(*) AS "transactions"
    FROM
      "card_transactions"
    WHERE
      NOT "is_declined"
    GROUP BY
      "customer_id",
      CAST(date_trunc('day', "transaction_ts") AS DATE)
  ),
  "rolling_card_spend" AS (
    SELECT
      "customer_id",
      "date",
      CASE
        WHEN "date" IS NULL THEN NULL
        ELSE sum("spend") OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST RANGE BETWEEN INTERVAL '29 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "spend_30d",
      CASE
        WHEN "date" IS NULL THEN NULL
        ELSE sum("spend") OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "spend_90d",
      CASE
        WHEN "date" IS NULL THEN NULL
        WHEN count("spend") OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        ) >= 1 THEN count("spend") OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "active_days_90d",
      CASE
        WHEN "date" IS NULL THEN NULL
        ELSE max("spend") OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "max_daily_spend_90d"
    FROM
      "daily_card_spend"
  )
SELECT
  "customer_id",
  "date",
  "spend_30d",
  "spend_90d",
  "active_days_90d",
  "max_daily_spend_90d"
FROM
  "rolling_card_spend"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
COMMIT;
