import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { ints, polars, strs } from "./support.ts";

// py-polars/tests/unit/operations/test_rank.py
describe("rank methods, average by default (Polars' rank)", () => {
  it("average and max (test_rank_df)", async () => {
    const [average, max, min, dense] = await polars(
      { a: ints(1, 1, 2, 2, 3) },
      col("a").rank().over(),
      col("a").rank({ method: "max" }).over(),
      col("a").rank({ method: "min" }).over(),
      col("a").rank({ method: "dense" }).over(),
    );
    expect(average).toEqual([1.5, 1.5, 3.5, 3.5, 5.0]);
    expect(max).toEqual([2, 2, 4, 4, 5]);
    expect(min).toEqual([1, 1, 3, 3, 5]);
    expect(dense).toEqual([1, 1, 2, 2, 3]);
  });

  it("per partition, with nulls (test_rank_so_4109)", async () => {
    const [dense, average] = await polars(
      { g: ints(1, 1, 1, 1, 3, 3, 3, 3), rank: ints(null, 3, 2, 4, 1, null, 3, 4) },
      col("rank").rank({ method: "dense" }).over("g"),
      col("rank").rank({ method: "average" }).over("g"),
    );
    expect(dense).toEqual([null, 2, 1, 3, 1, null, 2, 3]);
    expect(average).toEqual([null, 2, 1, 3, 1, null, 2, 3]);
  });

  it("strings with nulls (test_rank_string_null_11252)", async () => {
    const [rank] = await polars({ s: strs(null, "", "z", null, "a") }, col("s").rank().over());
    expect(rank).toEqual([null, 1.0, 3.0, null, 2.0]);
  });

  it("descending max", async () => {
    const [max] = await polars({ a: ints(1, 1, 2, 2, 3) }, col("a").rank({ method: "max", descending: true }).over());
    expect(max).toEqual([5, 5, 3, 3, 1]);
  });
});
