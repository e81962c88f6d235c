-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] days_since_overdraft -> features.days_since_overdraft, window [2025-10-14, 2025-10-15)
--   reads the rows carried in features.days_since_overdraft__state_0bf77728 as of 2025-10-14T00:00:00.000Z (state kept by earlier chunks)
--   reads customer_accounts (raw.customer_accounts) over [2025-10-14, 2025-10-15)
--   keeps state: continues from its checkpoint; writes the checkpoint as of 2025-10-15T00:00:00.000Z
-- each continued node's input, computed once for the statements below:
CREATE TEMPORARY TABLE "FEATURE_BACKFILL_INPUT_33" AS
WITH
  "DAYS_SINCE_OVERDRAFT__CARRIED_1" AS (
    SELECT
      "_FB_DEFINITION_HASH",
      "_FB_AS_OF",
      "_FB_MARKER",
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("LOWEST_BALANCE" AS FLOAT) AS "LOWEST_BALANCE"
    FROM
      "FEATURES"."DAYS_SINCE_OVERDRAFT__STATE_0BF77728"
    WHERE
      "_FB_AS_OF" >= TO_TIMESTAMP_NTZ(
        '2025-10-14 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
      AND "_FB_AS_OF" < TO_TIMESTAMP_NTZ(
        '2025-10-14 00:00:00.001',
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
      "DATE" >= TO_DATE('2025-10-14', 'YYYY-MM-DD')
      AND "DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD')
  ),
  "DAYS_SINCE_OVERDRAFT__COMPUTED_INPUT_1" AS (
    SELECT
      "DATE",
      "CUSTOMER_ID",
      "LOWEST_BALANCE"
    FROM
      (
        (
          SELECT
            "CUSTOMER_ID",
            "DATE",
            "LOWEST_BALANCE"
          FROM
            "DAYS_SINCE_OVERDRAFT__CARRIED_1"
          WHERE
            (
              (
                "_FB_DEFINITION_HASH" = 'e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7'
              )
              AND (
                "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
                  '2025-10-14 00:00:00.000',
                  'YYYY-MM-DD HH24:MI:SS.FF3'
                )
              )
            )
            AND (NOT "_FB_MARKER")
        )
        UNION ALL
        (
          SELECT
            "CUSTOMER_ID",
            "DATE",
            "LOWEST_BALANCE"
          FROM
            (
              SELECT
                "CUSTOMER_ID",
                "DATE",
                MIN("BALANCE") AS "LOWEST_BALANCE"
              FROM
                "CUSTOMER_ACCOUNTS"
              GROUP BY
                "CUSTOMER_ID",
                "DATE"
            ) AS "T1"
          WHERE
            "DATE" >= TO_DATE('2025-10-14', 'YYYY-MM-DD')
        )
      ) AS "T2"
  )
SELECT
  "DATE",
  "CUSTOMER_ID",
  "LOWEST_BALANCE"
FROM
  "DAYS_SINCE_OVERDRAFT__COMPUTED_INPUT_1";
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."DAYS_SINCE_OVERDRAFT" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "DAYS_SINCE_OVERDRAFT" NUMBER(38, 0)
);
BEGIN TRANSACTION;
-- the checkpoint must be there (a count of its marker):
SELECT
  COUNT(*) AS "N"
FROM
  "FEATURES"."DAYS_SINCE_OVERDRAFT__STATE_0BF77728"
WHERE
  "_FB_DEFINITION_HASH" = ?
  AND "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
    '2025-10-14 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  )
  AND "_FB_MARKER";
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
DELETE FROM "FEATURES"."DAYS_SINCE_OVERDRAFT"
WHERE
  "DATE" >= TO_DATE('2025-10-14', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."DAYS_SINCE_OVERDRAFT" ("CUSTOMER_ID", "DATE", "DAYS_SINCE_OVERDRAFT")
WITH
  "DAYS_SINCE_OVERDRAFT__INPUT_1" AS (
    SELECT
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("LOWEST_BALANCE" AS FLOAT) AS "LOWEST_BALANCE"
    FROM
      "FEATURE_BACKFILL_INPUT_33"
    WHERE
      (
        "DATE" IS NOT DISTINCT
        FROM
          NULL
          OR "DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD')
      )
  ),
  "DAYS_SINCE_OVERDRAFT" AS (
    SELECT
      "CUSTOMER_ID",
      "DATE",
      CAST(
        "DATE" - LAST_VALUE(
          CASE
            WHEN "LOWEST_BALANCE" < 0 THEN "DATE"
            ELSE NULL
          END
        ) IGNORE NULLS OVER (
          PARTITION BY
            "CUSTOMER_ID"
          ORDER BY
            "DATE" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING
            AND CURRENT ROW
        ) AS NUMBER(38, 0)
      ) AS "DAYS_SINCE_OVERDRAFT"
    FROM
      "DAYS_SINCE_OVERDRAFT__INPUT_1"
  )
SELECT
  "CUSTOMER_ID",
  "DATE",
  "DAYS_SINCE_OVERDRAFT"
FROM
  "DAYS_SINCE_OVERDRAFT"
WHERE
  "DATE" >= TO_DATE('2025-10-14', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD');
DELETE FROM "FEATURES"."DAYS_SINCE_OVERDRAFT__STATE_0BF77728"
WHERE
  "_FB_DEFINITION_HASH" = ?
  AND "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
    '2025-10-15 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  );
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
INSERT INTO
  "FEATURES"."DAYS_SINCE_OVERDRAFT__STATE_0BF77728" (
    "DATE",
    "_FB_DEFINITION_HASH",
    "_FB_AS_OF",
    "_FB_MARKER",
    "CUSTOMER_ID",
    "LOWEST_BALANCE"
  )
WITH
  "DAYS_SINCE_OVERDRAFT__INPUT_1" AS (
    SELECT
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("LOWEST_BALANCE" AS FLOAT) AS "LOWEST_BALANCE"
    FROM
      "FEATURE_BACKFILL_INPUT_33"
    WHERE
      (
        "DATE" IS NOT DISTINCT
        FROM
          NULL
          OR "DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD')
      )
  ),
  "DAYS_SINCE_OVERDRAFT__STATE_1" AS (
    SELECT
      "DATE",
      'e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7' AS "_FB_DEFINITION_HASH",
      TO_TIMESTAMP_NTZ(
        '2025-10-15 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      ) AS "_FB_AS_OF",
      FALSE AS "_FB_MARKER",
      "CUSTOMER_ID",
      "LOWEST_BALANCE"
    FROM
      "DAYS_SINCE_OVERDRAFT__INPUT_1"
    WHERE
      ("DATE" IS NULL)
      OR ("DATE" < TO_DATE('2025-10-15', 'YYYY-MM-DD'))
    QUALIFY
      (
        CASE
          WHEN "LOWEST_BALANCE" < 0 THEN "DATE"
          ELSE NULL
        END IS NOT NULL
      )
      AND (
        (
          "DATE" = MAX(
            CASE
              WHEN CASE
                WHEN "LOWEST_BALANCE" < 0 THEN "DATE"
                ELSE NULL
              END IS NOT NULL THEN "DATE"
              ELSE NULL
            END
          ) OVER (
            PARTITION BY
              "CUSTOMER_ID"
          )
        )
        OR (
          (
            MAX(
              CASE
                WHEN CASE
                  WHEN "LOWEST_BALANCE" < 0 THEN "DATE"
                  ELSE NULL
                END IS NOT NULL THEN "DATE"
                ELSE NULL
              END
            ) OVER (
              PARTITION BY
                "CUSTOMER_ID"
            ) IS NULL
          )
          AND ("DATE" IS NULL)
        )
      )
  )
SELECT
  "DATE",
  "_FB_DEFINITION_HASH",
  "_FB_AS_OF",
  "_FB_MARKER",
  "CUSTOMER_ID",
  "LOWEST_BALANCE"
FROM
  "DAYS_SINCE_OVERDRAFT__STATE_1";
INSERT INTO
  "FEATURES"."DAYS_SINCE_OVERDRAFT__STATE_0BF77728" ("_FB_DEFINITION_HASH", "_FB_AS_OF", "_FB_MARKER")
VALUES
  (
    ?,
    TO_TIMESTAMP_NTZ(
      '2025-10-15 00:00:00.000',
      'YYYY-MM-DD HH24:MI:SS.FF3'
    ),
    TRUE
  );
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
COMMIT;
DROP TABLE IF EXISTS "FEATURE_BACKFILL_INPUT_33";
