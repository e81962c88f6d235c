-- feature-backfill dry run (postgres): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] application_utilisation -> features.application_utilisation, window [2025-01-15, 2025-10-14)
--   reads credit_applications (raw.credit_applications) over [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2024-12-10, 2025-10-13)
BEGIN;
SELECT
  pg_advisory_xact_lock(17986, hashtext ($1));
-- parameters: ["features"]
CREATE SCHEMA if NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."application_utilisation" (
  "application_id" BIGINT,
  "applied_at" TIMESTAMP,
  "customer_id" BIGINT,
  "revolving_balance" DOUBLE PRECISION,
  "utilisation" DOUBLE PRECISION,
  "balance_age_days" BIGINT
);
DELETE FROM "features"."application_utilisation"
WHERE
  "applied_at" >= TIMESTAMP '2025-01-15 00:00:00'
  AND "applied_at" < TIMESTAMP '2025-10-14 00:00:00';
INSERT INTO
  "features"."application_utilisation" (
    "application_id",
    "applied_at",
    "customer_id",
    "revolving_balance",
    "utilisation",
    "balance_age_days"
  )
WITH
  "credit_applications" AS (
    SELECT
      CAST("application_id" AS BIGINT) AS "application_id",
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "applied_at",
      CAST("requested_limit" AS DOUBLE PRECISION) AS "requested_limit"
    FROM
      "raw"."credit_applications"
    WHERE
      "applied_at" >= TIMESTAMP '2025-01-15 00:00:00'
      AND "applied_at" < TIMESTAMP '2025-10-14 00:00:00'
  ),
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
      "date" >= DATE '2024-12-10'
      AND "date" < DATE '2025-10-13'
  ),
  "application_utilisation" AS (
    SELECT
      "application_id",
      "applied_at",
      "customer_id",
      "revolving_balance",
      CASE
        WHEN "requested_limit" = 0 THEN "revolving_balance" * CAST('inf' AS DOUBLE PRECISION)
        ELSE "revolving_balance" / "requested_limit"
      END AS "utilisation",
      CAST(
        trunc(
          extract(
            epoch
            FROM
              ("applied_at" - "known_at")
          ) / 86400
        ) AS BIGINT
      ) AS "balance_age_days"
    FROM
      (
        SELECT
          "t1"."application_id" AS "application_id",
          "t1"."customer_id" AS "customer_id",
          "t1"."applied_at" AS "applied_at",
          "t1"."requested_limit" AS "requested_limit",
          CASE
            WHEN "t2"."known_at" >= "t1"."applied_at" + INTERVAL '-35 days' THEN "t2"."known_at"
            ELSE NULL
          END AS "known_at",
          CASE
            WHEN "t2"."known_at" >= "t1"."applied_at" + INTERVAL '-35 days' THEN "t2"."revolving_balance"
            ELSE NULL
          END AS "revolving_balance"
        FROM
          "credit_applications" AS "t1"
          LEFT JOIN LATERAL (
            SELECT
              *
            FROM
              (
                SELECT
                  "customer_id",
                  date_trunc('day', CAST("date" AS TIMESTAMP)) + INTERVAL '1 day' AS "known_at",
                  COALESCE(sum("balance"), 0) AS "revolving_balance"
                FROM
                  "customer_accounts"
                WHERE
                  "account_type" = 'revolving'
                GROUP BY
                  "customer_id",
                  date_trunc('day', CAST("date" AS TIMESTAMP)) + INTERVAL '1 day'
              ) AS "t2"
            WHERE
              "t2"."customer_id" = "t1"."customer_id"
              AND "t2"."known_at" <= "t1"."applied_at"
            ORDER BY
              "t2"."known_at" DESC
            LIMIT
              1
          ) AS "t2" ON TRUE
      ) AS "t3"
  )
SELECT
  "application_id",
  "applied_at",
  "customer_id",
  "revolving_balance",
  "utilisation",
  "balance_age_days"
FROM
  "application_utilisation";
COMMIT;
