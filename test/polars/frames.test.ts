import { describe, expect, it } from "vitest";
import { col, concat, featureSet, lit, source } from "../../src/dsl/index.ts";
import type { LazyFrame } from "../../src/dsl/frame.ts";
import { DefinitionError } from "../../src/errors.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
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

// narwhals tests/frame/unique_test.py; py-polars/tests/unit/operations/test_unique.py
describe("unique (Polars' unique): keep any, first, last, none", () => {
  const data = { a: ints(1, 3, 2), b: ints(4, 4, 6), z: floats(7.0, 8, 9) };
  const values = (out: Record<string, ResultValue[]>) => without(out, "id", "ts");

  it.each([
    ["first", { a: [1, 2], b: [4, 6], z: [7.0, 9.0] }],
    ["last", { a: [3, 2], b: [4, 6], z: [8.0, 9.0] }],
    ["none", { a: [2], b: [6], z: [9] }],
  ] as const)("keep %s of subset b, in the frame's row order (test_unique)", async (keep, expected) => {
    expect(values(await frame(data, (df) => df.sort("id").unique("b", { keep })))).toEqual(expected);
    expect(values(await frame(data, (df) => df.sort("id").unique(["b"], { keep, maintainOrder: true })))).toEqual(expected);
  });

  it("keep any of a subset is refused: which row Polars keeps is arbitrary, and the other columns differ", async () => {
    await expect(frame(data, (df) => df.unique("b"))).rejects.toThrow(
      expect.objectContaining({ constructor: DefinitionError, message: expect.stringMatching(/keeps an arbitrary row of each group, whose other columns \(id, ts, a, z\) could differ/) }),
    );
  });

  it("keep first or last without a sort is refused when the set is built: a table has no row order", async () => {
    await expect(frame(data, (df) => df.unique("b", { keep: "first" }))).rejects.toThrow(
      expect.objectContaining({ constructor: DefinitionError, message: expect.stringMatching(/unique\(keep: "first"\) needs an order, which a table's rows do not have: sort the frame right before/) }),
    );
    // Any other operation between sort() and unique() ends the order.
    await expect(frame(data, (df) => df.sort("id").filter(col("a").gt(0)).unique("b", { keep: "last" }))).rejects.toThrow(/needs an order/);
  });

  it("keep any without a subset: identical rows once (SELECT DISTINCT)", async () => {
    const out = await frame({ a: ints(1, 2, 3, 4, 4), b: strs("x", "y", "z", "w", "w") }, (df) => df.drop("id").unique(), { keys: "a" });
    expect(without(out, "ts")).toEqual({ a: [1, 2, 3, 4], b: ["x", "y", "z", "w"] });
  });

  it("keep last, then a filter: nothing left (test_unique_predicate_pd)", async () => {
    const lf = { x: strs("abc", "abc"), y: strs("xxx", "xxx"), z: { type: "boolean" as const, values: [true, false] } };
    expect(await frame(lf, (df) => df.sort("id").unique(["x", "y"], { keep: "last", maintainOrder: true }).filter(col("z")))).toEqual({});
    expect(values(await frame(lf, (df) => df.sort("id").unique(["x", "y"], { keep: "first" }).filter(col("z"))))).toEqual({ x: ["abc"], y: ["xxx"], z: [true] });
  });

  it("null subset values are equal; null order keys sort first, also descending, unless nullsLast", async () => {
    const nulls = { g: ints(null, null, 1, 1, 1), o: ints(5, 6, null, 2, 1) };
    expect(values(await frame(nulls, (df) => df.sort("o").unique("g", { keep: "first" })))).toEqual({ g: [null, 1], o: [5, null] });
    expect(values(await frame(nulls, (df) => df.sort("o").unique("g", { keep: "last" })))).toEqual({ g: [null, 1], o: [6, 2] });
    expect(values(await frame(nulls, (df) => df.sort("o", { descending: true }).unique("g", { keep: "first" })))).toEqual({ g: [null, 1], o: [6, null] });
    expect(values(await frame(nulls, (df) => df.sort("o", { nullsLast: true }).unique("g", { keep: "first" })))).toEqual({ g: [null, 1], o: [5, 1] });
    expect(values(await frame(nulls, (df) => df.unique("g", { keep: "none" })))).toEqual({});
  });

  it("a subset column the frame lacks is a planning error naming it", async () => {
    await expect(frame(data, (df) => df.unique("bb", { keep: "none" }))).rejects.toThrow(/unique\(\): "bb" is not a column/);
  });
});

// narwhals tests/frame/concat_test.py (test_concat_vertical); py-polars/tests/unit/functions/test_concat.py
describe("concat (Polars' concat, how vertical)", () => {
  const left = source({ name: "l", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", a: "bigint", b: "bigint", z: "double" }, backfill: { table: "l" } });
  const right = source({ name: "r", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", c: "bigint", d: "bigint" }, backfill: { table: "r" } });
  const at = (i: number) => `2025-01-0${i + 1}T00:00:00Z`;
  const rows = {
    l: [[1, 4, 7.0], [3, 4, 8.0], [2, 6, 9.0]].map(([a, b, z], i) => ({ id: i, ts: at(i), a: a!, b: b!, z: z! })),
    r: [[6, 0], [12, -4], [-1, 2]].map(([c, d], i) => ({ id: 10 + i, ts: at(i), c: c!, d: d! })),
  };
  const run = (build: (l: LazyFrame, r: LazyFrame) => LazyFrame, read: ("l" | "r")[] = ["l", "r"]) =>
    evaluate(
      featureSet({ name: "out", inputs: { l: left, r: right }, keys: "id", timestamp: "ts", build: ({ l, r }) => build(l, r) }),
      Object.fromEntries(read.map((name) => [name, rows[name]])),
    );

  it("stacks the rows of frames with one schema (test_concat_vertical)", async () => {
    const out = await run((l, r) => concat([l.rename({ a: "c", b: "d" }).drop("z"), r], { how: "vertical" }));
    expect(out.map((row) => [row.c, row.d])).toEqual([[1, 4], [3, 4], [2, 6], [6, 0], [12, -4], [-1, 2]]);
  });

  it("keeps duplicates (UNION ALL), and a filter on top sees every frame's rows", async () => {
    const out = await run((l) => concat([l, l.withColumns(col("id").add(100).alias("id")), l.filter(col("a").gt(1)).withColumns(col("id").add(200).alias("id"))]).filter(col("b").eq(4)), ["l"]);
    expect(out.map((row) => row.id)).toEqual([0, 1, 100, 101, 201]);
  });

  it("a frame filtered after its windows (QUALIFY) keeps its filter to itself", async () => {
    const out = await run((l) => concat([l.sort("id").unique("b", { keep: "first" }), l.withColumns(col("id").add(100).alias("id"))]), ["l"]);
    expect(out.map((row) => row.id)).toEqual([0, 2, 100, 101, 102]);
  });

  it("different names, types or order are a planning error naming the first differing column", async () => {
    await expect(run((l, r) => concat([l.drop("z"), r]))).rejects.toThrow(
      expect.objectContaining({ constructor: DefinitionError, message: expect.stringMatching(/concat\(\): frame 2 has "c" \(bigint\) as column 3, where the first frame has "a" \(bigint\)/) }),
    );
    await expect(run((l) => concat([l, l.withColumns(col("z").cast("bigint"))]), ["l"])).rejects.toThrow(/frame 2 has "z" \(bigint\) as column 5, where the first frame has "z" \(double\)/);
    await expect(run((l) => concat([l, l.select("id", "ts", "b", "a", "z")]), ["l"])).rejects.toThrow(/frame 2 has "b" \(bigint\) as column 3, where the first frame has "a"/);
    await expect(run((l) => concat([l, l.withColumns(lit(1).alias("extra"))]), ["l"])).rejects.toThrow(/frame 2 has "extra" \(integer\) as column 6, where the first frame has nothing/);
  });

  it("an empty list, or another how, is refused", () => {
    expect(() => concat([])).toThrow(/pass a list of frames/);
    expect(() => concat([], { how: "diagonal" as "vertical" })).toThrow(/only how: "vertical"/);
  });
});

describe("full and right joins (Polars' join, how full / right, coalesce)", () => {
  const a = source({ name: "a", keys: ["a"], timestamp: "ts", columns: { a: "bigint", b: "bigint", ts: "timestamp" }, backfill: { table: "a" } });
  const b = source({ name: "b", keys: ["a"], timestamp: "ts", columns: { a: "bigint", b: "bigint", c: "bigint", ts: "timestamp" }, backfill: { table: "b" } });
  const ts = "2025-01-01T00:00:00Z";
  const rows = { a: [1, 2, 3].map((v) => ({ a: v, b: v, ts })), b: [1, 3].map((v) => ({ a: v, b: v, c: v, ts })) };
  const build = (join: (a: LazyFrame, b: LazyFrame) => LazyFrame, keys: string[], timestamp: string) =>
    featureSet({ name: "out", inputs: { a, b }, keys, timestamp, build: ({ a, b }) => join(a, b) });
  /** The join's own columns, in its order (a set's output puts keys and timestamp first). */
  const columnsOf = (set: ReturnType<typeof build>) => {
    const graph = buildGraph([set]);
    return typeGraph(graph).get("out")!.relSchemas.get(graph.sets.get("out")!.rel)!.map((c) => c.name);
  };
  const valuesOf = (out: Record<string, ResultValue>[], ...names: string[]) => Object.fromEntries(names.map((n) => [n, out.map((r) => r[n])]));

  // py-polars/tests/unit/operations/test_join_right.py (test_right_join_schemas); ts is a column of both frames here.
  it("right, coalesced (the default): the left's other columns, then the right's with its keys", async () => {
    const set = build((a, b) => a.join(b, { on: "a", how: "right" }), ["a"], "ts_right");
    expect(columnsOf(set)).toEqual(["b", "ts", "a", "b_right", "c", "ts_right"]);
    expect(valuesOf(await evaluate(set, rows), "b", "a", "b_right", "c")).toEqual({ b: [1, 3], a: [1, 3], b_right: [1, 3], c: [1, 3] });
  });

  it("right, the other way round: unmatched right rows have nulls on the left", async () => {
    const set = build((a, b) => b.join(a, { on: "a", how: "right", coalesce: true }), ["a"], "ts_right");
    expect(columnsOf(set)).toEqual(["b", "c", "ts", "a", "b_right", "ts_right"]);
    expect(valuesOf(await evaluate(set, rows), "b", "c", "a", "b_right")).toEqual({ b: [1, null, 3], c: [1, null, 3], a: [1, 2, 3], b_right: [1, 2, 3] });
  });

  it("right, not coalesced: every column of both", async () => {
    expect(columnsOf(build((a, b) => a.join(b, { on: "a", how: "right", coalesce: false }), ["a_right"], "ts_right"))).toEqual(["a", "b", "ts", "a_right", "b_right", "c", "ts_right"]);
    expect(columnsOf(build((a, b) => b.join(a, { on: "a", how: "right", coalesce: false }), ["a_right"], "ts_right"))).toEqual(["a", "b", "c", "ts", "a_right", "b_right", "ts_right"]);
  });

  // narwhals tests/frame/join_test.py (test_full_join)
  it("full, not coalesced (the default): both keys, the right one suffixed; unmatched rows of both sides", async () => {
    const l = source({ name: "l", keys: ["id"], timestamp: "ts", columns: { id: "bigint", name: "varchar", age: "bigint", ts: "timestamp" }, backfill: { table: "l" } });
    const r = source({ name: "r", keys: ["id"], timestamp: "ts", columns: { id: "bigint", department: "varchar", salary: "bigint", ts: "timestamp" }, backfill: { table: "r" } });
    const set = featureSet({
      name: "out",
      inputs: { l, r },
      keys: ["id", "id_right"],
      timestamp: "ts",
      // A row from one side has no time from the other: without a time a row is in no window, so take either.
      build: ({ l, r }) => l.join(r, { on: "id", how: "full" }).withColumns(col("ts").fillNull(col("ts_right")).alias("ts")),
    });
    const out = await evaluate(set, {
      l: [[1, "Alice", 25], [2, "Bob", 30], [3, "Charlie", 35]].map(([id, name, age]) => ({ id: id!, name: name!, age: age!, ts })),
      r: [[2, "HR", 50000], [3, "Engineering", 60000], [4, "Marketing", 70000]].map(([id, department, salary]) => ({ id: id!, department: department!, salary: salary!, ts })),
    });
    expect(columnsOf(set)).toEqual(["id", "name", "age", "ts", "id_right", "department", "salary", "ts_right"]);
    expect(valuesOf(out, "id", "name", "age", "id_right", "department", "salary")).toEqual({
      id: [1, 2, 3, null],
      name: ["Alice", "Bob", "Charlie", null],
      age: [25, 30, 35, null],
      id_right: [null, 2, 3, 4],
      department: [null, "HR", "Engineering", "Marketing"],
      salary: [null, 50000, 60000, 70000],
    });
  });

  it("full, coalesced: one key, the left's where the left row exists, else the right's; null keys never match", async () => {
    const set = build((a, b) => a.join(b, { on: "a", how: "full", coalesce: true }).withColumns(col("ts").fillNull(col("ts_right")).alias("ts")), ["a"], "ts");
    expect(columnsOf(set)).toEqual(["a", "b", "ts", "b_right", "c", "ts_right"]);
    const out = await evaluate(set, { a: [...rows.a, { a: null, b: 9, ts }], b: [...rows.b, { a: 4, b: 4, c: 4, ts }, { a: null, b: 8, c: 8, ts }] });
    const sorted = [...out].sort((x, y) => Number(x.b ?? 100) - Number(y.b ?? 100) || Number(x.c) - Number(y.c));
    expect(valuesOf(sorted, "a", "b", "b_right", "c")).toEqual({ a: [1, 2, 3, null, 4, null], b: [1, 2, 3, 9, null, null], b_right: [1, null, 3, null, 4, 8], c: [1, null, 3, null, 4, 8] });
  });

  it("a key pair of types with no common type is a planning error, as for every join", async () => {
    const s = source({ name: "s", keys: ["a"], timestamp: "ts", columns: { a: "varchar", ts: "timestamp" }, backfill: { table: "s" } });
    const set = featureSet({ name: "out", inputs: { a, s }, keys: "a", timestamp: "ts", build: ({ a, s }) => a.join(s, { on: "a", how: "full", coalesce: true }) });
    expect(() => typeGraph(buildGraph([set]))).toThrow(/join\(\) cannot match bigint "a" with varchar "a"/);
  });
});

// py-polars/tests/unit/operations/test_join_asof.py, with each integer key k as the date 2020-01-01 + k days (the
// DSL's as-of joins match on time).
describe("joinAsof nearest and allowExactMatches (Polars' join_asof strategy=\"nearest\", allow_exact_matches)", () => {
  const day = (k: number) => new Date(Date.UTC(2020, 0, 1 + k)).toISOString().slice(0, 10);
  const key = (d: ResultValue) => (d === null ? null : Math.round((Date.parse(`${d}T00:00:00Z`) - Date.UTC(2020, 0, 1)) / 86_400_000));
  const l = source({ name: "l", keys: ["id"], timestamp: "t", columns: { id: "bigint", t: "date", g: "bigint", a: "bigint" }, backfill: { table: "l" } });
  const r = source({ name: "r", keys: ["rid"], timestamp: "rt", columns: { rid: "bigint", rt: "date", g: "bigint", b: "bigint" }, backfill: { table: "r" } });
  async function asof(left: number[], right: number[], options: Parameters<LazyFrame["joinAsof"]>[1], groups: { left?: number[]; right?: number[] } = {}) {
    const set = featureSet({ name: "out", inputs: { l, r }, keys: "id", timestamp: "t", build: ({ l, r }) => l.joinAsof(r.drop("rid"), options) });
    const out = await evaluate(set, {
      l: left.map((k, i) => ({ id: i, t: day(k), g: groups.left?.[i] ?? 0, a: i + 1 })),
      r: right.map((k, i) => ({ rid: i, rt: day(k), g: groups.right?.[i] ?? 0, b: i + 1 })),
    });
    return { b: out.map((row) => row.b!), rt: out.map((row) => key(row.rt!)) };
  }

  it("the nearer of the backward and the forward match (test_asof_join_nearest)", async () => {
    expect((await asof([-1, 1, 2, 4, 6], [-1, 2, 4, 5], { leftOn: "t", rightOn: "rt", strategy: "nearest" })).b).toEqual([1, 2, 2, 3, 4]);
    // The last right row matches several left rows.
    expect((await asof([9, 9, 10, 10, 10], [1, 2, 3, 10], { leftOn: "t", rightOn: "rt", strategy: "nearest" })).b).toEqual([4, 4, 4, 4, 4]);
  });

  it("per by-group, on dates (test_asof_join_nearest_by_date)", async () => {
    const out = await asof([-2, 0, 1, 5, 0], [0, 1, 4, 0], { leftOn: "t", rightOn: "rt", by: "g", strategy: "nearest" }, { left: [1, 1, 1, 2, 2], right: [1, 1, 2, 2] });
    expect(out.b).toEqual([1, 1, 2, 3, 4]);
  });

  it.each([
    [[1], [2], [2]],
    [[1, 2], [1, 2], [2, 1]],
    [[1, 1], [1, 1], [null, null]],
    [[1, 2, 2, 2, 3], [1, 2, 2, 2, 3], [2, 3, 3, 3, 2]],
  ])("without exact matches, equally near: the later one (test_join_asof_nearest_no_exact_matches_25468: %j, %j)", async (left, right, expected) => {
    expect((await asof(left, right, { leftOn: "t", rightOn: "rt", strategy: "nearest", allowExactMatches: false })).rt).toEqual(expected);
  });

  it("backward and forward without exact matches: strictly before, strictly after", async () => {
    expect((await asof([1, 2, 3], [1, 2, 3], { leftOn: "t", rightOn: "rt", allowExactMatches: false })).rt).toEqual([null, 1, 2]);
    expect((await asof([1, 2, 3], [1, 2, 3], { leftOn: "t", rightOn: "rt", strategy: "forward", allowExactMatches: false })).rt).toEqual([2, 3, null]);
    expect((await asof([1, 2, 3], [1, 2, 3], { leftOn: "t", rightOn: "rt" })).rt).toEqual([1, 2, 3]);
  });

  it("nearest within a tolerance: beyond it, no match (test_asof_join_nearest_with_tolerance)", async () => {
    const nearest = { leftOn: "t", rightOn: "rt", strategy: "nearest", tolerance: "1d" } as const;
    expect((await asof([1, 2, 3, 4, 5], [7, 8, 9, 10, 11], nearest)).b).toEqual([null, null, null, null, null]);
    expect((await asof([7, 8, 9, 10, 11], [1, 2, 3, 4, 5], nearest)).b).toEqual([null, null, null, null, null]);
    expect((await asof([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], nearest)).b).toEqual([null, null, null, null, 1]);
    // Equally near (3 days each way), both beyond a 1-day tolerance.
    expect((await asof([1, 5, 10], [2, 8], nearest)).b).toEqual([1, null, null]);
    expect((await asof([1, 5, 10], [2, 8], { leftOn: "t", rightOn: "rt", strategy: "nearest", tolerance: "2d" })).b).toEqual([1, null, 2]);
  });
});

// py-polars/tests/unit/dataframe/test_df.py (test_head_group_by)
describe("top-k per group: sort(…).groupBy(keys).head(n) / tail(n) (Polars' group_by().head / tail)", () => {
  it("the two highest prices per (commodity, location), keys first", async () => {
    const prices = {
      commodity: strs("Wheat", "Wheat", "Wheat", "Wheat", "Corn", "Corn", "Corn", "Corn", "Corn"),
      location: strs("StPaul", "StPaul", "StPaul", "Chicago", "Chicago", "Chicago", "Chicago", "Chicago", "Chicago"),
      seller: strs("Bob", "Charlie", "Susan", "Paul", "Ed", "Mary", "Paul", "Charlie", "Norman"),
      price: floats(1.0, 0.7, 0.8, 0.55, 2.0, 3.0, 2.4, 1.8, 2.1),
    };
    const out = await frame(prices, (df) => df.sort("price", { descending: true }).groupBy("commodity", "location").head(2));
    const rows = out.id!.map((_, i) => [out.commodity![i], out.location![i], out.seller![i], out.price![i]]);
    expect(rows.sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      ["Corn", "Chicago", "Mary", 3.0],
      ["Corn", "Chicago", "Paul", 2.4],
      ["Wheat", "Chicago", "Paul", 0.55],
      ["Wheat", "StPaul", "Bob", 1.0],
      ["Wheat", "StPaul", "Susan", 0.8],
    ]);
  });

  it("head and tail in the frame's row order; the keys come first", async () => {
    const letters = { letters: strs("c", "c", "a", "c", "a", "b"), nrs: ints(1, 2, 3, 4, 5, 6) };
    const tail = await frame(letters, (df) => df.sort("id").groupBy("letters").tail(2));
    expect(without(tail, "id", "ts")).toEqual({ letters: ["c", "a", "c", "a", "b"], nrs: [2, 3, 4, 5, 6] });
    const head = await frame(letters, (df) => df.sort("id").groupBy("letters").head(2));
    expect(without(head, "id", "ts")).toEqual({ letters: ["c", "c", "a", "a", "b"], nrs: [1, 2, 3, 5, 6] });
    const graph = buildGraph([featureSet({ name: "o", inputs: { d: source({ name: "d", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", letters: "varchar" }, backfill: { table: "d" } }) }, keys: "id", timestamp: "ts", build: ({ d }) => d.sort("id").groupBy("letters").head(1) })]);
    expect(typeGraph(graph).get("o")!.relSchemas.get(graph.sets.get("o")!.rel)!.map((c) => c.name)).toEqual(["letters", "id", "ts"]);
  });

  it("without a sort right before, or with an expression as a key, it is refused", async () => {
    const letters = { letters: strs("c"), nrs: ints(1) };
    await expect(frame(letters, (df) => df.groupBy("letters").head(2))).rejects.toThrow(/groupBy\(…\)\.head\(n\) takes rows in an order, which a table's rows do not have: sort the frame before grouping/);
    await expect(frame(letters, (df) => df.sort("id").groupBy(col("letters").str.toUppercase().alias("L")).head(2))).rejects.toThrow(/takes column names as keys: compute "L" with withColumns\(\) first/);
  });
});

// py-polars/tests/unit/dataframe/test_df.py (test_with_row_index)
describe("withRowIndex (Polars' with_row_index), in the order of a sort", () => {
  it("numbers the rows from 0, or from an offset, as the first column", async () => {
    const data = { a: ints(1, 1, 3), b: floats(1.0, 2.0, 2.0) };
    const out = await frame(data, (df) => df.sort("id").withRowIndex());
    expect(without(out, "ts")).toEqual({ id: [0, 1, 2], index: [0, 1, 2], a: [1, 1, 3], b: [1.0, 2.0, 2.0] });
    expect((await frame(data, (df) => df.sort("b", { descending: true }).sort(["b", "id"], { descending: [true, false] }).withRowIndex("i", 1))).i).toEqual([3, 1, 2]);
  });

  it("without a sort right before, it is refused: a table's rows have no order", async () => {
    await expect(frame({ a: ints(1) }, (df) => df.withRowIndex())).rejects.toThrow(/withRowIndex\(\) numbers rows in an order, which a table's rows do not have/);
    await expect(frame({ a: ints(1) }, (df) => df.sort("a").withRowIndex("a"))).rejects.toThrow(/column "a" is produced twice/);
  });
});
