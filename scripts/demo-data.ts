/**
 * Deterministic synthetic warehouse data for the demo, the tests and the benchmark, generated inside DuckDB (no rows
 * pass through Node). The same arguments give the same rows on every run: values come from DuckDB's hash().
 *
 * - raw.customer_accounts: one balance snapshot per account per day; customers have one or two accounts of mixed
 *   types; ~1% of balances are NULL, ~2.5% of snapshots are missing (gaps); rows are stored in time order.
 * - raw.credit_applications: about one application per customer, at random instants, with a requested limit.
 * - raw.card_transactions: transactions at random instants, ~4% declined; one customer in seven has none; some
 *   customers also have transactions exactly at, and one microsecond before, a month boundary.
 */
export interface DemoDataOptions {
  readonly customers: number;
  /** First day of data (UTC). */
  readonly from: string;
  readonly days: number;
  readonly transactionsPerCustomer: number;
}

export const DEMO_DATA: DemoDataOptions = { customers: 500, from: "2024-01-01", days: 731, transactionsPerCustomer: 120 };

export function demoDataStatements(o: DemoDataOptions): string[] {
  for (const n of [o.customers, o.days, o.transactionsPerCustomer]) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`demo data sizes must be positive integers, got ${n}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.from)) throw new TypeError(`demo data start must be YYYY-MM-DD, got ${o.from}`);
  const from = `DATE '${o.from}'`;
  return [
    "CREATE SCHEMA IF NOT EXISTS raw",
    `CREATE OR REPLACE TABLE raw.customer_accounts AS
     WITH accounts AS (
       SELECT c.range AS customer_id, c.range * 10 + a.range AS account_id,
              ['revolving', 'installment', 'mortgage', 'revolving'][1 + (hash(c.range, a.range, 'type') % 4)::INTEGER] AS account_type,
              (hash(c.range, a.range, 'base') % 12000)::DOUBLE - 1500 AS base_balance
       FROM range(1, ${o.customers + 1}) c, range(0, 2) a
       WHERE a.range = 0 OR hash(c.range, 'second') % 5 <> 0
     )
     SELECT customer_id, account_id, d::DATE AS date,
            CASE WHEN hash(account_id, d, 'null') % 97 = 0 THEN NULL
                 ELSE round(base_balance + 1500 * sin(epoch(d) / 86400 / 30 + account_id) + (hash(account_id, d) % 400)::DOUBLE - 200, 2)
            END AS balance,
            account_type
     FROM accounts, range(${from}::TIMESTAMP, ${from}::TIMESTAMP + INTERVAL ${o.days} DAY, INTERVAL 1 DAY) t(d)
     WHERE hash(account_id, d, 'gap') % 41 <> 0
     ORDER BY date, customer_id, account_id`,
    `CREATE OR REPLACE TABLE raw.credit_applications AS
     SELECT row_number() OVER (ORDER BY applied_at, customer_id) AS application_id, customer_id, applied_at,
            (1000 + (hash(customer_id, n, 'limit') % 40) * 500)::DOUBLE AS requested_limit
     FROM (
       SELECT c.range AS customer_id, n.range AS n,
              ${from}::TIMESTAMP + to_microseconds((hash(c.range, n.range, 'applied') % ${o.days * 86_400_000_000})::BIGINT) AS applied_at
       FROM range(1, ${o.customers + 1}) c, range(0, 3) n
       WHERE hash(c.range, n.range, 'applies') % 3 = 0
     )
     ORDER BY applied_at`,
    `CREATE OR REPLACE TABLE raw.card_transactions AS
     WITH random AS (
       SELECT c.range AS customer_id, n.range AS n,
              ${from}::TIMESTAMP + to_microseconds((hash(c.range, n.range, 'ts') % ${o.days * 86_400_000_000})::BIGINT) AS ts
       FROM range(1, ${o.customers + 1}) c, range(0, ${o.transactionsPerCustomer}) n
       WHERE c.range % 7 <> 0
     ), edges AS (
       SELECT customer_id, n, date_trunc('month', ts) AS ts FROM random WHERE customer_id % 10 = 1 AND n < 3
       UNION ALL
       SELECT customer_id, n + 1000000, date_trunc('month', ts) - INTERVAL 1 MICROSECOND FROM random WHERE customer_id % 10 = 1 AND n < 3
     ), all_rows AS (SELECT * FROM random UNION ALL SELECT * FROM edges)
     SELECT row_number() OVER (ORDER BY ts, customer_id, n) AS transaction_id, customer_id, ts AS transaction_ts,
            round(5 + (hash(customer_id, n, 'amount') % 30000) / 100.0, 2) AS amount,
            ['grocery', 'travel', 'fuel', 'online', 'restaurants', 'cash_advance'][1 + (hash(customer_id, n, 'category') % 6)::INTEGER] AS merchant_category,
            hash(customer_id, n, 'declined') % 25 = 0 AS is_declined
     FROM all_rows
     WHERE ts >= ${from}::TIMESTAMP
     ORDER BY ts, customer_id`,
  ];
}
