import { describe, expect, it } from "vitest";
import { col, featureSet, lit, source } from "../../src/dsl/index.ts";
import { evaluate } from "../../src/testing/evaluate.ts";

// Polars' ewm_mean(adjust=True) weighs row j by (1 - alpha)^(t - j) as seen from row t; ewm_mean_by by the time since.
// No single SQL window computes either exactly (docs/polars-parity.md): both throw, naming the ways out.
describe("ewmMean and ewmMeanBy", () => {
  it("throw, naming why and the way out", () => {
    expect(() => col("x").ewmMean({ alpha: 0.5 })).toThrow(/ewmMean\(\): not provided .*window cannot compute exactly.*overflow doubles.*rollingMean\(n\)/);
    expect(() => col("x").ewmMeanBy("ts", { halfLife: "4d" })).toThrow(/ewmMeanBy\(\): not provided .*previous row's time.*rollingMean\("30d", \{ by \}\)/);
  });

  // The way out the docs give for short series: positions in one step, the factored running sums in the next. Polars'
  // Expr.ewm_mean docstring: [1, 2, 3] with com=1 (alpha 0.5) gives 1.0, 1.666667, 2.428571.
  it("the two-step factored form gives Polars' ewm_mean on a short series", async () => {
    const df = source({ name: "df", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", a: "double" }, backfill: { table: "df" } });
    const set = featureSet({
      name: "ewm",
      inputs: { df },
      keys: ["id"],
      timestamp: "ts",
      build: ({ df }) => {
        const weight = lit(0.5, "double").pow(col("pos").neg()); // (1 - alpha)^(-j)
        const running = (e: ReturnType<typeof col>) => e.cumSum().over("id", { orderBy: "ts" });
        return df
          .withColumns(col("ts").rank({ method: "ordinal" }).over("id").alias("pos"))
          .select("id", "ts", running(col("a").mul(weight)).div(running(weight)).alias("ewm"));
      },
    });
    const rows = [1, 2, 3].map((a, i) => ({ id: 1, ts: `2025-01-0${i + 1}T00:00:00Z`, a }));
    const out = (await evaluate(set, { df: rows })).map((r) => r.ewm as number);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(1.666667, 6);
    expect(out[2]).toBeCloseTo(2.428571, 6);
  });
});
