import { col, featureSet, len, when } from "feature-backfill";
import { avgMonthlyRevolvingBalance } from "./balances.ts";
import { cardTransactions, creditApplications, customerAccounts } from "./sources.ts";

/** Approved card spend per customer and day: the base of the rolling windows below. */
export const dailyCardSpend = featureSet({
  name: "daily_card_spend",
  tags: ["daily", "spend"],
  description: "Approved spend and transaction count per customer and day.",
  inputs: { transactions: cardTransactions },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ transactions }) =>
    transactions
      .filter(col("is_declined").not())
      .groupBy("customer_id", col("transaction_ts").dt.truncate("1d").cast("date").alias("date"))
      .agg(col("amount").sum().alias("spend"), len().alias("transactions")),
});

/**
 * Rolling 30- and 90-day spend per customer, on each day the customer spent: temporal windows over the days
 * (t - 30d, t], which Narwhals cannot express. Reading a window needs the 89 days before it, and the pass knows.
 */
export const rollingCardSpend = featureSet({
  name: "rolling_card_spend",
  tags: ["daily", "spend"],
  description: "Spend over the last 30 and 90 days, and active days in the last 90, on each day with spend.",
  inputs: { daily: dailyCardSpend },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ daily }) =>
    daily.select(
      "customer_id",
      "date",
      col("spend").rollingSum("30d", { by: "date" }).over("customer_id").alias("spend_30d"),
      col("spend").rollingSum("90d", { by: "date" }).over("customer_id").alias("spend_90d"),
      col("spend").rollingCount("90d", { by: "date" }).over("customer_id").alias("active_days_90d"),
      col("spend").rollingMax("90d", { by: "date" }).over("customer_id").alias("max_daily_spend_90d"),
    ),
});

/** Days since the customer's accounts were last overdrawn, on each day: the last overdraft date, carried forward. */
export const daysSinceOverdraft = featureSet({
  name: "days_since_overdraft",
  tags: ["daily", "risk"],
  description: "Whole days since the customer last had an overdrawn account (0 on such a day; null if never).",
  inputs: { accounts: customerAccounts },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ accounts }) =>
    accounts
      .groupBy("customer_id", "date")
      .agg(col("balance").min().alias("lowest_balance"))
      .withColumns(
        when(col("lowest_balance").lt(0)).then(col("date")).fillNull({ strategy: "forward" }).over("customer_id", { orderBy: "date" }).alias("last_overdraft"),
      )
      .select("customer_id", "date", col("date").dt.daysSince(col("last_overdraft")).alias("days_since_overdraft")),
});

/** Month-over-month change of the average revolving balance: a lag over a feature set. */
export const revolvingBalanceChange = featureSet({
  name: "revolving_balance_change",
  tags: ["daily", "risk"],
  description: "Change and relative change of the monthly average revolving balance against the previous month with data.",
  inputs: { monthly: avgMonthlyRevolvingBalance },
  keys: ["customer_id"],
  timestamp: "date",
  build: ({ monthly }) =>
    monthly
      .withColumns(col("avg_monthly_revolving_balance").shift(1).over("customer_id", { orderBy: "date" }).alias("previous"))
      .select(
        "customer_id",
        "date",
        col("avg_monthly_revolving_balance").sub(col("previous")).alias("balance_change"),
        when(col("previous").ne(0)).then(col("avg_monthly_revolving_balance").div(col("previous")).sub(1)).alias("balance_change_ratio"),
      ),
});

/**
 * Utilisation at application time: the revolving balance known when the customer applied, as a share of the limit
 * requested — an as-of join that only looks back, so no future balance leaks into training data. The daily totals
 * are labelled at the end of their day (`label: "right"`): a day's balance is known once the day is over.
 */
export const applicationUtilisation = featureSet({
  name: "application_utilisation",
  tags: ["daily"],
  description: "Revolving balance at the last completed day before the application, over the requested limit.",
  inputs: { applications: creditApplications, accounts: customerAccounts },
  keys: ["application_id"],
  timestamp: "applied_at",
  build: ({ applications, accounts }) => {
    const dailyRevolving = accounts
      .filter(col("account_type").eq("revolving"))
      .groupBy("customer_id", col("date").cast("timestamp").dt.truncate("1d", { label: "right" }).alias("known_at"))
      .agg(col("balance").sum().alias("revolving_balance"));
    return applications
      .joinAsof(dailyRevolving, { leftOn: "applied_at", rightOn: "known_at", by: "customer_id", tolerance: "35d" })
      .select(
        "application_id",
        "applied_at",
        "customer_id",
        "revolving_balance",
        col("revolving_balance").div(col("requested_limit")).alias("utilisation"),
        col("applied_at").dt.daysSince(col("known_at")).alias("balance_age_days"),
      );
  },
});
