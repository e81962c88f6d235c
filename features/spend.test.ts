import { evaluate } from "feature-backfill";
import { describe, expect, it } from "vitest";
import { monthlyCardSpend } from "./spend.ts";

const tx = (id: number, transaction_ts: string | Date, amount: number, extra: { merchant_category?: string; is_declined?: boolean } = {}) => ({
  transaction_id: id,
  customer_id: 7,
  transaction_ts,
  amount,
  merchant_category: extra.merchant_category ?? "grocery",
  is_declined: extra.is_declined ?? false,
});

describe("monthly_card_spend", () => {
  it("splits months at midnight UTC and leaves declined attempts out of the spend", async () => {
    const rows = await evaluate(monthlyCardSpend, {
      card_transactions: [
        tx(1, "2025-01-31T23:59:59Z", 30),
        tx(2, "2025-02-01T01:00:00+02:00", 10), // 2025-01-31T23:00Z: still January
        tx(3, new Date("2025-02-01T00:00:00Z"), 40, { merchant_category: "cash_advance" }),
        tx(4, "2025-02-10T12:00:00Z", 999, { is_declined: true }),
      ],
    });
    expect(rows).toEqual([
      {
        customer_id: 7,
        month: "2025-01-01",
        approved_spend: 40,
        approved_count: 2,
        avg_ticket: 20,
        max_ticket: 30,
        ticket_std: Math.sqrt(((30 - 20) ** 2 + (10 - 20) ** 2) / 1),
        decline_rate: 0,
        cash_advance_spend: 0,
        attempts: 2,
        cash_advance_share: 0,
      },
      {
        customer_id: 7,
        month: "2025-02-01",
        approved_spend: 40,
        approved_count: 1,
        avg_ticket: 40,
        max_ticket: 40,
        ticket_std: null, // one approved ticket: no sample deviation
        decline_rate: 0.5,
        cash_advance_spend: 40,
        attempts: 2,
        cash_advance_share: 1,
      },
    ]);
  });
});
