/**
 * `npm run bench` (second part): a five-year backfill in monthly chunks against the same backfill in one chunk, on
 * one DuckDB file, and how much more input the chunks read (a stage computes a lookback once for all chunks; a set that
 * keeps state continues each chunk from the one before).
 *
 * Sizes: BENCH_CHUNK_CUSTOMERS (default 3000: ≈10M customer_accounts rows over five years), BENCH_CHUNK_TRANSACTIONS
 * (per customer, default 600: ≈1.5M card transactions), BENCH_CHUNK_REPS (2).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { planBackfill } from "../src/backfill/plan.ts";
import { loadProject, runBackfill } from "../src/backfill/run-backfill.ts";
import { parseWindow } from "../src/backfill/window.ts";
import { formatTimestamp } from "../src/ir/time.ts";
import { demoDataStatements } from "./demo-data.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const customers = Number(process.env.BENCH_CHUNK_CUSTOMERS ?? 3000);
const reps = Number(process.env.BENCH_CHUNK_REPS ?? 2);
// Two sets with a lookback shared by a stage, two that continue their windows from state chunk after chunk.
const SETS = ["avg_monthly_revolving_balance", "rolling_card_spend", "days_since_overdraft", "revolving_balance_change"];
const WINDOW = parseWindow("2021-01-01", "2026-01-01");
const log = (text: string) => process.stderr.write(`[bench-chunks] ${text}\n`);

const dir = await mkdtemp(path.join(ROOT, ".bench", "chunks-"));
try {
  const dbPath = path.join(dir, "bench.duckdb");
  const config = path.join(dir, "features.config.json");
  await writeFile(config, JSON.stringify({ features: path.join(ROOT, "features"), duckdb: { path: "bench.duckdb", threads: 2 } }));
  const started = performance.now();
  const db = await DuckDBInstance.create(dbPath);
  const c = await db.connect();
  const transactionsPerCustomer = Number(process.env.BENCH_CHUNK_TRANSACTIONS ?? 600);
  for (const s of demoDataStatements({ customers, from: "2021-01-01", days: 1826, transactionsPerCustomer })) await c.run(s);
  const count = async (sql: string) => Number((await c.runAndReadAll(sql)).getRows()[0]![0]);
  log(`seeded ${await count("SELECT count(*) FROM raw.customer_accounts")} account rows, ${await count("SELECT count(*) FROM raw.card_transactions")} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Input amplification, from the planned read ranges: rows each plan reads, against the rows in the window.
  const { config: resolved, graph } = await loadProject(config);
  const amplification: string[] = [];
  for (const set of SETS) {
    for (const chunk of [undefined, "1mo"]) {
      const jobs = planBackfill({ graph, sets: [set], window: WINDOW, chunk, dialect: resolved.dialect, tableFor: resolved.tableFor });
      let read = 0;
      const counted = new Set<string>();
      for (const job of jobs) {
        // A staged set reads its sources once, for the stage; each chunk then reads the stage.
        if (job.stage && counted.has(job.stage.table.name)) continue;
        if (job.stage) counted.add(job.stage.table.name);
        // State tables carry a few rows per key (state-pass.ts): the input that matters is the sources'.
        for (const { source, range } of job.reads.filter((r) => !r.state)) {
          const bounds = [range.start && `${source.timestamp} >= TIMESTAMP '${formatTimestamp(range.start)}'`, range.end && `${source.timestamp} < TIMESTAMP '${formatTimestamp(range.end)}'`].filter(Boolean);
          read += await count(`SELECT count(*) FROM raw.${source.backfill.name}${bounds.length ? ` WHERE ${bounds.join(" AND ")}` : ""}`);
        }
      }
      const source = jobs[0]!.reads[0]!.source;
      const needed = await count(`SELECT count(*) FROM raw.${source.backfill.name} WHERE ${source.timestamp} >= TIMESTAMP '2021-01-01' AND ${source.timestamp} < TIMESTAMP '2026-01-01'`);
      amplification.push(`${set.padEnd(31)} ${(chunk ?? "one chunk").padEnd(10)} ${String(jobs.length).padStart(6)} ${read.toLocaleString("en-US").padStart(13)} ${needed.toLocaleString("en-US").padStart(13)} ${(read / needed).toFixed(3).padStart(8)}`);
    }
  }
  c.closeSync();
  db.closeSync();

  const timings = new Map<string, number[]>();
  for (let r = 0; r < reps; r++) {
    for (const set of SETS) {
      for (const chunk of r % 2 === 0 ? [undefined, "1mo"] : ["1mo", undefined]) {
        const t = performance.now();
        await runBackfill({ config, sets: [set], window: WINDOW, chunk });
        const key = `${set}|${chunk ?? "one"}`;
        timings.set(key, [...(timings.get(key) ?? []), (performance.now() - t) / 1000]);
        log(`${set} ${chunk ?? "one chunk"}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nfeature-backfill chunk benchmark: [2021-01-01, 2026-01-01) on DuckDB (threads=2), ${reps} alternating runs each, median`);
  console.log("feature set                      one chunk s  60 monthly chunks s  ratio (target <= 1.25)");
  for (const set of SETS) {
    const [one, monthly] = [median(timings.get(`${set}|one`)!), median(timings.get(`${set}|1mo`)!)];
    console.log(`${set.padEnd(32)} ${one.toFixed(2).padStart(11)} ${monthly.toFixed(2).padStart(20)} ${(monthly / one).toFixed(2).padStart(8)}`);
  }
  console.log("\ninput read: source rows in the planned read ranges, summed over chunks, against the rows in the window");
  console.log(`${"feature set".padEnd(31)} ${"chunking".padEnd(10)} ${"chunks".padStart(6)} ${"rows read".padStart(13)} ${"rows needed".padStart(13)} ${"read/need".padStart(8)}`);
  for (const line of amplification) console.log(line);
  console.log("\nreproduce: npm run bench   (this part alone: npx tsx scripts/bench-chunks.ts)");
} finally {
  await rm(dir, { recursive: true, force: true });
}
