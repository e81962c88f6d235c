-- feature-backfill dry run (duckdb): 1 chunk(s); nothing was executed
-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease

-- [1/1] days_since_overdraft -> features.days_since_overdraft, window [2025-10-14, 2025-10-15)
--   reads the rows carried in features.days_since_overdraft__state_0bf77728 as of 2025-10-14T00:00:00.000Z (state kept by earlier chunks)
--   reads customer_accounts (raw.customer_accounts) over [2025-10-14, 2025-10-15)
--   keeps state: continues from its checkpoint; writes the checkpoint as of 2025-10-15T00:00:00.000Z
-- each continued node's input, computed once for the statements below:
CREATE TEMPORARY TABLE "feature_backfill_input_29" AS
WITH
  "days_since_overdraft__carried_1" AS (
    SELECT
      "_fb_definition_hash",
      "_fb_as_of",
      "_fb_marker",
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("lowest_balance" AS DOUBLE) AS "lowest_balance"
    FROM
      "features"."days_since_overdraft__state_0bf77728"
    WHERE
      "_fb_as_of" >= TIMESTAMP '2025-10-14 00:00:00'
      AND "_fb_as_of" < TIMESTAMP '2025-10-14 00:00:00.001'
  ),
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
      "date" >= DATE '2025-10-14'
      AND "date" < DATE '2025-10-15'
  ),
  "days_since_overdraft__computed_input_1" AS (
    SELECT
      "date",
      "customer_id",
      "lowest_balance"
    FROM
      (
        (
          SELECT
            "customer_id",
            "date",
            "lowest_balance"
          FROM
            "days_since_overdraft__carried_1"
          WHERE
            (
              (
                "_fb_definition_hash" = 'e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7'
              )
              AND ("_fb_as_of" = TIMESTAMP '2025-10-14 00:00:00')
            )
            AND (NOT "_fb_marker")
        )
        UNION ALL
        (
          SELECT
            "customer_id",
            "date",
            "lowest_balance"
          FROM
            (
              SELECT
                "customer_id",
                "date",
                min("balance") AS "lowest_balance"
              FROM
                "customer_accounts"
              GROUP BY
                "customer_id",
                "date"
            ) AS "t1"
          WHERE
            "date" >= DATE '2025-10-14'
        )
      ) AS "t2"
  )
SELECT
  "date",
  "customer_id",
  "lowest_balance"
FROM
  "days_since_overdraft__computed_input_1";
BEGIN TRANSACTION;
-- the checkpoint must be there (a count of its marker):
SELECT
  COUNT(*) AS "n"
FROM
  "features"."days_since_overdraft__state_0bf77728"
WHERE
  "_fb_definition_hash" = $1
  AND "_fb_as_of" = TIMESTAMP '2025-10-14 00:00:00'
  AND "_fb_marker";
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
CREATE SCHEMA IF NOT EXISTS "features";
CREATE TABLE IF NOT EXISTS "features"."days_since_overdraft" (
  "customer_id" BIGINT,
  "date" DATE,
  "days_since_overdraft" BIGINT
);
DELETE FROM "features"."days_since_overdraft"
WHERE
  "date" >= DATE '2025-10-14'
  AND "date" < DATE '2025-10-15';
INSERT INTO
  "features"."days_since_overdraft" ("customer_id", "date", "days_since_overdraft")
WITH
  "days_since_overdraft__input_1" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("lowest_balance" AS DOUBLE) AS "lowest_balance"
    FROM
      "feature_backfill_input_29"
    WHERE
      (
        "date" IS NOT DISTINCT FROM NULL
        OR "date" < DATE '2025-10-15'
      )
  ),
  "days_since_overdraft" AS (
    SELECT
      "customer_id",
      "date",
      CAST(
        "date" - last_value (
          CASE
            WHEN "lowest_balance" < 0 THEN "date"
            ELSE NULL
          END IGNORE NULLS
        ) OVER (
          PARTITION BY
            "customer_id"
          ORDER BY
            "date" ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING
            AND CURRENT ROW
        ) AS BIGINT
      ) AS "days_since_overdraft"
    FROM
      "days_since_overdraft__input_1"
  )
SELECT
  "customer_id",
  "date",
  "days_since_overdraft"
FROM
  "days_since_overdraft"
WHERE
  "date" >= DATE '2025-10-14'
  AND "date" < DATE '2025-10-15';
DELETE FROM "features"."days_since_overdraft__state_0bf77728"
WHERE
  "_fb_definition_hash" = $1
  AND "_fb_as_of" = TIMESTAMP '2025-10-15 00:00:00';
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
INSERT INTO
  "features"."days_since_overdraft__state_0bf77728" (
    "date",
    "_fb_definition_hash",
    "_fb_as_of",
    "_fb_marker",
    "customer_id",
    "lowest_balance"
  )
WITH
  "days_since_overdraft__input_1" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("lowest_balance" AS DOUBLE) AS "lowest_balance"
    FROM
      "feature_backfill_input_29"
    WHERE
      (
        "date" IS NOT DISTINCT FROM NULL
        OR "date" < DATE '2025-10-15'
      )
  ),
  "days_since_overdraft__state_1" AS (
    SELECT
      "date",
      'e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7' AS "_fb_definition_hash",
      TIMESTAMP '2025-10-15 00:00:00' AS "_fb_as_of",
      FALSE AS "_fb_marker",
      "customer_id",
      "lowest_balance"
    FROM
      "days_since_overdraft__input_1"
    WHERE
      ("date" IS NULL)
      OR ("date" < DATE '2025-10-15')
    QUALIFY
      (
        CASE
          WHEN "lowest_balance" < 0 THEN "date"
          ELSE NULL
        END IS NOT NULL
      )
      AND (
        (
          "date" = max(
            CASE
              WHEN CASE
                WHEN "lowest_balance" < 0 THEN "date"
                ELSE NULL
              END IS NOT NULL THEN "date"
              ELSE NULL
            END
          ) OVER (
            PARTITION BY
              "customer_id"
          )
        )
        OR (
          (
            max(
              CASE
                WHEN CASE
                  WHEN "lowest_balance" < 0 THEN "date"
                  ELSE NULL
                END IS NOT NULL THEN "date"
                ELSE NULL
              END
            ) OVER (
              PARTITION BY
                "customer_id"
            ) IS NULL
          )
          AND ("date" IS NULL)
        )
      )
  )
SELECT
  "date",
  "_fb_definition_hash",
  "_fb_as_of",
  "_fb_marker",
  "customer_id",
  "lowest_balance"
FROM
  "days_since_overdraft__state_1";
INSERT INTO
  "features"."days_since_overdraft__state_0bf77728" ("_fb_definition_hash", "_fb_as_of", "_fb_marker")
VALUES
  ($1, TIMESTAMP '2025-10-15 00:00:00', TRUE);
-- parameters: ["e9dc812479cf70b84cbf1f1bb004c5856fa32d86aca6e3de3a501a2293ad1ad7"]
COMMIT;
DROP TABLE IF EXISTS "feature_backfill_input_29";
