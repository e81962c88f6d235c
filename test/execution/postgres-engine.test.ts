import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import type { Engine } from "../../src/engines/engine.ts";
import { openPostgres } from "../../src/engines/postgres/postgres-engine.ts";
import { ConnectionError, DefinitionError, RunError } from "../../src/errors.ts";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.ts";
import { featureSet, source } from "../../src/dsl/index.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const sql = (text: string) => ({ sql: text, parameters: [] });

describe.skipIf(!postgresAvailable)("PostgreSQL engine", () => {
  let db: TestDatabase;
  let engine: Engine;
  beforeAll(async () => {
    db = await makeTestDatabase();
    engine = await openPostgres(db.settings);
  });
  afterAll(async () => {
    await engine?.close();
    await db?.cleanup();
  });

  it("maps PostgreSQL's types to the IR's families in one catalog query, resolving names as quoted SQL does", async () => {
    await db.query(`CREATE SCHEMA raw`);
    await db.query(`CREATE TABLE raw.every_type (
      b boolean, s2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, num numeric(12, 2), t text,
      vc varchar(20), ch char(3), d date, ts timestamp, tstz timestamptz, j jsonb, dropped integer)`);
    await db.query(`ALTER TABLE raw.every_type DROP COLUMN dropped`);
    await db.query(`CREATE TABLE public."MixedCase" (id bigint)`);
    await db.query(`CREATE VIEW raw.a_view AS SELECT i8, ts FROM raw.every_type`);

    const query = vi.spyOn(pg.Client.prototype, "query");
    const [everyType, mixed, folded, unqualified, view, missing] = await engine.describeTables([
      { schema: "raw", name: "every_type" },
      { schema: "public", name: "MixedCase" },
      { schema: "public", name: "mixedcase" }, // quoted names are case-sensitive in PostgreSQL
      { name: "MixedCase" }, // through the search_path
      { schema: "raw", name: "a_view" },
      { schema: "nope", name: "every_type" },
    ]);
    expect(query).toHaveBeenCalledTimes(1);
    query.mockRestore();

    expect(everyType!.map((c) => [c.name, c.type, c.dtype])).toEqual([
      ["b", "boolean", "boolean"],
      ["s2", "smallint", "integer"],
      ["i4", "integer", "integer"],
      ["i8", "bigint", "bigint"],
      ["f4", "real", "double"],
      ["f8", "double precision", "double"],
      ["num", "numeric(12,2)", "decimal"],
      ["t", "text", "varchar"],
      ["vc", "character varying(20)", "varchar"],
      ["ch", "character(3)", "other"], // blank-padded: comparisons ignore trailing spaces, unlike the IR's strings
      ["d", "date", "date"],
      ["ts", "timestamp without time zone", "timestamp"],
      ["tstz", "timestamp with time zone", "timestamptz"],
      ["j", "jsonb", "other"],
    ]);
    expect(mixed).toEqual([{ name: "id", type: "bigint", dtype: "bigint" }]);
    expect(folded).toBeUndefined();
    expect(unqualified).toEqual(mixed);
    expect(view!.map((c) => c.dtype)).toEqual(["bigint", "timestamp"]);
    expect(missing).toBeUndefined();
  });

  it.each([
    ["a declared lower-case name against a quoted mixed-case column", "amount", 'column "amount" is written "amount" in the postgres statements, but raw.cased has it as "Amount" (quoted names are case-sensitive there): declare it as "Amount"'],
    ["a declared mixed-case name against an unquoted column", "Total", 'column "Total" is written "Total" in the postgres statements, but raw.cased has it as "total" (quoted names are case-sensitive there): declare it as "total"'],
  ])("%s is refused before any DDL, naming both spellings", async (_, column, message) => {
    await db.query(`CREATE SCHEMA IF NOT EXISTS raw`);
    await db.query(`CREATE TABLE IF NOT EXISTS raw.cased (id bigint, ts timestamp, "Amount" double precision, Total double precision)`);
    const cased = source({ name: "cased", keys: ["id"], timestamp: "ts", columns: { id: "bigint", ts: "timestamp", [column]: "double" }, backfill: { table: "raw.cased" } });
    const set = featureSet({ name: "cased_copy", inputs: { cased }, keys: ["id"], timestamp: "ts", build: ({ cased }) => cased.select("id", "ts", column) });
    const jobs = planBackfill({ graph: buildGraph([cased, set]), sets: ["cased_copy"], window: parseWindow("2025-01-01", "2025-02-01"), dialect: postgresDialect, tableFor: (name) => ({ schema: "case_check", name }) });
    const run = executeBackfill(jobs, engine);
    await expect(run).rejects.toThrow(DefinitionError);
    await expect(run).rejects.toThrow(message);
    expect(await db.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'case_check'`)).toEqual([]);
  });

  it("runs every session in UTC, whatever the database's default zone", async () => {
    await db.query(`ALTER DATABASE ${db.name} SET timezone = 'America/New_York'`);
    const other = await openPostgres(db.settings);
    try {
      const check = `DO $$ BEGIN IF current_setting('TimeZone') <> 'UTC' THEN RAISE EXCEPTION 'zone is %', current_setting('TimeZone'); END IF; END $$`;
      await expect(other.run(sql(check))).resolves.toEqual({ rowsChanged: 0 });
      // The check itself can fail: a session left in the database's zone does.
      await other.run(sql("SET TIME ZONE 'America/New_York'"));
      await expect(other.run(sql(check))).rejects.toThrow(/zone is America\/New_York/);
    } finally {
      await other.close();
      await db.query(`ALTER DATABASE ${db.name} RESET timezone`);
    }
  });

  it("counts the rows a statement changes", async () => {
    await db.query(`CREATE TABLE public.counted (x integer)`);
    expect(await engine.run(sql("INSERT INTO public.counted SELECT generate_series(1, 5)"))).toEqual({ rowsChanged: 5 });
    expect(await engine.run(sql("DELETE FROM public.counted WHERE x > 3"))).toEqual({ rowsChanged: 2 });
    expect(await engine.run(sql("CREATE TABLE IF NOT EXISTS public.counted (x integer)"))).toEqual({ rowsChanged: 0 });
  });

  it("interrupt cancels the running statement inside the server and leaves the connection usable", async () => {
    await db.query(`CREATE TABLE public.kept (x integer)`);
    await db.query(`INSERT INTO public.kept VALUES (1), (2)`);
    const started = performance.now();
    const outcome = engine
      .transaction(async () => {
        await engine.run(sql("DELETE FROM public.kept"));
        await engine.run(sql("SELECT pg_sleep(30)"));
      })
      .then(() => "finished", (error: unknown) => error); // settled before interrupt() returns: keep it handled
    await new Promise((resolve) => setTimeout(resolve, 300));
    await engine.interrupt();
    const error = await outcome;
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).message).toMatch(/canceling statement due to user request/);
    expect(performance.now() - started).toBeLessThan(5000);
    // The server is idle again (no statement of ours left running) and the DELETE was rolled back.
    const active = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()`);
    expect(active).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT x FROM public.kept ORDER BY x`)).toEqual([{ x: 1 }, { x: 2 }]);
    // Same connection, next statement: usable.
    expect(await engine.run(sql("UPDATE public.kept SET x = x + 10"))).toEqual({ rowsChanged: 2 });
  });

  it("asks for PGPASSWORD by name when the server wants a password and none is set (instead of crashing)", async () => {
    const open = openPostgres(db.settings, {});
    await expect(open).rejects.toThrow(ConnectionError); // exit 6: cannot connect, nothing written
    await expect(open).rejects.toThrow(/cannot connect to PostgreSQL feature_backfill@127\.0\.0\.1:5432\/fb_test_\w+: .*set PGPASSWORD/);
  });
});

describe.skipIf(!postgresAvailable)("atomic backfills on PostgreSQL", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: path.join(REPO, "test/fixtures/failing-cast") }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "customer_accounts" }]);
    await writeFile(
      warehouse.configPath,
      JSON.stringify({ features: path.join(REPO, "test/fixtures/failing-cast"), engine: "postgres", postgres: db.settings }),
    );
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  const rows = () => db.query(`SELECT * FROM features.fails_from_june ORDER BY customer_id, date`);
  const tableExists = async () => (await db.query(`SELECT to_regclass('features.fails_from_june') IS NOT NULL AS e`))[0]!.e;

  it("a first run that fails inside the server leaves no table behind (DDL rolls back with it)", async () => {
    const failing = runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-05-01", "2025-07-01") });
    await expect(failing).rejects.toThrow(/fails_from_june.*rolled back.*invalid input syntax for type bigint: "\w+"/s);
    expect(await tableExists()).toBe(false);
  });

  it("chunks, the run ledger, leases and --resume work in PostgreSQL too", async () => {
    const request = { config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-02-01", "2025-05-01"), chunk: "1mo" };
    const first = await runBackfill(request);
    expect(first.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const ledger = await db.query(
      `SELECT to_char(chunk_start, 'YYYY-MM-DD') AS start, status, rows_written::int AS written FROM features.feature_backfill_ledger ORDER BY started_at, chunk_start`,
    );
    expect(ledger.slice(-3)).toEqual(first.map((r) => ({ start: r.window.start.toISOString().slice(0, 10), status: "succeeded", written: r.rowsWritten })));
    expect(await db.query("SELECT count(*)::int AS n FROM features.feature_backfill_leases")).toEqual([{ n: 0 }]);
    const resumed = await runBackfill(request, { resume: true });
    expect(resumed.map((r) => r.status)).toEqual(["skipped", "skipped", "skipped"]);

    // --parallel 3: the chunks are written at once, on three connections, with the same rows.
    const before = await rows();
    const parallel = await runBackfill(request, { parallel: 3 });
    expect(parallel.map((r) => [r.status, r.rowsWritten])).toEqual(first.map((r) => ["succeeded", r.rowsWritten]));
    expectSameRows(await rows(), before, "after a parallel run");
  });

  it("a failure after the DELETE, inside the server, leaves the window's rows as they were", async () => {
    const [first] = await runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-01-01", "2025-06-01") });
    const before = await rows();
    expect(before.length).toBe(first!.rowsWritten);
    expect(before.length).toBeGreaterThan(1000);

    const failing = runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-01-01", "2025-07-01") });
    await expect(failing).rejects.toThrow(RunError);
    expectSameRows(await rows(), before, "after the failed run");
  });
});
