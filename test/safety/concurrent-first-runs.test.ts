import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const SET = "daily_card_spend";
const ROUNDS = 20;

/**
 * Issue 10 item 6: runs that create the offline schema, the run ledger and the offline table at the same moment.
 * PostgreSQL's CREATE … IF NOT EXISTS is not safe against itself (the loser fails on pg_type's or pg_namespace's
 * unique index), so `--parallel 4` on a new table, and two runs started together on a new schema, must take turns
 * creating — and end with exactly the rows of one clean run, every time.
 */
describe.skipIf(!postgresAvailable)("concurrent first runs on PostgreSQL", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  let clean: Record<string, unknown>[];
  const configFor = async (schema: string) => {
    const file = path.join(warehouse.dir, `${schema}.config.json`);
    await writeFile(file, JSON.stringify({ features: path.join(REPO, "features"), engine: "postgres", postgres: db.settings, offlineStore: { schema, table: "{set}" } }));
    return file;
  };
  const rows = (schema: string) => db.query(`SELECT * FROM ${schema}.${SET}`);
  const request = (config: string, start: string, end: string) => ({ config, sets: [SET], window: parseWindow(start, end), chunk: "1mo" });

  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse(), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "card_transactions" }]);
    await runBackfill(request(await configFor("clean"), "2025-01-01", "2025-05-01"));
    clean = await rows("clean");
    expect(clean.length).toBeGreaterThan(100);
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  it(`--parallel 4 on a new schema and table: ${ROUNDS}/${ROUNDS} rounds write the rows of one clean run`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = `parallel_${round}`;
      const results = await runBackfill(request(await configFor(schema), "2025-01-01", "2025-05-01"), { parallel: 4 });
      expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
      expectSameRows(await rows(schema), clean, `round ${round}`);
    }
  }, 120_000);

  it(`two runs started together on a new schema: ${ROUNDS}/${ROUNDS} rounds write the rows of one clean run`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const config = await configFor(`together_${round}`);
      // Separate connections each, as separate processes have; disjoint windows, so both hold their lease.
      await Promise.all([runBackfill(request(config, "2025-01-01", "2025-03-01")), runBackfill(request(config, "2025-03-01", "2025-05-01"), { parallel: 2 })]);
      expectSameRows(await rows(`together_${round}`), clean, `round ${round}`);
    }
  }, 120_000);

  it("two CLI processes started together on a new schema both succeed", async () => {
    const config = await configFor("processes");
    const cli = (start: string, end: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "run", "--set", SET, "--start", start, "--end", end, "--chunk", "1mo", "--parallel", "2", "--config", config]);
        let stderr = "";
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    const outcomes = await Promise.all([cli("2025-01-01", "2025-03-01"), cli("2025-03-01", "2025-05-01")]);
    expect(outcomes.map((o) => [o.code, o.stderr.includes("error")])).toEqual([
      [0, false],
      [0, false],
    ]);
    expectSameRows(await rows("processes"), clean, "two processes");
    expect(await db.query(`SELECT count(*)::int AS n FROM processes.feature_backfill_leases`)).toEqual([{ n: 0 }]);
  }, 60_000);
});
