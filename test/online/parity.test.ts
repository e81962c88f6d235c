import { copyFile } from "node:fs/promises";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBackfill, rowStatements } from "../../src/backfill/plan.ts";
import { duckdbDialect } from "../../src/dialects/duckdb/duckdb-dialect.ts";
import type { FeatureGraph } from "../../src/graph/feature-graph.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { formatTimestamp } from "../../src/ir/time.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { openOnlineStore } from "../../src/online/online-store.ts";
import { type OnlineValue, toOnlineValue } from "../../src/online/online-values.ts";
import type { DemoDataOptions } from "../../scripts/demo-data.ts";
import { expectSameRows } from "../support/compare.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Parity (issue 7): for random entities and instants t, what the online path returns at t equals the latest row at or
 * before t of a backfill computed only from data with event time <= t — for every example set, with the online
 * source in DuckDB and in PostgreSQL. The reference is computed independently of the online code: the raw tables are
 * cut at t in a fresh in-memory DuckDB, every set is backfilled over all of history by the ordinary planner, and the
 * offline table is read. Doubles are compared to 1e-9 relative (test/support/compare.ts): engines sum in other orders.
 */
const DATA: DemoDataOptions = { customers: 16, from: "2024-01-01", days: 700, transactionsPerCustomer: 40 };
const RAW = ["customer_accounts", "card_transactions", "credit_applications"] as const;

/** Deterministic pseudo-random numbers (mulberry32): the same cases on every run, reproducible from a failure. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly set: string;
  readonly entity: Record<string, number>;
  readonly asOf: Date;
  readonly expected: Record<string, OnlineValue> | null;
  /** For as-of-joined applications: the application's own row, to send in the request instead. */
  readonly requestRow?: { application_id: number; customer_id: number; applied_at: string; requested_limit: number };
}

describe("online lookups equal the latest row of a backfill computed from data up to asOf", () => {
  let warehouse: TestWarehouse;
  let graph: FeatureGraph;
  const cases: Case[] = [];

  beforeAll(async () => {
    [warehouse, graph] = await Promise.all([makeWarehouse({ data: DATA }), loadFeatureGraph(path.join(REPO, "features"))]);
    // The online DuckDB store opens its own copy read-only; the reference attaches the original.
    await copyFile(warehouse.dbPath, path.join(warehouse.dir, "online.duckdb"));
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const c = await instance.connect();
    try {
      await c.run("SET TimeZone = 'UTC'");
      await c.run(`ATTACH '${warehouse.dbPath}' AS src (READ_ONLY)`); // a test-owned temporary path
      await c.run("CREATE SCHEMA raw");
      const applications = (await c.runAndReadAll("SELECT application_id, customer_id, CAST(applied_at AS VARCHAR) AS applied_at, requested_limit FROM src.raw.credit_applications ORDER BY 1")).getRowObjectsJS();
      const next = random(7);
      // Random instants over the data, plus a month's first instant and the millisecond before it.
      const instants = [new Date("2025-01-01T00:00:00Z"), new Date("2024-12-31T23:59:59.999Z")];
      for (let i = 0; i < 6; i++) instants.push(new Date(Date.UTC(2024, 1, 1) + Math.floor(next() * 660 * 86_400_000)));
      for (const asOf of instants) {
        await cutAt(c, asOf);
        const customers = [7, ...Array.from({ length: 5 }, () => 1 + Math.floor(next() * DATA.customers))];
        const apps = Array.from({ length: 4 }, () => applications[Math.floor(next() * applications.length)]!);
        for (const [set, node] of graph.sets) {
          if (node.def.keys.join() === "customer_id") {
            for (const customer_id of customers) cases.push({ set, entity: { customer_id }, asOf, expected: await latest(c, set, { customer_id }, asOf) });
          } else {
            for (const app of apps) {
              const application_id = Number(app.application_id);
              const customer_id = Number(app.customer_id);
              const expected = await latest(c, set, { application_id }, asOf);
              const requestRow = { application_id, customer_id, applied_at: `${String(app.applied_at).replace(" ", "T")}Z`, requested_limit: Number(app.requested_limit) };
              cases.push({ set, entity: { application_id, customer_id }, asOf, expected, requestRow });
              // Without the customer the accounts cannot be filtered: read whole, same answer.
              cases.push({ set, entity: { application_id }, asOf, expected });
            }
          }
        }
      }
    } finally {
      c.closeSync();
      instance.closeSync();
    }

    /** The raw tables cut at asOf, then every set backfilled over all of history (as `evaluate` does). */
    async function cutAt(c: DuckDBConnection, asOf: Date) {
      const at = formatTimestamp(asOf);
      await c.run(`CREATE OR REPLACE TABLE raw.customer_accounts AS SELECT * FROM src.raw.customer_accounts WHERE date <= CAST(CAST('${at}' AS TIMESTAMP) AS DATE)`);
      await c.run(`CREATE OR REPLACE TABLE raw.card_transactions AS SELECT * FROM src.raw.card_transactions WHERE transaction_ts <= TIMESTAMP '${at}'`);
      await c.run(`CREATE OR REPLACE TABLE raw.credit_applications AS SELECT * FROM src.raw.credit_applications WHERE applied_at <= TIMESTAMP '${at}'`);
      const start = new Date(Date.UTC(2000, 0, 1));
      start.setUTCFullYear(1);
      const jobs = planBackfill({ graph, sets: [...graph.sets.keys()], window: { start, end: new Date(Date.UTC(9999, 11, 31)) }, dialect: duckdbDialect, tableFor: (name) => ({ schema: "features", name }) });
      await c.run("DROP SCHEMA IF EXISTS features CASCADE");
      for (const job of jobs) for (const s of rowStatements(job)) await c.run(s.sql, s.parameters as never);
    }

    /** The offline row of the entity with the latest timestamp at or before asOf. */
    async function latest(c: DuckDBConnection, set: string, entity: Record<string, number>, asOf: Date) {
      const { def } = graph.sets.get(set)!;
      const columns = planBackfill({ graph, sets: [set], window: { start: new Date(0), end: new Date(1) }, dialect: duckdbDialect, tableFor: (name) => ({ name }) })[0]!.columns;
      const tsType = columns.find((col) => col.name === def.timestamp)!.type;
      const keys = Object.keys(entity).map((k, i) => `"${k}" = $${i + 1}`).join(" AND ");
      const at = tsType === "date" ? `CAST(CAST($${Object.keys(entity).length + 1} AS TIMESTAMP) AS DATE)` : `CAST($${Object.keys(entity).length + 1} AS TIMESTAMP)`;
      const reader = await c.runAndReadAll(`SELECT * FROM features."${set}" WHERE ${keys} AND "${def.timestamp}" <= ${at} ORDER BY "${def.timestamp}" DESC LIMIT 2`, [
        ...Object.values(entity).map((v) => BigInt(v)),
        formatTimestamp(asOf),
      ] as never);
      const rows = reader.getRows();
      const names = reader.columnNames();
      expect(rows.length, `${set} ${JSON.stringify(entity)}: at most one row per timestamp`).toBeLessThanOrEqual(2);
      if (rows.length === 0) return null;
      return Object.fromEntries(columns.map((col) => [col.name, toOnlineValue(plainValue(rows[0]![names.indexOf(col.name)]), col.type)]));
    }
  });
  afterAll(() => warehouse?.cleanup());

  it("the cases cover every set, empty answers and answers from before asOf", () => {
    expect(new Set(cases.map((c) => c.set))).toEqual(new Set(graph.sets.keys()));
    const found = cases.filter((c) => c.expected !== null);
    expect(found.length).toBeGreaterThan(cases.length / 2);
    expect(cases.length - found.length).toBeGreaterThan(5);
    for (const set of graph.sets.keys()) expect(found.filter((c) => c.set === set).length, `${set}: cases with a row`).toBeGreaterThan(3);
  });

  async function checkAll(client: OnlineClient) {
    let checked = 0;
    for (const c of cases) {
      const label = `${c.set} ${JSON.stringify(c.entity)} at ${c.asOf.toISOString()}`;
      const got = (await client.get([c.set], c.entity, { asOf: c.asOf }))[c.set]!;
      expectSameRows(got ? [got] : [], c.expected ? [c.expected] : [], label);
      if (c.requestRow && c.requestRow.applied_at <= c.asOf.toISOString()) {
        // The application sent in the request instead of read from the table: the same answer.
        const viaRequest = (await client.get([c.set], c.entity, { asOf: c.asOf, rows: { credit_applications: [c.requestRow] } }))[c.set]!;
        expectSameRows(viaRequest ? [viaRequest] : [], c.expected ? [c.expected] : [], `${label}, application from the request`);
      }
      checked++;
    }
    expect(checked).toBe(cases.length);
  }

  it("with the online source in DuckDB", async () => {
    const client = await createOnlineClient({ graph, store: { engine: "duckdb", duckdb: { path: path.join(warehouse.dir, "online.duckdb") } } });
    try {
      await checkAll(client);
    } finally {
      await client.close();
    }
  });

  describe.skipIf(!postgresAvailable)("with the online source in PostgreSQL", () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await makeTestDatabase();
      await copyToPostgres(warehouse, db, RAW.map((name) => ({ schema: "raw", name })));
    });
    afterAll(() => db?.cleanup());

    it("returns the same rows", async () => {
      const store = await openOnlineStore({ engine: "postgres", postgres: db.settings, poolSize: 4 });
      const client = await createOnlineClient({ graph, store });
      try {
        await checkAll(client);
      } finally {
        await store.close();
      }
    });
  });
});

const plainValue = (v: unknown): unknown => (v === null || typeof v !== "object" ? v : String(v));
