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

/** The hand-written rows whose timestamp lies in [start, end), as the offline table should hold them. */
export function expectedRowsSql(set: string, start: string, end: string): string {
  const { timestamp, sql } = HAND_WRITTEN[set]!;
  return `SELECT * FROM (${sql}) WHERE ${timestamp} >= TIMESTAMP '${start}' AND ${timestamp} < TIMESTAMP '${end}'`;
}
