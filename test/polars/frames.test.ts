import { describe, expect, it } from "vitest";
import { col, featureSet, source } from "../../src/dsl/index.ts";
import type { LazyFrame } from "../../src/dsl/frame.ts";
import { DefinitionError } from "../../src/errors.ts";
import type { DType } from "../../src/ir/dtype.ts";
import { evaluate, type FixtureValue, type ResultValue } from "../../src/testing/evaluate.ts";

/**
 * Frame operations as Polars states them: a frame of columns (with an `id`, its row position, and a timestamp `ts`
 * so that it can be a feature set), an operation, the expected frame. `evaluate()` runs them on DuckDB; rows come
 * back ordered by the set's keys, columns in the output's order.
 */
async function frame(
  columns: Record<string, { type: DType; values: FixtureValue[] }>,
  build: (df: LazyFrame) => LazyFrame,
  set: { keys?: string | string[]; timestamp?: string } = {},
): Promise<Record<string, ResultValue[]>> {
  const names = Object.keys(columns);
  const df = source({
    name: "df",
    keys: ["id"],
    timestamp: "ts",
    columns: { id: "bigint", ts: "timestamp", ...Object.fromEntries(names.map((c) => [c, columns[c]!.type])) },
    backfill: { table: "df" },
  });
  const out = featureSet({ name: "out", inputs: { df }, keys: set.keys ?? "id", timestamp: set.timestamp ?? "ts", build: ({ df }) => build(df) });
  const rows = columns[names[0]!]!.values.map((_, i) => ({ id: i, ts: "2025-01-01T00:00:00Z", ...Object.fromEntries(names.map((c) => [c, columns[c]!.values[i]!])) }));
  const result = await evaluate(out, { df: rows });
  const outNames = result[0] ? Object.keys(result[0]) : [];
  return Object.fromEntries(outNames.map((c) => [c, result.map((r) => r[c]!)]));
}

const ints = (...values: (number | null)[]) => ({ type: "bigint" as const, values });
const floats = (...values: (number | null)[]) => ({ type: "double" as const, values });
const strs = (...values: (string | null)[]) => ({ type: "varchar" as const, values });
const without = (result: Record<string, ResultValue[]>, ...names: string[]) =>
  Object.fromEntries(Object.entries(result).filter(([name]) => !names.includes(name)));

// py-polars/tests/unit/lazyframe/test_rename.py
describe("rename (Polars' rename)", () => {
  it("swaps two columns at once (test_lazy_rename)", async () => {
    const out = await frame({ x: ints(1), y: ints(2) }, (df) => df.rename({ y: "x", x: "y" }).select("id", "ts", "x", "y"));
    expect(without(out, "id", "ts")).toEqual({ x: [2], y: [1] });
  });

  it("a chain of renames in one mapping (test_rename_mapping_19400)", async () => {
    const out = await frame({ a: ints(1), b: ints(2) }, (df) => df.rename({ a: "b", b: "c" }));
    expect(without(out, "id", "ts")).toEqual({ b: [1], c: [2] });
  });

  it("keeps the columns' places", async () => {
    const out = await frame({ a: ints(1), b: strs("x"), c: floats(0.5) }, (df) => df.rename({ b: "B" }));
    expect(Object.keys(out)).toEqual(["id", "ts", "a", "B", "c"]);
  });

  it("renames the key and the timestamp: the set declares the new names", async () => {
    const out = await frame({ v: ints(5, 6) }, (df) => df.rename({ id: "row", ts: "at" }), { keys: "row", timestamp: "at" });
    expect(out).toEqual({ row: [0, 1], at: ["2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"], v: [5, 6] });
  });

  it("a column the frame lacks is a planning error naming it, as Polars' ColumnNotFoundError", async () => {
    await expect(frame({ x: ints(1), y: ints(2) }, (df) => df.rename({ b: "a", y: "x", a: "b", x: "y" }))).rejects.toThrow(
      expect.objectContaining({ constructor: DefinitionError, message: expect.stringMatching(/rename\(\): "b" is not a column; the frame has id, ts, x, y/) }),
    );
  });

  it("a new name that another column keeps is a planning error (Polars: duplicate)", async () => {
    await expect(frame({ x: ints(1), y: ints(2) }, (df) => df.rename({ x: "y" }))).rejects.toThrow(/column "y" is produced twice/);
  });
});

// narwhals tests/frame/drop_test.py
describe("drop (Polars' drop)", () => {
  const data = { abc: ints(1, 3, 2), b: ints(4, 4, 6), z: floats(7.0, 8.0, 9.0) };

  it("one column, or several (test_drop)", async () => {
    expect(Object.keys(await frame(data, (df) => df.drop("abc")))).toEqual(["id", "ts", "b", "z"]);
    expect(without(await frame(data, (df) => df.drop(["abc", "b"])), "id", "ts")).toEqual({ z: [7, 8, 9] });
    expect(Object.keys(await frame(data, (df) => df.drop("abc", "b")))).toEqual(["id", "ts", "z"]);
  });

  it("a column the frame lacks is a planning error naming it (test_drop_strict)", async () => {
    await expect(frame(data, (df) => df.drop("z", "zz"))).rejects.toThrow(/drop\(\): "zz" is not a column; the frame has id, ts, abc, b, z/);
  });

  it("dropping the set's timestamp leaves the set without it: a planning error", async () => {
    await expect(frame(data, (df) => df.drop("ts"))).rejects.toThrow(/the output lacks its timestamp column "ts"/);
  });

  it("after a rename, drop and filter read the new names", async () => {
    const out = await frame(data, (df) => df.rename({ abc: "a" }).drop("b").filter(col("a").gt(1)));
    expect(without(out, "ts")).toEqual({ id: [1, 2], a: [3, 2], z: [8, 9] });
  });
});
