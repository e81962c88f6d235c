import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import type { DialectName } from "../../src/dialects/sql-dialect.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import type { Engine } from "../../src/engines/engine.ts";
import { openPostgres } from "../../src/engines/postgres/postgres-engine.ts";
import { buildGraph, type FeatureGraph } from "../../src/graph/feature-graph.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import type { TableRef } from "../../src/ir/definitions.ts";
import { DOUBLE_TOLERANCE, expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { UnsupportedError } from "../../src/errors.ts";
import { DIVISION_BY_ZERO, edgeCases, EXAMPLE_SETS, OPERATION_CASES, UNSUPPORTED_ON_POSTGRES } from "../../src/conformance/cases.ts";
import { edgeCaseStatements } from "../../src/conformance/edge-data.ts";
import type { DemoDataOptions } from "../../scripts/demo-data.ts";

/** The engines compared here: the two that run in this suite (Snowflake is out of reach). */
type Engines = "duckdb" | "postgres";

/**
 * Cross-engine conformance: the same definitions, backfilled on DuckDB and on PostgreSQL over the same rows, must
 * write the same offline rows — doubles within DOUBLE_TOLERANCE relative error (aggregation order differs between
 * engines), timestamps compared to the microsecond as text. The cases are in ./cases.ts.
 */
/** Smaller than SMALL_DATA (PostgreSQL is the slow side) but with every edge case: customers 1 and 11 have
 * transactions on month boundaries, 7 and 14 none; balances have nulls and gaps. */
const CONFORMANCE_DATA: DemoDataOptions = { customers: 16, from: "2024-01-01", days: 700, transactionsPerCustomer: 40 };

const RAW_TABLES: TableRef[] = [
  { schema: "raw", name: "customer_accounts" },
  { schema: "raw", name: "card_transactions" },
  { schema: "raw", name: "credit_applications" },
  { schema: "raw", name: "edge_cases" },
];

describe.skipIf(!postgresAvailable)(`DuckDB and PostgreSQL write the same rows (doubles to ${DOUBLE_TOLERANCE} relative)`, () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  let postgres: Engine;
  let examples: FeatureGraph;
  const operations = buildGraph([edgeCases, ...OPERATION_CASES.map((c) => c.set), DIVISION_BY_ZERO.set, ...UNSUPPORTED_ON_POSTGRES.map((u) => u.case.set)]);

  beforeAll(async () => {
    [warehouse, db, examples] = await Promise.all([
      makeWarehouse({ data: CONFORMANCE_DATA }),
      makeTestDatabase(),
      loadFeatureGraph(path.join(REPO, "features")),
    ]);
    await warehouse.exec(...edgeCaseStatements());
    await copyToPostgres(warehouse, db, RAW_TABLES);
    postgres = await openPostgres(db.settings);
  });
  afterAll(async () => {
    await postgres?.close();
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  /** Backfills `sets` on one engine (DuckDB is opened per run: reading its file afterwards needs the lock). */
  async function backfill(dialect: DialectName, graph: FeatureGraph, sets: string[], start: string, end: string) {
    const jobs = planBackfill({ graph, sets, window: parseWindow(start, end), dialect: DIALECTS[dialect], tableFor: (name) => ({ schema: "features", name }) });
    if (dialect === "postgres") return { jobs, results: await executeBackfill(jobs, postgres) };
    const duck = await openDuckDB({ path: warehouse.dbPath, threads: 2 });
    try {
      return { jobs, results: await executeBackfill(jobs, duck) };
    } finally {
      await duck.close();
    }
  }

  /** The offline table's rows on one engine, timestamps as text so microseconds count. */
  function read(dialect: DialectName, set: string, columns: readonly { name: string; type: string }[]) {
    const select = columns.map((c) => (c.type === "timestamp" ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"` : `"${c.name}"`)).join(", ");
    const text = `SELECT ${select} FROM features."${set}"`;
    return dialect === "duckdb" ? warehouse.query(text) : db.query(text);
  }

  interface Outcome {
    readonly label: string;
    readonly written: Record<Engines, number>;
    readonly deleted: Record<Engines, number>;
    readonly rows: Record<Engines, Record<string, unknown>[]>;
  }

  /**
   * Backfills all `sets` on both engines, window after window into the same tables (so each DELETE meets the rows of
   * the windows before), and reads every table after each window. One run per engine and window keeps this fast.
   */
  async function runEverywhere(graph: FeatureGraph, sets: { set: string; windows: [string, string][] }[]): Promise<Map<string, Outcome[]>> {
    const outcomes = new Map(sets.map(({ set }) => [set, [] as Outcome[]]));
    const windows = [...new Map(sets.flatMap((s) => s.windows).map((w) => [w.join(), w])).values()];
    for (const [start, end] of windows) {
      const names = sets.filter((s) => s.windows.some((w) => w.join() === [start, end].join())).map((s) => s.set);
      const duck = await backfill("duckdb", graph, names, start, end);
      const pg = await backfill("postgres", graph, names, start, end);
      for (const [i, job] of duck.jobs.entries()) {
        outcomes.get(job.set)!.push({
          label: `${job.set} after [${start}, ${end})`,
          written: { duckdb: duck.results[i]!.rowsWritten, postgres: pg.results[i]!.rowsWritten },
          deleted: { duckdb: duck.results[i]!.rowsDeleted, postgres: pg.results[i]!.rowsDeleted },
          rows: { duckdb: await read("duckdb", job.set, job.columns), postgres: await read("postgres", job.set, job.columns) },
        });
      }
    }
    return outcomes;
  }

  function expectSame(outcomes: Outcome[] | undefined) {
    expect(outcomes?.length, "windows run").toBeGreaterThan(0);
    for (const { label, written, deleted, rows } of outcomes!) {
      expect(written.postgres, `${label}: rows written`).toBe(written.duckdb);
      expect(deleted.postgres, `${label}: rows deleted`).toBe(deleted.duckdb);
      expect(rows.duckdb.length, `${label}: the case must produce rows`).toBeGreaterThan(0);
      expectSameRows(rows.postgres, rows.duckdb, label);
    }
  }

  it("the source tables were copied exactly", async () => {
    for (const { schema, name } of RAW_TABLES) {
      const all = `SELECT * FROM ${schema}.${name}`;
      const [duck, pg] = [await warehouse.query(all), await db.query(all)];
      expect(duck.length).toBeGreaterThan(name === "credit_applications" ? 10 : 500);
      expectSameRows(pg, duck, `${schema}.${name}`);
    }
  });

  it("raw.edge_cases has no two rows at the same ts (cases ordering windows and as-of joins by it rely on it)", async () => {
    const [row] = await warehouse.query("SELECT count(*) = count(DISTINCT ts) AS unique_ts FROM raw.edge_cases");
    expect(row!.unique_ts).toBe(true);
  });

  describe("example sets, over several windows", () => {
    let outcomes: Map<string, Outcome[]>;
    beforeAll(async () => {
      outcomes = await runEverywhere(examples, EXAMPLE_SETS);
    });
    for (const { set } of EXAMPLE_SETS) it(set, () => expectSame(outcomes.get(set)));
  });

  describe("operations over edge cases", () => {
    let outcomes: Map<string, Outcome[]>;
    beforeAll(async () => {
      outcomes = await runEverywhere(operations, OPERATION_CASES.map((c) => ({ set: c.set.name, windows: c.windows })));
    });
    for (const { name, set } of OPERATION_CASES) it(name, () => expectSame(outcomes.get(set.name)));
  });

  it("known divergence: division by zero is ±Infinity or NaN in DuckDB (as in Polars) and an error in PostgreSQL", async () => {
    const [start, end] = DIVISION_BY_ZERO.windows[0]!;
    await backfill("duckdb", operations, [DIVISION_BY_ZERO.set.name], start, end);
    const [duck] = await warehouse.query(
      `SELECT count(v1) AS non_null, count(*) FILTER (WHERE isinf(v1)) AS infinite, count(*) FILTER (WHERE isnan(v1)) AS nan
       FROM features.${DIVISION_BY_ZERO.set.name}`,
    );
    expect(duck!.non_null).toBe(545n); // every row with a non-null n
    expect([(duck!.infinite as bigint) > 0n, (duck!.nan as bigint) > 0n, (duck!.infinite as bigint) + (duck!.nan as bigint)]).toEqual([true, true, 545n]);
    await expect(backfill("postgres", operations, [DIVISION_BY_ZERO.set.name], start, end)).rejects.toThrow(/division by zero/);
  });

  for (const { case: c, operation } of UNSUPPORTED_ON_POSTGRES) {
    it(`unsupported on PostgreSQL, found when planning: ${c.name} (DuckDB runs it)`, async () => {
      const [start, end] = c.windows[0]!;
      const duck = await backfill("duckdb", operations, [c.set.name], start, end);
      expect(duck.results[0]!.rowsWritten).toBeGreaterThan(0);
      const planning = backfill("postgres", operations, [c.set.name], start, end);
      await expect(planning).rejects.toThrow(UnsupportedError);
      await expect(planning).rejects.toThrow(`${operation} is not supported by the postgres dialect`);
      expect(await db.query(`SELECT to_regclass('features.${c.set.name}') AS t`)).toEqual([{ t: null }]);
    });
  }
});
