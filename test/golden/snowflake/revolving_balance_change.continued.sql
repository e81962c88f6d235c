-- feature-backfill dry run (snowflake): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] revolving_balance_change -> features.revolving_balance_change, window [2025-10-01, 2025-10-02)
--   reads customer_accounts (raw.customer_accounts) over [2025-10-01, 2025-11-01)
--   reads the rows carried in features.revolving_balance_change__state_9c25f408 as of 2025-10-01T00:00:00.000Z (state kept by earlier chunks)
--   keeps state: continues from its checkpoint; writes the checkpoint as of 2025-10-02T00:00:00.000Z
-- each continued node's input, computed once for the statements below:
CREATE TEMPORARY TABLE "FEATURE_BACKFILL_INPUT_34" AS
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
      "DATE" >= TO_DATE('2025-10-01', 'YYYY-MM-DD')
      AND "DATE" < TO_DATE('2025-11-01', 'YYYY-MM-DD')
  ),
  "REVOLVING_BALANCE_CHANGE__CARRIED_1" AS (
    SELECT
      "_FB_DEFINITION_HASH",
      "_FB_AS_OF",
      "_FB_MARKER",
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("AVG_MONTHLY_REVOLVING_BALANCE" AS FLOAT) AS "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      "FEATURES"."REVOLVING_BALANCE_CHANGE__STATE_9C25F408"
    WHERE
      "_FB_AS_OF" >= TO_TIMESTAMP_NTZ(
        '2025-10-01 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      )
      AND "_FB_AS_OF" < TO_TIMESTAMP_NTZ(
        '2025-10-01 00:00:00.001',
        'YYYY-MM-DD HH24:MI:SS.FF3'
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
  "REVOLVING_BALANCE_CHANGE__COMPUTED_INPUT_1" AS (
    SELECT
      "DATE",
      "CUSTOMER_ID",
      "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      (
        (
          SELECT
            "CUSTOMER_ID",
            "DATE",
            "AVG_MONTHLY_REVOLVING_BALANCE"
          FROM
            "REVOLVING_BALANCE_CHANGE__CARRIED_1"
          WHERE
            (
              (
                "_FB_DEFINITION_HASH" = 'e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9'
              )
              AND (
                "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
                  '2025-10-01 00:00:00.000',
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
            "AVG_MONTHLY_REVOLVING_BALANCE"
          FROM
            "AVG_MONTHLY_REVOLVING_BALANCE"
          WHERE
            "DATE" >= TO_DATE('2025-10-01', 'YYYY-MM-DD')
        )
      ) AS "T1"
  )
SELECT
  "DATE",
  "CUSTOMER_ID",
  "AVG_MONTHLY_REVOLVING_BALANCE"
FROM
  "REVOLVING_BALANCE_CHANGE__COMPUTED_INPUT_1";
CREATE SCHEMA if NOT EXISTS "FEATURES";
CREATE TABLE IF NOT EXISTS "FEATURES"."REVOLVING_BALANCE_CHANGE" (
  "CUSTOMER_ID" NUMBER(38, 0),
  "DATE" DATE,
  "BALANCE_CHANGE" FLOAT,
  "BALANCE_CHANGE_RATIO" FLOAT
);
BEGIN TRANSACTION;
-- the checkpoint must be there (a count of its marker):
SELECT
  COUNT(*) AS "N"
FROM
  "FEATURES"."REVOLVING_BALANCE_CHANGE__STATE_9C25F408"
WHERE
  "_FB_DEFINITION_HASH" = ?
  AND "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
    '2025-10-01 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  )
  AND "_FB_MARKER";
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
DELETE FROM "FEATURES"."REVOLVING_BALANCE_CHANGE"
WHERE
  "DATE" >= TO_DATE('2025-10-01', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-02', 'YYYY-MM-DD');
INSERT INTO
  "FEATURES"."REVOLVING_BALANCE_CHANGE" (
    "CUSTOMER_ID",
    "DATE",
    "BALANCE_CHANGE",
    "BALANCE_CHANGE_RATIO"
  )
WITH
  "REVOLVING_BALANCE_CHANGE__INPUT_1" AS (
    SELECT
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("AVG_MONTHLY_REVOLVING_BALANCE" AS FLOAT) AS "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      "FEATURE_BACKFILL_INPUT_34"
    WHERE
      (
        "DATE" IS NOT DISTINCT
        FROM
          NULL
          OR "DATE" < TO_DATE('2025-10-02', 'YYYY-MM-DD')
      )
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
          "REVOLVING_BALANCE_CHANGE__INPUT_1"
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
  "DATE" >= TO_DATE('2025-10-01', 'YYYY-MM-DD')
  AND "DATE" < TO_DATE('2025-10-02', 'YYYY-MM-DD');
DELETE FROM "FEATURES"."REVOLVING_BALANCE_CHANGE__STATE_9C25F408"
WHERE
  "_FB_DEFINITION_HASH" = ?
  AND "_FB_AS_OF" = TO_TIMESTAMP_NTZ(
    '2025-10-02 00:00:00.000',
    'YYYY-MM-DD HH24:MI:SS.FF3'
  );
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
INSERT INTO
  "FEATURES"."REVOLVING_BALANCE_CHANGE__STATE_9C25F408" (
    "DATE",
    "_FB_DEFINITION_HASH",
    "_FB_AS_OF",
    "_FB_MARKER",
    "CUSTOMER_ID",
    "AVG_MONTHLY_REVOLVING_BALANCE"
  )
WITH
  "REVOLVING_BALANCE_CHANGE__INPUT_1" AS (
    SELECT
      CAST("CUSTOMER_ID" AS NUMBER(38, 0)) AS "CUSTOMER_ID",
      "DATE",
      CAST("AVG_MONTHLY_REVOLVING_BALANCE" AS FLOAT) AS "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      "FEATURE_BACKFILL_INPUT_34"
    WHERE
      (
        "DATE" IS NOT DISTINCT
        FROM
          NULL
          OR "DATE" < TO_DATE('2025-10-02', 'YYYY-MM-DD')
      )
  ),
  "REVOLVING_BALANCE_CHANGE__STATE_1" AS (
    SELECT
      "DATE",
      'e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9' AS "_FB_DEFINITION_HASH",
      TO_TIMESTAMP_NTZ(
        '2025-10-02 00:00:00.000',
        'YYYY-MM-DD HH24:MI:SS.FF3'
      ) AS "_FB_AS_OF",
      FALSE AS "_FB_MARKER",
      "CUSTOMER_ID",
      "AVG_MONTHLY_REVOLVING_BALANCE"
    FROM
      "REVOLVING_BALANCE_CHANGE__INPUT_1"
    WHERE
      ("DATE" IS NULL)
      OR ("DATE" < TO_DATE('2025-10-02', 'YYYY-MM-DD'))
    QUALIFY
      lead(TRUE, 1) OVER (
        PARTITION BY
          "CUSTOMER_ID"
        ORDER BY
          "DATE" ASC NULLS FIRST
      ) IS NULL
  )
SELECT
  "DATE",
  "_FB_DEFINITION_HASH",
  "_FB_AS_OF",
  "_FB_MARKER",
  "CUSTOMER_ID",
  "AVG_MONTHLY_REVOLVING_BALANCE"
FROM
  "REVOLVING_BALANCE_CHANGE__STATE_1";
INSERT INTO
  "FEATURES"."REVOLVING_BALANCE_CHANGE__STATE_9C25F408" ("_FB_DEFINITION_HASH", "_FB_AS_OF", "_FB_MARKER")
VALUES
  (
    ?,
    TO_TIMESTAMP_NTZ(
      '2025-10-02 00:00:00.000',
      'YYYY-MM-DD HH24:MI:SS.FF3'
    ),
    TRUE
  );
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
COMMIT;
DROP TABLE IF EXISTS "FEATURE_BACKFILL_INPUT_34";
