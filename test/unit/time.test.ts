import { describe, it, expect } from "vitest";
import { addPeriods, ceilTo, floorTo, parseDate, parseInstant } from "../../src/ir/time.ts";
import type { TimeUnit } from "../../src/ir/expr.ts";

/** An instant written as UTC ISO text; the expected values below are all spelled this way, by hand. */
const at = (iso: string): Date => {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime()) || !iso.endsWith("Z")) throw new Error(`bad test instant ${iso}`);
  return t;
};
const iso = (t: Date | undefined): string | undefined => t?.toISOString();

describe("parseInstant", () => {
  it.each([
    ["2025-01-01", "2025-01-01T00:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2025-01-01T06:00:00Z", "2025-01-01T06:00:00.000Z"],
    ["2025-01-01T06:00Z", "2025-01-01T06:00:00.000Z"],
    ["2025-01-01T08:00+02:00", "2025-01-01T06:00:00.000Z"],
    ["2024-12-31T22:30-07:30", "2025-01-01T06:00:00.000Z"],
    ["2025-01-01 06:00:00.123Z", "2025-01-01T06:00:00.123Z"],
    ["2025-01-01T06:00:00.5Z", "2025-01-01T06:00:00.500Z"],
    // Microseconds are accepted when they are zeros: JS dates hold milliseconds, and nothing is lost.
    ["2025-01-01T06:00:00.123000Z", "2025-01-01T06:00:00.123Z"],
    ["2025-12-31T23:59:59.999Z", "2025-12-31T23:59:59.999Z"],
  ])("accepts %s as %s", (text, expected) => {
    expect(iso(parseInstant(text))).toBe(expected);
  });

  it.each([
    "2025-02-30", // no such day
    "2023-02-29", // not a leap year
    "2025-13-01",
    "2025-00-10",
    "2025-1-1",
    "01/02/2025",
    "2025-01-01T06:00:00", // no zone: the instant would depend on the machine
    "2025-01-01 06:00",
    "2025-01-01T06:00:00.123456Z", // non-zero microseconds would move the window silently
    "2025-01-01T06:00:00.000001Z",
    "2025-01-01T24:00:00Z",
    "2025-01-01T06:60:00Z",
    "2025-01-01T06:00:60Z",
    "2025-01-01T06:00:00+24:00",
    "2025-01-01T06:00:00+02:60",
    "2025-01-01T06:00:00+0200",
    "2025-01-01Z",
    " 2025-01-01",
    "",
    "today",
  ])("rejects %j", (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  // BUG (src/ir/time.ts, checkedUtc): Date.UTC maps years 0–99 to 1900–1999, and only the day and month are
  // checked afterwards, so "0099-01-01" silently becomes 1999-01-01. Fix: build with `new Date(0)` +
  // `setUTCFullYear(y, mo - 1, d)` (or check getUTCFullYear() === y and reject).
  it("does not turn year 0099 into 1999", () => {
    const parsed = parseInstant("0099-01-01");
    expect(parsed === undefined || parsed.getUTCFullYear() === 99).toBe(true);
  });
});

describe("parseDate", () => {
  it("accepts a plain date only", () => {
    expect(iso(parseDate("2025-03-31"))).toBe("2025-03-31T00:00:00.000Z");
    expect(parseDate("2025-03-31T00:00:00Z")).toBeUndefined();
    expect(parseDate("2025-04-31")).toBeUndefined();
  });
});

describe("floorTo and ceilTo", () => {
  const cases: [string, TimeUnit, string, string][] = [
    // t, unit, floor, ceil
    ["2025-01-15T13:45:10.250Z", "day", "2025-01-15T00:00:00.000Z", "2025-01-16T00:00:00.000Z"],
    ["2025-01-15T00:00:00.000Z", "day", "2025-01-15T00:00:00.000Z", "2025-01-15T00:00:00.000Z"],
    ["2025-12-31T00:00:00.001Z", "day", "2025-12-31T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    // ISO weeks start on Monday: 2025-01-01 is a Wednesday, its week started Monday 2024-12-30.
    ["2025-01-01T00:00:00.000Z", "week", "2024-12-30T00:00:00.000Z", "2025-01-06T00:00:00.000Z"],
    // A Sunday belongs to the week that started six days earlier.
    ["2025-01-05T23:59:59.999Z", "week", "2024-12-30T00:00:00.000Z", "2025-01-06T00:00:00.000Z"],
    ["2025-01-06T00:00:00.000Z", "week", "2025-01-06T00:00:00.000Z", "2025-01-06T00:00:00.000Z"],
    ["2025-01-06T00:00:00.001Z", "week", "2025-01-06T00:00:00.000Z", "2025-01-13T00:00:00.000Z"],
    ["2025-02-28T12:00:00.000Z", "month", "2025-02-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ["2024-02-29T12:00:00.000Z", "month", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["2025-03-01T00:00:00.000Z", "month", "2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    ["2025-12-15T00:00:00.000Z", "month", "2025-12-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    ["2025-01-01T00:00:00.000Z", "quarter", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
    ["2025-03-31T23:59:59.999Z", "quarter", "2025-01-01T00:00:00.000Z", "2025-04-01T00:00:00.000Z"],
    ["2025-05-15T00:00:00.000Z", "quarter", "2025-04-01T00:00:00.000Z", "2025-07-01T00:00:00.000Z"],
    ["2025-08-01T00:00:00.000Z", "quarter", "2025-07-01T00:00:00.000Z", "2025-10-01T00:00:00.000Z"],
    ["2025-10-14T00:00:00.000Z", "quarter", "2025-10-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    ["2025-01-01T00:00:00.000Z", "year", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
    ["2025-01-01T00:00:01.000Z", "year", "2025-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    ["2024-12-31T23:00:00.000Z", "year", "2024-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
  ];
  it.each(cases)("%s to %s: floor %s, ceil %s", (t, unit, floor, ceil) => {
    expect(iso(floorTo(at(t), unit))).toBe(floor);
    expect(iso(ceilTo(at(t), unit))).toBe(ceil);
  });

  it("does not mutate its argument", () => {
    const t = at("2025-05-15T10:00:00.000Z");
    floorTo(t, "quarter");
    ceilTo(t, "quarter");
    addPeriods(t, "month", 3);
    expect(iso(t)).toBe("2025-05-15T10:00:00.000Z");
  });
});

describe("addPeriods", () => {
  const cases: [string, TimeUnit, number, string][] = [
    ["2025-01-31T00:00:00.000Z", "month", 1, "2025-02-28T00:00:00.000Z"],
    ["2024-01-31T00:00:00.000Z", "month", 1, "2024-02-29T00:00:00.000Z"],
    ["2025-01-31T06:30:00.000Z", "month", 1, "2025-02-28T06:30:00.000Z"], // time of day kept
    ["2025-03-31T00:00:00.000Z", "month", -1, "2025-02-28T00:00:00.000Z"],
    ["2025-03-31T00:00:00.000Z", "month", 1, "2025-04-30T00:00:00.000Z"],
    ["2025-01-15T00:00:00.000Z", "month", 12, "2026-01-15T00:00:00.000Z"],
    ["2025-01-15T00:00:00.000Z", "month", -13, "2023-12-15T00:00:00.000Z"],
    ["2025-05-31T00:00:00.000Z", "quarter", -1, "2025-02-28T00:00:00.000Z"],
    ["2025-10-14T00:00:00.000Z", "quarter", -1, "2025-07-14T00:00:00.000Z"],
    ["2025-11-30T00:00:00.000Z", "quarter", 1, "2026-02-28T00:00:00.000Z"],
    ["2024-02-29T00:00:00.000Z", "year", 1, "2025-02-28T00:00:00.000Z"],
    ["2024-02-29T00:00:00.000Z", "year", 4, "2028-02-29T00:00:00.000Z"],
    ["2025-01-01T00:00:00.000Z", "day", -1, "2024-12-31T00:00:00.000Z"],
    ["2024-02-28T12:00:00.000Z", "day", 1, "2024-02-29T12:00:00.000Z"],
    ["2025-01-06T00:00:00.000Z", "week", -2, "2024-12-23T00:00:00.000Z"],
    ["2025-01-06T00:00:00.000Z", "week", 0, "2025-01-06T00:00:00.000Z"],
  ];
  it.each(cases)("%s %s %i = %s", (t, unit, n, expected) => {
    expect(iso(addPeriods(at(t), unit, n))).toBe(expected);
  });
});
