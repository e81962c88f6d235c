import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { edgeCases } from "../../src/conformance/cases.ts";
import { edgeCaseStatements } from "../../src/conformance/edge-data.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col, concat, featureSet, type LazyFrame } from "../../src/dsl/index.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Read wide, write narrow (DESIGN.md §2) for the frame operations whose reads the time-range pass works out anew:
 * a backfill of any window, in any chunking and order, with a chunk repeated, writes exactly the rows that the
 * full-history computation has in that window. Over raw.edge_cases (600 rows over 2024–2025, with instants on
 * month and year edges).
 */
const set = (name: string, build: (t: LazyFrame) => LazyFrame, keys: string | string[] = "id"): FeatureSetDef =>
  featureSet({ name, inputs: { t: edgeCases }, keys, timestamp: "ts", build: ({ t }) => build(t) });

const SETS: FeatureSetDef[] = [
  // Each input over its own reach: a running sum needs all history before; a copy a day later, whose time the pass
  // does not follow, all of it.
  set("concat_slices", (t) =>
    concat([
      t.filter(col("grp").eq("a")).select("id", "ts", col("x").cumSum().over("k", { orderBy: "ts" }).alias("v")),
      t.filter(col("n").gt(0)).select(col("id").add(1000).alias("id"), "ts", col("y").alias("v")),
      t.filter(col("k").eq(1)).select(col("id").add(2000).alias("id"), col("ts").dt.offsetBy("1d").alias("ts"), col("x").alias("v")),
    ]),
  ),
  set("unique_first", (t) => t.sort("ts").unique("grp", { keep: "first" }).select("grp", "ts", "x"), "grp"),
  set("unique_last", (t) => t.sort(["n", "ts"], { descending: [true, false] }).unique(["grp", "k"], { keep: "last" }).select("id", "ts", "n")),
  set("unique_none", (t) => t.unique(["grp", "n"], { keep: "none" }).select("id", "ts", "grp")),
  // Both sides drive a coalesced time key; one side carries a 30-day rolling window (its own lookback).
  set("full_join_time_key", (t) =>
    t
      .filter(col("grp").isIn(["a", "b"]))
      .select("id", "ts", col("x").rollingSum("30d", { by: "ts" }).over("grp").alias("x30"))
      .join(t.filter(col("n").gt(0)).select("id", "ts", "n"), { on: ["id", "ts"], how: "full", coalesce: true }),
  ),
  // Both keys stay: the right's unmatched rows have no `ts` and must not be written.
  set("full_join_both_keys", (t) =>
    t.filter(col("grp").eq("a")).select("id", "ts", "x").join(t.filter(col("n").gt(0)).select("id", "ts", "n"), { on: ["id", "ts"], how: "full" }),
  ),
  set("full_join_left_time", (t) =>
    t.filter(col("grp").eq("a")).select("id", "ts", "k").join(t.filter(col("grp").eq("b")).select("k", col("ts").alias("ts2"), "y"), { on: "k", how: "full" }),
  ),
  // The right side is every third row, its time as `u`: read that far on both sides of the window, or all of it.
  set("asof_nearest_tolerance", (t) =>
    t.select("id", "ts", "grp").joinAsof(t.filter(col("id").mod(3).eq(0)).select("grp", col("ts").alias("u"), "x"), { leftOn: "ts", rightOn: "u", by: "grp", strategy: "nearest", tolerance: "10d" }),
  ),
  set("asof_nearest_strict", (t) =>
    t.select("id", "ts", "grp").joinAsof(t.filter(col("id").mod(3).eq(0)).select("grp", col("ts").alias("u"), "x"), { leftOn: "ts", rightOn: "u", by: "grp", strategy: "nearest", allowExactMatches: false }),
  ),
  set("top_k", (t) => t.sort(["x", "ts"], { descending: [true, false] }).groupBy("grp").head(3).select("id", "ts", "grp", "x")),
  set("first_in_time", (t) => t.sort("ts").groupBy("grp", "k").head(2).select("id", "ts", "grp", "k")),
  set("row_index", (t) => t.sort("ts").withRowIndex("row").select("id", "ts", "row")),
  set("right_join", (t) => t.filter(col("id").lt(60)).select("k", col("x").alias("lx")).join(t.select("id", "ts", "k"), { on: "k", how: "right" })),
];

const DAY = 86_400_000;
const ORIGIN = Date.UTC(2023, 11, 15);
const SPAN_DAYS = 640;
const instant = fc
  .tuple(fc.integer({ min: 0, max: SPAN_DAYS }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 24 * 60 - 1 })))
  .map(([day, minute]) => ORIGIN + day * DAY + minute * 60_000);
const chunkedWindow = fc
  .tuple(instant, instant, fc.array(instant, { maxLength: 2 }))
  .filter(([a, b]) => a !== b)
  .map(([a, b, cuts]) => {
    const [start, end] = a < b ? [a, b] : [b, a];
    const bounds = [...new Set([start, ...cuts.filter((c) => c > start && c < end), end])].sort((x, y) => x - y);
    const chunks = bounds.slice(1).map((e, i) => [bounds[i]!, e] as const);
    return { start, end, runs: [...chunks.reverse(), chunks[0]!] }; // latest first, then one again
  });

describe("frame operations: windowed and chunked backfills equal the full-history computation", () => {
  let warehouse: TestWarehouse;
  const graph = buildGraph([edgeCases, ...SETS]);
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: null });
    await warehouse.exec(...edgeCaseStatements());
  });
  afterAll(() => warehouse.cleanup());

  async function backfill(name: string, table: string, start: number, end: number): Promise<void> {
    const window = { start: new Date(start), end: new Date(end) };
    const jobs = planBackfill({ graph, sets: [name], window, dialect: DIALECTS.duckdb, tableFor: () => ({ schema: "features", name: table }) });
    const engine = await openDuckDB({ path: warehouse.dbPath, threads: 2 });
    try {
      await executeBackfill(jobs, engine);
    } finally {
      await engine.close();
    }
  }

  for (const def of SETS) {
    it(def.name, { timeout: 90_000 }, async () => {
      await backfill(def.name, `${def.name}_full`, Date.UTC(2023, 0, 1), Date.UTC(2027, 0, 1));
      await fc.assert(
        fc.asyncProperty(chunkedWindow, async ({ start, end, runs }) => {
          await warehouse.exec(`DROP TABLE IF EXISTS features.${def.name}`);
          for (const [s, e] of runs) await backfill(def.name, def.name, s, e);
          const [s, e] = [new Date(start).toISOString(), new Date(end).toISOString()];
          const actual = await warehouse.query(`SELECT * FROM features.${def.name}`);
          const expected = await warehouse.query(`SELECT * FROM features.${def.name}_full WHERE ts >= '${s}'::TIMESTAMPTZ AND ts < '${e}'::TIMESTAMPTZ`);
          expectSameRows(actual, expected, `${def.name} [${s}, ${e})`);
        }),
        { numRuns: 5, seed: 20261204, endOnFailure: true },
      );
    });
  }
});
