import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/failing-cast");
const RUN = ["run", "--set", "fails_from_june", "--start", "2025-01-01", "--end", "2025-05-01"];

/**
 * A lost connection mid-INSERT (pg_terminate_backend, as a failover or an operator does): with --retries the chunk is
 * retried on a new connection and ends with exactly a clean run's rows; without, the run exits 5, the table is
 * unchanged and the lease is released all the same.
 */
describe.skipIf(!postgresAvailable)("a PostgreSQL connection terminated mid-INSERT", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "customer_accounts" }]);
    await writeFile(warehouse.configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings }));
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  const rows = () => db.query("SELECT * FROM features.fails_from_june ORDER BY customer_id, date");
  const leases = () => db.query("SELECT count(*)::int AS n FROM features.feature_backfill_leases");
  const lastChunk = async () =>
    (await db.query("SELECT status, attempts FROM features.feature_backfill_ledger ORDER BY started_at DESC, finished_at DESC LIMIT 1"))[0];

  /**
   * Runs the CLI while a second session holds the source table locked, so the run's INSERT … SELECT waits; its
   * backend is then terminated and the lock released.
   */
  async function runTerminatingTheInsert(...extra: string[]) {
    const locker = new pg.Client({ connectionString: db.settings.connectionString });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE raw.customer_accounts IN ACCESS EXCLUSIVE MODE");
      const run = cli(...RUN, "--config", warehouse.configPath, ...extra);
      let terminated = false;
      for (let i = 0; i < 300 && !terminated; i++) {
        await new Promise((r) => setTimeout(r, 50));
        // Not from the locker's session: inside a transaction pg_stat_activity is a snapshot.
        const [found] = (
          await db.query(
            `SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'feature-backfill' AND wait_event_type = 'Lock' AND query LIKE 'INSERT%fails_from_june%'`,
          )
        );
        terminated = found?.t === true;
      }
      expect(terminated).toBe(true);
      await locker.query("ROLLBACK");
      return await run;
    } finally {
      await locker.end();
    }
  }

  it("--retries 2: retried on a new connection; the rows of a clean run, attempts 2 in the ledger, no lease left", async () => {
    const result = await runTerminatingTheInsert("--retries", "2");
    expect(result.stderr).toMatch(/retrying/i);
    expect(result.code).toBe(0);
    expect(await lastChunk()).toEqual({ status: "succeeded", attempts: 2 });
    expect(await leases()).toEqual([{ n: 0 }]);
    const afterRetry = await rows();
    expect(afterRetry.length).toBeGreaterThan(100);
    const clean = await cli(...RUN, "--config", warehouse.configPath);
    expect(clean.code).toBe(0);
    expectSameRows(await rows(), afterRetry, "a clean run after the retried one");
  });

  it("--retries 0: exit 5, the table as it was, the failure recorded and the lease released", async () => {
    const before = await rows();
    await db.query("UPDATE features.fails_from_june SET bad_sum = -1 WHERE date < '2025-02-01'"); // marks the old rows
    const marked = await rows();
    const result = await runTerminatingTheInsert("--retries", "0");
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/fails_from_june.*rolled back.*terminating connection due to administrator command/);
    expectSameRows(await rows(), marked, "after the failed run");
    expect(before.length).toBe(marked.length);
    expect(await lastChunk()).toEqual({ status: "failed", attempts: 1 });
    expect(await leases()).toEqual([{ n: 0 }]);
  });

  it("timeouts.statementSeconds: a statement waiting longer fails naming the setting, not retried, rolled back", async () => {
    const marked = await rows();
    await writeFile(warehouse.configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings, timeouts: { statementSeconds: 0.5 } }));
    const locker = new pg.Client({ connectionString: db.settings.connectionString });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE raw.customer_accounts IN ACCESS EXCLUSIVE MODE");
      const result = await cli(...RUN, "--config", warehouse.configPath, "--retries", "2");
      expect(result.code).toBe(5);
      expect(result.stderr).toContain("canceling statement due to statement timeout (timeouts.statementSeconds in features.config.json)");
      expect(result.stderr).not.toMatch(/retrying/);
    } finally {
      await locker.end();
      await writeFile(warehouse.configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings }));
    }
    expectSameRows(await rows(), marked, "after the timed-out run");
    expect(await leases()).toEqual([{ n: 0 }]);
  });
});
