import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { polars } from "./support.ts";

const timestamps = (...values: (string | null)[]) => ({ type: "timestamp" as const, values });
const dates = (...values: (string | null)[]) => ({ type: "date" as const, values });

// Expr.dt.quarter/minute/second docstrings (py-polars/src/polars/expr/datetime.py): integers, whole seconds;
// a date has no time of day (0).
describe("dt.quarter, dt.minute, dt.second", () => {
  it("on timestamps, fractions of a second dropped", async () => {
    const [quarter, minute, second] = await polars(
      { t: timestamps("2001-01-01T00:00:00Z", "2001-05-31T13:04:59.999Z", "2001-12-31T23:59:30.5Z", null) },
      col("t").dt.quarter(),
      col("t").dt.minute(),
      col("t").dt.second(),
    );
    expect(quarter).toEqual([1, 2, 4, null]);
    expect(minute).toEqual([0, 4, 59, null]);
    expect(second).toEqual([0, 59, 30, null]);
  });

  it("on dates", async () => {
    const [quarter, minute, second, hour] = await polars(
      { d: dates("2024-03-31", "2024-04-01", null) },
      col("d").dt.quarter(),
      col("d").dt.minute(),
      col("d").dt.second(),
      col("d").dt.hour(),
    );
    expect(hour).toEqual([0, 0, null]); // null for a null date (it was 0)
    expect(quarter).toEqual([1, 2, null]);
    expect(minute).toEqual([0, 0, null]);
    expect(second).toEqual([0, 0, null]);
  });
});

// Expr.dt.millisecond/microsecond/week/iso_year/ordinal_day/date docstrings (py-polars/src/polars/expr/datetime.py).
describe("dt.millisecond, microsecond, week, isoYear, ordinalDay, date", () => {
  it("fractions of the second (dt.millisecond, dt.microsecond docstrings); 0 on a date", async () => {
    const ts = timestamps("1978-01-01T01:01:01Z", "2024-10-13T05:30:14.505Z", "2065-01-01T10:20:30.067Z", "1969-12-31T23:59:59.999Z", null);
    const [ms, us] = await polars({ t: ts }, col("t").dt.millisecond(), col("t").dt.microsecond());
    expect(ms).toEqual([0, 505, 67, 999, null]);
    expect(us).toEqual([0, 505000, 67000, 999000, null]);
    const [dms] = await polars({ d: dates("2024-01-01", null) }, col("d").dt.millisecond());
    expect(dms).toEqual([0, null]);
  });

  it("ISO week and year, day of the year (dt.week, dt.iso_year, dt.ordinal_day docstrings)", async () => {
    const d = dates("2001-01-01", "2001-06-30", "2001-12-31", "1977-01-01", "1978-01-01", "1979-01-01", "2024-12-30", null);
    const [week, isoYear, ordinal] = await polars({ d }, col("d").dt.week(), col("d").dt.isoYear(), col("d").dt.ordinalDay());
    expect(week).toEqual([1, 26, 1, 53, 52, 1, 1, null]);
    expect(isoYear).toEqual([2001, 2001, 2002, 1976, 1977, 1979, 2025, null]);
    expect(ordinal).toEqual([1, 181, 365, 1, 1, 1, 365, null]);
  });

  it("dt.date of a timestamp, also before 1970 (Polars floors, pola-rs/polars#14050)", async () => {
    const [date] = await polars({ t: timestamps("2024-10-13T23:59:59.999Z", "1969-12-31T23:59:59.999Z", null) }, col("t").dt.date());
    expect(date).toEqual(["2024-10-13", "1969-12-31", null]);
  });
});

// Expr.dt.offset_by docstring: dates 2000-01-01 … offset_by("-1y2mo") is 1998-11-01 …; compound durations add the
// months first, as one move (polars-time's Duration::add_ns: months, then weeks, days and the rest).
describe("dt.offsetBy with compound durations", () => {
  it("-1y2mo (dt.offset_by docstring), 1d12h, and months summed before clamping", async () => {
    const [back, dayAndHalf, leap] = await polars(
      { t: timestamps("2000-01-01T00:00:00Z", "2024-02-29T06:00:00Z", null) },
      col("t").dt.offsetBy("-1y2mo"),
      col("t").dt.offsetBy("1d12h"),
      col("t").dt.offsetBy("1y2mo"),
    );
    expect(back).toEqual(["1998-11-01T00:00:00.000Z", "2022-12-29T06:00:00.000Z", null]);
    expect(dayAndHalf).toEqual(["2000-01-02T12:00:00.000Z", "2024-03-01T18:00:00.000Z", null]);
    expect(leap![1]).toBe("2025-04-29T06:00:00.000Z"); // one move of 14 months; 1y then 2mo would give Apr 28
  });

  it("on a date, whole days only", async () => {
    const [d] = await polars({ d: dates("2024-01-31", null) }, col("d").dt.offsetBy("1mo1d"));
    expect(d).toEqual(["2024-03-01", null]);
    await expect(polars({ d: dates("2024-01-31") }, col("d").dt.offsetBy("1d12h"))).rejects.toThrow(/a date moves by whole days/);
  });
});

// Expr.dt.month_start / month_end docstrings: datetimes from 2000-01-02 02:00 by month roll to the first (last) day
// of their month, the time of day kept; dates stay dates.
describe("dt.monthStart and dt.monthEnd", () => {
  it("keep the time of day (dt.month_start, dt.month_end docstrings); leap February; dates", async () => {
    const [start, end] = await polars({ t: timestamps("2000-01-02T02:00:00Z", "2000-02-15T13:30:00Z", "2023-02-28T00:00:00Z", null) }, col("t").dt.monthStart(), col("t").dt.monthEnd());
    expect(start).toEqual(["2000-01-01T02:00:00.000Z", "2000-02-01T13:30:00.000Z", "2023-02-01T00:00:00.000Z", null]);
    expect(end).toEqual(["2000-01-31T02:00:00.000Z", "2000-02-29T13:30:00.000Z", "2023-02-28T00:00:00.000Z", null]);
    const [dstart, dend] = await polars({ d: dates("2024-02-10", "2024-12-31", null) }, col("d").dt.monthStart(), col("d").dt.monthEnd());
    expect(dstart).toEqual(["2024-02-01", "2024-12-01", null]);
    expect(dend).toEqual(["2024-02-29", "2024-12-31", null]);
  });
});

// Expr.dt.epoch docstring: dates 2001-01-01, 2001-01-02 give 978307200000000 (us, the default) and 978307200 (s);
// before 1970 the count is floored (pola-rs/polars#19949).
describe("dt.epoch", () => {
  it("in each unit (dt.epoch docstring), floored before 1970", async () => {
    const [us, s, d] = await polars({ d: dates("2001-01-01", "2001-01-02", "1969-12-31", null) }, col("d").dt.epoch(), col("d").dt.epoch("s"), col("d").dt.epoch("d"));
    expect(us).toEqual([978307200000000, 978393600000000, -86400000000, null]);
    expect(s).toEqual([978307200, 978393600, -86400, null]);
    expect(d).toEqual([11323, 11324, -1, null]);
    const [tus, tns, tms, ts, td] = await polars(
      { t: timestamps("1969-12-31T23:59:59.500Z", "2024-03-01T12:00:00.123Z") },
      col("t").dt.epoch("us"), col("t").dt.epoch("ns"), col("t").dt.epoch("ms"), col("t").dt.epoch("s"), col("t").dt.epoch("d"),
    );
    expect(tus).toEqual([-500000, 1709294400123000]);
    expect(tns).toEqual([-500000000, 1709294400123000000n]); // beyond 2^53: a bigint
    expect(tms).toEqual([-500, 1709294400123]);
    expect(ts).toEqual([-1, 1709294400]);
    expect(td).toEqual([-1, 19783]);
  });
});
