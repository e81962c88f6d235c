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

/** YYYY-MM-01 for a month number that may overflow (13 = January next year, 0 = December before). */
function ymd(year: number, month: number): string {
  const t = new Date(Date.UTC(year, month - 1, 1));
  return t.toISOString().slice(0, 10);
}
