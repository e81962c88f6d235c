import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { polars } from "./support.ts";

const day = (d: number | null) => (d === null ? null : `2025-01-${String(d).padStart(2, "0")}`);
const dates = (...days: (number | null)[]) => ({ type: "date" as const, values: days.map(day) });
const floats = (...values: (number | null)[]) => ({ type: "double" as const, values });

describe("time-based rolling windows and nulls (Polars' rolling_*_by)", () => {
  // crates/polars-time/src/chunkedarray/rolling_window/dispatch.rs, rolling_agg_by: rows whose `by` is null are
  // taken out, the rest computed, and the result gathered back with the `by` column's validity — null there.
  it("a null `by` gives null, and that row is in no other row's window", async () => {
    const [sum, mean, max] = await polars(
      { d: dates(1, null, 2, 3), v: floats(1, 100, 2, 4) },
      col("v").rollingSum("2d", { by: "d" }).over(),
      col("v").rollingMean("2d", { by: "d" }).over(),
      col("v").rollingMax("2d", { by: "d" }).over(),
    );
    expect(sum).toEqual([1, null, 3, 6]);
    expect(mean).toEqual([1, null, 1.5, 3]);
    expect(max).toEqual([1, null, 2, 4]);
  });

  // crates/polars-compute/src/rolling/{sum,moment,window}.rs: `is_valid` counts the window's non-null values against
  // min_samples (default 1 for *_by); with min_samples=0 an all-null window sums to 0 and its mean, min and max are
  // null (mean.rs returns None when every value is null).
  it("a window whose values are all null: null with minPeriods 1, and with minPeriods 0 a sum of 0", async () => {
    const [sum, sum0, mean0, min0, std] = await polars(
      { d: dates(1, 2, 3, 9), v: floats(5, null, null, null) },
      col("v").rollingSum("1d", { by: "d" }).over(),
      col("v").rollingSum("1d", { by: "d", minPeriods: 0 }).over(),
      col("v").rollingMean("1d", { by: "d", minPeriods: 0 }).over(),
      col("v").rollingMin("2d", { by: "d", minPeriods: 0 }).over(),
      col("v").rollingStd("3d", { by: "d" }).over(),
    );
    expect(sum).toEqual([5, null, null, null]);
    expect(sum0).toEqual([5, 0, 0, 0]);
    expect(mean0).toEqual([5, null, null, null]);
    expect(min0).toEqual([5, 5, null, null]);
    expect(std).toEqual([null, null, null, null]); // one value has no sample deviation (ddof 1)
  });
});

// Expr.rolling_var / rolling_std docstrings (py-polars/src/polars/expr/expr.py): on [1.0 … 6.0] with window_size=2,
// rolling_var gives null, 0.5, 0.5, …; ddof=0 gives 0.25; rolling_var_by over a time window takes ddof the same way.
describe("rollingVar and rollingStd with ddof", () => {
  it("by rows (Expr.rolling_var docstring) and over time", async () => {
    const o = floats(0, 1, 2, 3, 4, 5);
    const [var1, var0, std0, byTime] = await polars(
      { a: floats(1, 2, 3, 4, 5, 6), o, d: dates(1, 2, 3, 4, 5, 6) },
      col("a").rollingVar(2).over([], { orderBy: "o" }),
      col("a").rollingVar(2, { ddof: 0 }).over([], { orderBy: "o" }),
      col("a").rollingStd(3, { ddof: 0 }).over([], { orderBy: "o" }),
      col("a").rollingVar("3d", { by: "d", ddof: 0 }).over(),
    );
    expect(var1).toEqual([null, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(var0).toEqual([null, 0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(std0!.slice(2).map((v) => Math.abs((v as number) - Math.sqrt(2 / 3)) < 1e-15)).toEqual([true, true, true, true]);
    // min_samples defaults to 1 by time: one value has variance 0 with ddof 0.
    expect(byTime!.slice(0, 2)).toEqual([0, 0.25]);
    byTime!.slice(2).forEach((v) => expect(v as number).toBeCloseTo(2 / 3, 14));
  });
});

// Expr.rolling_median / rolling_quantile docstrings: {"A": [1.0, 2.0, 3.0, 4.0, 6.0, 8.0]}; rolling_median(2) is
// null, 1.5, 2.5, 3.5, 5.0, 7.0; rolling_quantile(0.33, interpolation="linear", window_size=4) is null ×3, 1.99, 2.99, 3.99.
describe("rollingMedian and rollingQuantile (DuckDB)", () => {
  it("by rows and over time (Expr.rolling_median, rolling_quantile docstrings)", async () => {
    const [median, quantile, byTime] = await polars(
      { a: floats(1, 2, 3, 4, 6, 8), o: floats(0, 1, 2, 3, 4, 5), d: dates(1, 2, 3, 4, 5, 6) },
      col("a").rollingMedian(2).over([], { orderBy: "o" }),
      col("a").rollingQuantile(0.33, 4, { interpolation: "linear" }).over([], { orderBy: "o" }),
      col("a").rollingMedian("3d", { by: "d" }).over(),
    );
    expect(median).toEqual([null, 1.5, 2.5, 3.5, 5, 7]);
    expect(quantile!.slice(0, 3)).toEqual([null, null, null]);
    quantile!.slice(3).forEach((v, i) => expect(v as number).toBeCloseTo([1.99, 2.99, 3.99][i]!, 12));
    expect(byTime).toEqual([1, 1.5, 2, 3, 4, 6]);
  });

  it("Polars' default interpolation is refused, as for quantile", () => {
    expect(() => col("a").rollingQuantile(0.5, 3)).toThrow(/quantile\(0.5\): Polars' default interpolation, "nearest", is not implemented/);
  });
});
