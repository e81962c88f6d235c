import { col, featureSet, len, when } from "feature-backfill";
import { cardTransactions } from "./sources.ts";

/** Monthly card behaviour per customer: approved spend, ticket sizes, declines and cash advances. */
export const monthlyCardSpend = featureSet({
  name: "monthly_card_spend",
  tags: ["monthly", "spend"],
  description: "Approved spend, ticket statistics, decline rate and cash-advance share per customer and month.",
  inputs: { transactions: cardTransactions },
  keys: ["customer_id"],
  timestamp: "month",
  build: ({ transactions }) =>
    transactions
      .withColumns(
        col("transaction_ts").dt.truncate("1mo").cast("date").alias("month"),
        when(col("is_declined")).then(null).otherwise(col("amount")).alias("approved_amount"),
      )
      .groupBy("customer_id", "month")
      .agg(
        col("approved_amount").sum().alias("approved_spend"),
        col("approved_amount").count().alias("approved_count"),
        col("approved_amount").mean().alias("avg_ticket"),
        col("approved_amount").max().alias("max_ticket"),
        col("approved_amount").std().alias("ticket_std"),
        col("is_declined").cast("double").mean().alias("decline_rate"),
        when(col("merchant_category").eq("cash_advance")).then(col("approved_amount")).otherwise(0).sum().alias("cash_advance_spend"),
        len().alias("attempts"),
      )
      .withColumns(
        when(col("approved_spend").gt(0)).then(col("cash_advance_spend").div(col("approved_spend"))).alias("cash_advance_share"),
      ),
});
