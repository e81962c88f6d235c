import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { outputName } from "../../src/ir/expr.ts";
import { ints, polars, strs } from "./support.ts";

// Expr.replace and Expr.replace_strict docstrings (py-polars/src/polars/expr/expr.py), and polars-ops'
// replace.rs: a left join of the values on the mapping's keys with nulls_equal, so a null key maps nulls.
describe("replace keeps unmapped values; replaceStrict maps them (and nulls) to the default", () => {
  it("replace(old, new), replace([old], [new]), replace(mapping) (Expr.replace docstring)", async () => {
    const a = ints(1, 2, 2, 3, null);
    const [one, lists, mapping, nulls] = await polars(
      { a },
      col("a").replace(2, 100),
      col("a").replace([2, 3], [100, 200]),
      col("a").replace(new Map([[2, 100], [3, 200]])),
      col("a").replace(null, -1),
    );
    expect(one).toEqual([1, 100, 100, 3, null]);
    expect(lists).toEqual([1, 100, 100, 200, null]);
    expect(mapping).toEqual([1, 100, 100, 200, null]);
    expect(nulls).toEqual([1, 2, 2, 3, -1]);
  });

  it("replaceStrict with a default, a null key, and strings (Expr.replace_strict docstring)", async () => {
    const [codes] = await polars(
      { country_code: strs("FR", null, "ES", "DE") },
      col("country_code").replaceStrict(new Map([["CA", "Canada"], ["DE", "Germany"], ["FR", "France"], [null, "unspecified"]]), { default: "unknown" }),
    );
    expect(codes).toEqual(["France", "unspecified", "unknown", "Germany"]);
    const [numbers, nullDefault] = await polars(
      { a: ints(1, 2, 2, 3, null) },
      col("a").replaceStrict(new Map([[1, 100], [2, 200]]), { default: -1 }),
      col("a").replaceStrict([1, 2], [100, 200], { default: null }),
    );
    expect(numbers).toEqual([100, 200, 200, -1, -1]);
    expect(nullDefault).toEqual([100, 200, 200, null, null]);
    // An object's keys are text in JavaScript: against integers they are a planning error, not a silent miss.
    await expect(polars({ a: ints(1) }, col("a").replaceStrict({ 1: 100 }, { default: -1 }))).rejects.toThrow(/cannot compare bigint with varchar in eq\(\)/);
  });

  it("replaceStrict without a default is refused (Polars would fail on an unmapped value); both keep the column's name", () => {
    expect(() => col("a").replaceStrict(new Map([[1, 2]]), undefined as never)).toThrow(/replaceStrict\(\): give \{ default \}/);
    expect(outputName(col("a").replace(1, 2).node)).toBe("a");
    expect(outputName(col("a").replaceStrict([1], [2], { default: 0 }).node)).toBe("a");
  });
});
