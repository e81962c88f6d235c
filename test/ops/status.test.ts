import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { col, featureSet, lit, source, when } from "../../src/dsl/index.ts";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { loadConfig, type ResolvedConfig } from "../../src/config/config.ts";
import { duckdbDialect } from "../../src/dialects/duckdb/duckdb-dialect.ts";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.ts";
import { snowflakeDialect } from "../../src/dialects/snowflake/snowflake-dialect.ts";
import { openEngine } from "../../src/engines/open-engine.ts";
import { InterruptedError, PartialFailureError } from "../../src/errors.ts";
import { buildGraph, type FeatureGraph } from "../../src/graph/feature-graph.ts";
import type { SourceDef } from "../../src/ir/definitions.ts";
import { historyStatements } from "../../src/status/ledger-history.ts";
import { projectStatus } from "../../src/status/project-status.ts";
import { renderStatusMarkdown, renderStatusText, statusJson } from "../../src/status/render-status.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

const DATA = { customers: 8, from: "2024-01-01", days: 200, transactionsPerCustomer: 5 };
const RANGE = parseWindow("2024-01-01", "2024-07-01");
const SETS = ["st_monthly", "st_quarterly", "st_daily", "st_failing"];

/**
 * Two versions of a small project. The second changes st_monthly's filter (its own definition; st_quarterly reads
 * it: an upstream change) and declares one more column of the source st_daily reads (a source schema change).
 */
function project(version: 1 | 2): FeatureGraph {
  const balances = source({
    name: "st_balances",
    keys: ["customer_id"],
    timestamp: "date",
    columns: { customer_id: "bigint", date: "date", balance: "double", account_type: "varchar" },
    backfill: { table: "raw.customer_accounts" },
  });
  const accounts = source({
    name: "st_accounts",
    keys: ["customer_id"],
    timestamp: "date",
    columns: { customer_id: "bigint", date: "date", balance: "double", ...(version === 2 ? { account_id: "bigint" as const } : {}) },
    backfill: { table: "raw.customer_accounts" },
  });
  const monthly = featureSet({
    name: "st_monthly",
    inputs: { balances },
    keys: ["customer_id"],
    timestamp: "date",
    build: ({ balances }) =>
      balances
        .filter(col("account_type").eq(version === 1 ? "revolving" : "checking"))
        .groupBy("customer_id", col("date").dt.truncate("1mo").alias("date"))
        .agg(col("balance").mean().alias("avg_balance")),
  });
  const quarterly = featureSet({
    name: "st_quarterly",
    inputs: { monthly },
    keys: ["customer_id"],
    timestamp: "date",
    build: ({ monthly }) => monthly.groupBy("customer_id", col("date").dt.truncate("1mo").alias("date")).agg(col("avg_balance").max().alias("m")),
  });
  const daily = featureSet({
    name: "st_daily",
    inputs: { accounts },
    keys: ["customer_id"],
    timestamp: "date",
    build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().alias("total")),
  });
  // Fails inside the warehouse for any chunk from May: it casts the account type ('revolving', …) to a number.
  const failing = featureSet({
    name: "st_failing",
    inputs: { balances },
    keys: ["customer_id"],
    timestamp: "date",
    build: ({ balances }) =>
      balances
        .withColumns(when(col("date").ge(lit("2024-05-01", "date"))).then(col("account_type").cast("bigint")).otherwise(1).alias("bad"))
        .groupBy("customer_id", "date")
        .agg(col("bad").sum().alias("bad_sum")),
  });
  return buildGraph([balances, accounts, monthly, quarterly, daily, failing] as (SourceDef | typeof monthly)[]);
}

/** Real runs, through the backfill's own plan and executor, that leave every state in the ledger. */
async function buildLedger(config: ResolvedConfig, onRecord: (sql: string) => Promise<void>): Promise<void> {
  const run = async (graph: FeatureGraph, set: string, start: string, end: string, options: Parameters<typeof executeBackfill>[2] = {}) => {
    const jobs = planBackfill({ graph, sets: [set], window: parseWindow(start, end), chunk: "1mo", dialect: config.dialect, tableFor: config.tableFor });
    const engine = await openEngine(config);
    try {
      await executeBackfill(jobs, engine, { retries: 0, ...options });
    } finally {
      await engine.close();
    }
  };
  const [v1, v2] = [project(1), project(2)];
  await run(v1, "st_monthly", "2024-01-01", "2024-06-01");
  await run(v2, "st_monthly", "2024-02-01", "2024-04-01"); // its own change: Jan, Apr and May are now stale
  await run(v1, "st_quarterly", "2024-01-01", "2024-07-01"); // stale throughout: what it reads changed
  await run(v1, "st_daily", "2024-01-01", "2024-04-01"); // stale: its source declares a column more
  const abort = new AbortController();
  const interrupted = run(v1, "st_daily", "2024-05-01", "2024-06-01", { signal: abort.signal, onEvent: (e) => e.event === "chunk_started" && abort.abort() });
  await expect(interrupted).rejects.toThrow(InterruptedError);
  await expect(run(v2, "st_failing", "2024-03-01", "2024-07-01", { keepGoing: true })).rejects.toThrow(PartialFailureError);
  // A run writing June now, on another machine (its lease lives on).
  await onRecord(
    "INSERT INTO features.feature_backfill_leases VALUES ('st_failing', 'run-elsewhere', TIMESTAMP '2024-06-01 00:00:00', TIMESTAMP '2024-07-01 00:00:00', TIMESTAMP '2999-01-01 00:00:00', 'other-host:4242', TIMESTAMP '2024-06-01 00:00:00')",
  );
}

/** Run ids, clock times and warehouse error texts differ between runs and engines; the rest must not. */
const normalise = (text: string): string =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<run>")
    .replace(/20[2-9]\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (t) => (t.startsWith("2999") ? t : "<time>"))
    .replace(/after \d+\.\d\d s/g, "after <s> s")
    .replace(/"durationMs": \d+/g, '"durationMs": "<ms>"')
    .replace(/(in run <run>: ).*$/gm, "$1<error>")
    .replace(/"error": "(?:[^"\\]|\\.)*"/g, '"error": "<error>"')
    .replace(/[0-9a-f]{64}/g, "<hash>");

async function expectGolden(config: ResolvedConfig): Promise<void> {
  const status = await projectStatus(config, project(2), SETS, RANGE, new Date());
  const golden = (name: string) => path.join(import.meta.dirname, "golden", name);
  await expect(normalise(renderStatusText(status.statuses, status.range!, { width: 60, colour: false }))).toMatchFileSnapshot(golden("status-weeks.txt"));
  await expect(normalise(renderStatusText(status.statuses, status.range!, { width: 30, colour: false }))).toMatchFileSnapshot(golden("status-months.txt"));
  await expect(normalise(`${JSON.stringify(statusJson(status.statuses, status.range!), null, 2)}\n`)).toMatchFileSnapshot(golden("status.json"));
  await expect(normalise(renderStatusMarkdown(status.statuses, status.range!, 40))).toMatchFileSnapshot(golden("status.md"));
}

describe("status from a ledger built by real runs", () => {
  let warehouse: TestWarehouse;
  afterAll(() => warehouse?.cleanup());

  it("DuckDB: filled, gaps, failed, interrupted, running, and stale by own, upstream and source schema change", async () => {
    warehouse = await makeWarehouse({ data: DATA });
    const config = await loadConfig(warehouse.configPath);
    await buildLedger(config, (sql) => warehouse.exec(sql));
    await expectGolden(config);
  });
});

describe.skipIf(!postgresAvailable)("status on PostgreSQL", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  afterAll(async () => {
    await warehouse?.cleanup();
    await db?.cleanup();
  });

  it("shows the same as on DuckDB for the same runs", async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ data: DATA }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "customer_accounts" }]);
    await writeFile(warehouse.configPath, JSON.stringify({ features: "features", engine: "postgres", postgres: db.settings, offlineStore: { schema: "features", table: "{set}" } }));
    const config = await loadConfig(warehouse.configPath);
    await buildLedger(config, async (sql) => void (await db.query(sql)));
    await expectGolden(config);
  });
});

describe("the ledger reads", () => {
  it("are two parameterised SELECTs in each dialect (Snowflake: golden, as it cannot be reached from here)", () => {
    for (const dialect of [duckdbDialect, postgresDialect, snowflakeDialect]) {
      const { ledger, leases } = historyStatements(dialect, "features", ["a", "b"]);
      expect([ledger.parameters, leases.parameters]).toEqual([["a", "b"], ["a", "b"]]);
      expect(ledger.sql).not.toMatch(/\b(INSERT|UPDATE|DELETE)\b/i);
    }
    expect(historyStatements(snowflakeDialect, "features", ["a"]).ledger.sql).toMatchInlineSnapshot(`
      "SELECT
        "RUN_ID" AS "RUN_ID",
        "FEATURE_SET" AS "FEATURE_SET",
        "CHUNK_START" AS "CHUNK_START",
        "CHUNK_END" AS "CHUNK_END",
        "DEFINITION_HASH" AS "DEFINITION_HASH",
        "STATUS" AS "STATUS",
        "STARTED_AT" AS "STARTED_AT",
        "FINISHED_AT" AS "FINISHED_AT",
        "ERROR" AS "ERROR"
      FROM
        "FEATURES"."FEATURE_BACKFILL_LEDGER"
      WHERE
        "FEATURE_SET" IN (?)
      ORDER BY
        "FINISHED_AT""
    `);
  });
});

describe("the status command", () => {
  let warehouse: TestWarehouse;
  afterAll(() => warehouse?.cleanup());

  it("reads the ledger of the project's runs; --select picks the sets; JSON lists the spans", async () => {
    warehouse = await makeWarehouse({ data: DATA });
    const run = await cli("run", "--select", "daily_card_spend", "--start", "2024-01-01", "--end", "2024-03-01", "--chunk", "1mo", "--config", warehouse.configPath);
    expect(run.code).toBe(0);
    await cli("run", "--set", "daily_card_spend", "--start", "2024-04-01", "--end", "2024-05-01", "--config", warehouse.configPath);
    const { code, stdout } = await cli("status", "--select", "*card_spend", "--exclude", "rolling_card_spend", "--exclude", "monthly_card_spend", "--format", "json", "--config", warehouse.configPath);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.range).toEqual({ start: "2024-01-01", end: "2024-05-01" }); // by default, what the ledger covers
    expect(json.sets.map((s: { set: string }) => s.set)).toEqual(["daily_card_spend"]);
    expect(json.sets[0].spans).toEqual([
      { start: "2024-01-01", end: "2024-03-01", state: "filled" },
      { start: "2024-03-01", end: "2024-04-01", state: "missing" },
      { start: "2024-04-01", end: "2024-05-01", state: "filled" },
    ]);
    const text = await cli("status", "--set", "daily_card_spend", "--width", "140", "--config", warehouse.configPath);
    expect(text.stdout).toContain("status over [2024-01-01, 2024-05-01), one cell per day (121)\n\ndaily_card_spend |" + "#".repeat(60) + ".".repeat(31) + "#".repeat(30) + "|\n");
  });

  it("says when the ledger has nothing to show", async () => {
    const empty = await makeWarehouse({ data: null });
    try {
      const { code, stdout } = await cli("status", "--set", "daily_card_spend", "--config", empty.configPath);
      expect({ code, stdout }).toEqual({ code: 0, stdout: "the run ledger records no chunk of daily_card_spend; give --start and --end to see the windows to fill\n" });
    } finally {
      await empty.cleanup();
    }
  });
});
