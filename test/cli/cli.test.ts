import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");

/** The real executable in a child process, as a user or a CronJob runs it. */
async function spawnCli(args: string[], cwd = REPO) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SET = "avg_monthly_revolving_balance";

describe("feature-backfill CLI", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse();
  });
  afterAll(() => warehouse.cleanup());

  it("runs as an executable: list, run and dry run from the project directory", async () => {
    const list = await spawnCli(["list", "--config", warehouse.configPath]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/avg_monthly_revolving_balance {2}\(keys: customer_id; timestamp: date; inputs: customer_accounts\) -> features\.avg_monthly_revolving_balance/);
    expect(list.stdout).toMatch(/customer_accounts {2}\(keys: customer_id; timestamp: date\) <- raw\.customer_accounts/);

    const run = await spawnCli(["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-10-14", "--config", warehouse.configPath]);
    expect(run.code, run.stderr).toBe(0);
    const [{ n }] = (await warehouse.query(`SELECT count(*)::INTEGER AS n FROM features.${SET}`)) as [{ n: number }];
    expect(run.stderr).toContain(`${SET}: wrote ${n.toLocaleString("en-US")} rows for [2025-01-01, 2025-10-14) into features.${SET} in `);
    expect(n).toBeGreaterThan(0);
  });

  it("--help lists the options and examples", async () => {
    const { code, stdout } = await cli("run", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("--dry-run");
    expect(stdout).toContain("$ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14");
  });

  it("--dry-run prints every statement with the window's literals and opens no connection", async () => {
    const dir = path.join(warehouse.dir, "dry");
    const config = path.join(warehouse.dir, "dry.config.json");
    await writeFile(config, JSON.stringify({ features: path.join(REPO, "features"), duckdb: { path: `${dir}/never-created.duckdb` } }));
    const { code, stdout } = await cli("run", "--set", SET, "--start", "2025-01-15", "--end", "2025-10-14T12:00:00Z", "--config", config, "--dry-run");
    expect(code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(stdout).toContain(`--   reads customer_accounts (raw.customer_accounts) over [2025-02-01, 2025-11-01)`); // January's row is outside the window
    // DuckDB rolls DDL back with the transaction, so it runs inside it: a failed first run leaves no empty table.
    const order = ["BEGIN TRANSACTION;", "CREATE SCHEMA", "CREATE TABLE", "DELETE FROM", "INSERT INTO", "COMMIT;"].map((s) => stdout.indexOf(s));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    // A date column gets date bounds (the end rounds up to the next day). The reads map exactly onto the window, so
    // only the DELETE needs them: the INSERT's output is not clipped again.
    expect(stdout.match(/"date" >= DATE '2025-01-15'\s+AND "date" < DATE '2025-10-15'/g)).toHaveLength(1);
    expect(stdout).toContain(`"date" >= DATE '2025-02-01'\n      AND "date" < DATE '2025-11-01'`);
  });

  it("--log-format json prints one event per line", async () => {
    const { code, stdout } = await cli("run", "--set", SET, "--start", "2025-02-01", "--end", "2025-03-01", "--config", warehouse.configPath, "--log-format", "json");
    expect(code).toBe(0);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(["chunk_started", "chunk_finished", "run_finished"]);
    const [{ n }] = (await warehouse.query(`SELECT count(*)::INTEGER AS n FROM features.${SET} WHERE date = DATE '2025-02-01'`)) as [{ n: number }];
    expect(events[1]).toMatchObject({ set: SET, table: `features.${SET}`, window: "[2025-02-01, 2025-03-01)", rowsWritten: n });
  });

  describe("bad input: one line, a distinct exit code, nothing written", () => {
    const before = async () => warehouse.query(`SELECT * FROM features.${SET} ORDER BY ALL`);
    const cases: [string, () => string[], number, RegExp][] = [
      ["start not before end", () => ["run", "--set", SET, "--start", "2025-02-01", "--end", "2025-02-01", "--config", warehouse.configPath], 2, /--start \(2025-02-01\) must be before --end \(2025-02-01\)/],
      ["unparseable date", () => ["run", "--set", SET, "--start", "2025-02-30", "--end", "2025-03-01", "--config", warehouse.configPath], 2, /--start "2025-02-30" is not an ISO date/],
      ["timestamp without zone", () => ["run", "--set", SET, "--start", "2025-02-01T00:00:00", "--end", "2025-03-01", "--config", warehouse.configPath], 2, /is not an ISO date/],
      ["unknown set (with quotes and a semicolon)", () => ["run", "--set", `x"; DROP TABLE features.${SET}; --`, "--start", "2025-01-01", "--end", "2025-03-01", "--config", warehouse.configPath], 2, /unknown feature set "x\\"; DROP TABLE .*known sets: application_utilisation, avg_monthly_revolving_balance, daily_card_spend/],
      ["missing option", () => ["run", "--start", "2025-01-01", "--end", "2025-03-01", "--config", warehouse.configPath], 2, /say which feature sets: --set NAME, --select SELECTOR .* or --all/],
      ["missing config", () => ["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-03-01", "--config", "/nonexistent/features.config.json"], 3, /config file \/nonexistent\/features\.config\.json not found/],
      ["feature module throwing on import", () => ["list", "--config", configFor("throws-on-import")], 4, /feature module .*test\/fixtures\/throws-on-import\/features\.ts failed to load: connection settings missing/],
      ["run failure inside the warehouse", () => ["run", "--set", "fails_from_june", "--start", "2025-05-01", "--end", "2025-07-01", "--config", configFor("failing-cast")], 5, /feature set "fails_from_june" \[2025-05-01, 2025-07-01\) failed and was rolled back: Conversion Error: Could not convert string 'revolving' to INT64[^\n]*\n$/],
    ];
    const configs = new Map<string, string>();
    const configFor = (fixture: string) => configs.get(fixture)!;
    beforeAll(async () => {
      for (const fixture of ["throws-on-import", "failing-cast"]) {
        const file = path.join(warehouse.dir, `${fixture}.config.json`);
        await writeFile(file, JSON.stringify({ features: path.join(REPO, "test/fixtures", fixture), duckdb: { path: "warehouse.duckdb" } }));
        configs.set(fixture, file);
      }
    });

    for (const [name, args, exitCode, message] of cases) {
      it(`${name} -> exit ${exitCode}`, async () => {
        const rows = await before();
        const { code, stderr, stdout } = await cli(...args());
        expect(code).toBe(exitCode);
        expect(stderr).toMatch(message);
        expect(stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
        expect(stdout).toBe("");
        expect(await before()).toEqual(rows);
      });
    }

    it("an invalid config names the key and what was expected", async () => {
      const file = path.join(warehouse.dir, "invalid.config.json");
      await writeFile(file, JSON.stringify({ engine: "oracle", offlineStore: { table: "fs_" }, extra: 1 }));
      const { code, stderr } = await cli("list", "--config", file);
      expect(code).toBe(3);
      expect(stderr).toMatch(/engine: .*"duckdb"/);
      expect(stderr).toMatch(/offlineStore\.table: must contain "\{set\}"/);
      expect(stderr).toMatch(/Unrecognized key.*"extra"/);
    });

    it("--verbose adds the failing statement and the cause chain", async () => {
      const { code, stderr } = await cli("--verbose", "run", "--set", "fails_from_june", "--start", "2025-05-01", "--end", "2025-07-01", "--config", configFor("failing-cast"));
      expect(code).toBe(5);
      expect(stderr).toContain("failing statement:\nINSERT INTO");
      expect(stderr).toMatch(/caused by: RunError/);
    });
  });
});
