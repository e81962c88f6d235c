/**
 * `npm run bench` (third part): the daily run of each set that reads another set, once the upstreams' history is
 * backfilled, reading the upstream's offline table (reused) against recomputing the upstream from raw (`--inline`),
 * side by side on one DuckDB file: median time and the input rows the statement reads (counted from the planned
 * read ranges: DuckDB reports no rows read per statement without profiling).
 *
 * Sizes: BENCH_INCR_CUSTOMERS (default 3000), BENCH_INCR_YEARS (3), BENCH_INCR_TRANSACTIONS (per customer, 600),
 * BENCH_INCR_REPS (5).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { formatTable } from "../src/compile/statements.ts";
import { planFromConfig, reuseUpstreams, runBackfill } from "../src/backfill/run-backfill.ts";
import type { SetJob } from "../src/backfill/plan.ts";
import { formatTimestamp } from "../src/ir/time.ts";
import { demoDataStatements } from "./demo-data.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const customers = Number(process.env.BENCH_INCR_CUSTOMERS ?? 3000);
const years = Number(process.env.BENCH_INCR_YEARS ?? 3);
const reps = Number(process.env.BENCH_INCR_REPS ?? 5);
const READERS = ["rolling_card_spend", "quarterly_revolving_balance_trend", "revolving_balance_change"];
const UPSTREAMS = ["daily_card_spend", "avg_monthly_revolving_balance"];
const log = (text: string) => process.stderr.write(`[bench-incremental] ${text}\n`);

const from = new Date(Date.UTC(2026 - years, 0, 1));
const history = { start: from, end: new Date(Date.UTC(2026, 0, 1)) };
// The daily run: a day at a quarter's start, so that the quarterly set (labelled at its quarter's end) writes rows too.
const day = { start: new Date(Date.UTC(2025, 9, 1)), end: new Date(Date.UTC(2025, 9, 2)) };

const dir = await mkdtemp(path.join(ROOT, ".bench", "incremental-"));
try {
  const dbPath = path.join(dir, "bench.duckdb");
  const config = path.join(dir, "features.config.json");
  await writeFile(config, JSON.stringify({ features: path.join(ROOT, "features"), duckdb: { path: "bench.duckdb", threads: 2 }, offlineStore: { schema: "features", table: "{set}" } }));
  const started = performance.now();
  const db = await DuckDBInstance.create(dbPath);
  let c = await db.connect();
  const transactionsPerCustomer = Number(process.env.BENCH_INCR_TRANSACTIONS ?? 600);
  for (const s of demoDataStatements({ customers, from: from.toISOString().slice(0, 10), days: Math.round((history.end.getTime() - from.getTime()) / 86_400_000), transactionsPerCustomer })) await c.run(s);
  const count = async (sql: string) => Number((await c.runAndReadAll(sql)).getRows()[0]![0]);
  log(`seeded ${await count("SELECT count(*) FROM raw.customer_accounts")} account rows, ${await count("SELECT count(*) FROM raw.card_transactions")} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  c.closeSync();
  db.closeSync();

  // The history of the upstreams, as a first backfill writes it (by month, as long backfills are run).
  await runBackfill({ config, sets: UPSTREAMS, window: history, chunk: "1mo" });
  log(`backfilled ${UPSTREAMS.join(", ")} over ${years} years`);

  const plans = new Map<string, SetJob[]>();
  for (const set of READERS) {
    for (const inline of [false, true]) {
      const request = { config, sets: [set], window: day, inline };
      const { project, jobs } = await planFromConfig(request);
      plans.set(`${set}|${inline}`, (await reuseUpstreams(project, request, jobs, "read-only")).jobs);
    }
  }

  // End to end (a run: open, plan, ledger, lease, write) and the chunk's transaction alone (its DELETE and INSERT).
  const times = new Map<string, number[]>();
  const writes = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, ms: number) => map.set(key, [...(map.get(key) ?? []), ms]);
  for (let rep = 0; rep < reps; rep++) {
    for (const set of READERS) {
      for (const inline of [false, true]) {
        const t = performance.now();
        await runBackfill({ config, sets: [set], window: day, inline }, { onEvent: (e) => e.event === "chunk_finished" && add(writes, `${set}|${inline}`, e.durationMs) });
        add(times, `${set}|${inline}`, performance.now() - t);
      }
    }
  }

  const db2 = await DuckDBInstance.create(dbPath);
  c = await db2.connect();
  const rowsRead = async (jobs: SetJob[]) => {
    let total = 0;
    for (const { source, range } of jobs.flatMap((j) => j.reads)) {
      const bounds = [range.start && `${source.timestamp} >= TIMESTAMP '${formatTimestamp(range.start)}'`, range.end && `${source.timestamp} < TIMESTAMP '${formatTimestamp(range.end)}'`].filter(Boolean);
      total += await count(`SELECT count(*) FROM ${formatTable(source.backfill)}${bounds.length ? ` WHERE ${bounds.join(" AND ")}` : ""}`);
    }
    return total;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const lines = [`daily run of ${day.start.toISOString().slice(0, 10)} after ${years} years of history (${customers} customers; medians of ${reps}; seconds):`];
  lines.push(`${"set".padEnd(34)} ${"reused run reads".padEnd(40)} ${"write: reused".padStart(13)} ${"inlined".padStart(8)} ${"ratio".padStart(6)}  ${"run: reused".padStart(11)} ${"inlined".padStart(8)}  ${"rows read: reused".padStart(17)} ${"inlined".padStart(10)}`);
  for (const set of READERS) {
    const [reused, inlined] = [plans.get(`${set}|false`)!, plans.get(`${set}|true`)!];
    const seconds = (map: Map<string, number[]>, inline: boolean) => median(map.get(`${set}|${inline}`)!) / 1000;
    const [wr, wi, tr, ti] = [seconds(writes, false), seconds(writes, true), seconds(times, false), seconds(times, true)];
    const what = reused[0]!.upstreams.map((u) => (u.reused ? `table of ${u.set}` : `recomputes ${u.set}`)).join(", ");
    lines.push(
      `${set.padEnd(34)} ${what.padEnd(40)} ${wr.toFixed(3).padStart(13)} ${wi.toFixed(3).padStart(8)} ${(wi / wr).toFixed(1).padStart(5)}×  ${tr.toFixed(3).padStart(11)} ${ti.toFixed(3).padStart(8)}  ${(await rowsRead(reused)).toLocaleString("en-US").padStart(17)} ${(await rowsRead(inlined)).toLocaleString("en-US").padStart(10)}`,
    );
  }
  c.closeSync();
  db2.closeSync();
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
