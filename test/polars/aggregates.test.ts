import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { ints, polarsAgg, strs } from "./support.ts";

describe("nUnique counts null as a value (Polars' n_unique)", () => {
  // py-polars/tests/unit/series/test_series.py::test_n_unique: pl.Series("s", [11, 11, 11, 22, 22, 33, None, None, None]).n_unique() == 4
  it("a null is one more distinct value; filter() and a null-free spelling", async () => {
    const [all, kept, nonNull] = await polarsAgg(
      { s: ints(11, 11, 11, 22, 22, 33, null, null, null), keep: ints(1, 1, 1, 1, 1, 0, 0, 1, 0) },
      col("s").nUnique(),
      col("s").filter(col("keep").eq(1)).nUnique(), // 11, 22, null
      col("s").filter(col("s").isNotNull()).nUnique(),
    );
    expect([all, kept, nonNull]).toEqual([4, 3, 3]);
  });
});

describe("sortBy(…).first()/last(): null keys sort first, as Polars' sort_by", () => {
  // Polars: df.select(pl.col("v").sort_by("k").first()) takes the null-keyed row; .last() the largest key;
  // nulls_last=True swaps them; descending=True reverses the keys, nulls still first.
  it("first and last, with nullsLast and descending", async () => {
    const columns = { v: strs("a", "b", "c", "d"), k: ints(2, null, 1, 3) };
    expect(
      await polarsAgg(
        columns,
        col("v").sortBy("k").first(),
        col("v").sortBy("k").last(),
        col("v").sortBy("k", { nullsLast: true }).first(),
        col("v").sortBy("k", { nullsLast: true }).last(),
        col("v").sortBy("k", { descending: true }).first(),
        col("v").sortBy("k", { descending: true }).last(),
      ),
    ).toEqual(["b", "d", "c", "b", "b", "c"]);
  });
});

describe("quantile: Polars' default interpolation is refused, linear given explicitly", () => {
  // Expr.quantile(quantile, interpolation="nearest"): the default would silently differ from a linear quantile.
  it("refuses the default and names the way out; linear interpolates", async () => {
    expect(() => col("v").quantile(0.5)).toThrow(/quantile\(0.5\): Polars' default interpolation, "nearest", is not implemented; pass \{ interpolation: "linear" \}/);
    const [q] = await polarsAgg({ v: ints(1, 2, 3, 4) }, col("v").quantile(0.5, { interpolation: "linear" }));
    expect(q).toBe(2.5);
  });
});
