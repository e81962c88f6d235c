import { describe, expect, it } from "vitest";
import { col, lit } from "../../src/dsl/index.ts";
import { floats, ints, polars } from "./support.ts";

// Polars' `%` is a floored modulo: the result takes the divisor's sign, as Python's (pola-rs/polars#10570, fixed by
// #14026 "making our division/modulo operator be the proper mathematical modulo ... matching Python's behavior").
describe("mod takes the divisor's sign, as Polars' %", () => {
  it("integers: every sign pair, a zero remainder, null, and by zero null (test_integer_divide_scalar_zero_lhs_19142)", async () => {
    const [byColumn, byThree, byMinusThree, zeroByColumn] = await polars(
      { a: ints(-7, 7, -7, 7, 0, 6, -6, null, 5), b: ints(3, 3, -3, -3, 5, -3, 3, 2, 0) },
      col("a").mod(col("b")),
      col("a").mod(3),
      col("a").mod(-3),
      lit(0).mod(col("b")), // pl.Series([0]) % pl.Series([1, 0]) == [0, None]
    );
    expect(byColumn).toEqual([2, 1, -1, -2, 0, 0, 0, null, null]);
    expect(byThree).toEqual([2, 1, 2, 1, 0, 0, 0, null, 2]);
    expect(byMinusThree).toEqual([-1, -2, -1, -2, 0, 0, 0, null, -1]);
    expect(zeroByColumn).toEqual([0, 0, 0, 0, 0, 0, 0, 0, null]);
  });

  it("doubles by a literal (py-polars/tests/unit/sql/test_numeric.py::test_modulo; -0.1 % 2 of #10570)", async () => {
    // a % 2 and d % 5.5 of test_modulo; Polars' 13/3 % 2 is 0.33333333333333304, not 1/3 (assert_frame_equal's
    // tolerance hides it there): computed as Polars' kernel does, l - r * floor(l * (1 / r)).
    const [a2, d55] = await polars(
      { a: floats(1.5, null, 3.0, 13 / 3, 5.0, -0.1), d: floats(16.5, 17.0, 18.5, null, 20.0, -3) },
      col("a").mod(2),
      col("d").mod(5.5),
    );
    expect(a2).toEqual([1.5, null, 1.0, 0.33333333333333304, 1.0, 1.9]);
    expect(d55).toEqual([0.0, 0.5, 2.0, null, 3.5, 2.5]);
  });

  it("doubles by a column: signs, by zero NaN, -0.0; an integer column by a double (test_series.py: srs_int % 2.0)", async () => {
    const [byColumn, intByDouble, lhsLiteral] = await polars(
      { x: floats(-7.5, 7.5, -7.5, 7.5, 5.3, 0, -1, null, -0.0), y: floats(2, 2, -2, -2, 0, 0, 4, 1, 3), n: ints(1, 2, 3, 4, 5, -1, -2, null, 7) },
      col("x").mod(col("y")),
      col("n").mod(2.0),
      lit(4.0).mod(col("n")), // 4.0 % srs_int
    );
    expect(byColumn).toEqual([0.5, 1.5, -1.5, -0.5, NaN, NaN, 3, null, 0]);
    expect(intByDouble).toEqual([1, 0, 1, 0, 1, 1, 0, null, 1]);
    expect(lhsLiteral).toEqual([0, 0, 1, 0, 4, 0, 0, null, 4]);
  });

  it("a literal divisor goes through its reciprocal, as Polars' scalar kernel (49.0 % 49.0 is 49.0 there)", async () => {
    // crates/polars-compute/src/arithmetic/float.rs: prim_wrapping_mod_scalar is x - rhs * floor(x * (1 / rhs)), and
    // 49 * (1 / 49) is 0.9999999999999999; a column divisor divides (prim_wrapping_mod): 0.
    const [byLiteral, byColumn] = await polars({ x: floats(49, 98, 0.5), d: floats(49, 49, 49) }, col("x").mod(49), col("x").mod(col("d")));
    expect(byLiteral).toEqual([49, 49, 0.5]);
    expect(byColumn).toEqual([0, 0, 0.5]);
  });
});

// Polars' float floor division by a scalar is floor(x * (1 / rhs)) (prim_wrapping_floor_div_scalar), by a column
// floor(x / rhs): they differ where x / rhs is a whole number that the reciprocal misses, as for mod.
describe("floorDiv by a literal goes through its reciprocal, as Polars' scalar kernel", () => {
  it("49.0 // 49 is 0.0 by a literal, 1.0 by a column; integers by an integer stay exact", async () => {
    const [byLiteral, byColumn, intByDouble, ints_] = await polars(
      { x: floats(49, 98, -49, 7.5), d: floats(49, 49, 49, 49), n: ints(49, 98, -49, 7) },
      col("x").floorDiv(49),
      col("x").floorDiv(col("d")),
      col("n").floorDiv(lit(49, "double")), // Polars: n // 49.0 casts n to Float64
      col("n").floorDiv(49),
    );
    expect(byLiteral).toEqual([0, 1, -1, 0]);
    expect(byColumn).toEqual([1, 2, -1, 0]);
    expect(intByDouble).toEqual([0, 1, -1, 0]);
    expect(ints_).toEqual([1, 2, -1, 0]);
  });
});
