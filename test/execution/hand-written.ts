/**
 * Each example feature set written by hand in DuckDB SQL, over the full history, the way a data engineer would
 * write it without the tool. The execution tests compare the tool's offline tables with these.
 */
const avgMonthlyRevolvingBalance = `
  SELECT customer_id, date_trunc('month', date)::DATE AS date, avg(balance) AS avg_monthly_revolving_balance
  FROM raw.customer_accounts
  WHERE account_type = 'revolving'
  GROUP BY ALL`;

export const HAND_WRITTEN: Record<string, { timestamp: string; sql: string }> = {
  avg_monthly_revolving_balance: { timestamp: "date", sql: avgMonthlyRevolvingBalance },

  weekly_overdraft_activity: {
    timestamp: "week",
    sql: `
      SELECT customer_id, date_trunc('week', date)::DATE AS week,
             count(*) FILTER (WHERE balance < 0) AS overdrawn_account_days,
             greatest(max(-balance), 0) AS max_overdraft,
             count(*) FILTER (WHERE balance IS NULL) AS missing_balance_snapshots,
             count(*) AS account_days
      FROM raw.customer_accounts
      GROUP BY ALL`,
  },

  monthly_card_spend: {
    timestamp: "month",
    sql: `
      WITH monthly AS (
        SELECT customer_id, date_trunc('month', transaction_ts)::DATE AS month,
               sum(amount) FILTER (WHERE NOT is_declined) AS approved_spend,
               count(*) FILTER (WHERE NOT is_declined) AS approved_count,
               avg(amount) FILTER (WHERE NOT is_declined) AS avg_ticket,
               max(amount) FILTER (WHERE NOT is_declined) AS max_ticket,
               stddev_samp(amount) FILTER (WHERE NOT is_declined) AS ticket_std,
               avg(CASE WHEN is_declined THEN 1.0 ELSE 0.0 END) AS decline_rate,
               coalesce(sum(amount) FILTER (WHERE merchant_category = 'cash_advance' AND NOT is_declined), 0) AS cash_advance_spend,
               count(*) AS attempts
        FROM raw.card_transactions
        GROUP BY ALL
      )
      SELECT customer_id, month, coalesce(approved_spend, 0) AS approved_spend, approved_count, avg_ticket, max_ticket,
             ticket_std, decline_rate, cash_advance_spend, attempts,
             CASE WHEN approved_spend > 0 THEN cash_advance_spend / approved_spend END AS cash_advance_share
      FROM monthly`,
  },

  quarterly_revolving_balance_trend: {
    timestamp: "date",
    sql: `
      WITH monthly AS (${avgMonthlyRevolvingBalance}),
      quarterly AS (
        SELECT customer_id, (date_trunc('quarter', date) + INTERVAL 3 MONTH)::DATE AS date,
               avg(avg_monthly_revolving_balance) AS avg_of_monthly_avg_balance,
               min(avg_monthly_revolving_balance) AS min_monthly_avg_balance,
               max(avg_monthly_revolving_balance) AS max_monthly_avg_balance,
               stddev_samp(avg_monthly_revolving_balance) AS std_monthly_avg_balance,
               count(*) AS months_observed
        FROM monthly
        GROUP BY ALL
      )
      SELECT customer_id, date, avg_of_monthly_avg_balance, min_monthly_avg_balance, max_monthly_avg_balance,
             coalesce(std_monthly_avg_balance, 0) AS std_monthly_avg_balance, months_observed,
             max_monthly_avg_balance - min_monthly_avg_balance AS monthly_avg_balance_range,
             CASE WHEN avg_of_monthly_avg_balance >= 8000 THEN 'high'
                  WHEN avg_of_monthly_avg_balance >= 3000 THEN 'medium' ELSE 'low' END AS balance_band
      FROM quarterly`,
  },
};

const dailyCardSpend = `
  SELECT customer_id, transaction_ts::DATE AS date, sum(amount) AS spend, count(*) AS transactions
  FROM raw.card_transactions
  WHERE NOT is_declined
  GROUP BY ALL`;

Object.assign(HAND_WRITTEN, {
  daily_card_spend: { timestamp: "date", sql: dailyCardSpend },

  rolling_card_spend: {
    timestamp: "date",
    sql: `
      SELECT customer_id, date,
             sum(spend) OVER last_30 AS spend_30d,
             sum(spend) OVER last_90 AS spend_90d,
             count(spend) OVER last_90 AS active_days_90d,
             max(spend) OVER last_90 AS max_daily_spend_90d
      FROM (${dailyCardSpend})
      WINDOW last_30 AS (PARTITION BY customer_id ORDER BY date RANGE BETWEEN INTERVAL 29 DAYS PRECEDING AND CURRENT ROW),
             last_90 AS (PARTITION BY customer_id ORDER BY date RANGE BETWEEN INTERVAL 89 DAYS PRECEDING AND CURRENT ROW)`,
  },

  days_since_overdraft: {
    timestamp: "date",
    sql: `
      WITH daily AS (SELECT customer_id, date, min(balance) < 0 AS overdrawn FROM raw.customer_accounts GROUP BY ALL)
      SELECT d.customer_id, d.date,
             (SELECT d.date - max(o.date) FROM daily o WHERE o.customer_id = d.customer_id AND o.overdrawn AND o.date <= d.date)
               AS days_since_overdraft
      FROM daily d`,
  },

  revolving_balance_change: {
    timestamp: "date",
    sql: `
      WITH monthly AS (${avgMonthlyRevolvingBalance}),
      paired AS (
        SELECT m.customer_id, m.date, m.avg_monthly_revolving_balance AS current,
               (SELECT p.avg_monthly_revolving_balance FROM monthly p
                WHERE p.customer_id = m.customer_id AND p.date < m.date ORDER BY p.date DESC LIMIT 1) AS previous
        FROM monthly m
      )
      SELECT customer_id, date, current - previous AS balance_change,
             CASE WHEN previous <> 0 THEN current / previous - 1 END AS balance_change_ratio
      FROM paired`,
  },

  application_utilisation: {
    timestamp: "applied_at",
    sql: `
      WITH daily AS (
        -- A day whose balances are all NULL sums to 0, as the DSL's sum() documents (Polars' rule).
        SELECT customer_id, date + INTERVAL 1 DAY AS known_at, coalesce(sum(balance), 0) AS revolving_balance
        FROM raw.customer_accounts WHERE account_type = 'revolving' GROUP BY ALL
      ),
      latest AS (
        SELECT a.application_id, a.applied_at, a.customer_id, a.requested_limit,
               (SELECT max(known_at) FROM daily d WHERE d.customer_id = a.customer_id AND d.known_at <= a.applied_at
                                                    AND d.known_at >= a.applied_at - INTERVAL 35 DAYS) AS known_at
        FROM raw.credit_applications a
      )
      SELECT l.application_id, l.applied_at, l.customer_id, d.revolving_balance,
             d.revolving_balance / l.requested_limit AS utilisation,
             date_diff('second', l.known_at, l.applied_at) // 86400 AS balance_age_days
      FROM latest l LEFT JOIN daily d ON d.customer_id = l.customer_id AND d.known_at = l.known_at`,
  },
});

/** The hand-written rows whose timestamp lies in [start, end), as the offline table should hold them. */
export function expectedRowsSql(set: string, start: string, end: string): string {
  const { timestamp, sql } = HAND_WRITTEN[set]!;
  return `SELECT * FROM (${sql}) WHERE ${timestamp} >= TIMESTAMP '${start}' AND ${timestamp} < TIMESTAMP '${end}'`;
}
