-- feature-backfill dry run (postgres): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] weekly_overdraft_activity -> features.weekly_overdraft_activity, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2025-01-20, 2025-10-20)
BEGIN;
SELECT
  pg_advisory_xact_lock(17986, hashtext ($1));
-- parameters: ["features"]
CREATE SCHEMA if NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."weekly_overdraft_activity" (
  "customer_id" BIGINT,
  "week" DATE,
  "overdrawn_account_days" BIGINT,
  "max_overdraft" DOUBLE PRECISION,
  "missing_balance_snapshots" BIGINT,
  "account_days" BIGINT
);
DELETE FROM "features"."weekly_overdraft_activity"
WHERE
  "week" >= DATE '2025-01-15'
  AND "week" < DATE '2025-10-14';
INSERT INTO
  "features"."weekly_overdraft_activity" (
    "customer_id",
    "week",
    "overdrawn_account_days",
    "max_overdraft",
    "missing_balance_snapshots",
    "account_days"
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
      "date" >= DATE '2025-01-20'
      AND "date" < DATE '2025-10-20'
  ),
  "weekly_overdraft_activity" AS (
    SELECT
      "customer_id",
      CAST(
        date_trunc('week', CAST("date" AS TIMESTAMP)) AS DATE
      ) AS "week",
      COALESCE(
        CAST(
          sum(
            CASE
              WHEN "balance" < 0 THEN 1
              ELSE 0
            END
          ) AS BIGINT
        ),
        0
      ) AS "overdrawn_account_days",
      max(
        CASE
          WHEN "balance" < 0 THEN - ("balance")
          ELSE 0
        END
      ) AS "max_overdraft",
      COALESCE(
        CAST(sum(CAST("balance" IS NULL AS INTEGER)) AS BIGINT),
        0
      ) AS "missing_balance_snapshots",
      count(*) AS "account_days"
    FROM
      "customer_accounts"
    GROUP BY
      "customer_id",
      CAST(
        date_trunc('week', CAST("date" AS TIMESTAMP)) AS DATE
      )
  )
SELECT
  "customer_id",
  "week",
  "overdrawn_account_days",
  "max_overdraft",
  "missing_balance_snapshots",
  "account_days"
FROM
  "weekly_overdraft_activity";
COMMIT;
