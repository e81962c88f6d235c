import { copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBackfill, rowStatements } from "../../src/backfill/plan.ts";
import { duckdbDialect } from "../../src/dialects/duckdb/duckdb-dialect.ts";
import type { FeatureGraph } from "../../src/graph/feature-graph.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import type { DType } from "../../src/ir/dtype.ts";
import { createOnlineClient } from "../../src/online/online-client.ts";
import { type OnlineValue, toOnlineValue } from "../../src/online/online-values.ts";
import { typeGraph } from "../../src/passes/type-pass.ts";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * The parity triangle, for the example sets `dataset` accepts (days_since_overdraft; quarterly_revolving_balance_trend,
 * a set on a left-labelled set): for random customers at random instants — and at period boundaries and the
 * microsecond before them — the training set's features equal the online lookup at that instant, and the latest row
 * (at or before the instant) of a backfill computed only from data cut at that instant. On DuckDB and PostgreSQL.
 */
const SETS = ["days_since_overdraft", "quarterly_revolving_balance_trend"] as const;
const RAW = ["customer_accounts", "card_transactions", "credit_applications"];
const CUSTOMERS = 12;

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Instants as SQL text (microseconds): boundaries of a quarter and a day, the microsecond before, and random ones. */
const INSTANTS = ["2025-01-01 00:00:00", "2024-12-31 23:59:59.999999", "2024-07-01 00:00:00", "2024-06-30 23:59:59.999999", "2024-05-17 00:00:00"];
const next = random(14);
for (let i = 0; i < 4; i++) INSTANTS.push(new Date(Date.UTC(2024, 1, 1) + Math.floor(next() * 600 * 86_400_000)).toISOString().replace("T", " ").replace("Z", ""));
const SPINE = INSTANTS.flatMap((at, i) => [1 + ((i * 5) % CUSTOMERS), 1 + Math.floor(next() * CUSTOMERS), 2].map((customer_id) => ({ customer_id, at })));

let w: TestWarehouse;
let graph: FeatureGraph;
let columns: Map<string, { name: string; type: DType }[]>;
/** Per spine row (in SPINE's order) and set: the reference features, or null where no row is known. */
const reference: (Record<string, OnlineValue> | null)[][] = [];

const features = (set: string) => columns.get(set)!.filter((c) => c.name !== "customer_id" && c.name !== graph.sets.get(set)!.def.timestamp);
const norm = (row: Record<string, unknown>, set: string): Record<string, OnlineValue> | null => {
  const values = Object.fromEntries(features(set).map((c) => [c.name, toOnlineValue(typeof row[c.name] === "object" && row[c.name] !== null && !(row[c.name] instanceof Date) ? String(row[c.name]) : row[c.name] instanceof Date ? (row[c.name] as Date).toISOString() : row[c.name], c.type)]));
  return Object.values(values).every((v) => v === null) ? null : values;
};

beforeAll(async () => {
  [w, graph] = await Promise.all([makeWarehouse({ data: { customers: CUSTOMERS, from: "2024-01-01", days: 560, transactionsPerCustomer: 20 } }), loadFeatureGraph(path.join(REPO, "features"))]);
  const typed = typeGraph(graph, SETS);
  columns = new Map(SETS.map((s) => [s, [...typed.get(s)!.schema]]));
  const values = SPINE.map((r, i) => `(${i}, ${r.customer_id}, TIMESTAMP '${r.at}')`).join(", ");
  await w.exec("CREATE SCHEMA labels", `CREATE TABLE labels.spine AS SELECT * FROM (VALUES ${values}) AS v(row_id, customer_id, event_time)`);
  // The reference: raw tables cut at each instant in a fresh in-memory DuckDB, every set backfilled over all history.
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const c = await instance.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    await c.run(`ATTACH '${w.dbPath}' AS src (READ_ONLY)`);
    await c.run("CREATE SCHEMA raw");
    for (const at of INSTANTS) {
      await cutAt(c, at);
      for (const [i, r] of SPINE.entries()) {
        if (r.at !== at) continue;
        reference[i] = [];
        for (const set of SETS) {
          const ts = graph.sets.get(set)!.def.timestamp;
          const rows = (await c.runAndReadAll(`SELECT * FROM features."${set}" WHERE customer_id = ${r.customer_id} AND CAST("${ts}" AS TIMESTAMP) <= TIMESTAMP '${at}' ORDER BY "${ts}" DESC LIMIT 1`)).getRowObjectsJS();
          reference[i]!.push(rows[0] ? norm(rows[0], set) : null);
        }
      }
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  const run = await cli("run", "-c", w.configPath, ...SETS.flatMap((s) => ["--set", s]), "--start", "2023-10-01", "--end", "2025-10-01");
  expect(run.code, run.stderr).toBe(0);
}, 120_000);
afterAll(() => w?.cleanup());

async function cutAt(c: DuckDBConnection, at: string) {
  await c.run(`CREATE OR REPLACE TABLE raw.customer_accounts AS SELECT * FROM src.raw.customer_accounts WHERE date <= CAST(TIMESTAMP '${at}' AS DATE)`);
  await c.run(`CREATE OR REPLACE TABLE raw.card_transactions AS SELECT * FROM src.raw.card_transactions WHERE transaction_ts <= TIMESTAMP '${at}'`);
  await c.run(`CREATE OR REPLACE TABLE raw.credit_applications AS SELECT * FROM src.raw.credit_applications WHERE applied_at <= TIMESTAMP '${at}'`);
  const jobs = planBackfill({ graph, sets: [...SETS], window: { start: new Date(Date.UTC(2020, 0, 1)), end: new Date(Date.UTC(2030, 0, 1)) }, dialect: duckdbDialect, tableFor: (name) => ({ schema: "features", name }) });
  await c.run("DROP SCHEMA IF EXISTS features CASCADE");
  for (const job of jobs) for (const s of rowStatements(job)) await c.run(s.sql, s.parameters as never);
}

/** The training set's features per spine row, in SPINE's order, split per set. */
function perRow(rows: Record<string, unknown>[]): (Record<string, OnlineValue> | null)[][] {
  const byId = new Map(rows.map((r) => [Number(r.row_id), r]));
  expect(byId.size).toBe(SPINE.length);
  return SPINE.map((_, i) => SETS.map((set) => norm(byId.get(i)!, set)));
}

function expectTriangle(got: (Record<string, OnlineValue> | null)[][], label: string) {
  for (const [i, r] of SPINE.entries()) {
    SETS.forEach((set, j) => {
      const [a, b] = [got[i]![j]!, reference[i]![j]!];
      expectSameRows(a ? [a] : [], b ? [b] : [], `${label}: ${set} for customer ${r.customer_id} at ${r.at}`);
    });
  }
}

describe("training set == online lookup == backfill over data cut at the instant", () => {
  it("the cases hold rows and empty answers for each set", () => {
    for (const j of SETS.keys()) {
      expect(reference.filter((r) => r[j] !== null).length, SETS[j]).toBeGreaterThan(5);
      expect(reference.filter((r) => r[j] === null).length, SETS[j]).toBeGreaterThan(0);
    }
  });

  it("on DuckDB, and the online lookup (DuckDB store) agrees", async () => {
    const r = await cli("dataset", "-c", w.configPath, "--spine", "labels.spine", ...SETS.flatMap((s) => ["--set", s]), "--out", "features.train");
    expect(r.code, r.stderr).toBe(0);
    expectTriangle(perRow(await w.query("SELECT * FROM features.train")), "dataset (DuckDB)");

    await copyFile(w.dbPath, path.join(w.dir, "online.duckdb"));
    const client = await createOnlineClient({ graph, store: { engine: "duckdb", duckdb: { path: path.join(w.dir, "online.duckdb") } } });
    try {
      const online: (Record<string, OnlineValue> | null)[][] = [];
      for (const r of SPINE) {
        // JS instants hold milliseconds: .999999 reads as .999, the same for these sets (dates, no later rows).
        const got = await client.get([...SETS], { customer_id: r.customer_id }, { asOf: new Date(`${r.at.replace(" ", "T")}Z`) });
        online.push(SETS.map((set) => (got[set] ? norm(got[set] as Record<string, unknown>, set) : null)));
      }
      expectTriangle(online, "online lookup");
    } finally {
      await client.close();
    }
  });

  describe.skipIf(!postgresAvailable)("on PostgreSQL", () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await makeTestDatabase();
      await copyToPostgres(w, db, [...RAW.map((name) => ({ schema: "raw", name })), { schema: "labels", name: "spine" }]);
    }, 60_000);
    afterAll(() => db?.cleanup());

    it("the training set holds the same features", async () => {
      const config = path.join(w.dir, "postgres.config.json");
      await writeFile(config, JSON.stringify({ features: path.join(REPO, "features"), engine: "postgres", postgres: db.settings, offlineStore: { schema: "features", table: "{set}" } }));
      const run = await cli("run", "-c", config, ...SETS.flatMap((s) => ["--set", s]), "--start", "2023-10-01", "--end", "2025-10-01");
      expect(run.code, run.stderr).toBe(0);
      const r = await cli("dataset", "-c", config, "--spine", "labels.spine", ...SETS.flatMap((s) => ["--set", s]), "--out", "features.train");
      expect(r.code, r.stderr).toBe(0);
      expectTriangle(perRow(await db.query("SELECT * FROM features.train")), "dataset (PostgreSQL)");
    });
  });
});
