// Unit tests of the example feature sets: inline rows in, rows out, through the real compiler in an in-memory DuckDB.
import { evaluate } from "feature-backfill";
import { describe, expect, it } from "vitest";
import { avgMonthlyRevolvingBalance, quarterlyRevolvingBalanceTrend, weeklyOverdraftActivity } from "./balances.ts";

const account = (customer_id: number, date: string, balance: number | null, account_type = "revolving") => ({
  customer_id,
  account_id: customer_id * 10,
  date,
  balance,
  account_type,
});

describe("avg_monthly_revolving_balance", () => {
  it("averages revolving balances per customer and calendar month, ignoring other accounts", async () => {
    const rows = await evaluate(avgMonthlyRevolvingBalance, {
      customer_accounts: [
        account(1, "2025-01-01", 100),
        account(1, "2025-01-31", 300),
        account(1, "2025-01-15", 9_999, "checking"), // not revolving
        account(1, "2025-02-01", 50),
        account(2, "2025-01-10", -20),
      ],
    });
    expect(rows).toEqual([
      { customer_id: 1, date: "2025-01-01", avg_monthly_revolving_balance: 200 },
      { customer_id: 1, date: "2025-02-01", avg_monthly_revolving_balance: 50 },
      { customer_id: 2, date: "2025-01-01", avg_monthly_revolving_balance: -20 },
    ]);
  });

  it("a windowed evaluation writes the window's months only", async () => {
    const customer_accounts = [account(1, "2025-01-20", 100), account(1, "2025-02-20", 200), account(1, "2025-03-20", 300)];
    // Months are labelled by their first day: [2025-01-15, 2025-03-01) holds February's row only.
    expect(await evaluate(avgMonthlyRevolvingBalance, { customer_accounts }, { start: "2025-01-15", end: "2025-03-01" })).toEqual([
      { customer_id: 1, date: "2025-02-01", avg_monthly_revolving_balance: 200 },
    ]);
  });
});

describe("quarterly_revolving_balance_trend", () => {
  it("summarises the monthly averages of a quarter on the day after it ends", async () => {
    const rows = await evaluate(quarterlyRevolvingBalanceTrend, {
      customer_accounts: [
        account(1, "2025-01-05", 2_000),
        account(1, "2025-01-06", 4_000), // January averages 3000
        account(1, "2025-03-31", 9_000), // March 9000; no February
        account(1, "2025-04-01", 1), // the next quarter
      ],
    });
    expect(rows).toEqual([
      {
        customer_id: 1,
        date: "2025-04-01",
        avg_of_monthly_avg_balance: 6_000,
        min_monthly_avg_balance: 3_000,
        max_monthly_avg_balance: 9_000,
        std_monthly_avg_balance: Math.sqrt(((3_000 - 6_000) ** 2 + (9_000 - 6_000) ** 2) / 1),
        months_observed: 2,
        monthly_avg_balance_range: 6_000,
        balance_band: "medium",
      },
      {
        customer_id: 1,
        date: "2025-07-01",
        avg_of_monthly_avg_balance: 1,
        min_monthly_avg_balance: 1,
        max_monthly_avg_balance: 1,
        std_monthly_avg_balance: 0, // one month: no sample deviation, filled with 0
        months_observed: 1,
        monthly_avg_balance_range: 0,
        balance_band: "low",
      },
    ]);
  });
});

describe("weekly_overdraft_activity", () => {
  it("counts overdrawn days, the deepest overdraft and missing balances per ISO week", async () => {
    const rows = await evaluate(weeklyOverdraftActivity, {
      customer_accounts: [
        account(3, "2025-01-06", -50), // Monday
        account(3, "2025-01-07", -80, "checking"),
        account(3, "2025-01-08", null),
        account(3, "2025-01-12", 10), // Sunday: same week
        account(3, "2025-01-13", 10), // next Monday
      ],
    });
    expect(rows).toEqual([
      { customer_id: 3, week: "2025-01-06", overdrawn_account_days: 2, max_overdraft: 80, missing_balance_snapshots: 1, account_days: 4 },
      { customer_id: 3, week: "2025-01-13", overdrawn_account_days: 0, max_overdraft: 0, missing_balance_snapshots: 0, account_days: 1 },
    ]);
  });
});
