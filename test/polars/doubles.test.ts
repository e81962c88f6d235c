import { describe, expect, it } from "vitest";
import { col, lit } from "../../src/dsl/index.ts";
import { floats, polars } from "./support.ts";

// A Polars Float64 holds any finite double; JavaScript numbers are doubles, so 1e20 (an integral value beyond 2^63)
// is a double too, in fixtures and in lit().
describe("doubles of any finite magnitude", () => {
  it("fixtures and literals beyond 2^63 round-trip", async () => {
    const [x, sum, literal, typed, tiny] = await polars(
      { x: floats(1e20, -1e300, 2 ** 63, 1.5, -0) },
      col("x"),
      col("x").add(lit(1e20)),
      lit(1e20).add(col("x").mul(0)),
      lit(1e300, "double"),
      lit(5e-324).add(0),
    );
    expect(x).toEqual([1e20, -1e300, 2 ** 63, 1.5, -0]);
    expect(sum).toEqual([2e20, -1e300, 2 ** 63 + 1e20, 1e20 + 1.5, 1e20]);
    expect(literal).toEqual(Array(5).fill(1e20));
    expect(typed).toEqual(Array(5).fill(1e300));
    expect(tiny).toEqual(Array(5).fill(5e-324));
  });

  it("an integral literal beyond 2^53 is a double, and refused as a bigint", () => {
    expect(lit(1e20).node).toMatchObject({ dtype: "double", value: 1e20 });
    expect(() => lit(1e20, "bigint")).toThrow(/beyond the exact integer range of JavaScript numbers; it can only be a double/);
  });
});
