/**
 * The benchmark's baseline: each feature set written by hand, the way a data engineer would write the backfill
 * without the tool — BEGIN; DELETE the window; INSERT … SELECT over the read range worked out by hand; COMMIT.
 * It shares no code with the compiler (not even its date arithmetic), so `scripts/bench.ts` can also check that both
 * produce the same rows.
 */

/** A half-open UTC window of whole days, as the bench passes to `--start`/`--end`. */
export interface DayWindow {
  readonly start: string; // YYYY-MM-DD
  readonly end: string; // YYYY-MM-DD
}

export interface HandWritten {
  /** Idempotent DDL for the hand-written table (run once, outside the timings). */
  readonly create: string;
  /** The transaction body, run between BEGIN and COMMIT. */
  readonly del: string;
  readonly insert: string;
}

export const HAND_SCHEMA = "bench_hand";

type Builder = (w: DayWindow) => HandWritten;

/** Hand-written SQL for the feature sets the bench measures, keyed by set name. */
export const HAND_WRITTEN: Readonly<Record<string, Builder>> = {
  // features/balances.ts: mean daily revolving balance per customer and calendar month, labelled by the month's start.
  // Months whose label lies in [S, E) are those starting in [ceilMonth(S), ceilMonth(E)): read exactly those days.
  avg_monthly_revolving_balance: (w) => {
    const [from, to] = [ceilMonth(w.start), ceilMonth(w.end)];
    return {
      create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.avg_monthly_revolving_balance (
        customer_id BIGINT, date DATE, avg_monthly_revolving_balance DOUBLE)`,
      del: `DELETE FROM ${HAND_SCHEMA}.avg_monthly_revolving_balance WHERE date >= DATE '${w.start}' AND date < DATE '${w.end}'`,
      insert: `INSERT INTO ${HAND_SCHEMA}.avg_monthly_revolving_balance
        SELECT customer_id, date_trunc('month', date)::DATE AS date, avg(balance) AS avg_monthly_revolving_balance
        FROM raw.customer_accounts
        WHERE account_type = 'revolving' AND date >= DATE '${from}' AND date < DATE '${to}'
        GROUP BY ALL`,
    };
  },

  // features/spend.ts: approved (non-declined) spend statistics per customer and calendar month.
  monthly_card_spend: (w) => {
    const [from, to] = [ceilMonth(w.start), ceilMonth(w.end)];
    return {
      create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.monthly_card_spend (
        customer_id BIGINT, month DATE, approved_spend DOUBLE, approved_count BIGINT, avg_ticket DOUBLE,
        max_ticket DOUBLE, ticket_std DOUBLE, decline_rate DOUBLE, cash_advance_spend DOUBLE, attempts BIGINT,
        cash_advance_share DOUBLE)`,
      del: `DELETE FROM ${HAND_SCHEMA}.monthly_card_spend WHERE month >= DATE '${w.start}' AND month < DATE '${w.end}'`,
      insert: `INSERT INTO ${HAND_SCHEMA}.monthly_card_spend
        WITH tx AS (
          SELECT customer_id, date_trunc('month', transaction_ts)::DATE AS month, is_declined,
                 CASE WHEN NOT is_declined THEN amount END AS approved,
                 CASE WHEN merchant_category = 'cash_advance' THEN CASE WHEN NOT is_declined THEN amount END ELSE 0 END AS cash_advance
          FROM raw.card_transactions
          WHERE transaction_ts >= TIMESTAMP '${from}' AND transaction_ts < TIMESTAMP '${to}'
        )
        SELECT customer_id, month,
               coalesce(sum(approved), 0) AS approved_spend,
               count(approved) AS approved_count,
               avg(approved) AS avg_ticket,
               max(approved) AS max_ticket,
               stddev_samp(approved) AS ticket_std,
               avg(is_declined::DOUBLE) AS decline_rate,
               coalesce(sum(cash_advance), 0) AS cash_advance_spend,
               count(*) AS attempts,
               CASE WHEN sum(approved) > 0 THEN sum(cash_advance) / sum(approved) END AS cash_advance_share
        FROM tx
        GROUP BY ALL`,
    };
  },

  // features/balances.ts: quarter statistics of the monthly averages, labelled by the quarter's END (its next start).
  // Labels in [S, E) are quarters starting in [ceilQuarter(S) - 3 months, ceilQuarter(E) - 3 months).
  quarterly_revolving_balance_trend: (w) => {
    const [from, to] = [addMonths(ceilQuarter(w.start), -3), addMonths(ceilQuarter(w.end), -3)];
    return {
      create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.quarterly_revolving_balance_trend (
        customer_id BIGINT, date DATE, avg_of_monthly_avg_balance DOUBLE, min_monthly_avg_balance DOUBLE,
        max_monthly_avg_balance DOUBLE, std_monthly_avg_balance DOUBLE, months_observed BIGINT,
        monthly_avg_balance_range DOUBLE, balance_band VARCHAR)`,
      del: `DELETE FROM ${HAND_SCHEMA}.quarterly_revolving_balance_trend WHERE date >= DATE '${w.start}' AND date < DATE '${w.end}'`,
      insert: `INSERT INTO ${HAND_SCHEMA}.quarterly_revolving_balance_trend
        WITH monthly AS (
          SELECT customer_id, date_trunc('month', date)::DATE AS month, avg(balance) AS avg_balance
          FROM raw.customer_accounts
          WHERE account_type = 'revolving' AND date >= DATE '${from}' AND date < DATE '${to}'
          GROUP BY ALL
        )
        SELECT customer_id, (date_trunc('quarter', month) + INTERVAL 3 MONTH)::DATE AS date,
               avg(avg_balance), min(avg_balance), max(avg_balance), coalesce(stddev_samp(avg_balance), 0), count(*),
               max(avg_balance) - min(avg_balance),
               CASE WHEN avg(avg_balance) >= 8000 THEN 'high' WHEN avg(avg_balance) >= 3000 THEN 'medium' ELSE 'low' END
        FROM monthly
        GROUP BY ALL`,
    };
  },

  // features/rolling.ts: rolling 30/90-day spend over the daily approved spend, on each day with spend. A row on day
  // t sees the days (t - 90d, t] = [t - 89d, t]: read the window plus its 89 days before, write only the window.
  // `spend` is a sum of non-null amounts (0 if they were all null, as the tool's sums are), so count(spend) ≥ 1.
  rolling_card_spend: (w) => ({
    create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.rolling_card_spend (
      customer_id BIGINT, date DATE, spend_30d DOUBLE, spend_90d DOUBLE, active_days_90d BIGINT, max_daily_spend_90d DOUBLE)`,
    del: `DELETE FROM ${HAND_SCHEMA}.rolling_card_spend WHERE date >= DATE '${w.start}' AND date < DATE '${w.end}'`,
    insert: `INSERT INTO ${HAND_SCHEMA}.rolling_card_spend
      WITH daily AS (
        SELECT customer_id, transaction_ts::DATE AS date, coalesce(sum(amount), 0) AS spend
        FROM raw.card_transactions
        WHERE NOT is_declined AND transaction_ts >= TIMESTAMP '${addDays(w.start, -89)}' AND transaction_ts < TIMESTAMP '${w.end}'
        GROUP BY ALL
      )
      SELECT customer_id, date,
             sum(spend) OVER last_30 AS spend_30d,
             sum(spend) OVER last_90 AS spend_90d,
             count(spend) OVER last_90 AS active_days_90d,
             max(spend) OVER last_90 AS max_daily_spend_90d
      FROM daily
      WINDOW last_30 AS (PARTITION BY customer_id ORDER BY date RANGE BETWEEN INTERVAL 29 DAYS PRECEDING AND CURRENT ROW),
             last_90 AS (PARTITION BY customer_id ORDER BY date RANGE BETWEEN INTERVAL 89 DAYS PRECEDING AND CURRENT ROW)
      QUALIFY date >= DATE '${w.start}'`,
  }),

  // features/rolling.ts: whole days since the customer's last overdrawn day (a running max over all earlier days),
  // so the whole history before the window is read.
  days_since_overdraft: (w) => ({
    create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.days_since_overdraft (customer_id BIGINT, date DATE, days_since_overdraft BIGINT)`,
    del: `DELETE FROM ${HAND_SCHEMA}.days_since_overdraft WHERE date >= DATE '${w.start}' AND date < DATE '${w.end}'`,
    insert: `INSERT INTO ${HAND_SCHEMA}.days_since_overdraft
      WITH daily AS (
        SELECT customer_id, date, min(balance) < 0 AS overdrawn
        FROM raw.customer_accounts
        WHERE date < DATE '${w.end}'
        GROUP BY ALL
      )
      SELECT customer_id, date,
             date - max(CASE WHEN overdrawn THEN date END) OVER (PARTITION BY customer_id ORDER BY date ROWS UNBOUNDED PRECEDING)
               AS days_since_overdraft
      FROM daily
      QUALIFY date >= DATE '${w.start}'`,
  }),

  // features/rolling.ts: month-over-month change of avg_monthly_revolving_balance. The previous month with data may
  // lie anywhere before the window, so read all history up to the end of the last month labelled in the window.
  revolving_balance_change: (w) => {
    const [from, to] = [ceilMonth(w.start), ceilMonth(w.end)];
    return {
      create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.revolving_balance_change (
        customer_id BIGINT, date DATE, balance_change DOUBLE, balance_change_ratio DOUBLE)`,
      del: `DELETE FROM ${HAND_SCHEMA}.revolving_balance_change WHERE date >= DATE '${w.start}' AND date < DATE '${w.end}'`,
      insert: `INSERT INTO ${HAND_SCHEMA}.revolving_balance_change
        WITH monthly AS (
          SELECT customer_id, date_trunc('month', date)::DATE AS date, avg(balance) AS balance
          FROM raw.customer_accounts
          WHERE account_type = 'revolving' AND date < DATE '${to}'
          GROUP BY ALL
        ), paired AS (
          SELECT customer_id, date, balance, lag(balance) OVER (PARTITION BY customer_id ORDER BY date) AS previous
          FROM monthly
        )
        SELECT customer_id, date, balance - previous AS balance_change,
               CASE WHEN previous <> 0 THEN balance / previous - 1 END AS balance_change_ratio
        FROM paired
        WHERE date >= DATE '${from}'`,
    };
  },

  // features/rolling.ts: the revolving balance of the last completed day (a day is known at its end, date + 1 day)
  // before each application, at most 35 days old. Applications in [S, E) need the days whose end lies in
  // [S - 35d, E): dates in [S - 36d, E - 1d). Total of the customer's revolving accounts; a sum of nulls is 0.
  application_utilisation: (w) => ({
    create: `CREATE TABLE IF NOT EXISTS ${HAND_SCHEMA}.application_utilisation (
      application_id BIGINT, applied_at TIMESTAMP, customer_id BIGINT, revolving_balance DOUBLE, utilisation DOUBLE,
      balance_age_days BIGINT)`,
    del: `DELETE FROM ${HAND_SCHEMA}.application_utilisation
      WHERE applied_at >= TIMESTAMP '${w.start}' AND applied_at < TIMESTAMP '${w.end}'`,
    insert: `INSERT INTO ${HAND_SCHEMA}.application_utilisation
      WITH daily AS (
        SELECT customer_id, date + INTERVAL 1 DAY AS known_at, coalesce(sum(balance), 0) AS revolving_balance
        FROM raw.customer_accounts
        WHERE account_type = 'revolving' AND date >= DATE '${addDays(w.start, -36)}' AND date < DATE '${addDays(w.end, -1)}'
        GROUP BY ALL
      ), matched AS (
        SELECT a.application_id, a.applied_at, a.customer_id, a.requested_limit,
               CASE WHEN d.known_at >= a.applied_at - INTERVAL 35 DAYS THEN d.known_at END AS known_at,
               CASE WHEN d.known_at >= a.applied_at - INTERVAL 35 DAYS THEN d.revolving_balance END AS revolving_balance
        FROM raw.credit_applications a
        ASOF LEFT JOIN daily d ON a.customer_id = d.customer_id AND a.applied_at >= d.known_at
        WHERE a.applied_at >= TIMESTAMP '${w.start}' AND a.applied_at < TIMESTAMP '${w.end}'
      )
      SELECT application_id, applied_at, customer_id, revolving_balance, revolving_balance / requested_limit AS utilisation,
             date_diff('day', known_at, applied_at) AS balance_age_days
      FROM matched`,
  }),
};

/** The first day of a month on or after `day` (YYYY-MM-DD). */
function ceilMonth(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return d === 1 ? day : ymd(y, m + 1);
}

/** The first day of a quarter on or after `day`. */
function ceilQuarter(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const quarterStart = m - ((m - 1) % 3);
  return quarterStart === m && d === 1 ? day : ymd(y, quarterStart + 3);
}

function addMonths(day: string, n: number): string {
  const [y, m] = day.split("-").map(Number) as [number, number];
  return ymd(y, m + n);
}

/** `day` (YYYY-MM-DD) plus `n` days. */
function addDays(day: string, n: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** YYYY-MM-01 for a month number that may overflow (13 = January next year, 0 = December before). */
function ymd(year: number, month: number): string {
  const t = new Date(Date.UTC(year, month - 1, 1));
  return t.toISOString().slice(0, 10);
}
