-- feature-backfill dry run (postgres): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] quarterly_revolving_balance_trend -> features.quarterly_revolving_balance_trend, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2025-01-01, 2025-10-01)
BEGIN;
SELECT
  pg_advisory_xact_lock(17986, hashtext ($1));
-- parameters: ["features"]
CREATE SCHEMA if NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."quarterly_revolving_balance_trend" (
  "customer_id" BIGINT,
  "date" DATE,
  "avg_of_monthly_avg_balance" DOUBLE PRECISION,
  "min_monthly_avg_balance" DOUBLE PRECISION,
  "max_monthly_avg_balance" DOUBLE PRECISION,
  "std_monthly_avg_balance" DOUBLE PRECISION,
  "months_observed" BIGINT,
  "monthly_avg_balance_range" DOUBLE PRECISION,
  "balance_band" TEXT
);
DELETE FROM "features"."quarterly_revolving_balance_trend"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
INSERT INTO
  "features"."quarterly_revolving_balance_trend" (
    "customer_id",
    "date",
    "avg_of_monthly_avg_balance",
    "min_monthly_avg_balance",
    "max_monthly_avg_balance",
    "std_monthly_avg_balance",
    "months_observed",
    "monthly_avg_balance_range",
    "balance_band"
  )
WITH
  "customer_accounts" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      CAST("account_id" AS BIGINT) AS "account_id",
      "date",
      CAST("balance" AS DOUBLE PRECISION) AS "balance",
      "account_type"
    FROM
      "raw"."customer_accounts"
    WHERE
      "date" >= DATE '2025-01-01'
      AND "date" < DATE '2025-10-01'
  ),
  "avg_monthly_revolving_balance" AS (
    SELECT
      "customer_id",
      CAST(
        date_trunc('month', CAST("date" AS TIMESTAMP)) AS DATE
      ) AS "date",
      avg("balance") AS "avg_monthly_revolving_balance"
    FROM
      "customer_accounts"
    WHERE
      "account_type" = 'revolving'
    GROUP BY
      "customer_id",
      CAST(
        date_trunc('month', CAST("date" AS TIMESTAMP)) AS DATE
      )
  ),
  "quarterly_revolving_balance_trend" AS (
    SELECT
      "customer_id",
      "date",
      "avg_of_monthly_avg_balance",
      "min_monthly_avg_balance",
      "max_monthly_avg_balance",
      COALESCE("std_monthly_avg_balance", 0) AS "std_monthly_avg_balance",
      "months_observed",
      "max_monthly_avg_balance" - "min_monthly_avg_balance" AS "monthly_avg_balance_range",
      CASE
        WHEN "avg_of_monthly_avg_balance" >= 8000 THEN 'high'
        WHEN "avg_of_monthly_avg_balance" >= 3000 THEN 'medium'
        ELSE 'low'
      END AS "balance_band"
    FROM
      (
        SELECT
          "customer_id",
          CAST(
            date_trunc('quarter', CAST("date" AS TIMESTAMP)) + INTERVAL '3 months' AS DATE
          ) AS "date",
          avg("avg_monthly_revolving_balance") AS "avg_of_monthly_avg_balance",
          min("avg_monthly_revolving_balance") AS "min_monthly_avg_balance",
          max("avg_monthly_revolving_balance") AS "max_monthly_avg_balance",
          stddev_samp("avg_monthly_revolving_balance") AS "std_monthly_avg_balance",
          count(*) AS "months_observed"
        FROM
          "avg_monthly_revolving_balance"
        GROUP BY
          "customer_id",
          CAST(
            date_trunc('quarter', CAST("date" AS TIMESTAMP)) + INTERVAL '3 months' AS DATE
          )
      ) AS "t1"
  )
SELECT
  "customer_id",
  "date",
  "avg_of_monthly_avg_balance",
  "min_monthly_avg_balance",
  "max_monthly_avg_balance",
  "std_monthly_avg_balance",
  "months_observed",
  "monthly_avg_balance_range",
  "balance_band"
FROM
  "quarterly_revolving_balance_trend";
COMMIT;
