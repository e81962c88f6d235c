import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackfillEvent } from "../../src/backfill/execute.ts";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Incremental == full recompute (issue 13). Sets whose windows continue from carried rows (state-pass.ts) are run as
 * a CronJob runs them — a history backfill, then runs that move forward by a day, a week or a month with a lag,
 * chunked or not, repeated, with late rows appended inside the lag between runs — and must leave exactly the rows a
 * single run reading the whole history writes over the same final data. The carried rows are input rows, not partial
 * aggregates, so every value is computed from the same rows by the same expression: the rows are equal, not close.
 */
const FIXTURE = path.join(REPO, "test/fixtures/continued");
const SETS = ["continued_windows", "continued_chain", "continued_transactions", "days_since_overdraft", "revolving_balance_change"];
const TIME: Record<string, string> = { continued_transactions: "transaction_ts" };
const DAY = 86_400_000;
const HISTORY_START = Date.UTC(2024, 0, 1);
const PERIODS = { "1d": DAY, "1w": 7 * DAY, "1mo": 30 * DAY } as const;

interface Step {
  readonly period: keyof typeof PERIODS;
  readonly lag: number;
  readonly chunk?: string;
  readonly repeat: boolean;
  readonly late: boolean;
}
const step: fc.Arbitrary<Step> = fc
  .record({ period: fc.constantFrom("1d", "1w", "1mo"), lag: fc.integer({ min: 0, max: 3 }), chunked: fc.boolean(), repeat: fc.boolean(), late: fc.boolean() })
  .map(({ chunked, ...s }) => ({ ...s, ...(chunked && { chunk: s.period === "1mo" ? "1w" : "1d" }) }));
const scenario = fc.record({
  firstDay: fc.integer({ min: 60, max: 560 }),
  historyChunk: fc.constantFrom(undefined, "1mo"),
  steps: fc.array(step, { minLength: 2, maxLength: 4 }),
});

/**
 * Rows appended inside the lag: a new overdrawn account-day and a card transaction per customer, dated `day`. Not of a
 * revolving account: `revolving_balance_change` labels a month's row with its first day, so a late row of a month
 * changes a row before the lag — only a lag of a month re-processes it, with or without state.
 */
const lateRows = (day: number, n: number) => {
  const date = new Date(day).toISOString().slice(0, 10);
  return [
    `INSERT INTO raw.customer_accounts SELECT customer_id, 9000 + customer_id * 10 + ${n}, DATE '${date}', -100.0 * customer_id, 'installment' FROM range(1, 41) t(customer_id) WHERE customer_id % 3 = ${n % 3}`,
    `INSERT INTO raw.card_transactions SELECT 900000 + ${n} * 100 + customer_id, customer_id, TIMESTAMP '${date} 12:00:00', 10.0 * customer_id, 'grocery', false FROM range(1, 41) t(customer_id)`,
  ];
};

async function rowsOf(query: (sql: string) => Promise<Record<string, unknown>[]>, set: string, end: number) {
  const time = TIME[set] ?? "date";
  return query(`SELECT * FROM features.${set} WHERE ${time} < TIMESTAMP '${new Date(end).toISOString().slice(0, 19).replace("T", " ")}'`);
}

describe("incremental runs equal a full recompute (DuckDB)", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: FIXTURE });
  });
  afterAll(() => warehouse.cleanup());

  it("random daily, weekly and monthly runs with lags, repeats and late rows", { timeout: 240_000 }, async () => {
    let lateBatch = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ firstDay, historyChunk, steps }) => {
        await warehouse.exec(...SETS.map((s) => `DROP TABLE IF EXISTS features.${s}`));
        const config = warehouse.configPath;
        let cursor = HISTORY_START + firstDay * DAY;
        await runBackfill({ config, sets: SETS, window: { start: new Date(HISTORY_START), end: new Date(cursor) }, chunk: historyChunk });
        for (const s of steps) {
          const window = { start: new Date(cursor - s.lag * DAY), end: new Date(cursor + PERIODS[s.period]) };
          if (s.late && s.lag > 0) await warehouse.exec(...lateRows(cursor - DAY, ++lateBatch));
          await runBackfill({ config, sets: SETS, window, chunk: s.chunk });
          if (s.repeat) await runBackfill({ config, sets: SETS, window, chunk: s.chunk });
          cursor = window.end.getTime();
        }
        const incremental = await Promise.all(SETS.map((set) => rowsOf((q) => warehouse.query(q), set, cursor)));
        // One run over everything, reading the whole history (and rebuilding the state).
        await runBackfill({ config, sets: SETS, window: { start: new Date(HISTORY_START), end: new Date(cursor) }, full: true });
        for (const [i, set] of SETS.entries()) expectSameRows(incremental[i]!, await rowsOf((q) => warehouse.query(q), set, cursor), `${set} up to ${new Date(cursor).toISOString()}`);
      }),
      { numRuns: 3, seed: 20261204, endOnFailure: true },
    );
  });

  it("a daily run reads one day of the source and the carried rows, and says so", async () => {
    const config = warehouse.configPath;
    await runBackfill({ config, sets: ["days_since_overdraft"], window: { start: new Date("2024-01-01"), end: new Date("2025-06-01") } });
    const events: BackfillEvent[] = [];
    await runBackfill({ config, sets: ["days_since_overdraft"], window: { start: new Date("2025-06-01"), end: new Date("2025-06-02") } }, { onEvent: (e) => events.push(e) });
    const finished = events.find((e) => e.event === "chunk_finished");
    expect(finished && "reads" in finished && finished.reads).toEqual([
      expect.stringMatching(/^features\.days_since_overdraft__state_[0-9a-f]{8} — carried rows as of 2025-06-01T00:00:00\.000Z$/),
      "raw.customer_accounts [2025-06-01, 2025-06-02)",
    ]);
    // --full reads the whole history again, and rebuilds the checkpoint.
    const full: BackfillEvent[] = [];
    await runBackfill({ config, sets: ["days_since_overdraft"], window: { start: new Date("2025-06-01"), end: new Date("2025-06-02") }, full: true }, { onEvent: (e) => full.push(e) });
    const again = full.find((e) => e.event === "chunk_finished");
    expect(again && "reads" in again && again.reads).toEqual(["raw.customer_accounts [-inf, 2025-06-02)"]);
  });

  it("a changed definition never continues from the old definition's state", async () => {
    const config = warehouse.configPath;
    const window = { start: new Date("2025-06-02"), end: new Date("2025-06-03") };
    await runBackfill({ config, sets: ["continued_windows"], window: { start: new Date("2024-01-01"), end: window.start } });
    // Another features directory whose set differs only in its shift: another definition hash.
    const changed = path.join(warehouse.dir, "changed.config.json");
    await writeFile(changed, JSON.stringify({ features: path.join(REPO, "test/fixtures/continued-changed"), duckdb: { path: "warehouse.duckdb" }, offlineStore: { schema: "features", table: "{set}" } }));
    const events: BackfillEvent[] = [];
    await runBackfill({ config: changed, sets: ["continued_windows"], window }, { onEvent: (e) => events.push(e) });
    const finished = events.find((e) => e.event === "chunk_finished");
    expect(finished && "reads" in finished && finished.reads).toEqual(["raw.customer_accounts [-inf, 2025-06-03)"]);
    const written = await warehouse.query("SELECT * FROM features.continued_windows WHERE date = DATE '2025-06-02'");
    await runBackfill({ config: changed, sets: ["continued_windows"], window, full: true });
    expectSameRows(written, await warehouse.query("SELECT * FROM features.continued_windows WHERE date = DATE '2025-06-02'"), "changed definition");
  });
});

describe("what a checkpoint may carry (DuckDB)", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: FIXTURE });
  });
  afterAll(() => warehouse.cleanup());

  /** Runs `windows` in order, then the last again with --full: the rows `query` selects must not change. */
  const sameAsFull = async (sets: string[], windows: [string, string][], query: string) => {
    for (const [start, end] of windows) await runBackfill({ config: warehouse.configPath, sets, window: { start: new Date(start), end: new Date(end) } });
    const incremental = await warehouse.query(query);
    const [start, end] = windows.at(-1)!;
    await runBackfill({ config: warehouse.configPath, sets, window: { start: new Date(start), end: new Date(end) }, full: true });
    expectSameRows(incremental, await warehouse.query(query), sets.join(", "));
    return incremental;
  };

  it("not a month labelled by its first day before the month is over: the rest of it arrives later", async () => {
    await warehouse.exec("CREATE TABLE raw.later AS SELECT * FROM raw.customer_accounts WHERE date >= DATE '2025-05-02'", "DELETE FROM raw.customer_accounts WHERE date >= DATE '2025-05-02'");
    await runBackfill({ config: warehouse.configPath, sets: ["revolving_balance_change"], window: { start: new Date("2024-01-01"), end: new Date("2025-05-02") } });
    await warehouse.exec("INSERT INTO raw.customer_accounts SELECT * FROM raw.later", "DROP TABLE raw.later");
    const rows = await sameAsFull(["revolving_balance_change"], [["2025-05-02", "2025-06-02"]], "SELECT * FROM features.revolving_balance_change WHERE date = DATE '2025-06-01'");
    expect(rows.length).toBeGreaterThan(10);
  });

  it("a known value on a row whose time is null", async () => {
    await warehouse.exec("INSERT INTO raw.customer_accounts VALUES (1, 77777, NULL, -5e6, 'installment')");
    const rows = await sameAsFull(["continued_null_time"], [["2024-01-01", "2025-05-01"], ["2025-05-01", "2025-05-02"]], "SELECT * FROM features.continued_null_time WHERE date = DATE '2025-05-01' AND customer_id = 1");
    expect(rows.map((r) => r.last_huge)).toContain(-5e6);
  });

  it("the input read past the chunk's end by a month labelled by its end", async () => {
    await sameAsFull(["continued_monthly_of_lag"], [["2024-01-01", "2025-05-01"], ["2025-05-01", "2025-06-01"], ["2025-06-01", "2025-07-01"]], "SELECT * FROM features.continued_monthly_of_lag WHERE date >= DATE '2025-06-01'");
  });

  it("a lagged daily run (--window 1d --lag 2, written day by day) continues from the checkpoint at its start", async () => {
    const { cli } = await import("../support/run-cli.ts");
    const dry = await cli("run", "--set", "days_since_overdraft", "--window", "1d", "--lag", "2", "--dry-run", "--config", warehouse.configPath);
    expect(dry.stdout).toMatch(/dry run \(duckdb\): 3 chunk\(s\)/);
    const config = warehouse.configPath;
    await runBackfill({ config, sets: ["days_since_overdraft"], window: { start: new Date("2024-01-01"), end: new Date("2025-06-01") } });
    for (const day of [1, 2, 3]) {
      const events: BackfillEvent[] = [];
      const window = { start: new Date(Date.UTC(2025, 5, day - 2)), end: new Date(Date.UTC(2025, 5, day + 1)) };
      await runBackfill({ config, sets: ["days_since_overdraft"], window, chunk: "1d" }, { onEvent: (e) => events.push(e) });
      // The first lagged run starts before the history's checkpoint; each later one at a day the run before wrote.
      const first = events.find((e) => e.event === "chunk_finished");
      if (day > 1) expect(first && "reads" in first && first.reads[0], `run ${day}`).toMatch(new RegExp(`carried rows as of ${window.start.toISOString()}`));
    }
  });
});

describe("incremental runs after kill -9 and --resume (DuckDB)", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: FIXTURE });
  });
  afterAll(() => warehouse.cleanup());

  it("daily chunks killed at two points, then resumed, equal a full recompute, state included", { timeout: 120_000 }, async () => {
    const bin = path.join(REPO, "bin/feature-backfill.js");
    const args = ["run", "--set", "continued_windows", "--set", "days_since_overdraft", "--config", warehouse.configPath, "--start", "2025-03-01", "--end", "2025-04-01", "--chunk", "1d", "--resume"];
    await runBackfill({ config: warehouse.configPath, sets: ["continued_windows", "days_since_overdraft"], window: { start: new Date("2024-01-01"), end: new Date("2025-03-01") } });
    for (const delay of [150, 600]) {
      const child = spawn(process.execPath, [bin, ...args]);
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise((r) => child.on("exit", r));
      let done = false;
      void exited.then(() => (done = true));
      while (!done && !/writing|skipped/.test(stderr)) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await exited;
    }
    const written = await warehouse.query("SELECT count(*)::INTEGER AS n FROM features.feature_backfill_ledger WHERE status = 'succeeded' AND chunk_start >= TIMESTAMP '2025-03-01'");
    expect(written[0]!.n).toBeGreaterThan(0); // the kills came after some chunks committed
    const skipped: BackfillEvent[] = [];
    await runBackfill({ config: warehouse.configPath, sets: ["continued_windows", "days_since_overdraft"], window: { start: new Date("2025-03-01"), end: new Date("2025-04-01") }, chunk: "1d" }, { resume: true, onEvent: (e) => e.event === "chunk_skipped" && skipped.push(e) });
    expect(skipped.length).toBeGreaterThan(0);
    // Then a daily run continues from the resumed run's last checkpoint.
    await runBackfill({ config: warehouse.configPath, sets: ["continued_windows", "days_since_overdraft"], window: { start: new Date("2025-04-01"), end: new Date("2025-04-02") } });
    const end = Date.UTC(2025, 3, 2);
    const incremental = await Promise.all(["continued_windows", "days_since_overdraft"].map((s) => rowsOf((q) => warehouse.query(q), s, end)));
    await runBackfill({ config: warehouse.configPath, sets: ["continued_windows", "days_since_overdraft"], window: { start: new Date("2024-01-01"), end: new Date(end) }, full: true });
    for (const [i, set] of ["continued_windows", "days_since_overdraft"].entries()) expectSameRows(incremental[i]!, await rowsOf((q) => warehouse.query(q), set, end), set);
  });
});

describe.skipIf(!postgresAvailable)("incremental runs equal a full recompute (PostgreSQL)", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: FIXTURE }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, ["customer_accounts", "card_transactions"].map((name) => ({ schema: "raw", name })));
    const config = { features: FIXTURE, engine: "postgres", postgres: db.settings, offlineStore: { schema: "features", table: "{set}" } };
    await writeFile(warehouse.configPath, JSON.stringify(config));
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  it("a history backfill, then daily, weekly and chunked runs with a lag, in parallel where they can be", { timeout: 120_000 }, async () => {
    const config = warehouse.configPath;
    await runBackfill({ config, sets: SETS, window: { start: new Date("2024-01-01"), end: new Date("2025-02-10") }, chunk: "1mo" }, { parallel: 3 });
    const runs: [string, string, string?][] = [["2025-02-08", "2025-02-11"], ["2025-02-10", "2025-02-17", "1d"], ["2025-02-15", "2025-03-20", "1w"], ["2025-03-18", "2025-03-19"]];
    for (const [start, end, chunk] of runs) await runBackfill({ config, sets: SETS, window: { start: new Date(start), end: new Date(end) }, chunk }, { parallel: 3 });
    const end = Date.UTC(2025, 2, 19);
    const incremental = await Promise.all(SETS.map((set) => rowsOf((q) => db.query(q), set, end)));
    await runBackfill({ config, sets: SETS, window: { start: new Date("2024-01-01"), end: new Date(end) }, full: true });
    for (const [i, set] of SETS.entries()) expectSameRows(incremental[i]!, await rowsOf((q) => db.query(q), set, end), `${set} (postgres)`);
  });
});
