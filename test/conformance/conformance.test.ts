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
import { DECLARED_TYPE_CASES, DOUBLE_OVERFLOW, edgeCases, EXAMPLE_SETS, OPERATION_CASES as EDGE_CASES, UNSUPPORTED_ON_POSTGRES } from "../../src/conformance/cases.ts";
import { DECLARED_TYPES_STATEMENT, edgeCaseStatements } from "../../src/conformance/edge-data.ts";
import type { DemoDataOptions } from "../../scripts/demo-data.ts";

/** Every operation case: those `doctor` runs too, and those over raw.declared_types. */
const OPERATION_CASES = [...EDGE_CASES, ...DECLARED_TYPE_CASES];

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
  const operations = buildGraph([edgeCases, ...OPERATION_CASES.map((c) => c.set), DOUBLE_OVERFLOW.set, ...UNSUPPORTED_ON_POSTGRES.map((u) => u.case.set)]);

  beforeAll(async () => {
    [warehouse, db, examples] = await Promise.all([
      makeWarehouse({ data: CONFORMANCE_DATA }),
      makeTestDatabase(),
      loadFeatureGraph(path.join(REPO, "features")),
    ]);
    await warehouse.exec(...edgeCaseStatements());
    await copyToPostgres(warehouse, db, RAW_TABLES);
    // DECIMAL columns have no IR type to copy through: both engines derive the table from raw.edge_cases instead.
    await warehouse.exec(DECLARED_TYPES_STATEMENT);
    await db.query(DECLARED_TYPES_STATEMENT);
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

    // Not only the same on both engines: the values the DSL promises, Polars' (docs/writing-features.md).
    describe("pinned to Polars' values", () => {
      type Raw = Record<string, any>;
      let raw: Map<bigint, Raw>;
      beforeAll(async () => {
        const rows = await warehouse.query(
          `SELECT e.id, n, m, k, x, y, d, CAST(e.ts AS VARCHAR) AS ts_text, CAST(dx AS DOUBLE) AS dx, ix, ib, CAST(mx AS DOUBLE) AS mx
           FROM raw.edge_cases e JOIN raw.declared_types t ON t.id = e.id`,
        );
        raw = new Map(rows.map((r) => [r.id as bigint, r]));
      });

      /** Every row of a case, on both engines, against `expected(raw row)` as v1, v2, …; `undefined` skips a value. */
      function expectPolars(name: string, expected: (r: Raw) => unknown[]) {
        const set = OPERATION_CASES.find((c) => c.name === name)!.set.name;
        const full = outcomes.get(set)![0]!; // the whole table
        for (const engine of ["duckdb", "postgres"] as const) {
          expect(full.rows[engine].length).toBe(raw.size);
          for (const row of full.rows[engine]) {
            expected(raw.get(row.id as bigint)!).forEach((want, i) => {
              if (want === undefined) return;
              const got = row[`v${i + 1}`];
              const label = `${engine}: ${name}: id ${row.id} v${i + 1}: got ${String(got)}, expected ${String(want)}`;
              if (typeof want === "number" && typeof got === "number" && Number.isFinite(want)) {
                expect(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), label).toBe(true);
              } else {
                expect(String(got), label).toBe(String(want));
              }
            });
          }
        }
      }
      const overZero = (v: number | null) => (v === null ? null : v > 0 ? Infinity : v < 0 ? -Infinity : NaN);
      const floorDiv = (a: bigint, b: bigint) => a / b - (a % b !== 0n && a < 0n !== b < 0n ? 1n : 0n);
      const big = (v: unknown) => (v === null ? null : BigInt(v as number | bigint));
      const text = (v: number | null) => (v === null ? null : Number.isInteger(v) ? `${v}.0` : String(v));

      it("division, floorDiv and mod by zero", () =>
        expectPolars(OPERATION_CASES.find((c) => c.name.startsWith("division, floorDiv and mod by zero"))!.name, (r) => [
          overZero(r.n), r.y === null ? null : overZero(r.x), null, overZero(r.x),
          null, r.x === null || r.y === null ? null : NaN, null, null,
        ]));

      it("integer floorDiv in integers", () =>
        expectPolars(OPERATION_CASES.find((c) => c.name.startsWith("integer floorDiv"))!.name, (r) => {
          const m = big(r.m);
          const k = BigInt(r.k);
          const b = m === null ? null : m * 10_000_000n + 1n;
          return [b === null ? null : floorDiv(b, k), b, r.n === null ? null : floorDiv(BigInt(r.n), k), m === null ? null : floorDiv(m, -7n)];
        }));

      // Polars' floored modulo: integers by the divisor's sign; doubles l - r * floor(l / r), by a literal through its
      // reciprocal (crates/polars-compute/src/arithmetic/float.rs), in the same double operations.
      const imod = (a: bigint | null, b: bigint | null) => {
        if (a === null || b === null || b === 0n) return null;
        const r = a % b;
        return r !== 0n && r < 0n !== b < 0n ? r + b : r;
      };
      const fmod = (l: number | null, r: number | null) => (l === null || r === null ? null : r === 0 ? NaN : l - r * Math.floor(l / r));
      const fmodScalar = (l: number | null, r: number) => (l === null ? null : l - r * Math.floor(l * (1 / r)));
      it("mod by literals and columns", () =>
        expectPolars("mod by literals and columns, as Polars' kernels", (r) => [
          imod(big(r.n), -3n), imod(big(r.m), -7n), fmodScalar(r.x, -2.5), fmodScalar(r.x, 0.1),
          imod(big(r.m), BigInt(r.k)), imod(7n, big(r.n)), fmod(7.5, r.n), fmod(r.y, r.x),
        ]));
      it("floorDiv by literals", () =>
        expectPolars("floorDiv by literals, as Polars' scalar kernel", (r) => {
          const scalar = (l: number | null, d: number) => (l === null ? null : Math.floor(l * (1 / d)));
          return [scalar(r.x, 0.1), scalar(r.x, 49), scalar(r.x, -2.5), scalar(r.n, 3), r.y === null || r.x === null ? null : Math.floor(r.y / r.x)];
        }));

      it("casts to varchar", () =>
        expectPolars(OPERATION_CASES.find((c) => c.name.startsWith("casts to varchar with Polars"))!.name, (r) => [
          r.x === null || Number.isInteger(r.x) ? text(r.x) : undefined, // other doubles: the engines' shortest digits, compared above
          r.n === null ? null : r.n > 0 ? "inf" : r.n < 0 ? "-inf" : "NaN",
          r.d === null ? null : (r.d as Date).toISOString().slice(0, 10),
          `${(r.ts_text as string).split(".")[0]}.${((r.ts_text as string).split(".")[1] ?? "").padEnd(6, "0")}`,
          r.n === null ? null : `${r.n}.0`,
        ]));

      it("source columns declared double or bigint compute in the declared type", () =>
        expectPolars(OPERATION_CASES.find((c) => c.name.startsWith("source columns declared"))!.name, (r) => [
          r.dx === null ? null : r.dx / 3, text(r.dx), r.ix === null ? null : r.ix * r.ix,
          r.ib === null ? null : BigInt(r.ib) * BigInt(r.ib), r.ix === null ? null : r.ix / 7, text(r.mx),
        ]));
    });
  });

  it("known divergence: a double overflowing is ±Infinity in DuckDB (as in Polars) and an error in PostgreSQL", async () => {
    const [start, end] = DOUBLE_OVERFLOW.windows[0]!;
    await backfill("duckdb", operations, [DOUBLE_OVERFLOW.set.name], start, end);
    const [duck] = await warehouse.query(`SELECT count(*) FILTER (WHERE isinf(v1)) AS infinite FROM features.${DOUBLE_OVERFLOW.set.name}`);
    expect(duck!.infinite as bigint).toBeGreaterThan(0n);
    await expect(backfill("postgres", operations, [DOUBLE_OVERFLOW.set.name], start, end)).rejects.toThrow(/value out of range: overflow/);
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
