import { describe, expect, it } from "vitest";
import { col, corr, cov } from "../../src/dsl/index.ts";
import { outputName } from "../../src/ir/expr.ts";
import { floats, ints, polars, polarsAgg, strs } from "./support.ts";

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

describe("std and var with ddof, nullCount", () => {
  // Expr.std / Expr.var docstrings: pl.DataFrame({"a": [-1, 0, 1]}).select(pl.col("a").std()) is 1.0, var 1.0;
  // py-polars/tests/unit/operations/aggregation/test_aggregations.py::test_std_var ddof=0 on [1, 2, 3, 4]: 1.118034, 1.25.
  it("ddof 1 (the default) and 0; one value: null with ddof 1, 0 with ddof 0", async () => {
    expect(await polarsAgg({ a: ints(-1, 0, 1) }, col("a").std(), col("a").var())).toEqual([1, 1]);
    const [std0, var0, var1] = await polarsAgg({ a: floats(1, 2, 3, 4, null) }, col("a").std({ ddof: 0 }), col("a").var({ ddof: 0 }), col("a").var({ ddof: 1 }));
    expect(std0).toBeCloseTo(Math.sqrt(1.25), 14);
    expect([var0, var1]).toEqual([1.25, 5 / 3]);
    expect(await polarsAgg({ a: floats(7) }, col("a").std(), col("a").std({ ddof: 0 }), col("a").var({ ddof: 0 }))).toEqual([null, 0, 0]);
  });

  it("other ddof values are refused", () => {
    expect(() => col("a").std({ ddof: 2 })).toThrow(/std\(\): ddof must be 0 \(population\) or 1 \(sample, the default\), got 2/);
  });

  // Expr.null_count docstring: {"a": [None, 1, None], "b": [10, None, 300], "c": [350, 650, 850]} → 2, 1, 0.
  it("nullCount (Expr.null_count docstring), of the rows filter() keeps, and over a partition", async () => {
    const columns = { a: ints(null, 1, null), b: ints(10, null, 300), c: ints(350, 650, 850) };
    expect(await polarsAgg(columns, col("a").nullCount(), col("b").nullCount(), col("c").nullCount(), col("a").filter(col("c").gt(400)).nullCount())).toEqual([2, 1, 0, 1]);
    const [over] = await polars({ a: ints(null, 1, null), g: ints(1, 1, 2) }, col("a").nullCount().over("g"));
    expect(over).toEqual([1, 1, 1]);
    expect(outputName(col("a").nullCount().node)).toBe("a"); // named after its column, as in Polars
  });
});

describe("cov and corr over the rows where both values are non-null", () => {
  // pl.cov and pl.corr docstrings (py-polars/src/polars/functions/lazy.py): {"a": [1, 8, 3], "b": [4, 5, 2]} gives
  // cov 3.0, cov(ddof=0) 2.0 and corr 0.544705; a null on either side drops the pair (polars-compute moment.rs).
  it("cov with ddof, corr (pl.cov, pl.corr docstrings), nulls dropping pairs", async () => {
    const [c1, c0, r] = await polarsAgg({ a: ints(1, 8, 3, null, 5), b: ints(4, 5, 2, 7, null) }, cov("a", "b"), cov("a", "b", { ddof: 0 }), corr("a", "b"));
    expect([c1, c0]).toEqual([3, 2]);
    expect(r).toBeCloseTo(0.5447047794019222, 14);
  });

  // PearsonState::finalize in polars-compute: NaN unless both sums of squares are positive; cov's finalize: null
  // while the pairs are no more than ddof.
  it("corr is NaN for a constant column or a single pair; cov of one pair is null (ddof 1) or 0 (ddof 0)", async () => {
    expect(await polarsAgg({ a: floats(1, 2, 3), b: floats(5, 5, 5) }, corr("a", "b"))).toEqual([NaN]);
    expect(await polarsAgg({ a: floats(1, null), b: floats(2, 3) }, corr("a", "b"), cov("a", "b"), cov("a", "b", { ddof: 0 }))).toEqual([NaN, null, 0]);
  });

  it("corr over a partition; other methods are refused", async () => {
    const [over] = await polars({ a: ints(1, 2, 3, 1, 2), b: ints(2, 4, 6, 3, 1), g: ints(1, 1, 1, 2, 2) }, corr("a", "b").over("g"));
    expect(over!.map((v) => Math.round((v as number) * 1e12) / 1e12)).toEqual([1, 1, 1, -1, -1]);
    expect(() => corr("a", "b", { method: "spearman" as "pearson" })).toThrow(/corr\(\): method "spearman" is not implemented; only "pearson" is/);
  });
});
