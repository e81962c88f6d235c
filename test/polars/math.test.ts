import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { floats, ints, polars } from "./support.ts";

// py-polars/tests/unit/lazyframe/test_lazyframe.py: test_round, test_truncate, test_round_mode — (n, decimals, expected).
describe("round and truncate, as Polars computes them", () => {
  async function each(cases: [number, number, number][], expr: (decimals: number) => ReturnType<typeof col>) {
    const results = await polars({ value: floats(...cases.map(([n]) => n)) }, ...cases.map(([, d]) => expr(d)));
    return cases.map((_, i) => results[i]![i]);
  }

  it("round(decimals) rounds halves to even by default (test_round)", async () => {
    const cases: [number, number, number][] = [
      [1.005, 2, 1.0], [1234.00000254495, 10, 1234.000002545], [1835.665, 2, 1835.67], [-1835.665, 2, -1835.67],
      [2.49, 0, 2.0], [123.45678, 2, 123.46], [1254, 2, 1254.0], [1254, 0, 1254.0], [123.55, 0, 124.0],
      [123.55, 1, 123.6], [-1.23456789, 6, -1.234568], [1.0e-5, 5, 0.00001], [1.0e-20, 20, 1e-20], [1.0e20, 2, 1e20],
    ];
    // assert_series_equal compares within rtol 1e-5: Polars itself gives 1835.66 for 1835.665, since 1835.665 * 100
    // is exactly 183566.5 in doubles and round_ties_even takes it to the even 183566 (crates/polars-ops/src/series/
    // ops/round.rs), and 1234.0000025449 for the second case (12340000025449.498 rounds down).
    const got = await each(cases, (d) => col("value").round(d));
    got.forEach((v, i) => expect(Math.abs((v as number) - cases[i]![2])).toBeLessThanOrEqual(1e-8 + 1e-5 * Math.abs(cases[i]![2])));
    expect([got[1], got[2], got[3]]).toEqual([1234.0000025449, 1835.66, -1835.66]);
  });

  const modes: [number, number, number, number][] = [
    [0.5, 0, 0.0, 1.0], [1.5, 0, 2.0, 2.0], [2.5, 0, 2.0, 3.0], [-0.5, 0, -0.0, -1.0], [-1.5, 0, -2.0, -2.0],
    [2.25, 1, 2.2, 2.3], [2.75, 1, 2.8, 2.8], [-2.25, 1, -2.2, -2.3],
  ];
  it("mode: half_to_even and half_away_from_zero (test_round_mode)", async () => {
    const pairs = modes.map(([n, d]) => [n, d, 0] as [number, number, number]);
    expect(await each(pairs, (d) => col("value").round(d, { mode: "half_to_even" }))).toEqual(modes.map(([, , even]) => even));
    expect(await each(pairs, (d) => col("value").round(d, { mode: "half_away_from_zero" }))).toEqual(modes.map(([, , , away]) => away));
  });

  it("truncate(decimals) and round(mode: to_zero) (test_truncate)", async () => {
    const cases: [number, number, number][] = [
      [1.005, 2, 1.0], [1835.665, 2, 1835.66], [-1835.665, 2, -1835.66], [2.49, 0, 2.0], [123.45678, 2, 123.45],
      [1254, 2, 1254.0], [1254, 0, 1254.0], [123.55, 0, 123.0], [123.55, 1, 123.5], [1.0e20, 2, 1e20],
    ];
    expect(await each(cases, (d) => col("value").truncate(d))).toEqual(cases.map(([, , e]) => e));
    expect(await each(cases, (d) => col("value").round(d, { mode: "to_zero" }))).toEqual(cases.map(([, , e]) => e));
  });
});

// Polars' float functions (py-polars/src/polars/expr/expr.py docstrings: sign, sqrt, log, is_nan, is_finite,
// fill_nan; floor/ceil of test_lazyframe.py::test_floor): NaN and ±inf where SQL engines would fail the statement.
describe("floor, ceil, sign, sqrt, log, NaN and infinities", () => {
  it("sign keeps -0.0 (Expr.sign docstring); floor and ceil (test_floor)", async () => {
    const [sign, floor, ceil] = await polars({ a: floats(-9.0, -0.0, 0.0, 4.0, null) }, col("a").sign(), col("a").add(0.5).floor(), col("a").add(0.5).ceil());
    expect(sign).toEqual([-1.0, -0.0, 0.0, 1.0, null]);
    expect(floor).toEqual([-9, 0, 0, 4, null]);
    expect(ceil).toEqual([-8, 1, 1, 5, null]);
  });

  it("sqrt and log of negatives and zero are NaN and -inf; log in a base", async () => {
    const [sqrt, ln, log10, log2] = await polars({ a: floats(4, -1, 0, null, 8) }, col("a").sqrt(), col("a").log(), col("a").log(10), col("a").log(2));
    expect(sqrt).toEqual([2, NaN, 0, null, Math.sqrt(8)]);
    expect(ln).toEqual([Math.log(4), NaN, -Infinity, null, Math.log(8)]);
    expect(log10![0]).toBeCloseTo(Math.log10(4), 15);
    expect([log10![1], log10![2], log10![3]]).toEqual([NaN, -Infinity, null]);
    expect(log2![4]).toBeCloseTo(3, 15);
  });

  it("isNan, isFinite and fillNan (Expr.is_nan, is_finite, fill_nan docstrings: null stays null)", async () => {
    // NaN, -inf, a number and null, made by the functions above.
    const values = col("a").sqrt().log();
    const [nan, finite, filled] = await polars({ a: floats(-1, 0, 4, null) }, values.isNan(), values.isFinite(), values.fillNan(0));
    expect(nan).toEqual([true, false, false, null]);
    expect(finite).toEqual([false, false, true, null]);
    expect(filled).toEqual([0, -Infinity, Math.log(2), null]);
  });
});

describe("shift with a fill value, isBetween with closed", () => {
  // Expr.shift docstring: pl.col("a").shift(1, fill_value=100) on [1, 2, 3, 4] gives [100, 1, 2, 3].
  it("shift(n, { fillValue })", async () => {
    const [lag, lead] = await polars(
      { a: floats(1, 2, 3, 4), o: floats(0, 1, 2, 3) },
      col("a").shift(1, { fillValue: 100 }).over([], { orderBy: "o" }),
      col("a").shift(-2, { fillValue: 0 }).over([], { orderBy: "o" }),
    );
    expect(lag).toEqual([100, 1, 2, 3]);
    expect(lead).toEqual([3, 4, 0, 0]);
  });

  // Expr.is_between docstring: pl.col("num").is_between(2, 4, closed=…) on [1, 2, 3, 4, 5].
  it("isBetween(lo, hi, { closed })", async () => {
    const [both, left, right, none] = await polars(
      { num: floats(1, 2, 3, 4, 5) },
      col("num").isBetween(2, 4),
      col("num").isBetween(2, 4, { closed: "left" }),
      col("num").isBetween(2, 4, { closed: "right" }),
      col("num").isBetween(2, 4, { closed: "none" }),
    );
    expect(both).toEqual([false, true, true, true, false]);
    expect(left).toEqual([false, true, true, false, false]);
    expect(right).toEqual([false, false, true, true, false]);
    expect(none).toEqual([false, false, true, false, false]);
  });
});

// Expr.pow, Expr.exp and Expr.log1p docstrings (py-polars/src/polars/expr/expr.py), and IEEE 754's pow, exp and log1p
// at the edges, which Polars computes with Rust's f64::powf, exp and ln_1p.
describe("pow, exp, log1p", () => {
  it("pow: an integer for integers, a double otherwise (Expr.pow docstring)", async () => {
    const [cube, xlog2] = await polars({ x: ints(1, 2, 4, 8) }, col("x").pow(3), col("x").pow(col("x").log(2)));
    expect(cube).toEqual([1, 8, 64, 512]);
    xlog2!.forEach((v, i) => expect(v).toBeCloseTo([1, 2, 16, 512][i]!, 9));
  });

  it("pow: NaN for a negative base and a fractional exponent, inf for 0 to a negative power, null stays null", async () => {
    const [third, inverse, square] = await polars({ a: floats(-8, 0, 4, null) }, col("a").pow(1 / 3), col("a").pow(-1), col("a").pow(2));
    expect(third).toEqual([NaN, 0, 4 ** (1 / 3), null]);
    expect(inverse).toEqual([-0.125, Infinity, 0.25, null]);
    expect(square).toEqual([64, 0, 16, null]);
  });

  it("pow of an integer by a negative integer is refused, pointing to a double", async () => {
    await expect(polars({ x: ints(2) }, col("x").pow(-1))).rejects.toThrow(/negative exponent needs a double, e\.g\. col\("x"\)\.cast\("double"\)\.pow\(-1\)/);
  });

  it("exp (Expr.exp docstring), inf and 0 beyond the doubles' range, NaN stays NaN", async () => {
    const [e] = await polars({ values: floats(1, 2, 4, 1000, -1000, null) }, col("values").exp());
    expect(e).toEqual([Math.exp(1), Math.exp(2), Math.exp(4), Infinity, 0, null]);
    const [nan] = await polars({ a: floats(-1) }, col("a").sqrt().exp());
    expect(nan).toEqual([NaN]);
  });

  it("log1p (Expr.log1p docstring) keeps the digits of small values; NaN below -1, -inf at -1", async () => {
    const finite = [1, 2, 4, 1e-17, 1e-10, 0.1, -0.5, 2 ** -30];
    const [l] = await polars({ values: floats(...finite, -1, -2, null) }, col("values").log1p());
    // Within one ulp of the exact value (JavaScript's Math.log1p, as Rust's ln_1p, is within one too).
    finite.forEach((x, i) => expect(Math.abs((l![i] as number) / Math.log1p(x) - 1)).toBeLessThanOrEqual(2.3e-16));
    expect(l![3]).toBe(1e-17); // ln(1 + 1e-17) in doubles would be 0
    expect(l!.slice(8)).toEqual([-Infinity, NaN, null]);
  });
});
