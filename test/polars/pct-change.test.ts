import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { outputName } from "../../src/ir/expr.ts";
import { windowReach } from "../../src/passes/time-range-pass.ts";
import { floats, ints, polars, strs } from "./support.ts";

// Polars' pct_change is diff(s, n) / shift(s, n) on Float64 (crates/polars-ops/src/series/ops/pct_change.rs): no fill
// of nulls, whatever the docstring's "most-recent non-null element" suggests — its test says so.
describe("pctChange(n), as Polars' pct_change", () => {
  const o = (k: number) => ints(...Array.from({ length: k }, (_, i) => i));

  it("n = 2 and n = -1 (py-polars/tests/unit/operations/test_pct_change.py::test_pct_change)", async () => {
    const [two] = await polars({ a: ints(1, 2, 4, 8, 16, 32, 64), o: o(7) }, col("a").pctChange(2).over([], { orderBy: "o" }));
    expect(two).toEqual([null, null, 3.0, 3.0, 3.0, 3.0, 3.0]);
    const [back] = await polars({ a: ints(0, 1, 2, 3, 4), o: o(5) }, col("a").pctChange(-1).over([], { orderBy: "o" }));
    expect(back).toEqual([-1.0, -0.5, -0.3333333333333333, -0.25, null]);
  });

  it("a null on either row gives null, no forward fill (test_pct_change_nulls; the docstring's example)", async () => {
    const [out] = await polars({ a: ints(10, 11, 12, null, 12, 24), o: o(6) }, col("a").pctChange().over([], { orderBy: "o" }));
    // 0.09090909090909091 is (12 - 11) / 11 in doubles, as Polars computes it (1 / 11; 12 / 11 - 1 would be …094).
    expect(out).toEqual([null, 0.1, 0.09090909090909091, null, null, 1.0]);
  });

  it("from zero: ±inf, and NaN for 0 to 0, as true division; doubles; per partition in the window's order", async () => {
    const [out, grouped] = await polars(
      { x: floats(0, 3, 0, -2, 0, 0, 1.5), g: strs("a", "a", "a", "a", "a", "a", "b"), o: ints(6, 5, 4, 3, 2, 1, 0) },
      col("x").pctChange().over([], { orderBy: "o", descending: true }),
      col("x").pctChange().over("g", { orderBy: "o" }),
    );
    expect(out).toEqual([null, Infinity, -1, -Infinity, -1, NaN, Infinity]);
    // Group a in ascending o: 0 (o=1, null), 0 (NaN), -2 (-inf), 0 (-1), 3 (inf), 0 (o=6, -1); b has one row.
    expect(grouped).toEqual([-1, Infinity, -1, -Infinity, NaN, null, null]);
  });

  it("is named after its input, as in Polars", () => {
    expect(outputName(col("balance").pctChange().over("id", { orderBy: "d" }).node)).toBe("balance");
  });

  it("reads back without bound (a lag), or ahead for a negative n (a lead), as shift", () => {
    expect(windowReach([col("v").pctChange(3).over("id", { orderBy: "ts" }).node], "ts")).toEqual({ back: "unbounded", ahead: null });
    expect(windowReach([col("v").pctChange(-1).over("id", { orderBy: "ts" }).node], "ts")).toEqual({ back: null, ahead: "unbounded" });
  });

  it("refuses text, as Polars refuses a non-numeric column", async () => {
    await expect(polars({ s: strs("a", "b"), o: o(2) }, col("s").pctChange().over([], { orderBy: "o" }))).rejects.toThrow(/mul\(\) needs numeric operands/);
  });
});
