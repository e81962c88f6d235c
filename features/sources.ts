import { source } from "feature-backfill";

/** Daily balance snapshots, one row per account per day (the talk's example source). */
export const customerAccounts = source({
  name: "customer_accounts",
  keys: ["customer_id"],
  timestamp: "date",
  columns: { customer_id: "bigint", account_id: "bigint", date: "date", balance: "double", account_type: "varchar" },
  backfill: { table: "raw.customer_accounts" },
});

/** Card transactions as they happen; declined ones are recorded too. */
export const cardTransactions = source({
  name: "card_transactions",
  keys: ["customer_id"],
  timestamp: "transaction_ts",
  columns: {
    transaction_id: "bigint",
    customer_id: "bigint",
    transaction_ts: "timestamp",
    amount: "double",
    merchant_category: "varchar",
    is_declined: "boolean",
  },
  backfill: { table: "raw.card_transactions" },
});

/** Credit applications as they arrive: the moments a model scores a customer. */
export const creditApplications = source({
  name: "credit_applications",
  keys: ["application_id"],
  timestamp: "applied_at",
  columns: { application_id: "bigint", customer_id: "bigint", applied_at: "timestamp", requested_limit: "double" },
  backfill: { table: "raw.credit_applications" },
});
