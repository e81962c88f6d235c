import { describe, expect, it } from "vitest";
import { describeRange } from "../../src/authoring/read-range-text.ts";
import { FULL_HISTORY, type SymbolicRange, WINDOW } from "../../src/passes/time-range-pass.ts";

const both = (steps: SymbolicRange["start"]): SymbolicRange => ({ start: steps, end: steps, exact: true });

describe("describeRange", () => {
  it("names the common shapes in words, with the formula beside", () => {
    expect(describeRange(WINDOW)).toEqual({ summary: "the window", formula: "[start, end)" });
    expect(describeRange(both([{ op: "ceil", unit: "month" }]))).toEqual({
      summary: "whole months starting in the window",
      formula: "[ceil_month(start), ceil_month(end))",
    });
    expect(describeRange(both([{ op: "ceil", unit: "quarter" }, { op: "shift", unit: "quarter", n: -1 }])).summary).toBe(
      "whole quarters ending in the window",
    );
    expect(describeRange(FULL_HISTORY)).toEqual({
      summary: "the whole history (the timestamp is derived in a way the range pass does not follow)",
      formula: "[-inf, +inf)",
    });
    expect(describeRange({ start: null, end: [], exact: false }).summary).toBe("all history before the window's end");
    expect(describeRange({ start: [{ op: "shift", unit: "day", n: -89 }], end: [], exact: false }).summary).toBe(
      "the window and the 89 days before it",
    );
  });

  it("drops roundings that cannot change the bound, and keeps those that can", () => {
    // A set on a set: quarter ends mapped through a monthly truncation. ceil_month of a quarter start is itself.
    const quarterOverMonths = both([{ op: "ceil", unit: "quarter" }, { op: "shift", unit: "quarter", n: -1 }, { op: "ceil", unit: "month" }]);
    expect(describeRange(quarterOverMonths).formula).toBe("[ceil_quarter(start) - 1 quarter, ceil_quarter(end) - 1 quarter)");
    // ceil_day then ceil_month: the month rounding absorbs the day's.
    expect(describeRange(both([{ op: "ceil", unit: "day" }, { op: "ceil", unit: "month" }])).formula).toBe("[ceil_month(start), ceil_month(end))");
    // A month start moved by a week is no longer a month start: the rounding after it stays.
    const moved = both([{ op: "ceil", unit: "month" }, { op: "shift", unit: "week", n: 1 }, { op: "ceil", unit: "month" }]);
    expect(describeRange(moved).formula).toBe("[ceil_month(ceil_month(start) + 1 week), ceil_month(ceil_month(end) + 1 week))");
    // A day rounding after a month shift of a day start can go: the result is still a day start.
    const dayAfterMonths = both([{ op: "ceil", unit: "day" }, { op: "shift", unit: "month", n: -3 }, { op: "ceil", unit: "day" }]);
    expect(describeRange(dayAfterMonths).formula).toBe("[ceil_day(start) - 3 months, ceil_day(end) - 3 months)");
  });
});
