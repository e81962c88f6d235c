import { describe, expect, it } from "vitest";
import { col, featureSet, len, source } from "../../src/dsl/index.ts";
import type { DType } from "../../src/ir/dtype.ts";
import { evaluate, type FixtureValue } from "../../src/testing/evaluate.ts";
import { floats, ints, polars, polarsAgg } from "./support.ts";

// Polars' skew (crates/polars-compute/src/moment.rs, SkewState::finalize): m3 / m2^1.5 of the non-null values' central
// moments; bias=False multiplies by √(n(n-1)) / (n-2). Null for no values (bias=False: for n <= 2), NaN for constants.
describe("skew({ bias }), as Polars' skew", () => {
  it("bias true (the default) and false (py-polars/tests/unit/series/test_series.py::test_skew)", async () => {
    const [biased, unbiased] = await polarsAgg({ a: ints(1, 2, 3, 2, 2, 3, 0) }, col("a").skew(), col("a").skew({ bias: false }));
    expect(biased).toBeCloseTo(-0.5953924651018018, 14);
    expect(unbiased).toBeCloseTo(-0.7717168360221258, 14);
  });

  it("large values keep their digits (engines' power sums give 0 for 1e6 + [1, 2, 4]); nulls are skipped", async () => {
    // scipy.stats.skew([1, 2, 4]) = 0.3818017741606063: a shift changes no central moment.
    const [shifted, small] = await polarsAgg({ x: floats(1e6 + 1, null, 1e6 + 2, 1e6 + 4) }, col("x").skew(), col("x").sub(1e6).skew());
    expect(shifted).toBeCloseTo(0.3818017741606063, 8);
    expect(small).toBeCloseTo(0.3818017741606063, 14);
  });

  it("constants NaN; no values null; one value NaN (bias) or null; two values 0 or null (n <= 2 without bias)", async () => {
    const columns = { x: floats(2.5, 2.5, 2.5, null, 7, 1), k: ints(0, 0, 0, 0, 1, 2) };
    const pick = (p: ReturnType<typeof col>) => col("x").filter(p);
    const got = await polarsAgg(
      columns,
      ...[col("k").eq(0), col("k").eq(9), col("k").eq(1), col("k").ge(1)].flatMap((p) => [pick(p).skew(), pick(p).skew({ bias: false })]),
    );
    expect(got).toEqual([NaN, NaN, null, null, NaN, null, 0, null]);
  });

  it("is refused as a window, naming the operation (Snowflake refuses it: test/golden)", async () => {
    await expect(polars({ x: floats(1, 2) }, col("x").skew().over([]))).rejects.toThrow(/skew\(\)\.over\(\) is not supported/);
  });
});

// Polars' mode() returns every most frequent value (py-polars/tests/unit/operations/test_mode.py: ["A", "B", "B", "C",
// "", "C"] has modes B and C), and mode().first() picks among them arbitrarily: no aggregate here, but a message with
// the two-step way, which gives Polars' mode().min() — ties to the smallest value, a null mode only when it alone is
// the most frequent (min() skips nulls).
describe("mode", () => {
  it("throws, naming the way to write it", () => {
    expect(() => col("x").mode()).toThrow(/mode\(\): not provided.*groupBy\("key", "x"\)\.agg\(len\(\)\.alias\("n"\)\)/);
  });

  async function modeMin(type: DType, values: FixtureValue[]): Promise<FixtureValue> {
    const df = source({ name: "df", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", g: "bigint", x: type }, backfill: { table: "df" } });
    const set = featureSet({
      name: "modes",
      inputs: { df },
      keys: "g",
      timestamp: "ts",
      build: ({ df }) =>
        df
          .groupBy("g", "ts", "x")
          .agg(len().alias("n"))
          .groupBy("g", "ts")
          .agg(col("x").sortBy("n", { descending: true }).first().alias("mode")),
    });
    const rows = values.map((x, id) => ({ id, ts: "2025-01-01T00:00:00Z", g: 1, x }));
    return (await evaluate(set, { df: rows }))[0]!.mode as FixtureValue;
  }

  it("the two-step way gives Polars' mode().min() on test_mode's series", async () => {
    expect(await modeMin("varchar", ["A", "B", "B", "C", "", "C"])).toBe("B");
    expect(await modeMin("bigint", [1, 2, 3])).toBe(1);
    expect(await modeMin("boolean", [true, false, true])).toBe(true);
    expect(await modeMin("boolean", [null, null, true])).toBe(null);
    expect(await modeMin("bigint", [null, 4, null, 4, 3])).toBe(4);
  });
});

// Polars' arg_min/arg_max give a row position (Expr.arg_min docstring: [20, 10, 30] gives 1): SQL rows have none.
describe("argMin and argMax", () => {
  it("throw, naming sortBy().first()/last() for the value at the minimum/maximum", () => {
    expect(() => col("x").argMin()).toThrow(/argMin\(\): not provided .*sortBy\("<this column>"\)\.first\(\)/);
    expect(() => col("x").argMax()).toThrow(/argMax\(\): not provided .*\.last\(\)/);
  });
});
