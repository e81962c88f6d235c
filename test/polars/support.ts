import { col, type Expr, featureSet, source } from "../../src/dsl/index.ts";
import type { DType } from "../../src/ir/dtype.ts";
import { evaluate, type FixtureValue, type ResultValue } from "../../src/testing/evaluate.ts";

/**
 * Polars' test cases, stated as Polars states them: columns of values (a DataFrame), an expression, the expected
 * column. The frame gets an `id` (the row's position) and a timestamp so it can be a feature set; `evaluate()` runs it
 * on DuckDB, and the results come back in the frame's row order.
 */
export function polars(columns: Record<string, { type: DType; values: FixtureValue[] }>, ...exprs: Expr[]): Promise<ResultValue[][]> {
  return run(columns, exprs, false);
}

/** Aggregates over the whole frame (`df.select(pl.col("a").n_unique())`): one value per expression. */
export async function polarsAgg(columns: Record<string, { type: DType; values: FixtureValue[] }>, ...aggs: Expr[]): Promise<ResultValue[]> {
  return (await run(columns, aggs, true)).map(([value]) => value!);
}

async function run(columns: Record<string, { type: DType; values: FixtureValue[] }>, exprs: Expr[], grouped: boolean): Promise<ResultValue[][]> {
  const names = Object.keys(columns);
  const n = columns[names[0]!]!.values.length;
  const frame = source({
    name: "df",
    keys: ["id"],
    timestamp: "ts",
    columns: { id: "bigint", ts: "timestamp", ...Object.fromEntries(names.map((c) => [c, columns[c]!.type])) },
    backfill: { table: "df" },
  });
  const set = featureSet({
    name: "out",
    inputs: { df: frame },
    keys: "id",
    timestamp: "ts",
    build: ({ df }) =>
      grouped
        ? df.groupBy(col("id").mul(0).alias("id"), "ts").agg(...exprs.map((e, i) => e.alias(`out${i}`)))
        : df.select("id", "ts", ...exprs.map((e, i) => e.alias(`out${i}`))),
  });
  const rows = Array.from({ length: n }, (_, i) => ({
    id: i,
    ts: "2025-01-01T00:00:00Z",
    ...Object.fromEntries(names.map((c) => [c, columns[c]!.values[i]!])),
  }));
  const out = await evaluate(set, { df: rows });
  return exprs.map((_, i) => out.map((r) => r[`out${i}`]!));
}

export const ints = (...values: (number | null)[]) => ({ type: "bigint" as const, values });
export const floats = (...values: (number | null)[]) => ({ type: "double" as const, values });
export const strs = (...values: (string | null)[]) => ({ type: "varchar" as const, values });
