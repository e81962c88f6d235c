/**
 * Online latency (issue 7): single-entity requests of three example sets at once — rolling_card_spend (time-based
 * windows), application_utilisation (an as-of join) and revolving_balance_change (a lag over a set on a set) —
 * against a ~10-million-row raw.customer_accounts, in-process and over HTTP (a `serve` child process), at
 * concurrency 1 and 8; with the online store in DuckDB (tables sorted by customer) and in PostgreSQL (btree indexes).
 *
 *   npm run bench:online                      # both stores; PostgreSQL from FEATURE_BACKFILL_TEST_POSTGRES or the test server
 *   BENCH_ONLINE_CUSTOMERS=800 npm run bench:online   # a ~1M-row quick run
 *
 * Data is generated once into $BENCH_ONLINE_DIR (default /tmp/fb-bench-online) and reused.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createOnlineClient, type OnlineClient } from "../src/online/online-client.ts";
import type { OnlineStoreSettings } from "../src/online/online-store.ts";
import { demoDataStatements } from "./demo-data.ts";

const CUSTOMERS = Number(process.env.BENCH_ONLINE_CUSTOMERS ?? 7_800);
const DIR = process.env.BENCH_ONLINE_DIR ?? "/tmp/fb-bench-online";
const REQUESTS = Number(process.env.BENCH_ONLINE_REQUESTS ?? 400);
const AS_OF = "2025-12-31T00:00:00Z";
const SETS = ["rolling_card_spend", "application_utilisation", "revolving_balance_change"];
const REPO = path.resolve(import.meta.dirname, "..");
const DUCK = path.join(DIR, `online-${CUSTOMERS}.duckdb`);
const PG_URL = process.env.FEATURE_BACKFILL_TEST_POSTGRES ?? "postgres://feature_backfill@127.0.0.1:5432/feature_backfill";
process.env.PGPASSWORD ??= "feature_backfill";
const TABLES = ["customer_accounts", "card_transactions", "credit_applications"];

async function prepareDuckDB(): Promise<{ applications: [number, number][] }> {
  await mkdir(DIR, { recursive: true });
  const db = await DuckDBInstance.create(DUCK);
  const c = await db.connect();
  try {
    if (!existsSync(`${DUCK}.ready`)) {
      const t0 = Date.now();
      for (const s of demoDataStatements({ customers: CUSTOMERS, from: "2024-01-01", days: 731, transactionsPerCustomer: 120 })) await c.run(s);
      // Sorted by the entity key: DuckDB's min/max zone maps then skip all but a few row groups per lookup.
      await c.run("CREATE OR REPLACE TABLE raw.customer_accounts AS SELECT * FROM raw.customer_accounts ORDER BY customer_id, date");
      await c.run("CREATE OR REPLACE TABLE raw.card_transactions AS SELECT * FROM raw.card_transactions ORDER BY customer_id, transaction_ts");
      await c.run("CREATE OR REPLACE TABLE raw.credit_applications AS SELECT * FROM raw.credit_applications ORDER BY application_id");
      await c.run("CHECKPOINT");
      await writeFile(`${DUCK}.ready`, "");
      console.error(`generated DuckDB data in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const counts = (await c.runAndReadAll(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM raw.${t}) AS ${t}`).join(", ")}`)).getRowObjectsJS()[0]!;
    console.log(`rows: ${TABLES.map((t) => `${t} ${Number(counts[t]).toLocaleString("en")}`).join(", ")}`);
    const apps = (await c.runAndReadAll("SELECT application_id, customer_id FROM raw.credit_applications")).getRows();
    return { applications: apps.map(([a, cu]) => [Number(a), Number(cu)]) };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Copies the tables into database fb_bench_online (once), with btree indexes on the entity keys. */
async function preparePostgres(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const name = `fb_bench_online_${CUSTOMERS}`;
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    if ((await client.query("SELECT to_regclass('raw.ready') AS t")).rows[0].t === null) {
      const t0 = Date.now();
      await client.query("CREATE SCHEMA IF NOT EXISTS raw");
      await client.query("CREATE TABLE raw.customer_accounts (customer_id BIGINT, account_id BIGINT, date DATE, balance DOUBLE PRECISION, account_type TEXT)");
      await client.query("CREATE TABLE raw.card_transactions (transaction_id BIGINT, customer_id BIGINT, transaction_ts TIMESTAMP, amount DOUBLE PRECISION, merchant_category TEXT, is_declined BOOLEAN)");
      await client.query("CREATE TABLE raw.credit_applications (application_id BIGINT, customer_id BIGINT, applied_at TIMESTAMP, requested_limit DOUBLE PRECISION)");
      const db = await DuckDBInstance.create(DUCK, { access_mode: "READ_ONLY" });
      const c = await db.connect();
      for (const t of TABLES) {
        const file = path.join(DIR, `${t}.csv`);
        await c.run(`COPY raw.${t} TO '${file}' (HEADER)`); // bench-owned names and paths
        await pipeline(createReadStream(file), client.query(copyFrom(`COPY raw.${t} FROM STDIN (FORMAT csv, HEADER true)`)));
      }
      c.closeSync();
      db.closeSync();
      await client.query("CREATE INDEX ON raw.customer_accounts (customer_id, date)");
      await client.query("CREATE INDEX ON raw.card_transactions (customer_id, transaction_ts)");
      await client.query("CREATE INDEX ON raw.credit_applications (application_id)");
      await client.query("CREATE INDEX ON raw.credit_applications (customer_id)");
      await client.query("ANALYZE");
      await client.query("CREATE TABLE raw.ready ()");
      console.error(`loaded PostgreSQL in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await client.end();
  }
  return url.toString();
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Runs `requests` calls of `call` from `concurrency` workers; latency percentiles and throughput. */
async function measure(label: string, concurrency: number, call: (i: number) => Promise<void>) {
  for (let i = 0; i < 30; i++) await call(i); // warm-up: prepared statements on each connection, JIT
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const s = performance.now();
        await call(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} c=${concurrency}  p50 ${pct(latencies, 50).toFixed(2)} ms  p99 ${pct(latencies, 99).toFixed(2)} ms  ${(REQUESTS / seconds).toFixed(0)} req/s`);
}

async function bench(storeLabel: string, settings: OnlineStoreSettings, applications: [number, number][]) {
  const entity = (i: number) => {
    const [application_id, customer_id] = applications[(i * 7919) % applications.length]!;
    return { customer_id, application_id };
  };
  const client: OnlineClient = await createOnlineClient({ features: path.join(REPO, "features"), store: settings });
  let found = 0;
  for (const c of [1, 8]) {
    await measure(`${storeLabel} in-process`, c, async (i) => {
      const r = await client.get(SETS, entity(i), { asOf: AS_OF });
      if (r.rolling_card_spend) found++;
    });
  }
  await client.close();
  if (found === 0) throw new Error("no lookup found a row: the benchmark measures nothing");

  // Over HTTP: `serve` in its own process, as deployed; keep-alive connections from Node's fetch.
  const config = path.join(DIR, `${storeLabel}.config.json`);
  await writeFile(config, JSON.stringify({ features: path.join(REPO, "features"), online: settings.engine === "duckdb" ? { engine: "duckdb", duckdb: settings.duckdb } : { engine: "postgres", postgres: settings.postgres } }));
  const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "serve", "--port", "0", "-c", config], { stdio: ["ignore", "pipe", "inherit"] });
  const address = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /"address":"([^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  child.stdout.resume();
  try {
    for (const c of [1, 8]) {
      await measure(`${storeLabel} HTTP`, c, async (i) => {
        const r = await fetch(`${address}/features/online`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ featureSets: SETS, entity: entity(i), asOf: AS_OF }) });
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
        await r.arrayBuffer();
      });
    }
  } finally {
    child.kill("SIGTERM");
  }
}

const { applications } = await prepareDuckDB();
console.log(`request: ${SETS.join(" + ")} for one customer/application, asOf ${AS_OF}; ${REQUESTS} requests per row`);
await bench("duckdb", { engine: "duckdb", duckdb: { path: DUCK }, poolSize: 4 }, applications);
if (process.env.BENCH_ONLINE_SKIP_POSTGRES !== "1") {
  const url = await preparePostgres();
  await bench("postgres", { engine: "postgres", postgres: { connectionString: url }, poolSize: 8 }, applications);
}
