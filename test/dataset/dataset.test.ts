import { copyFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { createOnlineClient } from "../../src/online/online-client.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * `feature-backfill dataset` on DuckDB, on crafted rows whose answers are known by hand (test/fixtures/dataset):
 * `daily_balance` is labelled at the end of its day (known at its timestamp); `monthly_balance` at the month's first
 * day (known only at the month's end: refused unless shifted by a month).
 */
const FEATURES = path.join(REPO, "test/fixtures/dataset");
let w: TestWarehouse;

beforeAll(async () => {
  w = await makeWarehouse({ data: null, featuresDir: FEATURES });
  await w.exec(
    "CREATE SCHEMA raw",
    "CREATE TABLE raw.balances (customer_id BIGINT, ts TIMESTAMP, balance DOUBLE)",
    `INSERT INTO raw.balances VALUES (1, '2025-01-01 10:00', 10), (1, '2025-01-01 20:00', 5), (1, '2025-01-02 09:00', 7),
       (2, '2025-01-01 12:00', 100), (1, '2025-02-10 00:00', 3)`,
    "CREATE SCHEMA labels",
    "CREATE TABLE labels.events (customer_id BIGINT, event_time TIMESTAMP, label VARCHAR)",
    `INSERT INTO labels.events VALUES
       (1, '2025-01-02 00:00:00', 'at the label'),
       (1, '2025-01-01 23:59:59.999999', 'a microsecond before'),
       (1, '2025-01-02 00:00:00', 'at the label'),
       (NULL, '2025-01-05 00:00:00', 'no key'),
       (2, '2025-01-01 00:00:00', 'before any row'),
       (1, '2025-01-10 00:00:00', 'seven days after'),
       (1, '2025-01-10 00:00:00.000001', 'seven days and a microsecond after')`,
  );
  const run = await cli("run", "-c", w.configPath, "--set", "daily_balance", "--set", "monthly_balance", "--start", "2024-12-01", "--end", "2025-03-01");
  expect(run.code, run.stderr).toBe(0);
});
afterAll(() => w?.cleanup());

const dataset = (...args: string[]) => cli("dataset", "-c", w.configPath, "--spine", "labels.events", ...args);
const rows = (table: string) => w.query(`SELECT label, event_time, balance, n FROM ${table} ORDER BY event_time, label`);

describe("dataset on DuckDB", () => {
  it("joins each spine row to the latest row known at its time, keeping every spine row as it is", async () => {
    const r = await dataset("--set", "daily_balance", "--out", "features.train");
    expect(r.code, r.stderr).toBe(0);
    expect(await rows("features.train")).toEqual([
      { label: "before any row", event_time: new Date("2025-01-01T00:00:00Z"), balance: null, n: null },
      { label: "a microsecond before", event_time: new Date("2025-01-01T23:59:59.999Z"), balance: null, n: null },
      { label: "at the label", event_time: new Date("2025-01-02T00:00:00Z"), balance: 15, n: 2n },
      { label: "at the label", event_time: new Date("2025-01-02T00:00:00Z"), balance: 15, n: 2n },
      { label: "no key", event_time: new Date("2025-01-05T00:00:00Z"), balance: null, n: null },
      { label: "seven days after", event_time: new Date("2025-01-10T00:00:00Z"), balance: 7, n: 1n },
      { label: "seven days and a microsecond after", event_time: new Date("2025-01-10T00:00:00Z"), balance: 7, n: 1n },
    ]);
    expect(r.stdout).toContain("7 rows written to features.train; 3 without any feature");
    expect(r.stdout).toContain("balance: 42.9% null");
  });

  it("--out in a schema of its own creates the training set and the registry that owns it, no run ledger", async () => {
    const r = await dataset("--set", "daily_balance", "--out", "training.train");
    expect(r.code, r.stderr).toBe(0);
    const tables = await w.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'training' ORDER BY table_name");
    expect(tables.map((t) => t.table_name)).toEqual(["feature_backfill_tables", "train"]);
  });

  it("--ttl: a row exactly TTL old still matches, a microsecond older does not", async () => {
    const r = await dataset("--set", "daily_balance", "--ttl", "daily_balance=7d", "--out", "features.train_ttl");
    expect(r.code, r.stderr).toBe(0);
    const got = await w.query(`SELECT label, balance FROM features.train_ttl WHERE label LIKE 'seven%' ORDER BY label`);
    expect(got).toEqual([
      { label: "seven days after", balance: 7 },
      { label: "seven days and a microsecond after", balance: null },
    ]);
  });

  it("refuses a left-labelled set, naming the expression and the fixes (exit 10); --shift joins as of the period's end", async () => {
    const refused = await dataset("--set", "monthly_balance", "--out", "features.train_monthly");
    expect(refused.code).toBe(10);
    expect(refused.stderr).toContain('feature set "monthly_balance"');
    expect(refused.stderr).toMatch(/test\/fixtures\/dataset\/features\.ts:\d+/);
    expect(refused.stderr).toContain('label: "right"');
    expect(refused.stderr).toContain("--shift monthly_balance=1mo");
    const short = await dataset("--set", "monthly_balance", "--shift", "monthly_balance=2w", "--out", "features.train_monthly");
    expect(short.code).toBe(10);
    const shifted = await dataset("--set", "monthly_balance", "--shift", "monthly_balance=1mo", "--out", "features.train_monthly");
    expect(shifted.code, shifted.stderr).toBe(0);
    // January's total is known on February 1st: no event of the spine (all in January) sees it.
    expect(await w.query("SELECT count(total) AS n FROM features.train_monthly")).toEqual([{ n: 0n }]);
  });

  it("the leak a refused set causes: with --allow-leakage the value differs from the online lookup at that instant", async () => {
    const r = await dataset("--set", "monthly_balance", "--allow-leakage", "--out", "features.train_leaky");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("leakage accepted");
    const [leaky] = await w.query(`SELECT total FROM features.train_leaky WHERE label = 'before any row' AND customer_id = 2`);
    // Customer 2 at 2025-01-01 00:00: the training set holds January's whole total, unknown at that instant.
    expect(leaky).toEqual({ total: 100 });
    await copyFile(w.dbPath, path.join(w.dir, "online.duckdb"));
    const graph = await loadFeatureGraph(FEATURES);
    const client = await createOnlineClient({ graph, store: { engine: "duckdb", duckdb: { path: path.join(w.dir, "online.duckdb") } } });
    try {
      const online = await client.get(["monthly_balance"], { customer_id: 2 }, { asOf: new Date("2025-01-01T00:00:00Z") });
      expect(online.monthly_balance).toBeNull();
    } finally {
      await client.close();
    }
  });

  it("refuses when the ledger does not cover the spine's time range, naming the window and the run command (exit 11)", async () => {
    await w.exec("CREATE TABLE labels.late AS SELECT * FROM labels.events", "INSERT INTO labels.late VALUES (1, '2025-03-05 12:00:00', 'after the last window')");
    const r = await cli("dataset", "-c", w.configPath, "--spine", "labels.late", "--set", "daily_balance", "--out", "features.train_late");
    expect(r.code).toBe(11);
    expect(r.stderr).toContain("[2025-03-01, 2025-03-05T12:00:00.001Z) (missing)");
    expect(r.stderr).toContain("feature-backfill run --set daily_balance --start 2025-03-01 --end 2025-03-05T12:00:00.001Z --missing");
    expect(await w.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'train_late'")).toEqual([{ n: 0n }]);
  });

  it("reads a Parquet spine and writes a Parquet file, both in the engine", async () => {
    const spine = path.join(w.dir, "spine.parquet");
    const out = path.join(w.dir, "train.parquet");
    await w.exec(`COPY labels.events TO '${spine}' (FORMAT parquet)`);
    const r = await cli("dataset", "-c", w.configPath, "--spine", spine, "--set", "daily_balance", "--output", out);
    expect(r.code, r.stderr).toBe(0);
    expect(await w.query(`SELECT count(*) AS n, sum(balance) AS s FROM read_parquet('${out}')`)).toEqual([{ n: 7n, s: 15 + 15 + 7 + 7 }]);
    const csv = path.join(w.dir, "spine.csv");
    await w.exec(`COPY labels.events TO '${csv}' (FORMAT csv, HEADER true)`);
    const fromCsv = await cli("dataset", "-c", w.configPath, "--spine", csv, "--set", "daily_balance", "--output", path.join(w.dir, "train.csv"));
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(await w.query(`SELECT count(*) AS n, sum(balance) AS s FROM read_csv('${path.join(w.dir, "train.csv")}')`)).toEqual([{ n: 7n, s: 44 }]);
    const dry = await cli("dataset", "-c", w.configPath, "--spine", spine, "--set", "daily_balance", "--output", out, "--dry-run");
    expect(dry.stdout).toContain("read_parquet($1)");
    expect(dry.stdout).toContain(`-- $1 = ${JSON.stringify(spine)}`);
    expect(dry.stdout).toContain(`TO '${out}' (FORMAT parquet)`);
  });

  it("--dry-run prints the one statement: an ASOF LEFT JOIN per set", async () => {
    const r = await dataset("--set", "daily_balance", "--out", "features.train", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^CREATE TABLE "features"\."train" AS/);
    expect(r.stdout.match(/ASOF LEFT JOIN/g)).toHaveLength(1);
  });

  it("never writes a source, a set's offline table or a table it did not create (exit 9)", async () => {
    await w.exec("CREATE TABLE features.someone_elses (x INTEGER)");
    for (const out of ["raw.balances", "features.daily_balance", "features.someone_elses"]) {
      const r = await dataset("--set", "daily_balance", "--out", out);
      expect(r.code, `${out}: ${r.stderr}`).toBe(9);
    }
    expect(await w.query("SELECT count(*) AS n FROM raw.balances")).toEqual([{ n: 5n }]);
    // Its own table is replaced.
    expect((await dataset("--set", "daily_balance", "--out", "features.train")).code).toBe(0);
  });

  it("maps keys named otherwise with --key, and refuses a spine lacking a key (exit 2)", async () => {
    await w.exec("CREATE TABLE labels.renamed AS SELECT customer_id AS applicant, event_time, label FROM labels.events");
    const missing = await cli("dataset", "-c", w.configPath, "--spine", "labels.renamed", "--set", "daily_balance", "--out", "features.train_renamed");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--key customer_id=<spine column>");
    const mapped = await cli("dataset", "-c", w.configPath, "--spine", "labels.renamed", "--set", "daily_balance", "--key", "customer_id=applicant", "--out", "features.train_renamed");
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(await w.query("SELECT sum(balance) AS s FROM features.train_renamed")).toEqual([{ s: 44 }]);
  });

  it("refuses a set that can hold several rows per keys and timestamp (exit 4), and takes sets by --select", async () => {
    const r = await dataset("--set", "balance_events", "--out", "features.train_events", "--dry-run");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('feature set "balance_events"');
    expect(r.stderr).toContain('source "balances" may hold several rows per (customer_id, ts)');
    const selected = await dataset("--select", "daily_*", "--out", "features.train", "--dry-run");
    expect(selected.code, selected.stderr).toBe(0);
    expect(selected.stdout).toContain('"features"."daily_balance"');
  });

  it("a feature named like a spine column gets the set's suffix (Polars' join suffix); a DATE event time means its midnight", async () => {
    await w.exec("CREATE TABLE labels.clash AS SELECT customer_id, CAST(event_time AS DATE) AS event_time, label AS balance FROM labels.events WHERE label = 'seven days after'");
    const r = await cli("dataset", "-c", w.configPath, "--spine", "labels.clash", "--set", "daily_balance", "--out", "features.train_clash");
    expect(r.code, r.stderr).toBe(0);
    expect(await w.query("SELECT * FROM features.train_clash")).toEqual([
      { customer_id: 1n, event_time: new Date("2025-01-10T00:00:00Z"), balance: "seven days after", balance_daily_balance: 7, n: 1n },
    ]);
  });

  it("--compute-missing backfills the windows the ledger lacks, then builds the training set", async () => {
    const r = await cli("dataset", "-c", w.configPath, "--spine", "labels.late", "--set", "daily_balance", "--compute-missing", "--out", "features.train_late");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("--compute-missing: backfilling daily_balance [2025-03-01, 2025-03-05T12:00:00.001Z)");
    expect(await w.query("SELECT balance FROM features.train_late WHERE label = 'after the last window'")).toEqual([{ balance: 3 }]);
    // The ledger now covers it: without the flag, no error.
    expect((await cli("dataset", "-c", w.configPath, "--spine", "labels.late", "--set", "daily_balance", "--out", "features.train_late")).code).toBe(0);
  });
});
