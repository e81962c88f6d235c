-- feature-backfill dry run (duckdb): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] revolving_balance_change -> features.revolving_balance_change, window [2025-10-01, 2025-10-02)
--   reads customer_accounts (raw.customer_accounts) over [2025-10-01, 2025-11-01)
--   reads the rows carried in features.revolving_balance_change__state_9c25f408 as of 2025-10-01T00:00:00.000Z (state kept by earlier chunks)
--   keeps state: continues from its checkpoint; writes the checkpoint as of 2025-10-02T00:00:00.000Z
-- each continued node's input, computed once for the statements below:
CREATE TEMPORARY TABLE "feature_backfill_input_30" AS
WITH
  "customer_accounts" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      CAST("account_id" AS BIGINT) AS "account_id",
      "date",
      CAST("balance" AS DOUBLE) AS "balance",
      "account_type"
    FROM
      "raw"."customer_accounts"
    WHERE
      "date" >= DATE '2025-10-01'
      AND "date" < DATE '2025-11-01'
  ),
  "revolving_balance_change__carried_1" AS (
    SELECT
      "_fb_definition_hash",
      "_fb_as_of",
      "_fb_marker",
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("avg_monthly_revolving_balance" AS DOUBLE) AS "avg_monthly_revolving_balance"
    FROM
      "features"."revolving_balance_change__state_9c25f408"
    WHERE
      "_fb_as_of" >= TIMESTAMP '2025-10-01 00:00:00'
      AND "_fb_as_of" < TIMESTAMP '2025-10-01 00:00:00.001'
  ),
  "avg_monthly_revolving_balance" AS (
    SELECT
      "customer_id",
      CAST(date_trunc('month', "date") AS DATE) AS "date",
      avg("balance") AS "avg_monthly_revolving_balance"
    FROM
      "customer_accounts"
    WHERE
      "account_type" = 'revolving'
    GROUP BY
      "customer_id",
      CAST(date_trunc('month', "date") AS DATE)
  ),
  "revolving_balance_change__computed_input_1" AS (
    SELECT
      "date",
      "customer_id",
      "avg_monthly_revolving_balance"
    FROM
      (
        (
          SELECT
            "customer_id",
            "date",
            "avg_monthly_revolving_balance"
          FROM
            "revolving_balance_change__carried_1"
          WHERE
            (
              (
                "_fb_definition_hash" = 'e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9'
              )
              AND ("_fb_as_of" = TIMESTAMP '2025-10-01 00:00:00')
            )
            AND (NOT "_fb_marker")
        )
        UNION ALL
        (
          SELECT
            "customer_id",
            "date",
            "avg_monthly_revolving_balance"
          FROM
            "avg_monthly_revolving_balance"
          WHERE
            "date" >= DATE '2025-10-01'
        )
      ) AS "t1"
  )
SELECT
  "date",
  "customer_id",
  "avg_monthly_revolving_balance"
FROM
  "revolving_balance_change__computed_input_1";
BEGIN TRANSACTION;
-- the checkpoint must be there (a count of its marker):
SELECT
  COUNT(*) AS "n"
FROM
  "features"."revolving_balance_change__state_9c25f408"
WHERE
  "_fb_definition_hash" = $1
  AND "_fb_as_of" = TIMESTAMP '2025-10-01 00:00:00'
  AND "_fb_marker";
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
CREATE SCHEMA IF NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."revolving_balance_change" (
  "customer_id" BIGINT,
  "date" DATE,
  "balance_change" DOUBLE,
  "balance_change_ratio" DOUBLE
);
DELETE FROM "features"."revolving_balance_change"
WHERE
  "date" >= DATE '2025-10-01'
  AND "date" < DATE '2025-10-02';
INSERT INTO
  "features"."revolving_balance_change" (
    "customer_id",
    "date",
    "balance_change",
    "balance_change_ratio"
  )
WITH
  "revolving_balance_change__input_1" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("avg_monthly_revolving_balance" AS DOUBLE) AS "avg_monthly_revolving_balance"
    FROM
      "feature_backfill_input_30"
    WHERE
      (
        "date" IS NOT DISTINCT FROM NULL
        OR "date" < DATE '2025-10-02'
      )
  ),
  "revolving_balance_change" AS (
    SELECT
      "customer_id",
      "date",
      "avg_monthly_revolving_balance" - "previous" AS "balance_change",
      CASE
        WHEN "previous" <> 0 THEN (
          CASE
            WHEN "previous" = 0 THEN "avg_monthly_revolving_balance" * CAST('inf' AS DOUBLE)
            ELSE "avg_monthly_revolving_balance" / "previous"
          END
        ) - 1
        ELSE NULL
      END AS "balance_change_ratio"
    FROM
      (
        SELECT
          "customer_id",
          "date",
          "avg_monthly_revolving_balance",
          lag ("avg_monthly_revolving_balance", 1) OVER (
            PARTITION BY
              "customer_id"
            ORDER BY
              "date" ASC NULLS FIRST
          ) AS "previous"
        FROM
          "revolving_balance_change__input_1"
      ) AS "t1"
  )
SELECT
  "customer_id",
  "date",
  "balance_change",
  "balance_change_ratio"
FROM
  "revolving_balance_change"
WHERE
  "date" >= DATE '2025-10-01'
  AND "date" < DATE '2025-10-02';
DELETE FROM "features"."revolving_balance_change__state_9c25f408"
WHERE
  "_fb_definition_hash" = $1
  AND "_fb_as_of" = TIMESTAMP '2025-10-02 00:00:00';
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
INSERT INTO
  "features"."revolving_balance_change__state_9c25f408" (
    "date",
    "_fb_definition_hash",
    "_fb_as_of",
    "_fb_marker",
    "customer_id",
    "avg_monthly_revolving_balance"
  )
WITH
  "revolving_balance_change__input_1" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("avg_monthly_revolving_balance" AS DOUBLE) AS "avg_monthly_revolving_balance"
    FROM
      "feature_backfill_input_30"
    WHERE
      (
        "date" IS NOT DISTINCT FROM NULL
        OR "date" < DATE '2025-10-02'
      )
  ),
  "revolving_balance_change__state_1" AS (
    SELECT
      "date",
      'e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9' AS "_fb_definition_hash",
      TIMESTAMP '2025-10-02 00:00:00' AS "_fb_as_of",
      FALSE AS "_fb_marker",
      "customer_id",
      "avg_monthly_revolving_balance"
    FROM
      "revolving_balance_change__input_1"
    WHERE
      ("date" IS NULL)
      OR ("date" < DATE '2025-10-02')
    QUALIFY
      lead (TRUE, 1) OVER (
        PARTITION BY
          "customer_id"
        ORDER BY
          "date" ASC NULLS FIRST
      ) IS NULL
  )
SELECT
  "date",
  "_fb_definition_hash",
  "_fb_as_of",
  "_fb_marker",
  "customer_id",
  "avg_monthly_revolving_balance"
FROM
  "revolving_balance_change__state_1";
INSERT INTO
  "features"."revolving_balance_change__state_9c25f408" ("_fb_definition_hash", "_fb_as_of", "_fb_marker")
VALUES
  ($1, TIMESTAMP '2025-10-02 00:00:00', TRUE);
-- parameters: ["e5f281fd8bbcbf02bcc0006e4d1bbcec950551eab7c343b02974a4fb763e15e9"]
COMMIT;
DROP TABLE IF EXISTS "feature_backfill_input_30";
