import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { ints, polars, strs } from "./support.ts";

// Polars' `over(order_by=…)` sorts null order keys first, also when descending, unless `nulls_last=True`
// (py-polars/src/polars/expr/expr.py, `Expr.over`).
describe("null order keys in windows (Polars: nulls first)", () => {
  it("cum_sum over a descending order with a null key (test_over.py::test_over_order_by_descending_nulls_agg_context)", async () => {
    const [out] = await polars({ g: strs("a", "a", "a"), v: ints(1, 2, 3), d: ints(1, null, 2) }, col("v").cumSum().over("g", { orderBy: "d", descending: true }));
    expect(out).toEqual([6, 2, 5]);
  });

  it("shift(1) with a null key ascending: the null-keyed row comes first", async () => {
    const [lag, lagLast] = await polars(
      { v: ints(10, 20, 30), o: ints(1, null, 2) },
      col("v").shift(1).over([], { orderBy: "o" }),
      col("v").shift(1).over([], { orderBy: "o", nullsLast: true }),
    );
    expect(lag).toEqual([20, null, 10]);
    expect(lagLast).toEqual([null, 30, 10]);
  });

  it("cum_sum with nulls_last=True (test_over.py::test_nulls_last_over_24989, order_by with nulls_last)", async () => {
    const [first, last] = await polars(
      { a: ints(1, 1, 2), b: ints(4, 5, 6), i: ints(1, null, 2) },
      col("b").cumSum().over("a", { orderBy: "i" }),
      col("b").cumSum().over("a", { orderBy: "i", nullsLast: true }),
    );
    expect(first).toEqual([9, 5, 6]);
    expect(last).toEqual([4, 9, 6]);
  });

  it("rolling_sum by rows follows the same order", async () => {
    const [out] = await polars({ v: ints(1, 2, 4), o: ints(2, null, 1) }, col("v").rollingSum(2).over([], { orderBy: "o" }));
    // Order: null (2), 1 (4), 2 (1).
    expect(out).toEqual([5, null, 6]);
  });
});

describe("rank(…).over(keys, { orderBy })", () => {
  it("an ordinal rank breaks ties in the over() order (Polars ranks the rows sorted by order_by)", async () => {
    const [asc, desc] = await polars(
      { g: strs("a", "a", "a", "b"), v: ints(1, 1, 1, 5), o: ints(3, 1, 2, 1) },
      col("v").rank({ method: "ordinal" }).over("g", { orderBy: "o" }),
      col("v").rank({ method: "ordinal" }).over("g", { orderBy: "o", descending: true }),
    );
    expect(asc).toEqual([3, 1, 2, 1]);
    expect(desc).toEqual([1, 3, 2, 1]);
  });

  it("min and dense ranks give ties one rank whatever the order", async () => {
    const [min, dense] = await polars(
      { v: ints(2, 1, 2, null), o: ints(3, 1, 2, 0) },
      col("v").rank({ method: "min" }).over([], { orderBy: "o" }),
      col("v").rank({ method: "dense" }).over([], { orderBy: "o" }),
    );
    expect(min).toEqual([2, 1, 2, null]);
    expect(dense).toEqual([2, 1, 2, null]);
  });
});
