-- feature-backfill dry run (postgres): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] avg_monthly_revolving_balance -> features.avg_monthly_revolving_balance, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2025-02-01, 2025-11-01)
BEGIN;
SELECT
  pg_advisory_xact_lock(17986, hashtext ($1));
-- parameters: ["features"]
CREATE SCHEMA if NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."avg_monthly_revolving_balance" (
  "customer_id" BIGINT,
  "date" DATE,
  "avg_monthly_revolving_balance" DOUBLE PRECISION
);
DELETE FROM "features"."avg_monthly_revolving_balance"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
INSERT INTO
  "features"."avg_monthly_revolving_balance" (
    "customer_id",
    "date",
    "avg_monthly_revolving_balance"
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
      "date" >= DATE '2025-02-01'
      AND "date" < DATE '2025-11-01'
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
  )
SELECT
  "customer_id",
  "date",
  "avg_monthly_revolving_balance"
FROM
  "avg_monthly_revolving_balance";
COMMIT;
