CREATE TABLE "features"."training_set" AS
WITH
  "spine" AS (
    SELECT
      CAST("applicant_id" AS BIGINT) AS "applicant_id",
      "event_time",
      "defaulted"
    FROM
      "labels"."applications"
  ),
  "days_since_overdraft" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("days_since_overdraft" AS BIGINT) AS "days_since_overdraft"
    FROM
      "features"."days_since_overdraft"
  ),
  "quarterly_revolving_balance_trend" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("avg_of_monthly_avg_balance" AS DOUBLE) AS "avg_of_monthly_avg_balance",
      CAST("min_monthly_avg_balance" AS DOUBLE) AS "min_monthly_avg_balance",
      CAST("max_monthly_avg_balance" AS DOUBLE) AS "max_monthly_avg_balance",
      CAST("std_monthly_avg_balance" AS DOUBLE) AS "std_monthly_avg_balance",
      CAST("months_observed" AS BIGINT) AS "months_observed",
      CAST("monthly_avg_balance_range" AS DOUBLE) AS "monthly_avg_balance_range",
      "balance_band"
    FROM
      "features"."quarterly_revolving_balance_trend"
  ),
  "avg_monthly_revolving_balance" AS (
    SELECT
      CAST("customer_id" AS BIGINT) AS "customer_id",
      "date",
      CAST("avg_monthly_revolving_balance" AS DOUBLE) AS "avg_monthly_revolving_balance"
    FROM
      "features"."avg_monthly_revolving_balance"
  ),
  "training_set" AS (
    SELECT
      "t5"."applicant_id" AS "applicant_id",
      "t5"."event_time" AS "event_time",
      "t5"."defaulted" AS "defaulted",
      "t5"."days_since_overdraft" AS "days_since_overdraft",
      "t5"."avg_of_monthly_avg_balance" AS "avg_of_monthly_avg_balance",
      "t5"."min_monthly_avg_balance" AS "min_monthly_avg_balance",
      "t5"."max_monthly_avg_balance" AS "max_monthly_avg_balance",
      "t5"."std_monthly_avg_balance" AS "std_monthly_avg_balance",
      "t5"."months_observed" AS "months_observed",
      "t5"."monthly_avg_balance_range" AS "monthly_avg_balance_range",
      "t5"."balance_band" AS "balance_band",
      "t6"."avg_monthly_revolving_balance" AS "avg_monthly_revolving_balance"
    FROM
      (
        SELECT
          "t3"."applicant_id" AS "applicant_id",
          "t3"."event_time" AS "event_time",
          "t3"."defaulted" AS "defaulted",
          "t3"."__event_at" AS "__event_at",
          "t3"."__known_at_1" AS "__known_at_1",
          "t3"."days_since_overdraft" AS "days_since_overdraft",
          "t4"."__known_at_2" AS "__known_at_2",
          "t4"."avg_of_monthly_avg_balance" AS "avg_of_monthly_avg_balance",
          "t4"."min_monthly_avg_balance" AS "min_monthly_avg_balance",
          "t4"."max_monthly_avg_balance" AS "max_monthly_avg_balance",
          "t4"."std_monthly_avg_balance" AS "std_monthly_avg_balance",
          "t4"."months_observed" AS "months_observed",
          "t4"."monthly_avg_balance_range" AS "monthly_avg_balance_range",
          "t4"."balance_band" AS "balance_band"
        FROM
          (
            SELECT
              "t1"."applicant_id" AS "applicant_id",
              "t1"."event_time" AS "event_time",
              "t1"."defaulted" AS "defaulted",
              "t1"."__event_at" AS "__event_at",
              CASE
                WHEN "t2"."__known_at_1" >= "t1"."__event_at" + INTERVAL '-35 days' THEN "t2"."__known_at_1"
                ELSE NULL
              END AS "__known_at_1",
              CASE
                WHEN "t2"."__known_at_1" >= "t1"."__event_at" + INTERVAL '-35 days' THEN "t2"."days_since_overdraft"
                ELSE NULL
              END AS "days_since_overdraft"
            FROM
              (
                SELECT
                  "applicant_id",
                  "event_time",
                  "defaulted",
                  CAST("event_time" AS TIMESTAMP) AS "__event_at"
                FROM
                  "spine"
              ) AS "t1"
              ASOF LEFT JOIN (
                SELECT
                  "customer_id",
                  CAST("date" AS TIMESTAMP) AS "__known_at_1",
                  "days_since_overdraft"
                FROM
                  "days_since_overdraft"
              ) AS "t2" ON "t1"."applicant_id" = "t2"."customer_id"
              AND "t1"."__event_at" >= "t2"."__known_at_1"
          ) AS "t3"
          ASOF LEFT JOIN (
            SELECT
              "customer_id",
              CAST("date" AS TIMESTAMP) AS "__known_at_2",
              "avg_of_monthly_avg_balance",
              "min_monthly_avg_balance",
              "max_monthly_avg_balance",
              "std_monthly_avg_balance",
              "months_observed",
              "monthly_avg_balance_range",
              "balance_band"
            FROM
              "quarterly_revolving_balance_trend"
          ) AS "t4" ON "t3"."applicant_id" = "t4"."customer_id"
          AND "t3"."__event_at" >= "t4"."__known_at_2"
      ) AS "t5"
      ASOF LEFT JOIN (
        SELECT
          "customer_id",
          CAST("date" AS TIMESTAMP) + INTERVAL '1 month' AS "__known_at_3",
          "avg_monthly_revolving_balance"
        FROM
          "avg_monthly_revolving_balance"
      ) AS "t6" ON "t5"."applicant_id" = "t6"."customer_id"
      AND "t5"."__event_at" >= "t6"."__known_at_3"
  )
SELECT
  "applicant_id",
  "event_time",
  "defaulted",
  "days_since_overdraft",
  "avg_of_monthly_avg_balance",
  "min_monthly_avg_balance",
  "max_monthly_avg_balance",
  "std_monthly_avg_balance",
  "months_observed",
  "monthly_avg_balance_range",
  "balance_band",
  "avg_monthly_revolving_balance"
FROM
  "training_set";
-- parameters: []
