-- feature-backfill dry run (duckdb): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] monthly_card_spend -> features.monthly_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2025-02-01, 2025-11-01)
BEGIN TRANSACTION;
CREATE SCHEMA IF NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."monthly_card_spend" (
  "customer_id" BIGINT,
  "month" DATE,
  "approved_spend" DOUBLE,
  "approved_count" BIGINT,
  "avg_ticket" DOUBLE,
  "max_ticket" DOUBLE,
  "ticket_std" DOUBLE,
  "decline_rate" DOUBLE,
  "cash_advance_spend" DOUBLE,
  "attempts" BIGINT,
  "cash_advance_share" DOUBLE
);
DELETE FROM "features"."monthly_card_spend"
WHERE
  "month" >= DATE '2025-01-15'
  AND "month" < DATE '2025-10-14';
INSERT INTO
  "features"."monthly_card_spend" (
    "customer_id",
    "month",
    "approved_spend",
    "approved_count",
    "avg_ticket",
    "max_ticket",
    "ticket_std",
    "decline_rate",
    "cash_advance_spend",
    "attempts",
    "cash_advance_share"
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
      "transaction_ts" >= TIMESTAMP '2025-02-01 00:00:00'
      AND "transaction_ts" < TIMESTAMP '2025-11-01 00:00:00'
  ),
  "monthly_card_spend" AS (
    SELECT
      "customer_id",
      "month",
      "approved_spend",
      "approved_count",
      "avg_ticket",
      "max_ticket",
      "ticket_std",
      "decline_rate",
      "cash_advance_spend",
      "attempts",
      CASE
        WHEN "approved_spend" > 0 THEN CASE
          WHEN "approved_spend" = 0 THEN "cash_advance_spend" * CAST('inf' AS DOUBLE)
          ELSE "cash_advance_spend" / "approved_spend"
        END
        ELSE NULL
      END AS "cash_advance_share"
    FROM
      (
        SELECT
          "customer_id",
          "month",
          COALESCE(sum("approved_amount"), 0) AS "approved_spend",
          count("approved_amount") AS "approved_count",
          avg("approved_amount") AS "avg_ticket",
          max("approved_amount") AS "max_ticket",
          stddev_samp("approved_amount") AS "ticket_std",
          avg(CAST("is_declined" AS DOUBLE)) AS "decline_rate",
          COALESCE(
            sum(
              CASE
                WHEN "merchant_category" = 'cash_advance' THEN "approved_amount"
                ELSE 0
              END
            ),
            0
          ) AS "cash_advance_spend",
          count(*) AS "attempts"
        FROM
          (
            SELECT
              "transaction_id",
              "customer_id",
              "transaction_ts",
              "amount",
              "merchant_category",
              "is_declined",
              CAST(date_trunc('month', "transaction_ts") AS DATE) AS "month",
              CASE
                WHEN "is_declined" THEN NULL
                ELSE "amount"
              END AS "approved_amount"
            FROM
              "card_transactions"
          ) AS "t1"
        GROUP BY
          "customer_id",
          "month"
      ) AS "t2"
  )
SELECT
  "customer_id",
  "month",
  "approved_spend",
  "approved_count",
  "avg_ticket",
  "max_ticket",
  "ticket_std",
  "decline_rate",
  "cash_advance_spend",
  "attempts",
  "cash_advance_share"
FROM
  "monthly_card_spend";
COMMIT;
