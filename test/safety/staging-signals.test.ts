import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Issue 10 item 8: with `--chunk` and a set with a lookback, the run first computes the whole window once (a stage),
 * before any chunk writes. SIGTERM or SIGINT then must end it as during a chunk: the statement cancelled, exit 130,
 * the chunk marked `interrupted` in the ledger, the stage dropped, the lease released, the table untouched.
 */
describe.each(["SIGTERM", "SIGINT"] as const)("%s while a chunked run computes its stage", (signal) => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: path.join(REPO, "test/fixtures/slow-source"), data: null });
    await warehouse.exec(
      "CREATE SCHEMA raw",
      // Three billion generated rows: aggregating them takes minutes, so the signal always lands mid-statement.
      `CREATE VIEW raw.slow_events AS
         SELECT i % 1000 AS id, TIMESTAMP '2025-01-01' + to_seconds(i % 86400) AS ts, (i % 97)::DOUBLE AS amount
         FROM range(3000000000) t(i)`,
      "CREATE SCHEMA features",
      // Made by hand (rows of an earlier life), so the run adopts it.
      "CREATE TABLE features.slow_rolling (id BIGINT, day TIMESTAMP, total_2d DOUBLE)",
      "INSERT INTO features.slow_rolling VALUES (7, TIMESTAMP '2025-01-01', 42.0)",
    );
  });
  afterAll(() => warehouse.cleanup());

  it("exits 130, marks the chunk interrupted, releases the lease and writes nothing", async () => {
    const args = ["run", "--set", "slow_rolling", "--start", "2025-01-01", "--end", "2025-01-04", "--chunk", "1d", "--config", warehouse.configPath, "--adopt-table", "features.slow_rolling"];
    const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), ...args]);
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const sent = await (async () => {
      try {
        // The first chunk is announced before the stage is computed (waited for generously: CI machines are loaded).
        const until = Date.now() + 60_000;
        while (!stderr.includes("slow_rolling: writing") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        expect(stderr).toContain("first computing [2025-01-01, 2025-01-04) once, for all its chunks");
        await new Promise((r) => setTimeout(r, 500)); // let the stage's computation get going
        child.kill(signal);
        return Date.now();
      } catch (error) {
        child.kill("SIGKILL");
        throw error;
      }
    })();
    const code = await exited;
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(stderr).not.toContain("INTERRUPT");
    expect(stderr).toContain("error: interrupted while computing slow_rolling over [2025-01-01, 2025-01-04); nothing was written");
    expect(await warehouse.query("SELECT * FROM features.slow_rolling")).toEqual([{ id: 7n, day: new Date("2025-01-01T00:00:00Z"), total_2d: 42 }]);
    const ledger = await warehouse.query("SELECT feature_set, chunk_start, chunk_end, status, error FROM features.feature_backfill_ledger");
    expect(ledger).toEqual([
      {
        feature_set: "slow_rolling",
        chunk_start: new Date("2025-01-01T00:00:00Z"),
        chunk_end: new Date("2025-01-02T00:00:00Z"),
        status: "interrupted",
        error: "interrupted while computing slow_rolling over [2025-01-01, 2025-01-04); nothing was written",
      },
    ]);
    expect(await warehouse.query("SELECT * FROM features.feature_backfill_leases")).toEqual([]);
  }, 120_000);
});
