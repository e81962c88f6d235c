-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] rolling_card_spend -> features.rolling_card_spend, window [2025-01-15, 2025-10-14)
--   reads card_transactions (raw.card_transactions) over [2024-10-17, 2025-10-14)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."ROLLING_CARD_SPEND" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "SPEND_30D" FLOAT,
  "SPEND_90D" FLOAT,
  "ACTIVE_DAYS_90D" NUMBER(38, 0),
  "MAX_DAILY_SPEND_90D" FLOAT
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."ROLLING_CARD_SPEND"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."ROLLING_CARD_SPEND" (
    "CUSTOMER_ID",
    "DATE",
    "SPEND_30D",
    "SPEND_90D",
    "ACTIVE_DAYS_90D",
    "MAX_DAILY_SPEND_90D"
  )
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
        '2024-10-17 00:00:00.000',
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
  ),
  "ROLLING_CARD_SPEND" AS (
    SELECT
      "CUSTOMER_ID",
      "DATE",
      CASE
        WHEN "DATE" IS NULL THEN NULL
        ELSE SUM("SPEND") OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST RANGE BETWEEN INTERVAL '29 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "SPEND_30D",
      CASE
        WHEN "DATE" IS NULL THEN NULL
        ELSE SUM("SPEND") OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "SPEND_90D",
      CASE
        WHEN "DATE" IS NULL THEN NULL
        WHEN count("SPEND") OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        ) >= 1 THEN COUNT("SPEND") OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "ACTIVE_DAYS_90D",
      CASE
        WHEN "DATE" IS NULL THEN NULL
        ELSE MAX("SPEND") OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST RANGE BETWEEN INTERVAL '89 days' PRECEDING
            AND CURRENT ROW
        )
      END AS "MAX_DAILY_SPEND_90D"
    FROM
      "DAILY_CARD_SPEND"
  )
SELECT
  "CUSTOMER_ID",
  "DATE",
  "SPEND_30D",
  "SPEND_90D",
  "ACTIVE_DAYS_90D",
  "MAX_DAILY_SPEND_90D"
FROM
  "ROLLING_CARD_SPEND"
WHERE
  "DATE" >= TO_DATE('2025-01-15', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-14', 'YYYY-MM-DD');
COMMIT;
