import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");
const SET = "daily_card_spend";
const WINDOW = ["--start", "2024-01-01", "--end", "2025-11-01", "--chunk", "1mo"];

/**
 * kill -9 at random points of chunked PostgreSQL runs — one chunk at a time and with `--parallel 3`, some killed
 * before they write, some mid-chunk, some late — then `--resume`: the table holds exactly the rows of one clean run
 * into another schema, and no lease is left behind. The kill points come from a fixed seed, so a failure replays.
 */
describe.skipIf(!postgresAvailable)("kill -9 at random points of chunked PostgreSQL runs, then --resume", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  const configFor = (schema: string) => path.join(warehouse.dir, `${schema}.config.json`);
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse(), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "card_transactions" }]);
    for (const schema of ["features", "clean"]) {
      const config = { features: path.join(REPO, "features"), engine: "postgres", postgres: db.settings, offlineStore: { schema, table: "{set}" } };
      await writeFile(configFor(schema), JSON.stringify(config));
    }
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  const run = (schema: string, extra: readonly string[]) => {
    const child = spawn(process.execPath, [BIN, "run", "--set", SET, ...WINDOW, "--config", configFor(schema), ...extra]);
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    return { child, exited, stderr: () => stderr };
  };

  it("leaves exactly the rows of a clean run", async () => {
    const clean = run("clean", []);
    expect(await clean.exited).toBe(0);

    let seed = 20261204;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 6; i++) {
      const killed = run("features", ["--resume", ...(i % 2 ? ["--parallel", "3"] : [])]);
      let done = false;
      void killed.exited.then(() => (done = true));
      // From "the run has started" (its first progress line) to well after its first commits.
      while (!done && !/writing|skipped/.test(killed.stderr())) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
      killed.child.kill("SIGKILL");
      await killed.exited;
    }
    const [{ written }] = (await db.query(`SELECT count(*)::int AS written FROM features.feature_backfill_ledger WHERE status = 'succeeded'`)) as [{ written: number }];
    expect(written).toBeGreaterThan(0); // the killed runs committed some chunks, which --resume keeps
    // A killed run's lease outlives it only until its holder (this host, a pid now gone) is seen dead.
    const final = run("features", ["--resume"]);
    expect(await final.exited).toBe(0);
    expect(final.stderr()).not.toMatch(/error/);
    expect(final.stderr()).toMatch(/skipped/);

    const [diff] = await db.query(
      `SELECT (SELECT count(*) FROM (TABLE features.${SET} EXCEPT ALL TABLE clean.${SET}) a)::int AS extra,
              (SELECT count(*) FROM (TABLE clean.${SET} EXCEPT ALL TABLE features.${SET}) b)::int AS missing,
              (SELECT count(*) FROM clean.${SET})::int AS total`,
    );
    expect(diff).toEqual({ extra: 0, missing: 0, total: expect.any(Number) });
    expect(diff!.total).toBeGreaterThan(1000);
    expect(await db.query("SELECT count(*)::int AS n FROM features.feature_backfill_leases")).toEqual([{ n: 0 }]);
  }, 180_000);
});
