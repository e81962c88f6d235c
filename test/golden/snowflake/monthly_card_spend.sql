-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] monthly_card_spend -> features.monthly_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2025-02-01, 2025-11-01)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."MONTHLY_CARD_SPEND" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "MONTH" DATE,
  "APPROVED_SPEND" FLOAT,
  "APPROVED_COUNT" NUMBER(38, 0),
  "AVG_TICKET" FLOAT,
  "MAX_TICKET" FLOAT,
  "TICKET_STD" FLOAT,
  "DECLINE_RATE" FLOAT,
  "CASH_ADVANCE_SPEND" FLOAT,
  "ATTEMPTS" NUMBER(38, 0),
  "CASH_ADVANCE_SHARE" FLOAT
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."MONTHLY_CARD_SPEND"
WHERE
  "MONTH" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "MONTH" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."MONTHLY_CARD_SPEND" (
    "CUSTOMER_ID",
    "MONTH",
    "APPROVED_SPEND",
    "APPROVED_COUNT",
    "AVG_TICKET",
    "MAX_TICKET",
    "TICKET_STD",
    "DECLINE_RATE",
    "CASH_ADVANCE_SPEND",
    "ATTEMPTS",
    "CASH_ADVANCE_SHARE"
  )
WITH
  "CARD_TRANSACTIONS" AS (
    SELECT
      CAST("TRANSACTION_ID" AS NUMBER(38, 0)) AS "TRANSACTION_ID",
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "TRANSACTION_TS",
      CAST("AMOUNT" AS FLOAT) AS "AMOUNT",
      "MERCHANT_CATEGORY",
      "IS_DECLINED"
    FROM
      "RAW"."CARD_TRANSACTIONS"
    WHERE
      "TRANSACTION_TS" >= TO_TIMESTAMP_NTZ(
        '2025-02-01 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
      AND "TRANSACTION_TS" < TO_TIMESTAMP_NTZ(
        '2025-11-01 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
  ),
  "MONTHLY_CARD_SPEND" AS (
    SELECT
      "CUSTOMER_ID",
      "MONTH",
      "APPROVED_SPEND",
      "APPROVED_COUNT",
      "AVG_TICKET",
      "MAX_TICKET",
      "TICKET_STD",
      "DECLINE_RATE",
      "CASH_ADVANCE_SPEND",
      "ATTEMPTS",
      CASE
        WHEN "APPROVED_SPEND" > 0 THEN CASE
          WHEN "APPROVED_SPEND" = 0 THEN "CASH_ADVANCE_SPEND" * CAST('inf' AS FLOAT)
          ELSE "CASH_ADVANCE_SPEND" / "APPROVED_SPEND"
        END
        ELSE NULL
      END AS "CASH_ADVANCE_SHARE"
    FROM
      (
        SELECT
          "CUSTOMER_ID",
          "MONTH",
          COALESCE(SUM("APPROVED_AMOUNT"), 0) AS "APPROVED_SPEND",
          COUNT("APPROVED_AMOUNT") AS "APPROVED_COUNT",
          AVG("APPROVED_AMOUNT") AS "AVG_TICKET",
          MAX("APPROVED_AMOUNT") AS "MAX_TICKET",
          STDDEV_SAMP("APPROVED_AMOUNT") AS "TICKET_STD",
          AVG(
            CAST(CAST("IS_DECLINED" AS NUMBER(38, 0)) AS FLOAT)
          ) AS "DECLINE_RATE",
          COALESCE(
            SUM(
              CASE
                WHEN "MERCHANT_CATEGORY" = 'cash_advance' THEN "APPROVED_AMOUNT"
                ELSE 0
              END
            ),
            0
          ) AS "CASH_ADVANCE_SPEND",
          COUNT(*) AS "ATTEMPTS"
        FROM
          (
            SELECT
              "TRANSACTION_ID",
              "CUSTOMER_ID",
              "TRANSACTION_TS",
              "AMOUNT",
              "MERCHANT_CATEGORY",
              "IS_DECLINED",
              CAST(DATE_TRUNC('MONTH', "TRANSACTION_TS") AS DATE) AS "MONTH",
              CASE
                WHEN "IS_DECLINED" THEN NULL
                ELSE "AMOUNT"
              END AS "APPROVED_AMOUNT"
            FROM
              "CARD_TRANSACTIONS"
          ) AS "T1"
        GROUP BY
          "CUSTOMER_ID",
          "MONTH"
      ) AS "T2"
  )
SELECT
  "CUSTOMER_ID",
  "MONTH",
  "APPROVED_SPEND",
  "APPROVED_COUNT",
  "AVG_TICKET",
  "MAX_TICKET",
  "TICKET_STD",
  "DECLINE_RATE",
  "CASH_ADVANCE_SPEND",
  "ATTEMPTS",
  "CASH_ADVANCE_SHARE"
FROM
  "MONTHLY_CARD_SPEND";
COMMIT;
