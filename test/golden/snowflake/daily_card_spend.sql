-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] daily_card_spend -> features.daily_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2025-01-15, 2025-10-14)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."DAILY_CARD_SPEND" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "SPEND" FLOAT,
  "TRANSACTIONS" NUMBER(38, 0)
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."DAILY_CARD_SPEND"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."DAILY_CARD_SPEND" ("CUSTOMER_ID", "DATE", "SPEND", "TRANSACTIONS")
WITH
  "CARD_TRANSACTIONS" AS (
    SELECT
      "TRANSACTION_ID",
      "CUSTOMER_ID",
      "TRANSACTION_TS",
      "AMOUNT",
      "MERCHANT_CATEGORY",
      "IS_DECLINED"
    FROM
      "RAW"."CARD_TRANSACTIONS"
    WHERE
      "TRANSACTION_TS" >= TO_TIMESTAMP_NTZ(
        '2025-01-15 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
      AND "TRANSACTION_TS" < TO_TIMESTAMP_NTZ(
        '2025-10-14 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
  ),
  "DAILY_CARD_SPEND" AS (
    SELECT
      "CUSTOMER_ID",
      CAST(DATE_TRUNC('DAY', "TRANSACTION_TS") AS DATE) AS "DATE",
      COALESCE(SUM("AMOUNT"), 0) AS "SPEND",
      COUNT(*) AS "TRANSACTIONS"
    FROM
      "CARD_TRANSACTIONS"
    WHERE
      NOT "IS_DECLINED"
    GROUP BY
      "CUSTOMER_ID",
      CAST(DATE_TRUNC('DAY', "TRANSACTION_TS") AS DATE)
  )
SELECT
  "CUSTOMER_ID",
  "DATE",
  "SPEND",
  "TRANSACTIONS"
FROM
  "DAILY_CARD_SPEND";
COMMIT;
