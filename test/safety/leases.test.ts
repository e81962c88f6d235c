import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/slow-source");
const WINDOW = ["--set", "slow_daily", "--start", "2025-01-01", "--end", "2025-01-02"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CLI as a process of its own, resolved once it announces its first chunk. */
async function startRun(args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "run", ...args]);
  let stderr = "";
  child.stderr!.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = Date.now() + 60_000; // generous: CI machines are loaded
  while (!stderr.includes("slow_daily: writing") && Date.now() < until) await sleep(20);
  return { child, exited, stderr: () => stderr };
}

/**
 * Issue 10 item 7, lease side: a run that dies leaves its lease behind, which must not block the next run for
 * hours. The TTL is configurable (10 minutes by default), a live run renews its lease by a heartbeat however long its
 * statement runs, a dead run's lease lapses within the TTL, and the busy message names the holder.
 */
describe.skipIf(!postgresAvailable)("leases on PostgreSQL", () => {
  let db: TestDatabase;
  let config: string;
  let warehouse: TestWarehouse;
  const lease = async () => (await db.query("SELECT run_id, holder, taken_at, expires_at FROM features.feature_backfill_leases"))[0];
  beforeAll(async () => {
    [db, warehouse] = await Promise.all([makeTestDatabase(), makeWarehouse({ data: null })]);
    // One row behind an 8-second sleep: the run's one statement outlives its 2-second lease several times.
    await db.query("CREATE SCHEMA raw");
    await db.query(`CREATE VIEW raw.slow_events AS
      SELECT v.* FROM (VALUES (1::bigint, TIMESTAMP '2025-01-01 01:00', 2.5::float8)) v(id, ts, amount) CROSS JOIN LATERAL (SELECT pg_sleep(8)) s`);
    config = path.join(warehouse.dir, "pg.config.json");
    await writeFile(config, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings, offlineStore: { schema: "features", table: "{set}", leaseTtl: "2s" } }));
    await cli("run", "--set", "slow_daily", "--start", "2024-01-01", "--end", "2024-01-02", "--config", config); // creates the ledger and table
  }, 60_000);
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  it("a live run's lease is renewed past its TTL during a long statement; a killed run's lapses within the TTL", async () => {
    const first = await startRun([...WINDOW, "--config", config]);
    try {
      const taken = await lease();
      expect(taken).toMatchObject({ holder: `${hostname()}:${first.child.pid}` });
      await sleep(4_000); // twice the TTL, the INSERT still running
      const renewed = await lease();
      expect(renewed!.run_id).toBe(taken!.run_id);
      expect((renewed!.expires_at as Date).getTime()).toBeGreaterThan(Date.now() - 1_000); // renewed, not lapsed
      expect((renewed!.expires_at as Date).getTime()).toBeGreaterThan((taken!.expires_at as Date).getTime() + 1_000);

      // Another run meanwhile is told who holds the window, since when, and until when.
      const busy = await cli("run", ...WINDOW, "--config", config);
      expect(busy.code).toBe(8);
      expect(busy.stderr).toContain(
        `by run ${taken!.run_id} on host ${hostname()} (pid ${first.child.pid}) since ${(taken!.taken_at as Date).toISOString()}; its lease expires at `,
      );

      first.child.kill("SIGKILL");
      await first.exited;
      // As if it had run on another host (a pod that is gone): only the TTL can tell it is dead.
      await db.query("UPDATE features.feature_backfill_leases SET holder = 'gone-pod:4242'");
      const early = await cli("run", ...WINDOW, "--config", config);
      expect(early.code).toBe(8);
      expect(early.stderr).toContain("on host gone-pod (pid 4242)");
      await sleep(Math.max(0, ((await lease())!.expires_at as Date).getTime() - Date.now()) + 200);
      const after = await cli("run", ...WINDOW, "--config", config);
      expect(after.stderr).not.toContain("error");
      expect(after.code).toBe(0);
      expect(await db.query("SELECT id::int AS id, total FROM features.slow_daily WHERE day = '2025-01-01'")).toEqual([{ id: 1, total: 2.5 }]);
      expect(await db.query("SELECT count(*)::int AS n FROM features.feature_backfill_leases")).toEqual([{ n: 0 }]);
    } finally {
      first.child.kill("SIGKILL");
    }
  }, 120_000);

  it("a run whose lease was taken over stops with exit 8 and rolls its chunk back, rather than write beside another", async () => {
    const run = cli("run", ...WINDOW, "--config", config);
    let held: Record<string, unknown> | undefined;
    for (const until = Date.now() + 60_000; !held && Date.now() < until; await sleep(50)) held = await lease();
    // What another run does to a lease it finds lapsed: drops it (and takes its own).
    await db.query("DELETE FROM features.feature_backfill_leases");
    const { code, stderr } = await run;
    expect(code).toBe(8);
    expect(stderr).toContain("error: run stopped: its lease was taken over by another run after it lapsed; another run may be writing its window, so its running chunk was rolled back");
    const [mark] = await db.query("SELECT status FROM features.feature_backfill_ledger WHERE run_id = $1", [held!.run_id]);
    expect(mark).toEqual({ status: "interrupted" });
  }, 120_000);
});

describe("leases on DuckDB", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES, data: null, config: { offlineStore: { schema: "features", table: "{set}", leaseTtl: "3s" } } });
    await warehouse.exec(
      "CREATE SCHEMA raw",
      // Three billion generated rows: aggregating them takes minutes, so the kill always lands mid-statement.
      `CREATE VIEW raw.slow_events AS
         SELECT i % 1000 AS id, TIMESTAMP '2025-01-01' + to_seconds(i % 86400) AS ts, (i % 97)::DOUBLE AS amount
         FROM range(3000000000) t(i)`,
    );
  });
  afterAll(() => warehouse.cleanup());

  it("a run killed mid-chunk leaves a lease another host's run gets past once the TTL is over", async () => {
    const first = await startRun([...WINDOW, "--config", warehouse.configPath]);
    first.child.kill("SIGKILL");
    await first.exited;
    await warehouse.exec("UPDATE features.feature_backfill_leases SET holder = 'gone-pod:4242'");
    const [{ expires_at }] = (await warehouse.query("SELECT expires_at FROM features.feature_backfill_leases")) as [{ expires_at: Date }];
    expect(expires_at.getTime()).toBeLessThan(Date.now() + 3_000 + 1_000); // the configured TTL, not 6 hours
    const early = await cli("run", ...WINDOW, "--start", "2025-01-01T06:00:00Z", "--end", "2025-01-01T07:00:00Z", "--config", warehouse.configPath);
    expect(early.code).toBe(8);
    expect(early.stderr).toMatch(/on host gone-pod \(pid 4242\) since \S+Z; its lease expires at \S+Z/);
    await sleep(Math.max(0, expires_at.getTime() - Date.now()) + 200);
    // Past the TTL the window is free (a tiny one: the source is slow).
    await warehouse.exec("CREATE OR REPLACE VIEW raw.slow_events AS SELECT 1::BIGINT AS id, TIMESTAMP '2025-01-01 06:30' AS ts, 2.5::DOUBLE AS amount");
    const after = await cli("run", ...WINDOW, "--config", warehouse.configPath);
    expect(after.code).toBe(0);
    expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM features.feature_backfill_leases")).toEqual([{ n: 0 }]);
  }, 120_000);

  it("a leases table of an earlier version gets its taken_at column", async () => {
    await warehouse.exec("DELETE FROM features.feature_backfill_leases", "ALTER TABLE features.feature_backfill_leases DROP COLUMN taken_at");
    const run = await cli("run", ...WINDOW, "--config", warehouse.configPath);
    expect(run.code).toBe(0);
    expect((await warehouse.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'feature_backfill_leases' AND column_name = 'taken_at'")).length).toBe(1);
  });

  it("--lease-ttl must be a duration", async () => {
    const run = await cli("run", ...WINDOW, "--lease-ttl", "10 minutes", "--config", warehouse.configPath);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --lease-ttl: "10 minutes" is not a duration such as 90s, 10m or 2h\n');
  });
});
