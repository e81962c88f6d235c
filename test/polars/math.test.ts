import { describe, expect, it } from "vitest";
import { col } from "../../src/dsl/index.ts";
import { floats, polars } from "./support.ts";

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
