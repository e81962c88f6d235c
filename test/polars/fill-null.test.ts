import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { floats, ints, polars, strs } from "./support.ts";

// py-polars/tests/unit/series/test_series.py::test_fill_null, with the Series' order made explicit by `o`.
describe("fillNull({ strategy, limit }) inside over(…, { orderBy })", () => {
  const o = ints(0, 1, 2, 3, 4, 5);

  it("forward and backward on doubles", async () => {
    const a = floats(0.0, 1.0, null, 2.0, null, 3.0);
    const [forward, backward, value] = await polars(
      { a, o },
      col("a").fillNull({ strategy: "forward" }).over([], { orderBy: "o" }),
      col("a").fillNull({ strategy: "backward" }).over([], { orderBy: "o" }),
      col("a").fillNull(0),
    );
    expect(forward).toEqual([0.0, 1.0, 1.0, 2.0, 2.0, 3.0]);
    expect(backward).toEqual([0.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
    expect(value).toEqual([0.0, 1.0, 0.0, 2.0, 0.0, 3.0]);
  });

  it("forward and backward on strings; a string value is a literal (fill_null parses str_as_lit)", async () => {
    const b = strs("a", null, "c", null, "e");
    const [forward, backward, literal] = await polars(
      { b, o: ints(0, 1, 2, 3, 4) },
      col("b").fillNull({ strategy: "forward" }).over([], { orderBy: "o" }),
      col("b").fillNull({ strategy: "backward" }).over([], { orderBy: "o" }),
      col("b").fillNull("b"),
    );
    expect(forward).toEqual(["a", "a", "c", "c", "e"]);
    expect(backward).toEqual(["a", "c", "c", "e", "e"]);
    expect(literal).toEqual(["a", "b", "c", "b", "e"]);
  });

  it("limit fills at most that many consecutive nulls; leading nulls stay null forward", async () => {
    const [forward, backward] = await polars(
      { v: ints(null, 1, null, null, null, 5), o },
      col("v").fillNull({ strategy: "forward", limit: 2 }).over([], { orderBy: "o" }),
      col("v").fillNull({ strategy: "backward", limit: 1 }).over([], { orderBy: "o" }),
    );
    expect(forward).toEqual([null, 1, 1, 1, null, 5]);
    expect(backward).toEqual([1, 1, null, null, 5, 5]);
  });

  it("without an order it is refused at planning time", async () => {
    await expect(polars({ v: ints(1, null) }, col("v").fillNull({ strategy: "forward" }).over())).rejects.toThrow(
      /fillNull\(\{ strategy \}\) depends on row order: use \.over\(partition, \{ orderBy: "<column>" \}\)/,
    );
  });
});
