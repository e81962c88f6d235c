-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] application_utilisation -> features.application_utilisation, window [2025-01-15, 2025-10-14)
--   reads credit_applications (raw.credit_applications) over [2025-01-15, 2025-10-14)
--   reads customer_accounts (raw.customer_accounts) over [2024-12-10, 2025-10-13)
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."APPLICATION_UTILISATION" (
  "APPLICATION_ID" NUMBER(38, 0),
  "APPLIED_AT" TIMESTAMP_NTZ,
  "CUSTOMER_ID" NUMBER(38, 0),
  "REVOLVING_BALANCE" FLOAT,
  "UTILISATION" FLOAT,
  "BALANCE_AGE_DAYS" NUMBER(38, 0)
);
BEGIN TRANSACTION;
DELETE FROM "FEATURES"."APPLICATION_UTILISATION"
WHERE
  "APPLIED_AT" >= TO_TIMESTAMP_NTZ(
    '2025-01-15 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  )
  AND "APPLIED_AT" < TO_TIMESTAMP_NTZ(
    '2025-10-14 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  );
INSERT INTO
  "FEATURES"."APPLICATION_UTILISATION" (
    "APPLICATION_ID",
    "APPLIED_AT",
    "CUSTOMER_ID",
    "REVOLVING_BALANCE",
    "UTILISATION",
    "BALANCE_AGE_DAYS"
  )
WITH
  "CREDIT_APPLICATIONS" AS (
    SELECT
      CAST("APPLICATION_ID" AS NUMBER(38, 0)) AS "APPLICATION_ID",
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "APPLIED_AT",
      CAST("REQUESTED_LIMIT" AS FLOAT) AS "REQUESTED_LIMIT"
    FROM
      "RAW"."CREDIT_APPLICATIONS"
    WHERE
      "APPLIED_AT" >= TO_TIMESTAMP_NTZ(
        '2025-01-15 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
      AND "APPLIED_AT" < TO_TIMESTAMP_NTZ(
        '2025-10-14 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
  ),
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
      "DATE" >= TO_DATE('2024-12-10', 'YYYY-MM-DD')
      AND "DATE" < TO_DATE('2025-10-13', 'YYYY-MM-DD')
  ),
  "APPLICATION_UTILISATION" AS (
    SELECT
      "APPLICATION_ID",
      "APPLIED_AT",
      "CUSTOMER_ID",
      "REVOLVING_BALANCE",
      CASE
        WHEN "REQUESTED_LIMIT" = 0 THEN "REVOLVING_BALANCE" * CAST('inf' AS FLOAT)
        ELSE "REVOLVING_BALANCE" / "REQUESTED_LIMIT"
      END AS "UTILISATION",
      CAST(
        (
          DATEDIFF(NANOSECOND, "KNOWN_AT", "APPLIED_AT") - MOD(
            DATEDIFF(NANOSECOND, "KNOWN_AT", "APPLIED_AT"),
            86400000000000
          )
        ) / 86400000000000 AS NUMBER(38, 0)
      ) AS "BALANCE_AGE_DAYS"
    FROM
      (
        SELECT
          "T1"."APPLICATION_ID" AS "APPLICATION_ID",
          "T1"."CUSTOMER_ID" AS "CUSTOMER_ID",
          "T1"."APPLIED_AT" AS "APPLIED_AT",
          "T1"."REQUESTED_LIMIT" AS "REQUESTED_LIMIT",
          CASE
            WHEN "T2"."KNOWN_AT" >= DATEADD(DAY, -35, "T1"."APPLIED_AT") THEN "T2"."KNOWN_AT"
            ELSE NULL
          END AS "KNOWN_AT",
          CASE
            WHEN "T2"."KNOWN_AT" >= DATEADD(DAY, -35, "T1"."APPLIED_AT") THEN "T2"."REVOLVING_BALANCE"
            ELSE NULL
          END AS "REVOLVING_BALANCE"
        FROM
          "CREDIT_APPLICATIONS" AS "T1" ASOF
          JOIN (
            SELECT
              "CUSTOMER_ID",
              DATEADD(
                DAY,
                1,
                DATE_TRUNC('DAY', CAST("DATE" AS TIMESTAMP_NTZ))
              ) AS "KNOWN_AT",
              COALESCE(SUM("BALANCE"), 0) AS "REVOLVING_BALANCE"
            FROM
              "CUSTOMER_ACCOUNTS"
            WHERE
              "ACCOUNT_TYPE" = 'revolving'
            GROUP BY
              "CUSTOMER_ID",
              DATEADD(
                DAY,
                1,
                DATE_TRUNC('DAY', CAST("DATE" AS TIMESTAMP_NTZ))
              )
          ) AS "T2" MATCH_CONDITION ("T1"."APPLIED_AT" >= "T2"."KNOWN_AT") ON "T1"."CUSTOMER_ID" = "T2"."CUSTOMER_ID"
      ) AS "T3"
  )
SELECT
  "APPLICATION_ID",
  "APPLIED_AT",
  "CUSTOMER_ID",
  "REVOLVING_BALANCE",
  "UTILISATION",
  "BALANCE_AGE_DAYS"
FROM
  "APPLICATION_UTILISATION";
COMMIT;
