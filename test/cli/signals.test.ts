import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * What Kubernetes does to a pod: SIGTERM while the INSERT runs. The statement is interrupted inside DuckDB, the
 * transaction (whose DELETE already ran) rolled back, and the process exits 130 within seconds.
 */
describe("SIGTERM during a backfill", () => {
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
      "CREATE TABLE features.slow_daily (id BIGINT, day TIMESTAMP, total DOUBLE)",
      "INSERT INTO features.slow_daily VALUES (7, TIMESTAMP '2025-01-01', 42.0)",
    );
  });
  afterAll(() => warehouse.cleanup());

  it("interrupts the statement, rolls back and exits 130", async () => {
    const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "run", "--set", "slow_daily", "--start", "2025-01-01", "--end", "2025-01-02", "--config", warehouse.configPath, "--adopt-table", "features.slow_daily"]);
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stderr.includes("slow_daily: writing")) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 500)); // let the INSERT get going
    const sent = Date.now();
    child.kill("SIGTERM");
    const code = await exited;
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(stderr).toContain("received SIGTERM: cancelling the running statement and rolling back");
    expect(stderr).toContain("error: interrupted while writing slow_daily [2025-01-01, 2025-01-02); its transaction was rolled back");
    expect(await warehouse.query("SELECT * FROM features.slow_daily")).toEqual([{ id: 7n, day: new Date("2025-01-01T00:00:00Z"), total: 42 }]);
  });
});
