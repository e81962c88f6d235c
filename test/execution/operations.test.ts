import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col, concatStr, featureSet, type LazyFrame, len, lit, source } from "../../src/dsl/index.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Each operation of the vocabulary on a few rows chosen for their edge cases (nulls, ties, gaps, values exactly at
 * a window's open bound), with the expected values worked out by hand in the comments.
 */
const events = source({
  name: "events",
  keys: ["id"],
  timestamp: "d",
  columns: { id: "bigint", d: "date", ts: "timestamp", x: "double", s: "varchar", flag: "boolean" },
  backfill: { table: "raw.events" },
});
const a = source({ name: "a", keys: ["k"], timestamp: "t", columns: { k: "bigint", t: "timestamp", v: "double" }, backfill: { table: "raw.a" } });
const b = source({ name: "b", keys: ["k"], timestamp: "u", columns: { k: "bigint", u: "timestamp", v: "double", w: "varchar" }, backfill: { table: "raw.b" } });

const WINDOW = parseWindow("2024-01-01", "2026-01-01");

describe("the transformation vocabulary on DuckDB, against hand-worked values", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: null });
    await warehouse.exec(
      "CREATE SCHEMA raw",
      "CREATE TABLE raw.events (id BIGINT, d DATE, ts TIMESTAMP, x DOUBLE, s VARCHAR, flag BOOLEAN)",
      `INSERT INTO raw.events VALUES
         (1, DATE '2025-01-01', TIMESTAMP '2025-01-01 10:00:00', 1.0, 'Apple', true),
         (1, DATE '2025-01-02', TIMESTAMP '2025-01-02 10:00:00', NULL, 'banana', false),
         (1, DATE '2025-01-04', TIMESTAMP '2025-01-04 09:00:00', 3.0, NULL, NULL),
         (1, DATE '2025-01-31', TIMESTAMP '2025-01-31 12:00:00', -2.5, 'cherry', true),
         (2, DATE '2025-01-01', TIMESTAMP '2025-01-01 23:59:59', 10.0, 'Date', false),
         (2, DATE '2025-01-03', TIMESTAMP '2025-01-03 00:00:00', 10.0, 'eggplant', false)`,
      "CREATE TABLE raw.a (k BIGINT, t TIMESTAMP, v DOUBLE)",
      `INSERT INTO raw.a VALUES (1, '2025-01-01', 1), (2, '2025-01-02', 2), (NULL, '2025-01-03', 3), (4, '2025-01-04', 4)`,
      "CREATE TABLE raw.b (k BIGINT, u TIMESTAMP, v DOUBLE, w VARCHAR)",
      `INSERT INTO raw.b VALUES (1, '2025-01-01', 10, 'x'), (1, '2025-01-05', 11, 'y'), (2, '2025-01-01', 20, 'z'), (NULL, '2025-01-01', 30, 'n')`,
    );
  });
  afterAll(() => warehouse.cleanup());

  async function backfill(set: FeatureSetDef): Promise<void> {
    const jobs = planBackfill({ graph: buildGraph([set]), sets: [set.name], window: WINDOW, dialect: DIALECTS.duckdb, tableFor: (name) => ({ schema: "features", name }) });
    const engine = await openDuckDB({ path: warehouse.dbPath });
    try {
      await executeBackfill(jobs, engine);
    } finally {
      await engine.close();
    }
  }
  /** The offline table without its keys and timestamp, BIGINTs as numbers. */
  async function rows(set: FeatureSetDef, orderBy: string): Promise<Record<string, unknown>[]> {
    await backfill(set);
    const result = await warehouse.query(`SELECT * EXCLUDE (id, d) FROM features.${set.name} ORDER BY ${orderBy}`);
    return result.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
  }
  const perRow = (name: string, build: (frames: { events: LazyFrame }) => LazyFrame) =>
    featureSet({ name, inputs: { events }, keys: ["id"], timestamp: "d", build });

  it("windows: lag, lead, diff, cumulative, ranks, row and time rolling, partition aggregates", async () => {
    const set = perRow("windows", ({ events }) =>
      events.select(
        "id",
        "d",
        col("x").shift(1).over("id", { orderBy: "d" }).alias("lag"),
        col("x").shift(-1).over("id", { orderBy: "d" }).alias("lead"),
        col("x").diff().over("id", { orderBy: "d" }).alias("diff"),
        col("x").cumSum().over("id", { orderBy: "d" }).alias("cum_sum"),
        col("x").cumCount().over("id", { orderBy: "d" }).alias("cum_count"),
        col("x").rank().over("id").alias("rank"),
        col("d").rank({ method: "ordinal", descending: true }).over("id").alias("recency"),
        col("x").rollingMean(2).over("id", { orderBy: "d" }).alias("mean_2_rows"),
        col("x").rollingSum("3d", { by: "d" }).over("id").alias("sum_3d"),
        col("x").rollingSum("24h", { by: "ts" }).over("id").alias("sum_24h"),
        col("x").sub(col("x").mean().over("id")).alias("vs_mean"),
      ),
    );
    // id 1 (x = 1, null, 3, -2.5 on Jan 1, 2, 4, 31) then id 2 (x = 10, 10 on Jan 1, 3: tied, so both rank 1.5).
    expect(await rows(set, "id, d")).toEqual([
      { lag: null, lead: null, diff: null, cum_sum: 1, cum_count: 1, rank: 2, recency: 4, mean_2_rows: null, sum_3d: 1, sum_24h: 1, vs_mean: 0.5 },
      { lag: 1, lead: 3, diff: null, cum_sum: null, cum_count: 1, rank: null, recency: 3, mean_2_rows: null, sum_3d: 1, sum_24h: null, vs_mean: null },
      { lag: null, lead: -2.5, diff: null, cum_sum: 4, cum_count: 2, rank: 3, recency: 2, mean_2_rows: null, sum_3d: 3, sum_24h: 3, vs_mean: 2.5 },
      { lag: 3, lead: null, diff: -5.5, cum_sum: 1.5, cum_count: 3, rank: 1, recency: 1, mean_2_rows: 0.25, sum_3d: -2.5, sum_24h: -2.5, vs_mean: -3 },
      // Time windows are (t - d, t]: above, Jan 2 10:00 does not see Jan 1 10:00 (exactly 24h back); below, Jan 3
      // 00:00 does not see Jan 1 23:59:59 (24h 1s back).
      { lag: null, lead: 10, diff: null, cum_sum: 10, cum_count: 1, rank: 1.5, recency: 2, mean_2_rows: null, sum_3d: 10, sum_24h: 10, vs_mean: 0 },
      { lag: 10, lead: null, diff: 0, cum_sum: 20, cum_count: 2, rank: 1.5, recency: 1, mean_2_rows: 10, sum_3d: 20, sum_24h: 10, vs_mean: 0 },
    ]);
  });

  it("a filter on a window keeps the latest row per key (QUALIFY)", async () => {
    const set = perRow("latest", ({ events }) =>
      events.filter(col("d").rank({ method: "ordinal", descending: true }).over("id").eq(1)).select("id", "d", "x"),
    );
    expect(await rows(set, "x")).toEqual([{ x: -2.5 }, { x: 10 }]);
  });

  it("row-wise functions", async () => {
    const set = perRow("functions", ({ events }) =>
      events.filter(col("id").eq(1)).select(
        "id",
        "d",
        col("s").str.toLowercase().alias("lower"),
        col("s").str.lenChars().alias("len"),
        col("s").str.contains("an").alias("has_an"),
        col("s").str.startsWith("b").alias("starts_b"),
        col("s").str.endsWith("e").alias("ends_e"),
        col("s").str.slice(1, 3).alias("slice"),
        col("s").str.replaceAll("a", "A").alias("replaced"),
        concatStr(["s", col("s").str.toUppercase()], "-").alias("joined"),
        col("d").dt.weekday().alias("weekday"),
        col("ts").dt.hour().alias("hour"),
        col("d").dt.offsetBy("-1mo").alias("month_earlier"),
        col("ts").dt.daysSince(lit("2024-12-31T12:00:00Z", "timestamp")).alias("days"),
        col("x").floorDiv(2).alias("floor_half"),
        col("x").mul(1.5).round().alias("rounded"),
        col("x").clip(0, 2).alias("clipped"),
        col("x").isIn([1, 3]).alias("in_1_3"),
        col("x").isBetween(-3, 1).alias("between"),
      ),
    );
    expect(await rows(set, "d")).toEqual([
      // 2025-01-01 is a Wednesday; halves round to even, as Polars: 1.5 to 2, 4.5 to 4; -3.75 to -4.
      { lower: "apple", len: 5, has_an: false, starts_b: false, ends_e: true, slice: "ppl", replaced: "Apple", joined: "Apple-APPLE", weekday: 3, hour: 10, month_earlier: new Date("2024-12-01T00:00:00Z"), days: 0, floor_half: 0, rounded: 2, clipped: 1, in_1_3: true, between: true },
      { lower: "banana", len: 6, has_an: true, starts_b: true, ends_e: false, slice: "ana", replaced: "bAnAnA", joined: "banana-BANANA", weekday: 4, hour: 10, month_earlier: new Date("2024-12-02T00:00:00Z"), days: 1, floor_half: null, rounded: null, clipped: null, in_1_3: null, between: null },
      { lower: null, len: null, has_an: null, starts_b: null, ends_e: null, slice: null, replaced: null, joined: null, weekday: 6, hour: 9, month_earlier: new Date("2024-12-04T00:00:00Z"), days: 3, floor_half: 1, rounded: 4, clipped: 2, in_1_3: true, between: false },
      // Jan 31 minus a month clamps to Dec 31; 30 days and 24 hours after Dec 31 12:00 is Jan 31 12:00.
      { lower: "cherry", len: 6, has_an: false, starts_b: false, ends_e: false, slice: "her", replaced: "cherry", joined: "cherry-CHERRY", weekday: 5, hour: 12, month_earlier: new Date("2024-12-31T00:00:00Z"), days: 31, floor_half: -2, rounded: -4, clipped: 0, in_1_3: false, between: true },
    ]);
  });

  it("aggregates: var, median, quantile, distinct count, any/all, first/last by time, conditional", async () => {
    const set = perRow("aggregates", ({ events }) =>
      events.groupBy("id", col("d").dt.truncate("1y").alias("d")).agg(
        col("x").var().alias("var"),
        col("x").median().alias("median"),
        col("x").quantile(0.25, { interpolation: "linear" }).alias("q25"),
        col("s").nUnique().alias("distinct_s"),
        col("flag").any().alias("any"),
        col("flag").all().alias("all"),
        col("x").sortBy("d").last().alias("latest_x"),
        col("s").sortBy("d").first().alias("first_s"),
        col("x").filter(col("flag")).sum().alias("flagged_sum"),
        len().alias("rows"),
      ),
    );
    // id 1: x = 1, 3, -2.5 (one null): mean 0.5, squared deviations 0.25 + 6.25 + 9 = 15.5 over 2; the 25% point
    // of (-2.5, 1, 3) interpolates halfway from -2.5 to 1; its s has a null, which nUnique counts (as Polars). id 2:
    // x = 10, 10; no flag is true.
    expect(await rows(set, "distinct_s DESC")).toEqual([
      { var: 7.75, median: 1, q25: -0.75, distinct_s: 4, any: true, all: false, latest_x: -2.5, first_s: "Apple", flagged_sum: -1.5, rows: 4 },
      { var: 0, median: 10, q25: 10, distinct_s: 2, any: false, all: false, latest_x: 10, first_s: "Date", flagged_sum: 0, rows: 2 },
    ]);
  });

  describe("joins", () => {
    const joinSet = (name: string, how: "inner" | "left" | "semi" | "anti") =>
      featureSet({ name, inputs: { a, b }, keys: ["k"], timestamp: "t", build: ({ a, b }) => a.join(b, { on: "k", how }) });
    /** Backfills the set and reads its whole table, times as dates. */
    const run = async (set: FeatureSetDef) => {
      await backfill(set);
      return (await warehouse.query(`SELECT * FROM features.${set.name} ORDER BY ALL`)).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v])),
      );
    };

    it("inner and left joins keep the left keys and suffix the right duplicates; null keys never match", async () => {
      expect(await run(joinSet("inner_join", "inner"))).toEqual([
        { k: 1, t: "2025-01-01", v: 1, u: "2025-01-01", v_right: 10, w: "x" },
        { k: 1, t: "2025-01-01", v: 1, u: "2025-01-05", v_right: 11, w: "y" },
        { k: 2, t: "2025-01-02", v: 2, u: "2025-01-01", v_right: 20, w: "z" },
      ]);
      expect((await run(joinSet("left_join", "left"))).map((r) => [r.k, r.w])).toEqual([[1, "x"], [1, "y"], [2, "z"], [4, null], [null, null]]);
    });

    it("semi and anti joins keep left rows with and without a match (a null key has none)", async () => {
      expect((await run(joinSet("semi_join", "semi"))).map((r) => r.v)).toEqual([1, 2]);
      expect((await run(joinSet("anti_join", "anti"))).map((r) => r.v)).toEqual([4, 3]);
    });

    it("as-of joins: backward, forward, with a tolerance", async () => {
      const asof = (name: string, options: { strategy?: "backward" | "forward"; tolerance?: string }) =>
        featureSet({ name, inputs: { a, b }, keys: ["k"], timestamp: "t", build: ({ a, b }) => a.joinAsof(b, { leftOn: "t", rightOn: "u", by: "k", ...options }) });
      const pick = (r: Record<string, unknown>) => [r.k, r.v_right];
      // k=1 at Jan 1 meets b's Jan 1 row (equal times match); k=2 at Jan 2 meets Jan 1; null and 4 meet nothing.
      expect((await run(asof("asof_backward", {}))).map(pick)).toEqual([[1, 10], [2, 20], [4, null], [null, null]]);
      // Within 12 hours only k=1 (0 apart) matches; k=2's row is 24 hours old.
      expect((await run(asof("asof_tolerance", { tolerance: "12h" }))).map(pick)).toEqual([[1, 10], [2, null], [4, null], [null, null]]);
      // Forward: k=1 at Jan 1 meets Jan 1 (not Jan 5); k=2 has nothing at or after Jan 2.
      expect((await run(asof("asof_forward", { strategy: "forward" }))).map(pick)).toEqual([[1, 10], [2, null], [4, null], [null, null]]);
    });
  });
});
