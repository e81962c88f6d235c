import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { floats, ints, polars, strs } from "./support.ts";

// py-polars/src/polars/expr/expr.py, Expr.cum_sum's docstring: "Null values are excluded" — the running sum skips them
// and the row whose value is null gets null; a leading null run gives null, not 0.
describe("cumulative windows on null values (Polars: null on a null row)", () => {
  const values = ints(null, 10, null, 8, 9, null, 16, null);
  const order = ints(0, 1, 2, 3, 4, 5, 6, 7);

  it("cum_sum (Expr.cum_sum docstring example)", async () => {
    const [out] = await polars({ values, o: order }, col("values").cumSum().over([], { orderBy: "o" }));
    expect(out).toEqual([null, 10, null, 18, 27, null, 43, null]);
  });

  it("cum_max and cum_min", async () => {
    const [max, min] = await polars(
      { v: floats(null, 3, null, 1, 5, null), o: ints(0, 1, 2, 3, 4, 5) },
      col("v").cumMax().over([], { orderBy: "o" }),
      col("v").cumMin().over([], { orderBy: "o" }),
    );
    expect(max).toEqual([null, 3, null, 3, 5, null]);
    expect(min).toEqual([null, 3, null, 1, 1, null]);
  });

  it("cum_count counts the non-null values so far, also on a null row (Expr.cum_count docstring example)", async () => {
    const [out] = await polars({ a: strs("x", "k", null, "d"), o: ints(0, 1, 2, 3) }, col("a").cumCount().over([], { orderBy: "o" }));
    expect(out).toEqual([1, 2, 2, 3]);
  });

  it("per partition", async () => {
    const [out] = await polars(
      { g: strs("a", "b", "a", "b", "a"), v: ints(1, null, null, 2, 3), o: ints(0, 1, 2, 3, 4) },
      col("v").cumSum().over("g", { orderBy: "o" }),
    );
    expect(out).toEqual([1, null, null, 2, 4]);
  });
});

// Expr.cum_prod docstring: pl.DataFrame({"a": [1, 2, 3, 4]}).select(pl.col("a").cum_prod()) gives 1, 2, 6, 24 (an
// integer); null values are excluded and the null row gets null, as cum_sum.
describe("cumProd", () => {
  it("integers stay integers; nulls are skipped and get null; doubles", async () => {
    const [a, n, x] = await polars(
      { a: ints(1, 2, 3, 4, null), n: ints(null, 2, null, -3, 0), x: floats(0.5, 3, null, -2, 1.5), o: ints(0, 1, 2, 3, 4) },
      col("a").cumProd().over([], { orderBy: "o" }),
      col("n").cumProd().over([], { orderBy: "o" }),
      col("x").cumProd().over([], { orderBy: "o", descending: true }),
    );
    expect(a).toEqual([1, 2, 6, 24, null]);
    expect(n).toEqual([null, 2, null, -6, 0]);
    expect(x).toEqual([-4.5, -9, null, -3, 1.5]);
  });
});
