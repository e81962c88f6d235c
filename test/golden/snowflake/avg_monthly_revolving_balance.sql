-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] avg_monthly_revolving_balance -> features.avg_monthly_revolving_balance, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2025-02-01, 2025-11-01)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."AVG_MONTHLY_REVOLVING_BALANCE" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "AVG_MONTHLY_REVOLVING_BALANCE" FLOAT
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."AVG_MONTHLY_REVOLVING_BALANCE"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."AVG_MONTHLY_REVOLVING_BALANCE" (
    "CUSTOMER_ID",
    "DATE",
    "AVG_MONTHLY_REVOLVING_BALANCE"
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
      "DATE" >= TO_DATE('2025-02-01', 'YYYY-MM-DD')
      AND "DATE" < TO_DATE('2025-11-01', 'YYYY-MM-DD')
  ),
  "AVG_MONTHLY_REVOLVING_BALANCE" AS (
    SELECT
      "CUSTOMER_ID",
      DATE_TRUNC('MONTH', "DATE") AS "DATE",
      AVG("BALANCE") AS "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      "CUSTOMER_ACCOUNTS"
    WHERE
      "ACCOUNT_TYPE" = 'revolving'
    GROUP BY
      "CUSTOMER_ID",
      DATE_TRUNC('MONTH', "DATE")
  )
SELECT
  "CUSTOMER_ID",
  "DATE",
  "AVG_MONTHLY_REVOLVING_BALANCE"
FROM
  "AVG_MONTHLY_REVOLVING_BALANCE";
COMMIT;
