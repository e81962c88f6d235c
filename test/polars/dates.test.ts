import { DuckDBInstance } from "@duckdb/node-api";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { builder, compileNode } from "../../src/compile/kysely-builder.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col } from "../../src/dsl/index.ts";
import { type Period, parsePeriod } from "../../src/ir/duration.ts";
import { addDuration, floorToPeriod, formatTimestamp } from "../../src/ir/time.ts";
import { makeTestDatabase, postgresAvailable } from "../support/postgres.ts";
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

// dt.truncate with sub-daily periods and multiples: Polars counts fixed-length periods from 1970-01-01 00:00, weeks
// from Monday 1970-01-05 and months from January 1970 (crates/polars-time/src/windows/duration.rs, truncate_*).
describe("dt.truncate: sub-daily periods and multiples", () => {
  // test_truncate_origin_22590 (py-polars/tests/unit/operations/namespaces/temporal/test_truncate.py).
  const ORIGIN_CASES: [string, string, string][] = [
    ["2h", "1970-01-02T03:00:00Z", "1970-01-02T02:00:00.000Z"],
    ["5h", "1983-03-01T04:00:00Z", "1983-03-01T02:00:00.000Z"],
    ["3d", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["7d", "2001-01-04T05:00:00Z", "2001-01-04T00:00:00.000Z"],
    ["11q", "0001-09-09T09:00:00Z", "0001-01-01T00:00:00.000Z"],
    ["3y", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["19y", "9543-01-05T06:00:00Z", "9532-01-01T00:00:00.000Z"],
    ["5mo", "1342-11-11T11:00:00Z", "1342-07-01T00:00:00.000Z"],
  ];
  it("counts from Polars' origins (test_truncate_origin_22590)", async () => {
    for (const [every, value, expected] of ORIGIN_CASES) {
      const [out] = await polars({ t: timestamps(value, null) }, col("t").dt.truncate(every));
      expect([every, out]).toEqual([every, [expected, null]]);
    }
  });

  it("multiple weeks from Monday 1970-01-05, on dates (test_truncate_by_multiple_weeks)", async () => {
    const d = dates("2022-04-20", "2022-11-28");
    const out = await polars({ d }, ...["2w", "3w", "4w", "5w", "17w"].map((w) => col("d").dt.truncate(w)));
    expect(out).toEqual([
      ["2022-04-18", "2022-11-28"],
      ["2022-04-11", "2022-11-28"],
      ["2022-04-18", "2022-11-28"],
      ["2022-03-28", "2022-11-28"],
      ["2022-02-21", "2022-10-17"],
    ]);
  });

  it("hours, minutes and seconds (test_truncate, test_truncate_expr), before 1970 too (test_pre_epoch_truncate_17581)", async () => {
    const t = timestamps("2022-01-01T00:30:00Z", "2022-01-01T23:30:00Z", "2022-03-20T05:07:18Z", "2022-04-03T13:30:32.5Z", "1969-12-31T20:00:00Z", "1969-01-01T01:00:00Z");
    const [hour, minute, second, sevenHours, quarterHour, day] = await polars(
      { t },
      col("t").dt.truncate("1h"),
      col("t").dt.truncate("1m"),
      col("t").dt.truncate("1s"),
      col("t").dt.truncate("7h"),
      col("t").dt.truncate("15m"),
      col("t").dt.truncate("1d"),
    );
    expect(hour).toEqual(["2022-01-01T00:00:00.000Z", "2022-01-01T23:00:00.000Z", "2022-03-20T05:00:00.000Z", "2022-04-03T13:00:00.000Z", "1969-12-31T20:00:00.000Z", "1969-01-01T01:00:00.000Z"]);
    expect(minute).toEqual(["2022-01-01T00:30:00.000Z", "2022-01-01T23:30:00.000Z", "2022-03-20T05:07:00.000Z", "2022-04-03T13:30:00.000Z", "1969-12-31T20:00:00.000Z", "1969-01-01T01:00:00.000Z"]);
    expect(second).toEqual(["2022-01-01T00:30:00.000Z", "2022-01-01T23:30:00.000Z", "2022-03-20T05:07:18.000Z", "2022-04-03T13:30:32.000Z", "1969-12-31T20:00:00.000Z", "1969-01-01T01:00:00.000Z"]);
    // 7 hours from the epoch: 2022-01-01 00:00 is 455,832 hours after it (7 × 65,118 + 6), 1969-12-31 20:00 is 4 before.
    expect(sevenHours).toEqual(["2021-12-31T18:00:00.000Z", "2022-01-01T22:00:00.000Z", "2022-03-20T05:00:00.000Z", "2022-04-03T12:00:00.000Z", "1969-12-31T17:00:00.000Z", "1968-12-31T20:00:00.000Z"]);
    expect(quarterHour).toEqual(["2022-01-01T00:30:00.000Z", "2022-01-01T23:30:00.000Z", "2022-03-20T05:00:00.000Z", "2022-04-03T13:30:00.000Z", "1969-12-31T20:00:00.000Z", "1969-01-01T01:00:00.000Z"]);
    expect(day).toEqual(["2022-01-01T00:00:00.000Z", "2022-01-01T00:00:00.000Z", "2022-03-20T00:00:00.000Z", "2022-04-03T00:00:00.000Z", "1969-12-31T00:00:00.000Z", "1969-01-01T00:00:00.000Z"]);
  });

  it("months from January 1970 (test_truncate_monthly's formula), quarters and years as months; label right", async () => {
    const t = timestamps("2024-02-29T12:00:00Z", "1969-12-31T23:59:59Z", "1000-05-17T00:00:00Z");
    const [twoMonths, sevenMonths, twoQuarters, twoYears, right] = await polars(
      { t },
      col("t").dt.truncate("2mo"),
      col("t").dt.truncate("7mo"),
      col("t").dt.truncate("2q"),
      col("t").dt.truncate("2y"),
      col("t").dt.truncate("2mo", { label: "right" }),
    );
    // total = (year - 1970) * 12 + month - 1; total - total mod n (test_truncate_monthly).
    expect(twoMonths).toEqual(["2024-01-01T00:00:00.000Z", "1969-11-01T00:00:00.000Z", "1000-05-01T00:00:00.000Z"]);
    expect(sevenMonths).toEqual(["2023-09-01T00:00:00.000Z", "1969-06-01T00:00:00.000Z", "0999-12-01T00:00:00.000Z"]);
    expect(twoQuarters).toEqual(["2024-01-01T00:00:00.000Z", "1969-07-01T00:00:00.000Z", "1000-01-01T00:00:00.000Z"]);
    expect(twoYears).toEqual(["2024-01-01T00:00:00.000Z", "1968-01-01T00:00:00.000Z", "1000-01-01T00:00:00.000Z"]);
    expect(right).toEqual(["2024-03-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "1000-07-01T00:00:00.000Z"]);
  });

  it("a compound sub-daily period; a date truncated by a period that divides a day stays as it is", async () => {
    const [ninety] = await polars({ t: timestamps("2024-01-01T02:59:00Z", "2024-01-01T03:00:00Z") }, col("t").dt.truncate("1h30m"));
    expect(ninety).toEqual(["2024-01-01T01:30:00.000Z", "2024-01-01T03:00:00.000Z"]);
    const [hour, threeDays] = await polars({ d: dates("2024-01-02", "1969-12-30", null) }, col("d").dt.truncate("1h"), col("d").dt.truncate("3d"));
    expect(hour).toEqual(["2024-01-02", "1969-12-30", null]);
    expect(threeDays).toEqual(["2023-12-31", "1969-12-29", null]);
  });

  it("refuses what Polars refuses (test_truncate_invalid, test_truncate_negative) and periods a date cannot take", async () => {
    expect(() => col("t").dt.truncate("1d1h")).toThrow(/mixes units.*cannot mix month, week, day, and sub-daily units/);
    expect(() => col("t").dt.truncate("-1m")).toThrow(/not a positive period/);
    expect(() => col("t").dt.truncate("0d")).toThrow(/not a positive period/);
    expect(() => col("t").dt.truncate("2")).toThrow(/is not a period/);
    await expect(polars({ d: dates("2024-01-02") }, col("d").dt.truncate("7h"))).rejects.toThrow(/dt\.truncate\("7h"\) on a date.*use whole days/);
    await expect(polars({ d: dates("2024-01-02") }, col("d").dt.truncate("1h", { label: "right" }))).rejects.toThrow(/label "right".*cast\("timestamp"\)/);
  });
});

// The same periods in the time-range pass (floorToPeriod, which widens reads to whole periods) and in the SQL of
// DuckDB and PostgreSQL, for instants before 1970, near year 1 and 9999, and on period edges.
describe("dt.truncate periods: the time-range pass and each engine agree", () => {
  const PERIODS = ["1s", "15m", "1h", "7h", "1h30m", "1d", "3d", "1w", "2w", "5w", "1mo", "2mo", "7mo", "1q", "2q", "1y", "3y", "19y"];
  const INSTANTS = [
    "0100-03-01T00:00:00Z", "0999-12-31T23:59:59Z", "1342-11-11T11:00:00Z", "1969-01-01T01:00:00Z", "1969-12-29T00:00:00Z",
    "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1970-01-05T00:00:00Z", "1970-01-11T23:59:59.999Z", "2000-02-29T12:34:56Z",
    "2024-01-31T23:59:59.999Z", "2024-02-01T00:00:00Z", "2024-12-30T00:00:00Z", "9543-01-05T06:00:00Z", "9950-06-30T23:00:00Z",
  ].map((s) => new Date(s));
  const periodOf = (every: string) => parsePeriod(every) as Period;
  const expected = (every: string) =>
    INSTANTS.flatMap((t) => [floorToPeriod(t, periodOf(every)), addDuration(floorToPeriod(t, periodOf(every)), periodOf(every))]).map(formatTimestamp);
  const query = (dialect: "duckdb" | "postgres", every: string) => {
    const d = DIALECTS[dialect];
    const columns = INSTANTS.flatMap((t, i) =>
      (["left", "right"] as const).map((label) => sql`CAST(${d.truncate(d.instant(t, "timestamp"), periodOf(every), label, "timestamp")} AS VARCHAR)`.as(`v${i}${label}`)),
    );
    return compileNode(builder.selectNoFrom(columns).toOperationNode(), d);
  };
  const values = (row: Record<string, unknown>) => Object.values(row).map((v) => String(v).replace(/\.000$/, ""));

  it("DuckDB", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      for (const every of PERIODS) {
        const { sql: text, parameters } = query("duckdb", every);
        const rows = (await connection.runAndReadAll(text, parameters as never)).getRowObjectsJS();
        expect([every, values(rows[0]!)]).toEqual([every, expected(every)]);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it.skipIf(!postgresAvailable)("PostgreSQL", async () => {
    const db = await makeTestDatabase();
    try {
      for (const every of PERIODS) {
        const { sql: text, parameters } = query("postgres", every);
        const rows = await db.query(text, [...parameters]);
        expect([every, values(rows[0]!)]).toEqual([every, expected(every)]);
      }
    } finally {
      await db.cleanup();
    }
  });
});
