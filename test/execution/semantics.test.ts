import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col, featureSet, len, lit, source, when } from "../../src/dsl/index.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import { DefinitionError, InterruptedError } from "../../src/errors.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import type { FeatureSetDef } from "../../src/ir/definitions.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

/** Semantics the DSL promises (Polars' where SQL differs), checked by running them in DuckDB. */
const events = source({
  name: "events",
  keys: ["id"],
  timestamp: "ts",
  columns: { id: "bigint", ts: "timestamp", x: "double", n: "integer" },
  backfill: { table: "raw.events" },
});

const WINDOW = parseWindow("2025-01-01", "2025-01-03");

async function backfill(warehouse: TestWarehouse, set: FeatureSetDef, options: { signal?: AbortSignal } = {}) {
  const jobs = planBackfill({
    graph: buildGraph([set]),
    sets: [set.name],
    window: WINDOW,
    dialect: DIALECTS.duckdb,
    tableFor: (name) => ({ schema: "features", name }),
  });
  const engine = await openDuckDB({ path: warehouse.dbPath });
  try {
    return await executeBackfill(jobs, engine, options);
  } finally {
    await engine.close();
  }
}


describe("DSL semantics on DuckDB", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: null });
    await warehouse.exec(
      "CREATE SCHEMA raw",
      "CREATE TABLE raw.events (id BIGINT, ts TIMESTAMP, x DOUBLE, n INTEGER)",
      `INSERT INTO raw.events VALUES
         (1, TIMESTAMP '2025-01-01 10:00:00', 2.7, 1), (1, TIMESTAMP '2025-01-01 11:00:00', -2.7, NULL),
         (2, TIMESTAMP '2025-01-02 00:00:00', NULL, NULL), (2, TIMESTAMP '2025-01-02 23:59:59', NULL, 5)`,
    );
  });
  afterAll(() => warehouse.cleanup());

  it("casts truncate toward zero, sums of only nulls are 0, double literals are doubles, a literal key groups", async () => {
    const set = featureSet({
      name: "semantics",
      inputs: { events },
      keys: ["id"],
      timestamp: "day",
      build: ({ events }) =>
        events
          .groupBy("id", col("ts").dt.truncate("1d").alias("day"), lit(4).alias("bucket"))
          .agg(
            col("x").cast("bigint").sum().alias("truncated_sum"),
            col("x").sum().alias("x_sum"),
            col("n").sum().alias("n_sum"),
            lit(0.1).add(lit(0.2)).eq(lit(0.3)).cast("integer").max().alias("decimal_equality"),
            len().alias("rows"),
          ),
    });
    await backfill(warehouse, set);
    expect(await warehouse.query("SELECT * FROM features.semantics ORDER BY id")).toEqual([
      // 2.7 -> 2 and -2.7 -> -2 (SQL's CAST would round to 3 and -3); 0.1 + 0.2 <> 0.3 in doubles.
      { id: 1n, day: new Date("2025-01-01T00:00:00Z"), bucket: 4, truncated_sum: 0n, x_sum: 0, n_sum: 1n, decimal_equality: 0, rows: 2n },
      { id: 2n, day: new Date("2025-01-02T00:00:00Z"), bucket: 4, truncated_sum: 0n, x_sum: 0, n_sum: 5n, decimal_equality: 0, rows: 2n },
    ]);
  });

  it("a chain that reads computed columns twice compiles to linear-size SQL", () => {
    const set = featureSet({ name: "doubling", inputs: { events }, keys: ["id"], timestamp: "ts", build: ({ events }) => {
      let frame = events.select("id", "ts", "x");
      for (let i = 0; i < 30; i++) frame = frame.withColumns(col("x").add(col("x")).alias("x"));
      return frame;
    } });
    const [job] = planBackfill({ graph: buildGraph([set]), sets: ["doubling"], window: WINDOW, dialect: DIALECTS.duckdb, tableFor: (name) => ({ name }) });
    // 30 levels of x + x: substituting would double the SQL at each level (2^30 references).
    expect(job!.write[1]!.sql.length).toBeLessThan(30_000);
  });

  it("a failed first run leaves no table behind: the DDL rolls back with the transaction", async () => {
    const failing = featureSet({
      name: "fails_at_runtime",
      inputs: { events },
      keys: ["id"],
      timestamp: "ts",
      build: ({ events }) => events.select("id", "ts", when(col("n").eq(5)).then(lit("five")).otherwise(col("n").cast("varchar")).cast("integer").alias("bad")),
    });
    await expect(backfill(warehouse, failing)).rejects.toThrow(/Conversion Error/);
    expect(await warehouse.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'fails_at_runtime'")).toEqual([]);
  });

  it("an aborted signal stops the run before the warehouse is touched", async () => {
    const set = featureSet({ name: "never_written", inputs: { events }, keys: ["id"], timestamp: "ts", build: ({ events }) => events.select("id", "ts", "x") });
    const controller = new AbortController();
    controller.abort();
    await expect(backfill(warehouse, set, { signal: controller.signal })).rejects.toThrow(InterruptedError);
    expect(await warehouse.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'never_written'")).toEqual([]);
  });
});

describe("source tables are checked against their declarations", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: null });
  });
  afterAll(() => warehouse.cleanup());

  const copy = featureSet({ name: "copy", inputs: { events }, keys: ["id"], timestamp: "ts", build: ({ events }) => events.select("id", "ts", "x") });

  it.each([
    ["a zoned timestamp", "ts TIMESTAMPTZ, x DOUBLE, n INTEGER", /column "ts" is declared timestamp but raw\.events\.ts is TIMESTAMP WITH TIME ZONE; timestamps are read as UTC/],
    ["text where a number is declared", "ts TIMESTAMP, x VARCHAR, n INTEGER", /column "x" is declared double but raw\.events\.x is VARCHAR/],
    ["a missing column", "ts TIMESTAMP, x DOUBLE", /source table raw\.events has no column "n"; it has id, ts, x/],
  ])("%s is refused before anything is written", async (_, columns, message) => {
    await warehouse.exec("CREATE SCHEMA IF NOT EXISTS raw", "DROP TABLE IF EXISTS raw.events", `CREATE TABLE raw.events (id BIGINT, ${columns})`);
    const run = backfill(warehouse, copy);
    await expect(run).rejects.toThrow(DefinitionError);
    await expect(run).rejects.toThrow(message);
    expect(await warehouse.query("SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'features'")).toEqual([]);
  });

  it("a DECIMAL column reads as a declared double", async () => {
    await warehouse.exec("DROP TABLE IF EXISTS raw.events", "CREATE TABLE raw.events (id BIGINT, ts TIMESTAMP, x DECIMAL(10, 2), n INTEGER)", "INSERT INTO raw.events VALUES (1, TIMESTAMP '2025-01-01 00:00:00', 1.25, 1)");
    await backfill(warehouse, copy);
    expect(await warehouse.query("SELECT * FROM features.copy")).toEqual([{ id: 1n, ts: new Date("2025-01-01T00:00:00Z"), x: 1.25 }]);
  });
});
