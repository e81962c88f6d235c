/**
 * `npm run bench` (third part): the CronJob's daily run of every example set, after its history is backfilled, at 1,
 * 2 and 5 years of history (the same customers), incremental — reading upstream sets' tables (reuse-pass.ts) and
 * continuing from the state kept by earlier runs (state-pass.ts), the default — against a full recompute from the
 * raw tables (`--full --inline`), side by side on one DuckDB file per history; each set runs with the sets it reads,
 * as the CronJob's `--select tag:daily` runs them. Reported: the median time of the set's chunk's transaction
 * and the rows read, counted from the planned read ranges (sources, upstream tables and state tables; DuckDB reports
 * no rows read per statement without profiling).
 *
 * Sizes: BENCH_INCR_CUSTOMERS (default 3000), BENCH_INCR_YEARS (a list, default 1,2,5), BENCH_INCR_TRANSACTIONS
 * (per customer and year, 200), BENCH_INCR_REPS (5).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { formatTable } from "../src/compile/statements.ts";
import { loadProject, planFromConfig, reuseUpstreams, runBackfill } from "../src/backfill/run-backfill.ts";
import type { SetJob } from "../src/backfill/plan.ts";
import { selectSets } from "../src/graph/feature-graph.ts";
import { formatTimestamp } from "../src/ir/time.ts";
import { demoDataStatements } from "./demo-data.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const customers = Number(process.env.BENCH_INCR_CUSTOMERS ?? 3000);
const yearsList = (process.env.BENCH_INCR_YEARS ?? "1,2,5").split(",").map(Number);
const perYear = Number(process.env.BENCH_INCR_TRANSACTIONS ?? 200);
const reps = Number(process.env.BENCH_INCR_REPS ?? 5);
const log = (text: string) => process.stderr.write(`[bench-incremental] ${text}\n`);
const DAY = 86_400_000;
// The daily run: the first day after the history, a quarter's first day (the quarterly set, labelled at its
// quarter's end, writes rows then).
const end = new Date(Date.UTC(2026, 0, 1));
const day = { start: end, end: new Date(end.getTime() + DAY) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Measured {
  readonly rows: number;
  readonly write: number;
  readonly run: number;
  readonly reads: string;
}
const results = new Map<string, Map<number, { incremental: Measured; full: Measured }>>();

await mkdir(path.join(ROOT, ".bench"), { recursive: true });
for (const years of yearsList) {
  const dir = await mkdtemp(path.join(ROOT, ".bench", "incremental-"));
  try {
    const dbPath = path.join(dir, "bench.duckdb");
    const config = path.join(dir, "features.config.json");
    await writeFile(config, JSON.stringify({ features: path.join(ROOT, "features"), duckdb: { path: "bench.duckdb", threads: 2 }, offlineStore: { schema: "features", table: "{set}" } }));
    const from = new Date(Date.UTC(2026 - years, 0, 1));
    const started = performance.now();
    const db = await DuckDBInstance.create(dbPath);
    let c = await db.connect();
    // Data up to the daily run's day included.
    const days = Math.round((day.end.getTime() - from.getTime()) / DAY);
    for (const s of demoDataStatements({ customers, from: from.toISOString().slice(0, 10), days, transactionsPerCustomer: perYear * years })) await c.run(s);
    const count = async (sql: string) => Number((await c.runAndReadAll(sql)).getRows()[0]![0]);
    const raw = await count("SELECT count(*) FROM raw.customer_accounts");
    log(`${years} y: seeded ${raw} account rows, ${await count("SELECT count(*) FROM raw.card_transactions")} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    c.closeSync();
    db.closeSync();

    const { graph } = await loadProject(config);
    const sets = [...graph.sets.keys()];
    // As the CronJob runs them (`--select tag:daily`): a set with the sets it reads, those first.
    const withUpstreams = (set: string) => selectSets(graph, [set]).map((n) => n.def.name);
    const t0 = performance.now();
    await runBackfill({ config, sets, window: { start: from, end } });
    log(`${years} y: backfilled ${sets.length} sets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const modes = { incremental: {}, full: { full: true, inline: true } } as const;
    const plans = new Map<string, SetJob[]>();
    for (const set of sets) {
      for (const [mode, flags] of Object.entries(modes)) {
        const request = { config, sets: withUpstreams(set), window: day, ...flags };
        const { project, jobs } = await planFromConfig(request);
        plans.set(`${set}|${mode}`, (await reuseUpstreams(project, request, jobs, "read-only")).jobs.filter((j) => j.set === set));
      }
    }
    const writes = new Map<string, number[]>();
    const runs = new Map<string, number[]>();
    const add = (map: Map<string, number[]>, key: string, ms: number) => map.set(key, [...(map.get(key) ?? []), ms]);
    for (let rep = 0; rep < reps; rep++) {
      for (const set of sets) {
        for (const [mode, flags] of Object.entries(modes)) {
          const t = performance.now();
          await runBackfill({ config, sets: withUpstreams(set), window: day, ...flags }, { onEvent: (e) => e.event === "chunk_finished" && e.set === set && add(writes, `${set}|${mode}`, e.durationMs) });
          add(runs, `${set}|${mode}`, performance.now() - t);
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
    const what = (jobs: SetJob[]) =>
      jobs[0]!.reads.map((r) => (r.state ? "state" : r.upstream ? `table of ${r.upstream}` : r.range.start ? "raw" : "raw, all history")).join(" + ");
    for (const set of sets) {
      const measure = async (mode: string): Promise<Measured> => ({
        rows: await rowsRead(plans.get(`${set}|${mode}`)!),
        write: median(writes.get(`${set}|${mode}`)!) / 1000,
        run: median(runs.get(`${set}|${mode}`)!) / 1000,
        reads: what(plans.get(`${set}|${mode}`)!),
      });
      const byYears = results.get(set) ?? new Map();
      byYears.set(years, { incremental: await measure("incremental"), full: await measure("full") });
      results.set(set, byYears);
    }
    c.closeSync();
    db2.closeSync();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [first, last] = [yearsList[0]!, yearsList.at(-1)!];
const lines = [
  `daily run of ${day.start.toISOString().slice(0, 10)} after ${yearsList.join(", ")} years of history (${customers} customers; medians of ${reps}): incremental (default) vs full recompute (--full --inline)`,
  `${"set".padEnd(34)} ${"incremental reads".padEnd(34)} ${yearsList.map((y) => `rows ${y}y inc / full`.padStart(24)).join(" ")} ${yearsList.map((y) => `write s ${y}y inc / full`.padStart(24)).join(" ")} ${`inc ${last}y/${first}y`.padStart(10)} ${`full ${last}y/${first}y`.padStart(11)}`,
];
const fmt = (n: number) => n.toLocaleString("en-US");
for (const [set, byYears] of results) {
  const at = (y: number) => byYears.get(y)!;
  lines.push(
    `${set.padEnd(34)} ${at(last).incremental.reads.padEnd(34)} ${yearsList.map((y) => `${fmt(at(y).incremental.rows)} / ${fmt(at(y).full.rows)}`.padStart(24)).join(" ")} ${yearsList
      .map((y) => `${at(y).incremental.write.toFixed(3)} / ${at(y).full.write.toFixed(3)}`.padStart(24))
      .join(" ")} ${(at(last).incremental.write / at(first).incremental.write).toFixed(2).padStart(9)}× ${(at(last).full.write / at(first).full.write).toFixed(2).padStart(10)}×`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
