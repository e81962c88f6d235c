-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] revolving_balance_change -> features.revolving_balance_change, window [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [-inf, 2025-11-01)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."REVOLVING_BALANCE_CHANGE" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "BALANCE_CHANGE" FLOAT,
  "BALANCE_CHANGE_RATIO" FLOAT
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."REVOLVING_BALANCE_CHANGE"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."REVOLVING_BALANCE_CHANGE" (
    "CUSTOMER_ID",
    "DATE",
    "BALANCE_CHANGE",
    "BALANCE_CHANGE_RATIO"
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
      (
        "DATE" IS NOT DISTINCT
        FROM
          NULL
          OR "DATE" < TO_DATE('2025-11-01', 'YYYY-MM-DD')
      )
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
  ),
  "REVOLVING_BALANCE_CHANGE" AS (
    SELECT
      "CUSTOMER_ID",
      "DATE",
      "AVG_MONTHLY_REVOLVING_BALANCE" - "PREVIOUS" AS "BALANCE_CHANGE",
      CASE
        WHEN "PREVIOUS" <> 0 THEN (
          CASE
            WHEN "PREVIOUS" = 0 THEN "AVG_MONTHLY_REVOLVING_BALANCE" * CAST('inf' AS FLOAT)
            ELSE "AVG_MONTHLY_REVOLVING_BALANCE" / "PREVIOUS"
          END
        ) - 1
        ELSE NULL
      END AS "BALANCE_CHANGE_RATIO"
    FROM
      (
        SELECT
          "CUSTOMER_ID",
          "DATE",
          "AVG_MONTHLY_REVOLVING_BALANCE",
          lag("AVG_MONTHLY_REVOLVING_BALANCE", 1) OVER (
            PARTITION BY
              "CUSTOMER_ID"
            ORDER BY
              "DATE" ASC NULLS FIRST
          ) AS "PREVIOUS"
        FROM
          "AVG_MONTHLY_REVOLVING_BALANCE"
      ) AS "T1"
  )
SELECT
  "CUSTOMER_ID",
  "DATE",
  "BALANCE_CHANGE",
  "BALANCE_CHANGE_RATIO"
FROM
  "REVOLVING_BALANCE_CHANGE"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
COMMIT;
