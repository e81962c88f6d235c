import { describe, expect, it } from "vitest";
import { evaluate, UsageError } from "../../src/index.ts";
import { avgMonthlyRevolvingBalance } from "../../features/balances.ts";
import { oddSet } from "../fixtures/odd-names/features.ts";
import { rejected } from "../unit/source-lines.ts";

const row = { customer_id: 1, account_id: 1, date: "2025-01-03", balance: 1.5, account_type: "revolving" };

describe("evaluate()", () => {
  it("names and values with quotes and semicolons round-trip (values go in as bound parameters)", async () => {
    const hostile = "it's; DROP TABLE features.canary; --";
    const rows = await evaluate(oddSet, {
      "odd source": [
        { id: 1, 'event "time"': "2025-03-01T10:00:00Z", "value; DROP TABLE features.canary; --": 2, label: "a'b\"c" },
        { id: 1, 'event "time"': "2025-03-01T23:00:00Z", "value; DROP TABLE features.canary; --": 3, label: hostile }, // filtered out
        { id: 1, 'event "time"': "2025-03-02T00:00:00Z", "value; DROP TABLE features.canary; --": 5, label: null },
      ],
    });
    // The label filter (ne) drops the hostile row and, as SQL's <> does, the null one.
    expect(rows).toEqual([{ id: 1, day: "2025-03-01T00:00:00.000Z", "it's total": 2 }]);
  });

  it("returns BIGINT values beyond 2^53 as bigint, exactly", async () => {
    const big = 2n ** 60n + 1n;
    const rows = await evaluate(avgMonthlyRevolvingBalance, { customer_accounts: [{ ...row, customer_id: big }] });
    expect(rows).toEqual([{ customer_id: big, date: "2025-01-01", avg_monthly_revolving_balance: 1.5 }]);
  });

  it("an empty source gives no rows", async () => {
    expect(await evaluate(avgMonthlyRevolvingBalance, { customer_accounts: [] })).toEqual([]);
  });

  const cases: [string, Parameters<typeof evaluate>[1], RegExp, Parameters<typeof evaluate>[2]?][] = [
    ["a misspelt source", { customer_acounts: [] }, /no source named "customer_acounts"; it reads customer_accounts/],
    ["a missing source", {}, /no rows given for customer_accounts \(pass \[\] for an empty table\)/],
    ["an undeclared column", { customer_accounts: [{ ...row, balanse: 1 }] }, /customer_accounts row 1: no column "balanse"; it has customer_id, account_id, date, balance, account_type/],
    ["text in a double column", { customer_accounts: [row, { ...row, balance: "12" }] }, /customer_accounts row 2, column "balance": "12" is not a valid double/],
    ["a fraction in a bigint column", { customer_accounts: [{ ...row, customer_id: 1.5 }] }, /column "customer_id": 1.5 is not a valid bigint/],
    ["a date that is not one", { customer_accounts: [{ ...row, date: "2025-02-30" }] }, /column "date": "2025-02-30" is not a valid date/],
    ["a Date inside a day, for a date", { customer_accounts: [{ ...row, date: new Date("2025-01-03T06:00:00Z") }] }, /column "date": Date 2025-01-03T06:00:00.000Z is not a valid date/],
    ["start without end", { customer_accounts: [] }, /give both start and end, or neither/, { start: "2025-01-01" }],
  ];
  for (const [name, fixtures, message, options] of cases) {
    it(`refuses ${name}, naming it`, async () => {
      const error = await rejected(evaluate(avgMonthlyRevolvingBalance, fixtures, options));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(message);
    });
  }
});
