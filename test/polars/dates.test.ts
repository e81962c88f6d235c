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
