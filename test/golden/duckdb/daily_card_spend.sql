-- feature-backfill dry run (duckdb): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] daily_card_spend -> features.daily_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2025-01-15, 2025-10-14)
BEGIN TRANSACTION;
CREATE SCHEMA IF NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."daily_card_spend" (
  "customer_id" BIGINT,
  "date" DATE,
  "spend" DOUBLE,
  "transactions" BIGINT
);
DELETE FROM "features"."daily_card_spend"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
INSERT INTO
  "features"."daily_card_spend" ("customer_id", "date", "spend", "transactions")
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
      "transaction_ts" >= TIMESTAMP '2025-01-15 00:00:00'
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
  )
SELECT
  "customer_id",
  "date",
  "spend",
  "transactions"
FROM
  "daily_card_spend";
COMMIT;
