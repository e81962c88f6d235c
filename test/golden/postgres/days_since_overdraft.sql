-- feature-backfill dry run (postgres): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] days_since_overdraft -> features.days_since_overdraft, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [-inf, 2025-10-14)
BEGIN;
SELECT
  pg_advisory_xact_lock(17986, hashtext ($1));
-- parameters: ["features"]
CREATE SCHEMA if NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."days_since_overdraft" (
  "customer_id" BIGINT,
  "date" DATE,
  "days_since_overdraft" BIGINT
);
DELETE FROM "features"."days_since_overdraft"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
INSERT INTO
  "features"."days_since_overdraft" ("customer_id", "date", "days_since_overdraft")
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
      (
        "date" IS NOT DISTINCT FROM NULL
        OR "date" < DATE '2025-10-14'
      )
  ),
  "days_since_overdraft" AS (
    SELECT
      "customer_id",
      "date",
      CAST(
        "date" - (
          array_agg(
            CASE
              WHEN "lowest_balance" < 0 THEN "date"
              ELSE NULL
            END
          ) FILTER (
            WHERE
              CASE
                WHEN "lowest_balance" < 0 THEN "date"
                ELSE NULL
              END IS NOT NULL
          ) OVER (
            PARTITION BY
              "customer_id"
            ORDER BY
              "date" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING
              AND CURRENT ROW
          )
        ) [
          count(
            CASE
              WHEN "lowest_balance" < 0 THEN "date"
              ELSE NULL
            END
          ) OVER (
            PARTITION BY
              "customer_id"
            ORDER BY
              "date" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING
              AND CURRENT ROW
          )
        ] AS BIGINT
      ) AS "days_since_overdraft"
    FROM
      (
        SELECT
          "customer_id",
          "date",
          min("balance") AS "lowest_balance"
        FROM
          "customer_accounts"
        GROUP BY
          "customer_id",
          "date"
      ) AS "t1"
  )
SELECT
  "customer_id",
  "date",
  "days_since_overdraft"
FROM
  "days_since_overdraft"
WHERE
  "date" >= DATE '2025-01-15'
  AND "date" < DATE '2025-10-14';
COMMIT;
