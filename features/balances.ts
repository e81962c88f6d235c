import { col, featureSet, len, lit, when } from "feature-backfill";
import { customerAccounts } from "./sources.ts";

/**
 * The talk's example: the average daily balance of a customer's revolving accounts per calendar month.
 * Point in time: a row is labelled with the month's first day but averages the whole month, so its values are only
 * known once the month is over. Point-in-time consumers should use `quarterly_revolving_balance_trend`'s style
 * (`label: "right"`) or join on the month's end.
 */
export const avgMonthlyRevolvingBalance = featureSet({
  name: "avg_monthly_revolving_balance",
  tags: ["monthly", "risk"],
  description: "Mean daily revolving balance per customer and calendar month (labelled with the month's first day).",
  inputs: { accounts: customerAccounts },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ accounts }) =>
    accounts
      .filter(col("account_type").eq("revolving"))
      .groupBy("customer_id", col("date").dt.truncate("1mo").alias("date"))
      .agg(col("balance").mean().alias("avg_monthly_revolving_balance")),
});

/**
 * Weekly overdraft behaviour across every account type: days overdrawn, the deepest overdraft, and how many
 * snapshots lacked a balance (data quality is a feature too).
 */
export const weeklyOverdraftActivity = featureSet({
  name: "weekly_overdraft_activity",
  tags: ["weekly", "risk"],
  description: "Per customer and ISO week: overdrawn account-days, deepest overdraft, missing balances.",
  inputs: { accounts: customerAccounts },
  keys: ["customer_id"],
  timestamp: "week",
  build: ({ accounts }) =>
    accounts
      .withColumns(
        col("date").dt.truncate("1w").alias("week"),
        when(col("balance").lt(0)).then(1).otherwise(0).alias("is_overdrawn"),
      )
      .groupBy("customer_id", "week")
      .agg(
        col("is_overdrawn").sum().alias("overdrawn_account_days"),
        when(col("balance").lt(0)).then(col("balance").neg()).otherwise(0).max().alias("max_overdraft"),
        col("balance").isNull().cast("integer").sum().alias("missing_balance_snapshots"),
        len().alias("account_days"),
      ),
});

/**
 * The talk's "average of monthly averages", per quarter, from `avg_monthly_revolving_balance` (a set on a set).
 * Labelled by the quarter's end (`label: "right"`): a row dated 2025-04-01 summarises Q1 and is known on that day,
 * so point-in-time lookups never see the future.
 */
export const quarterlyRevolvingBalanceTrend = featureSet({
  name: "quarterly_revolving_balance_trend",
  tags: ["monthly", "risk"],
  description: "Average, spread and risk band of monthly revolving balances per quarter, dated when the quarter is complete.",
  inputs: { monthly: avgMonthlyRevolvingBalance },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ monthly }) =>
    monthly
      .groupBy("customer_id", col("date").dt.truncate("1q", { label: "right" }).alias("date"))
      .agg(
        col("avg_monthly_revolving_balance").mean().alias("avg_of_monthly_avg_balance"),
        col("avg_monthly_revolving_balance").min().alias("min_monthly_avg_balance"),
        col("avg_monthly_revolving_balance").max().alias("max_monthly_avg_balance"),
        col("avg_monthly_revolving_balance").std().alias("std_monthly_avg_balance"),
        len().alias("months_observed"),
      )
      .withColumns(
        col("max_monthly_avg_balance").sub(col("min_monthly_avg_balance")).alias("monthly_avg_balance_range"),
        col("std_monthly_avg_balance").fillNull(0),
        when(col("avg_of_monthly_avg_balance").ge(8000))
          .then(lit("high"))
          .when(col("avg_of_monthly_avg_balance").ge(3000))
          .then(lit("medium"))
          .otherwise(lit("low"))
          .alias("balance_band"),
      ),
});
