import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { loadProject, runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import type { Engine } from "../../src/engines/engine.ts";
import { BusyError, PartialFailureError, RunError } from "../../src/errors.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { expectedRowsSql } from "./hand-written.ts";

/** Chunks, the run ledger, leases, resume, retries: DESIGN.md §2's writes over years of history. */
const SET = "daily_card_spend";
const LEDGER = "features.feature_backfill_ledger";
let warehouse: TestWarehouse;
afterEach(() => warehouse?.cleanup());

const expected = (start: string, end: string) => warehouse.query(expectedRowsSql(SET, new Date(start).toISOString(), new Date(end).toISOString()));
const actual = () => warehouse.query(`SELECT * FROM features.${SET}`);

describe("chunked runs and the ledger", () => {
  it("a chunked run writes what a single chunk writes, and records each chunk as succeeded with its counts", async () => {
    warehouse = await makeWarehouse();
    const window = parseWindow("2024-12-20", "2025-03-10");
    const results = await runBackfill({ config: warehouse.configPath, sets: [SET], window, chunk: "1mo" }, { windowSpec: "test" });
    expect(results.map((r) => [r.window.start.toISOString().slice(0, 10), r.status])).toEqual([
      ["2024-12-20", "succeeded"],
      ["2025-01-01", "succeeded"],
      ["2025-02-01", "succeeded"],
      ["2025-03-01", "succeeded"],
    ]);
    expectSameRows(await actual(), await expected("2024-12-20", "2025-03-10"), "chunked");
    const ledger = await warehouse.query(`SELECT * FROM ${LEDGER} ORDER BY chunk_start`);
    expect(ledger.map((r) => [r.status, Number(r.rows_written), r.attempts, r.run_window])).toEqual(
      results.map((r) => ["succeeded", r.rowsWritten, 1, "test"]),
    );
    const { config, graph } = await loadProject(warehouse.configPath);
    const [job] = planBackfill({ graph, sets: [SET], window, dialect: config.dialect, tableFor: config.tableFor });
    expect(new Set(ledger.map((r) => r.definition_hash))).toEqual(new Set([job!.definitionHash]));
    expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM features.feature_backfill_leases")).toEqual([{ n: 0 }]); // released
  });

  it("chunks of a set with a lookback share one staged computation, and write what a single chunk writes", async () => {
    warehouse = await makeWarehouse();
    const set = "rolling_card_spend";
    const window = parseWindow("2024-11-20", "2025-04-10");
    const { config, graph } = await loadProject(warehouse.configPath);
    const jobs = planBackfill({ graph, sets: [set], window, chunk: "1mo", dialect: config.dialect, tableFor: config.tableFor });
    expect(jobs.map((j) => j.stage?.window)).toEqual(jobs.map(() => window)); // one stage over the whole window
    expect(jobs[0]!.stage!.create.sql).toMatch(/^CREATE TEMPORARY TABLE "feature_backfill_stage_\d+" AS/);
    await runBackfill({ config: warehouse.configPath, sets: [set], window, chunk: "1mo" });
    const chunked = await warehouse.query(`SELECT * FROM features.${set}`);
    expectSameRows(chunked, await warehouse.query(expectedRowsSql(set, window.start.toISOString(), window.end.toISOString())), "staged chunks");
    expect(chunked.length).toBeGreaterThan(100);
  });

  it("--resume skips chunks written with the same definition, and redoes those whose definition changed", async () => {
    warehouse = await makeWarehouse();
    const request = { config: warehouse.configPath, sets: [SET], window: parseWindow("2025-01-01", "2025-04-01"), chunk: "1mo" };
    await runBackfill(request);
    await warehouse.exec(`UPDATE ${LEDGER} SET definition_hash = 'an older definition' WHERE chunk_start = TIMESTAMP '2025-02-01'`);
    const events: { event: string; window?: string; note?: string }[] = [];
    const results = await runBackfill(request, { resume: true, onEvent: (e) => events.push(e as never) });
    expect(results.map((r) => r.status)).toEqual(["skipped", "succeeded", "skipped"]);
    expect(events.find((e) => e.event === "chunk_started")).toMatchObject({ window: "[2025-02-01, 2025-03-01)", note: expect.stringMatching(/definition changed/) });
    expectSameRows(await actual(), await expected("2025-01-01", "2025-04-01"), "after resume");
  });

  it("--keep-going: failing chunks roll back, the others are written, and the run ends in a partial failure", async () => {
    warehouse = await makeWarehouse({ featuresDir: path.join(REPO, "test/fixtures/failing-cast") });
    const run = runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-04-01", "2025-08-01"), chunk: "1mo" }, { keepGoing: true });
    await expect(run).rejects.toThrow(PartialFailureError);
    await expect(run).rejects.toThrow(/2 of 4 chunks failed and were rolled back; 2 written, 0 skipped/);
    const ledger = await warehouse.query(`SELECT strftime(chunk_start, '%m') AS month, status, error IS NOT NULL AS has_error FROM ${LEDGER} ORDER BY chunk_start`);
    expect(ledger).toEqual([
      { month: "04", status: "succeeded", has_error: false },
      { month: "05", status: "succeeded", has_error: false },
      { month: "06", status: "failed", has_error: true },
      { month: "07", status: "failed", has_error: true },
    ]);
    expect(await warehouse.query("SELECT DISTINCT strftime(date, '%m') AS month FROM features.fails_from_june ORDER BY 1")).toEqual([{ month: "04" }, { month: "05" }]);
  });

  it("--parallel on DuckDB runs chunks one after another, and says why", async () => {
    warehouse = await makeWarehouse();
    const events: { event: string; message?: string }[] = [];
    const request = { config: warehouse.configPath, sets: [SET], window: parseWindow("2025-01-01", "2025-04-01"), chunk: "1mo" };
    await runBackfill(request, { parallel: 4, onEvent: (e) => events.push(e as never) });
    expect(events.find((e) => e.event === "note")?.message).toMatch(/--parallel 4: duckdb .* has a single writer, so chunks run one after another/);
    expectSameRows(await actual(), await expected("2025-01-01", "2025-04-01"), "parallel on DuckDB");
  });

  it("a transient error is retried with backoff, and the retry is recorded", async () => {
    warehouse = await makeWarehouse();
    const { config, graph } = await loadProject(warehouse.configPath);
    const jobs = planBackfill({ graph, sets: [SET], window: parseWindow("2025-01-01", "2025-02-01"), dialect: config.dialect, tableFor: config.tableFor });
    const real = await openDuckDB(config.duckdb);
    let failures = 0;
    const flaky: Engine = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
      run: async (statement: Parameters<Engine["run"]>[0]) => {
        if (statement.sql.startsWith("INSERT INTO\n  \"features\".\"daily_card_spend\"") && failures++ === 0) {
          throw new RunError("connection reset by peer", statement.sql, { transient: true });
        }
        return real.run(statement);
      },
    });
    const events: { event: string }[] = [];
    const [result] = await executeBackfill(jobs, flaky, { retryDelayMs: 10, onEvent: (e) => events.push(e) });
    await real.close();
    expect(result).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(events.map((e) => e.event)).toEqual(["chunk_started", "chunk_retrying", "chunk_finished", "run_finished"]);
    expect(await warehouse.query(`SELECT attempts, status FROM ${LEDGER}`)).toEqual([{ attempts: 2, status: "succeeded" }]);
    expectSameRows(await actual(), await expected("2025-01-01", "2025-02-01"), "after a retry");
  });
});

describe("leases", () => {
  const lease = (expires: string, holder = "another-host:1") =>
    `INSERT INTO features.feature_backfill_leases VALUES ('${SET}', 'other-run', TIMESTAMP '2025-01-15', TIMESTAMP '2025-02-15', TIMESTAMP '${expires}', '${holder}', TIMESTAMP '2025-01-20 08:00:00')`;

  it("a live lease of another run over an overlapping window makes the run fail clearly, writing nothing", async () => {
    warehouse = await makeWarehouse();
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2024-06-01", "2024-06-02") }); // creates the ledger
    await warehouse.exec(lease("2999-01-01"));
    const run = runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-02-01", "2025-03-01") });
    await expect(run).rejects.toThrow(BusyError);
    await expect(run).rejects.toThrow(
      /feature set "daily_card_spend" is being backfilled over \[2025-01-15, 2025-02-15\) by run other-run on host another-host \(pid 1\) since 2025-01-20T08:00:00.000Z; its lease expires at 2999-01-01T00:00:00.000Z/,
    );
    expect(await warehouse.query(`SELECT count(*)::INTEGER AS n FROM features.${SET} WHERE date >= DATE '2025-02-01'`)).toEqual([{ n: 0 }]);
    // A window that does not overlap is free.
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-03-01", "2025-03-02") });
  });

  it("the lease of a run that died expires — at once when its process on this host is gone", async () => {
    warehouse = await makeWarehouse();
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2024-06-01", "2024-06-02") });
    await warehouse.exec(lease("2001-01-01"));
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-02-01", "2025-03-01") });
    await warehouse.exec(lease("2999-01-01", `${hostname()}:999999999`));
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-02-01", "2025-03-01") });
    expect(await warehouse.query("SELECT run_id FROM features.feature_backfill_leases")).toEqual([]);
  });
});

describe("processes", () => {
  const BIN = path.join(REPO, "bin/feature-backfill.js");
  const spawnRun = (args: string[]) => {
    const child = spawn(process.execPath, [BIN, "run", "--set", SET, "--config", warehouse.configPath, ...args]);
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    return { child, exited, stderr: () => stderr };
  };

  it("a second run on the same DuckDB file while one is running fails as busy (exit 8)", async () => {
    warehouse = await makeWarehouse();
    const first = spawnRun(["--start", "2024-01-01", "--end", "2026-01-01", "--chunk", "1d"]);
    while (!first.stderr().includes("writing")) await new Promise((r) => setTimeout(r, 20));
    const second = spawnRun(["--start", "2025-01-01", "--end", "2025-02-01"]);
    expect(await second.exited).toBe(8);
    expect(second.stderr()).toMatch(/error: the DuckDB database .* is in use by another process/);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(130);
  });

  it("kill -9 at random points, then --resume, leaves exactly the full-history rows", { timeout: 120_000 }, async () => {
    warehouse = await makeWarehouse();
    const args = ["--start", "2024-01-01", "--end", "2026-01-01", "--chunk", "1w"];
    // The whole run takes about a second once it writes: kill it early, midway and late.
    for (const delay of [100, 350, 600]) {
      const run = spawnRun([...args, "--resume"]);
      let done = false;
      void run.exited.then(() => (done = true));
      while (!done && !/writing|skipped/.test(run.stderr())) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill("SIGKILL");
      await run.exited;
    }
    const ledger = await warehouse.query(`SELECT count(*) FILTER (WHERE status = 'succeeded')::INTEGER AS done FROM ${LEDGER}`);
    expect(ledger[0]!.done).toBeGreaterThan(0); // some chunks were written before the kills
    const final = spawnRun([...args, "--resume"]);
    expect(await final.exited).toBe(0);
    expect(final.stderr()).toMatch(/skipped \[/);
    expectSameRows(await actual(), await expected("2024-01-01", "2026-01-01"), "after kills and resume");
  });
});

describe("dry run with --resume", () => {
  it("reads the ledger to say which chunks a resumed run would skip, and prints the SQL of the others", async () => {
    warehouse = await makeWarehouse();
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-01-01", "2025-02-01") });
    const { runCli } = await import("../../src/cli/main.ts");
    let stdout = "";
    const code = await runCli(
      ["run", "--set", SET, "--start", "2024-12-01", "--end", "2025-03-01", "--chunk", "1mo", "--resume", "--dry-run", "--config", warehouse.configPath],
      { stdout: (t) => void (stdout += t), stderr: () => undefined, isTTY: false, signal: new AbortController().signal },
    );
    expect(code).toBe(0);
    const chunks = stdout.split("\n-- [").slice(1).map((c) => c.split("\n").slice(0, 3).join("\n"));
    expect(chunks).toHaveLength(3);
    expect(chunks[0]).toMatch(/^1\/3\] daily_card_spend .* window \[2024-12-01, 2025-01-01\)\n--   reads card_transactions/);
    // January was written by a single-chunk run over exactly [2025-01-01, 2025-02-01): the same chunk.
    expect(chunks[1]).toMatch(/window \[2025-01-01, 2025-02-01\)\n--   skipped by --resume/);
    expect(stdout.match(/INSERT INTO/g)).toHaveLength(2);
  });

  it("writes nothing: a warehouse file that does not exist is not created, and every chunk is printed", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "fb-dry-resume-"));
    const configPath = path.join(dir, "features.config.json");
    await writeFile(configPath, JSON.stringify({ features: path.join(REPO, "features"), duckdb: { path: "missing.duckdb" } }));
    const { cli } = await import("../support/run-cli.ts");
    const { code, stdout } = await cli("run", "--set", SET, "--start", "2025-01-01", "--end", "2025-03-01", "--chunk", "1mo", "--resume", "--dry-run", "--config", configPath);
    expect(code).toBe(0);
    expect(stdout.match(/INSERT INTO/g)).toHaveLength(2);
    expect(existsSync(path.join(dir, "missing.duckdb"))).toBe(false);
  });
});
