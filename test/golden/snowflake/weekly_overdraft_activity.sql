-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] weekly_overdraft_activity -> features.weekly_overdraft_activity, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2025-01-20, 2025-10-20)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."WEEKLY_OVERDRAFT_ACTIVITY" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "WEEK" DATE,
  "OVERDRAWN_ACCOUNT_DAYS" NUMBER(38, 0),
  "MAX_OVERDRAFT" FLOAT,
  "MISSING_BALANCE_SNAPSHOTS" NUMBER(38, 0),
  "ACCOUNT_DAYS" NUMBER(38, 0)
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."WEEKLY_OVERDRAFT_ACTIVITY"
WHERE
  "WEEK" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "WEEK" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."WEEKLY_OVERDRAFT_ACTIVITY" (
    "CUSTOMER_ID",
    "WEEK",
    "OVERDRAWN_ACCOUNT_DAYS",
    "MAX_OVERDRAFT",
    "MISSING_BALANCE_SNAPSHOTS",
    "ACCOUNT_DAYS"
  )
WITH
  "CUSTOMER_ACCOUNTS" AS (
    SELECT
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      CAST("ACCOUNT_ID" AS NUMBER(38, 0)) AS "ACCOUNT_ID",
      "DATE",
      CAST("BALANCE" AS FLOAT) AS "BALANCE",
      "ACCOUNT_TYPE"
    FROM
      "RAW"."CUSTOMER_ACCOUNTS"
    WHERE
      "DATE" >= TO_DATE('2025-01-20', 'YYYY-MM-DD')
      AND "DATE" < TO_DATE('2025-10-20', 'YYYY-MM-DD')
  ),
  "WEEKLY_OVERDRAFT_ACTIVITY" AS (
    SELECT
      "CUSTOMER_ID",
      DATEADD(
        DAY,
        1 - DAYOFWEEKISO("DATE"),
        DATE_TRUNC('DAY', "DATE")
      ) AS "WEEK",
      COALESCE(
        SUM(
          CASE
            WHEN "BALANCE" < 0 THEN 1
            ELSE 0
          END
        ),
        0
      ) AS "OVERDRAWN_ACCOUNT_DAYS",
      MAX(
        CASE
          WHEN "BALANCE" < 0 THEN - ("BALANCE")
          ELSE 0
        END
      ) AS "MAX_OVERDRAFT",
      COALESCE(SUM(CAST("BALANCE" IS NULL AS NUMBER(38, 0))), 0) AS "MISSING_BALANCE_SNAPSHOTS",
      COUNT(*) AS "ACCOUNT_DAYS"
    FROM
      "CUSTOMER_ACCOUNTS"
    GROUP BY
      "CUSTOMER_ID",
      DATEADD(
        DAY,
        1 - DAYOFWEEKISO("DATE"),
        DATE_TRUNC('DAY', "DATE")
      )
  )
SELECT
  "CUSTOMER_ID",
  "WEEK",
  "OVERDRAWN_ACCOUNT_DAYS",
  "MAX_OVERDRAFT",
  "MISSING_BALANCE_SNAPSHOTS",
  "ACCOUNT_DAYS"
FROM
  "WEEKLY_OVERDRAFT_ACTIVITY";
COMMIT;
