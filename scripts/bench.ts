/**
 * `npm run bench`: the generated backfill against a hand-written SQL transaction, on one seeded DuckDB file.
 *
 * 1. Seeds a fresh DuckDB file under .bench/ (git-ignored; removed at the end) with `demoDataStatements` at bench
 *    sizes (≥10M customer_accounts rows, a few million card_transactions) and writes a features.config.json for it
 *    (threads = 2, features = this checkout's features/).
 * 2. Times `planBackfill` alone (no engine) per set.
 * 3. Per case (feature set × window): an untimed warm-up of both, then up to BENCH_REPS pairs, alternating which
 *    goes first, on ONE engine opened with `openEngine` (what the CLI uses). Cases whose warm-up pair is slow get
 *    fewer pairs (BENCH_CASE_BUDGET_S per case, never fewer than 3) so the whole bench stays near three minutes on 2
 *    cores; setting BENCH_REPS runs exactly that many pairs everywhere.
 *      generated   = planBackfill + executeBackfill (preflight, idempotent DDL, lease and run-ledger bookkeeping,
 *                    BEGIN; DELETE; INSERT … SELECT; ledger mark; COMMIT)
 *      hand-written = BEGIN; DELETE; INSERT … SELECT written by hand (scripts/bench-hand-sql.ts); COMMIT
 *    into two tables with the same columns. A CHECKPOINT (untimed) precedes every timed run, so no run pays for
 *    another's WAL. Medians of wall time and of CPU time (this process, DuckDB's threads included: steadier when other
 *    processes share the cores) are reported; the window's rows of both tables are kept for step 4.
 * 4. Checks that generated and hand-written rows are the same (a key join with a tolerance for doubles; bit-exact
 *    EXCEPT ALL both ways is reported too) — a ratio over different results means nothing.
 * 5. Spawns `bin/feature-backfill.js run …` as a child process (wall time, and peak RSS from GNU time's %M, or VmHWM
 *    polled from /proc when /usr/bin/time is missing), and its --dry-run as a baseline (Node + tsx + planning, no engine).
 *
 * Cases: the month/quarter aggregations (features/balances.ts, spend.ts) and the window- and join-heavy sets of
 * features/rolling.ts — RANGE-frame rolling sums, a lag over a set on a set, a running max over all history, and an
 * as-of join — each over the whole seeded range and over a recent window that needs a lookback.
 *
 * It prints figures and asserts nothing. Knobs: BENCH_CUSTOMERS (16000 ≈ 20M customer_accounts rows), BENCH_TRANSACTIONS
 * (500 per customer), BENCH_REPS (7; exact when set), BENCH_CASE_BUDGET_S (8), BENCH_KEEP=1 keeps the .bench/run-*
 * directory. About two minutes on 2 quiet cores; three to four when other processes keep the load average near 5.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { executeBackfill } from "../src/backfill/execute.ts";
import { planBackfill, type SetJob } from "../src/backfill/plan.ts";
import { loadProject, type LoadedProject } from "../src/backfill/run-backfill.ts";
import { parseWindow } from "../src/backfill/window.ts";
import type { Statement } from "../src/compile/statements.ts";
import type { Engine, StatementLabel } from "../src/engines/engine.ts";
import { openEngine } from "../src/engines/open-engine.ts";
import { type DayWindow, HAND_SCHEMA, HAND_WRITTEN } from "./bench-hand-sql.ts";
import { type DemoDataOptions, demoDataStatements } from "./demo-data.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "feature-backfill.js");
const THREADS = 2;
const DEFAULT_REPS = 7;
// ≈20M customer_accounts rows (as in DESIGN.md §7) and ≈7M card_transactions: queries long enough that timer noise
// and the tool's fixed per-set cost do not dominate.
const DEFAULT_CUSTOMERS = 16000;
const REPS = intFromEnv("BENCH_REPS", DEFAULT_REPS);
/** Without BENCH_REPS, a case gets as many pairs (≥ MIN_REPS, ≤ REPS) as fit this budget at its warm-up pair's pace. */
const FIXED_REPS = Boolean(process.env.BENCH_REPS);
const MIN_REPS = 3;
const CASE_BUDGET_MS = intFromEnv("BENCH_CASE_BUDGET_S", 8) * 1000;
const SIZES: DemoDataOptions = {
  customers: intFromEnv("BENCH_CUSTOMERS", DEFAULT_CUSTOMERS),
  from: "2024-01-01",
  days: 731,
  transactionsPerCustomer: intFromEnv("BENCH_TRANSACTIONS", 500),
};
const FULL: DayWindow = { start: "2024-01-01", end: "2026-01-01" }; // the whole seeded range (731 days from 2024-01-01)
const RECENT: DayWindow = { start: "2025-01-01", end: "2025-10-14" };
const ALL_CASES: readonly { readonly set: string; readonly window: DayWindow; readonly optional?: true }[] = [
  { set: "avg_monthly_revolving_balance", window: FULL },
  { set: "avg_monthly_revolving_balance", window: RECENT },
  { set: "monthly_card_spend", window: FULL },
  { set: "monthly_card_spend", window: RECENT },
  { set: "quarterly_revolving_balance_trend", window: FULL },
  { set: "quarterly_revolving_balance_trend", window: RECENT },
  // features/rolling.ts: 30/90-day RANGE frames (RECENT reads 89 days before the window), a lag over a set on a set
  // and an as-of join with a 35-day tolerance (both read ahead of the window), a running max over all history.
  { set: "rolling_card_spend", window: FULL },
  { set: "rolling_card_spend", window: RECENT },
  { set: "revolving_balance_change", window: FULL },
  { set: "revolving_balance_change", window: RECENT },
  { set: "application_utilisation", window: FULL },
  { set: "application_utilisation", window: RECENT },
  // A running max over all history: 3–7 s a run here (it reads all history whatever the window; RECENT is the case
  // with a lookback). Optional: skipped when the bench has already used OPTIONAL_AFTER_MS, unless BENCH_SETS names it.
  { set: "days_since_overdraft", window: RECENT, optional: true },
];
/** BENCH_SETS: comma-separated set names to run (all their cases, optional ones included), or "all". */
const SELECTED_SETS = process.env.BENCH_SETS?.split(",").map((x) => x.trim()).filter(Boolean);
const CASES = ALL_CASES.filter((c) => !SELECTED_SETS || SELECTED_SETS.includes("all") || SELECTED_SETS.includes(c.set));
/** Optional cases start only before this much bench time (~1 min of them, checks and the CLI still to come). */
const OPTIONAL_AFTER_MS = intFromEnv("BENCH_OPTIONAL_AFTER_S", 120) * 1000;
if (CASES.length === 0) throw new TypeError(`BENCH_SETS=${process.env.BENCH_SETS} names no benchmarked set; sets: ${[...new Set(ALL_CASES.map((c) => c.set))].join(", ")}`);
/** avg_monthly_revolving_balance over FULL, unless BENCH_SETS leaves it out. */
const CLI_CASE = CASES[0]!;
const CHECK_SCHEMA = "bench_check";
/** customer_accounts: customer_id, account_id (8 bytes each), date (4), balance (8), account_type (~9 characters). */
const SOURCE_ROW_BYTES = 37;

const benchStarted = performance.now();
await mkdir(path.join(ROOT, ".bench"), { recursive: true });
const dir = await mkdtemp(path.join(ROOT, ".bench", "run-"));
const dbPath = path.join(dir, "bench.duckdb");
const configPath = path.join(dir, "features.config.json");
const cleanup = async () => {
  if (process.env.BENCH_KEEP !== "1") await rm(dir, { recursive: true, force: true });
};

async function main(): Promise<void> {
  log(
    `bench directory ${path.relative(ROOT, dir)}; DuckDB threads=${THREADS}; ` +
      (FIXED_REPS ? `${REPS} repetitions per case` : `${MIN_REPS}–${REPS} repetitions per case (${CASE_BUDGET_MS / 1000} s budget each)`) +
      `; load average ${fmtLoad()}`,
  );
  await writeFile(
    configPath,
    JSON.stringify(
      {
        features: path.relative(dir, path.join(ROOT, "features")),
        engine: "duckdb",
        duckdb: { path: path.basename(dbPath), threads: THREADS },
        offlineStore: { schema: "features", table: "{set}" },
      },
      null,
      2,
    ),
  );

  // 1. Seed.
  const seedMs = await withConnection(async (c) => {
    const t = performance.now();
    for (const statement of demoDataStatements(SIZES)) await c.run(statement);
    await c.run(`CREATE SCHEMA IF NOT EXISTS ${HAND_SCHEMA}`);
    await c.run(`CREATE SCHEMA IF NOT EXISTS ${CHECK_SCHEMA}`);
    for (const { set } of CASES) await c.run(HAND_WRITTEN[set]!(FULL).create);
    await c.run("CHECKPOINT");
    return performance.now() - t;
  });
  const sourceRows = await withConnection(async (c) => ({
    accounts: await scalar(c, "SELECT count(*) FROM raw.customer_accounts"),
    transactions: await scalar(c, "SELECT count(*) FROM raw.card_transactions"),
    fileSize: String(await scalar(c, "SELECT database_size FROM pragma_database_size()")),
  }));
  log(
    `seeded ${fmtInt(sourceRows.accounts)} customer_accounts + ${fmtInt(sourceRows.transactions)} card_transactions rows ` +
      `(${SIZES.customers} customers × ${SIZES.days} days; file ${sourceRows.fileSize}) in ${fmtS(seedMs)}`,
  );

  // 2. Load the project (imports the feature modules) and time planning alone.
  let t = performance.now();
  const project = await loadProject(configPath);
  const loadMs = performance.now() - t;
  const planMs = new Map<string, number[]>();
  for (const set of new Set(CASES.map((c) => c.set))) {
    for (let i = 0; i < 55; i++) {
      t = performance.now();
      plan(project, set, RECENT);
      if (i >= 5) push(planMs, set, performance.now() - t);
    }
  }
  log(`loaded the project in ${fmtMs(loadMs)}; plan medians ${[...planMs].map(([s, v]) => `${s} ${fmtMs(median(v))}`).join(", ")}`);

  // 3. Generated vs hand-written, alternating, on one engine.
  const raw = await openEngine(project.config);
  const probe = instrument(raw);
  const engine = probe.engine;
  const results: CaseResult[] = [];
  const skipped: (typeof CASES)[number][] = [];
  try {
    for (const c of CASES) {
      const elapsed = performance.now() - benchStarted;
      if (c.optional && !SELECTED_SETS && elapsed > OPTIONAL_AFTER_MS) {
        skipped.push(c);
        log(`skipped ${c.set} [${c.window.start}, ${c.window.end}): optional, and the bench is at ${fmtS(elapsed)} (> ${fmtS(OPTIONAL_AFTER_MS)}); BENCH_SETS=${c.set} runs it`);
        continue;
      }
      results.push(await measureCase(project, engine, probe, c));
    }
  } finally {
    await engine.close();
  }

  // 4. Same rows?
  t = performance.now();
  const checks = await withConnection(async (c) => {
    const out = new Map<string, Check>();
    for (const r of results) {
      out.set(r.id, await compareTables(c, `${CHECK_SCHEMA}."${r.id}_gen"`, `${CHECK_SCHEMA}."${r.id}_hand"`, r.keys));
      r.sourceRowsRead = await countReads(c, r.job);
    }
    for (const set of new Set(results.map((x) => x.set))) {
      out.set(`whole:${set}`, await compareTables(c, `features."${set}"`, `${HAND_SCHEMA}."${set}"`, results.find((r) => r.set === set)!.keys));
    }
    return out;
  });
  log(`compared generated and hand-written rows in ${fmtS(performance.now() - t)}`);

  // 5. The CLI as a child process.
  t = performance.now();
  const cliArgs = ["run", "--set", CLI_CASE.set, "--start", CLI_CASE.window.start, "--end", CLI_CASE.window.end, "--config", configPath];
  const cliRuns: CliRun[] = [];
  const dryRuns: CliRun[] = [];
  for (let i = 0; i < REPS; i++) {
    cliRuns.push(await spawnCli(cliArgs));
    dryRuns.push(await spawnCli([...cliArgs, "--dry-run"]));
  }
  log(`ran the CLI ${REPS} + ${REPS} times in ${fmtS(performance.now() - t)}; load average ${fmtLoad()}`);
  const failed = [...cliRuns, ...dryRuns].find((r) => r.code !== 0);
  if (failed) log(`CLI exited with ${failed.code}:\n${failed.stderr}`);

  report({ seedMs, sourceRows, loadMs, planMs, results, skipped, checks, cliRuns, dryRuns, probe: probe.stats, cliArgs });
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface CaseResult {
  readonly id: string;
  readonly set: string;
  readonly window: DayWindow;
  readonly keys: readonly string[];
  readonly job: SetJob;
  readonly gen: number[];
  readonly genTxn: number[];
  readonly breakdown: readonly (RunBreakdown & { planMs: number })[];
  readonly hand: number[];
  /** CPU time (user + system) of this process, DuckDB's threads included, per timed run: steadier than wall time when
   * other processes compete for the cores. */
  readonly genCpu: number[];
  readonly handCpu: number[];
  readonly rowsWritten: number;
  readonly handRowsWritten: number;
  /** 1-minute load average when the case started and when it ended. */
  readonly load: readonly [number, number];
  sourceRowsRead?: number;
}

async function measureCase(project: LoadedProject, engine: Engine, probe: Probe, c: { set: string; window: DayWindow }): Promise<CaseResult> {
  const id = `${c.set}_${c.window.start}_${c.window.end}`.replaceAll("-", "");
  const hand = HAND_WRITTEN[c.set]!(c.window);
  const checkpoint = () => engine.run(stmt("CHECKPOINT"));
  let rowsWritten = 0;
  let handRowsWritten = 0;

  const runGenerated = async () => {
    probe.stats.run = emptyBreakdown();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const jobs = plan(project, c.set, c.window);
    const planned = performance.now();
    probe.stats.writes = new Set(jobs.flatMap((j) => j.write.map((w) => w.sql)));
    const [result] = await executeBackfill(jobs, engine);
    const ms = performance.now() - t;
    rowsWritten = result!.rowsWritten;
    return { ms, cpuMs: cpuMs(cpu), planMs: planned - t, ...probe.stats.run };
  };
  const runHand = async () => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    handRowsWritten = await engine.transaction(async () => {
      await engine.run(stmt(hand.del));
      return (await engine.run(stmt(hand.insert))).rowsChanged;
    });
    return { ms: performance.now() - t, cpuMs: cpuMs(cpu) };
  };

  // Warm-up: creates the generated table, fills both, and brings the source into DuckDB's buffer pool. Its pace sets
  // how many timed pairs the case gets.
  const loadBefore = loadavg()[0]!;
  await checkpoint();
  const warmGen = (await runGenerated()).ms;
  await checkpoint();
  const warmHand = (await runHand()).ms;
  const reps = FIXED_REPS ? REPS : Math.min(REPS, Math.max(MIN_REPS, Math.floor(CASE_BUDGET_MS / (warmGen + warmHand))));
  const gen: number[] = [];
  const genTxn: number[] = [];
  const breakdown: (RunBreakdown & { planMs: number })[] = [];
  const handMs: number[] = [];
  const genCpu: number[] = [];
  const handCpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? (["gen", "hand"] as const) : (["hand", "gen"] as const);
    for (const which of order) {
      await checkpoint();
      if (which === "gen") {
        const r = await runGenerated();
        gen.push(r.ms);
        genCpu.push(r.cpuMs);
        genTxn.push(r.txnMs);
        breakdown.push(r);
      } else {
        const r = await runHand();
        handMs.push(r.ms);
        handCpu.push(r.cpuMs);
      }
    }
  }

  const job = plan(project, c.set, c.window)[0]!;
  const def = project.graph.sets.get(c.set)!.def;
  const table = `"${job.table.schema}"."${job.table.name}"`;
  const ts = `"${def.timestamp}"`;
  const inWindow = `${ts} >= DATE '${c.window.start}' AND ${ts} < DATE '${c.window.end}'`;
  await engine.run(stmt(`CREATE OR REPLACE TABLE ${CHECK_SCHEMA}."${id}_gen" AS SELECT * FROM ${table} WHERE ${inWindow}`));
  await engine.run(stmt(`CREATE OR REPLACE TABLE ${CHECK_SCHEMA}."${id}_hand" AS SELECT * FROM ${HAND_SCHEMA}."${c.set}" WHERE ${inWindow}`));
  log(
    `${c.set} [${c.window.start}, ${c.window.end}): generated ${gen.map(fmtSec).join(" ")} s | hand-written ${handMs.map(fmtSec).join(" ")} s ` +
      `| ${fmtInt(rowsWritten)} rows`,
  );
  return {
    id,
    set: c.set,
    window: c.window,
    keys: [...def.keys, def.timestamp],
    job,
    gen,
    genTxn,
    breakdown,
    hand: handMs,
    genCpu,
    handCpu,
    rowsWritten,
    handRowsWritten,
    load: [loadBefore, loadavg()[0]!],
  };
}

function plan(project: LoadedProject, set: string, w: DayWindow): SetJob[] {
  return planBackfill({
    graph: project.graph,
    sets: [set],
    window: parseWindow(w.start, w.end),
    dialect: project.config.dialect,
    tableFor: project.config.tableFor,
  });
}

/** Where one generated run's time went, besides planning. */
interface RunBreakdown {
  /** Catalog reads of executeBackfill's preflight (`describeTables`). */
  preflightMs: number;
  /** CREATE statements outside transactions: the idempotent CREATE SCHEMA / CREATE TABLE (the set's and the ledger's). */
  ddlMs: number;
  /** Run-ledger and lease bookkeeping outside the set's transaction: its statements, queries and transactions. */
  ledgerMs: number;
  /** The set's own BEGIN … COMMIT: DELETE, INSERT … SELECT and the ledger's mark. */
  txnMs: number;
  /** Of txnMs: statements besides the set's DELETE and INSERT (the ledger's mark). */
  markMs: number;
}
const emptyBreakdown = (): RunBreakdown => ({ preflightMs: 0, ddlMs: 0, ledgerMs: 0, txnMs: 0, markMs: 0 });
interface ProbeStats {
  /** Reset before each generated run. */
  run: RunBreakdown;
  /** The SQL of the set's DELETE and INSERT in the run under way: a transaction running one is the set's. */
  writes: ReadonlySet<string>;
  statements: number;
  /** Results of `run` that carried anything besides a numeric rowsChanged (feature rows would show up here). */
  nonCountResults: number;
  /** Largest JS heap growth across one statement, in bytes (rows materialised in Node would show up here). */
  maxHeapGrowth: number;
}
interface Probe {
  readonly engine: Engine;
  readonly stats: ProbeStats;
}

/** Wraps the engine to time transactions and to watch what comes back into JavaScript. */
function instrument(engine: Engine): Probe {
  const stats: ProbeStats = { run: emptyBreakdown(), writes: new Set(), statements: 0, nonCountResults: 0, maxHeapGrowth: 0 };
  let txn: { writes: boolean; otherMs: number } | undefined;
  /** Outside a transaction: DDL or ledger time. Inside: the set's statements are the transaction's; others are marks. */
  const account = (sql: string, ms: number) => {
    if (!txn) stats.run[/^\s*CREATE\b/i.test(sql) ? "ddlMs" : "ledgerMs"] += ms;
    else if (stats.writes.has(sql)) txn.writes = true;
    else txn.otherMs += ms;
  };
  const wrapped = new Proxy(engine, {
    get(target, prop) {
      if (prop === "query") {
        return async (...args: Parameters<Engine["query"]>) => {
          const t = performance.now();
          try {
            return await target.query(...args);
          } finally {
            account(args[0].sql, performance.now() - t);
          }
        };
      }
      if (prop === "run") {
        return async (...args: Parameters<Engine["run"]>) => {
          const heap = process.memoryUsage().heapUsed;
          const t = performance.now();
          const result = await target.run(...args);
          account(args[0].sql, performance.now() - t);
          stats.maxHeapGrowth = Math.max(stats.maxHeapGrowth, process.memoryUsage().heapUsed - heap);
          stats.statements++;
          const keys = Object.keys(result);
          if (keys.length !== 1 || keys[0] !== "rowsChanged" || typeof result.rowsChanged !== "number") stats.nonCountResults++;
          return result;
        };
      }
      if (prop === "transaction") {
        return async <T>(work: () => Promise<T>, label?: StatementLabel) => {
          const t = performance.now();
          const current = (txn = { writes: false, otherMs: 0 });
          try {
            return await target.transaction(work, label);
          } finally {
            txn = undefined;
            const ms = performance.now() - t;
            if (current.writes) {
              stats.run.txnMs += ms;
              stats.run.markMs += current.otherMs;
            } else {
              stats.run.ledgerMs += ms;
            }
          }
        };
      }
      if (prop === "describeTables") {
        return async (...args: Parameters<Engine["describeTables"]>) => {
          const t = performance.now();
          try {
            return await target.describeTables(...args);
          } finally {
            stats.run.preflightMs += performance.now() - t;
          }
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { engine: wrapped, stats };
}

// ---------------------------------------------------------------------------------------------------------------
// Checking

/**
 * Whether two tables hold the same rows. Keys must be unique on both sides, every key must be on both sides, and
 * every value must match: exactly for non-doubles, within a relative 1e-12 (or an absolute 1e-9) for doubles.
 * Doubles are compared with a tolerance rather than rounded: the generated and hand-written statements sum in different orders, so averages of
 * cent amounts land a hair either side of a rounding tie (139.6059375 vs 139.60593749999998) and rounding to N
 * digits splits them. Exact (bit-for-bit) EXCEPT ALL counts are reported as well.
 */
interface Check {
  readonly sameColumns: boolean;
  readonly rowsA: number;
  readonly rowsB: number;
  readonly duplicateKeys: number;
  /** Keys only in A, only in B, and shared keys whose values differ beyond the tolerance. */
  readonly onlyA: number;
  readonly onlyB: number;
  readonly valueMismatches: number;
  /** Largest relative difference of any double on a shared key. */
  readonly maxRelDiff: number;
  /** Largest absolute difference of any double on a shared key. */
  readonly maxAbsDiff: number;
  /** SELECT * FROM a EXCEPT ALL SELECT * FROM b, and the other way: rows not bit-identical. */
  readonly exactOnlyA: number;
  readonly exactOnlyB: number;
  readonly identical: boolean;
}

const TOLERANCE = 1e-12;
/**
 * …or within this much absolutely. A difference of two nearly equal averages (revolving_balance_change's
 * month-over-month change of balances in the thousands) turns their last-bit summation noise (≈1e-12 absolute) into a
 * relative error of 1e-11 or more; an absolute nanounit is far below any real disagreement in these cent-valued sets.
 */
const ABS_TOLERANCE = 1e-9;

async function compareTables(c: DuckDBConnection, a: string, b: string, keys: readonly string[]): Promise<Check> {
  const columnsOf = async (t: string) =>
    (await c.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${t})`)).getRows().map(([n, ty]) => ({ name: String(n), type: String(ty) }));
  const [ca, cb] = [await columnsOf(a), await columnsOf(b)];
  const sameColumns = JSON.stringify(ca) === JSON.stringify(cb);
  const num = async (sql: string) => Number(await scalar(c, sql));
  const q = (name: string) => `"${name}"`;
  const values = ca.filter((col) => !keys.includes(col.name));
  const doubles = values.filter((col) => col.type === "DOUBLE").map((col) => q(col.name));
  const relDiff = (x: string) => `abs(a.${x} - b.${x}) / greatest(abs(a.${x}), abs(b.${x}), 1e-300)`;
  const same = values.map((col) =>
    col.type === "DOUBLE"
      ? `((a.${q(col.name)} IS NULL AND b.${q(col.name)} IS NULL) OR coalesce(${relDiff(q(col.name))} <= ${TOLERANCE} OR abs(a.${q(col.name)} - b.${q(col.name)}) <= ${ABS_TOLERANCE}, false))`
      : `a.${q(col.name)} IS NOT DISTINCT FROM b.${q(col.name)}`,
  );
  const keyList = keys.map(q).join(", ");
  const joined = `(SELECT *, true AS "__in_a" FROM ${a}) a FULL OUTER JOIN (SELECT *, true AS "__in_b" FROM ${b}) b
    ON ${keys.map((k) => `a.${q(k)} IS NOT DISTINCT FROM b.${q(k)}`).join(" AND ")}`;
  const absDiff = (x: string) => `abs(a.${x} - b.${x})`;
  const bitEqual = values.map((col) => `a.${q(col.name)} IS NOT DISTINCT FROM b.${q(col.name)}`).join(" AND ") || "true";
  const [onlyA, onlyB, valueMismatches, maxRelDiff, maxAbsDiff, joinExactOnlyA, joinExactOnlyB] = (
    await c.runAndReadAll(
      `SELECT count(*) FILTER (WHERE b."__in_b" IS NULL), count(*) FILTER (WHERE a."__in_a" IS NULL),
              count(*) FILTER (WHERE a."__in_a" AND b."__in_b" AND NOT (${same.join(" AND ") || "true"})),
              coalesce(max(greatest(${doubles.map(relDiff).join(", ") || "0"})) FILTER (WHERE a."__in_a" AND b."__in_b"), 0),
              coalesce(max(greatest(${doubles.map(absDiff).join(", ") || "0"})) FILTER (WHERE a."__in_a" AND b."__in_b"), 0),
              count(*) FILTER (WHERE a."__in_a" AND (b."__in_b" IS NULL OR NOT (${bitEqual}))),
              count(*) FILTER (WHERE b."__in_b" AND (a."__in_a" IS NULL OR NOT (${bitEqual})))
       FROM ${joined}`,
    )
  )
    .getRows()[0]!
    .map(Number) as [number, number, number, number, number, number, number];
  const duplicateKeys =
    (await num(`SELECT count(*) - count(DISTINCT (${keyList})) FROM ${a}`)) + (await num(`SELECT count(*) - count(DISTINCT (${keyList})) FROM ${b}`));
  // With unique keys on both sides, the key join's bit-exact counts are EXCEPT ALL's, at a third of the cost.
  const exceptAll = async (x: string, y: string, viaJoin: number) =>
    !sameColumns ? -1 : duplicateKeys === 0 ? viaJoin : await num(`SELECT count(*) FROM (SELECT * FROM ${x} EXCEPT ALL SELECT * FROM ${y})`);
  const check = {
    sameColumns,
    rowsA: await num(`SELECT count(*) FROM ${a}`),
    rowsB: await num(`SELECT count(*) FROM ${b}`),
    duplicateKeys,
    onlyA,
    onlyB,
    valueMismatches,
    maxRelDiff,
    maxAbsDiff,
    exactOnlyA: await exceptAll(a, b, joinExactOnlyA),
    exactOnlyB: await exceptAll(b, a, joinExactOnlyB),
  };
  const identical =
    sameColumns && check.rowsA === check.rowsB && check.duplicateKeys === 0 && onlyA === 0 && onlyB === 0 && valueMismatches === 0;
  return { ...check, identical };
}

const describeCheck = (c: Check): string =>
  c.identical
    ? `yes: ${fmtInt(c.rowsA)} = ${fmtInt(c.rowsB)}, max Δ ${c.maxRelDiff.toExponential(0)} rel / ${c.maxAbsDiff.toExponential(0)} abs, ${c.exactOnlyA}/${c.exactOnlyB} not bit-equal`
    : `NO: ${fmtInt(c.rowsA)} vs ${fmtInt(c.rowsB)}${c.sameColumns ? "" : ", columns differ"}, dup keys ${c.duplicateKeys}, ` +
      `only gen ${c.onlyA}, only hand ${c.onlyB}, values differ ${c.valueMismatches} (max Δ ${c.maxRelDiff.toExponential(1)} rel / ${c.maxAbsDiff.toExponential(1)} abs)`;

/** Source rows inside the ranges the generated statement reads (for "source rows/s"). */
async function countReads(c: DuckDBConnection, job: SetJob): Promise<number> {
  let total = 0;
  for (const { source, range } of job.reads) {
    const table = `${source.backfill.schema ? `"${source.backfill.schema}".` : ""}"${source.backfill.name}"`;
    const bounds = [range.start && `"${source.timestamp}" >= TIMESTAMP '${range.start.toISOString().slice(0, 19)}'`, range.end && `"${source.timestamp}" < TIMESTAMP '${range.end.toISOString().slice(0, 19)}'`].filter(Boolean);
    total += Number(await scalar(c, `SELECT count(*) FROM ${table}${bounds.length ? ` WHERE ${bounds.join(" AND ")}` : ""}`));
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI as a child process

interface CliRun {
  readonly code: number | null;
  readonly wallMs: number;
  readonly peakRssKb: number | undefined;
  /** The set's own duration as the CLI reports it ("… in 0.52 s"), when it ran one. */
  readonly reportedMs: number | undefined;
  readonly stderr: string;
}

const GNU_TIME = "/usr/bin/time";
const RSS_METHOD = existsSync(GNU_TIME) ? "GNU time %M (max RSS of the node process)" : "VmHWM from /proc/<pid>/status, polled every 10 ms";

async function spawnCli(args: readonly string[]): Promise<CliRun> {
  const timeFile = path.join(dir, "time.txt");
  const useTime = existsSync(GNU_TIME);
  const [command, argv] = useTime
    ? [GNU_TIME, ["-f", "%M", "-o", timeFile, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const started = performance.now();
  const child = spawn(command, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stderr = "";
  child.stdout.resume();
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let polledKb = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, "utf8")
          .then((s) => (polledKb = Math.max(polledKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
          .catch(() => undefined);
      }, 10);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  const peakRssKb = useTime ? Number((await readFile(timeFile, "utf8")).trim().split("\n").pop()) : polledKb || undefined;
  const reported = / in (\d+(?:\.\d+)?) s$/m.exec(stderr);
  return { code, wallMs, peakRssKb, reportedMs: reported ? Number(reported[1]) * 1000 : undefined, stderr };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function report(r: {
  seedMs: number;
  sourceRows: { accounts: unknown; transactions: unknown; fileSize: string };
  loadMs: number;
  planMs: Map<string, number[]>;
  results: CaseResult[];
  checks: Map<string, Check>;
  cliRuns: CliRun[];
  dryRuns: CliRun[];
  probe: ProbeStats;
  cliArgs: string[];
  skipped: readonly { set: string; window: DayWindow }[];
}): void {
  const TARGET = 1.05;
  const ratios = r.results.map((x) => median(x.gen) / median(x.hand));
  const rows = r.results.map((x, i) => {
    const [g, h, gt] = [median(x.gen), median(x.hand), median(x.genTxn)];
    return [
      x.set,
      `[${x.window.start}, ${x.window.end})`,
      fmtInt(x.rowsWritten),
      fmtSec(g),
      fmtSec(h),
      ratios[i]!.toFixed(2),
      (median(x.genCpu) / median(x.handCpu)).toFixed(2),
      fmtSec(gt),
      (gt / h).toFixed(2),
      (Math.min(...x.gen) / Math.min(...x.hand)).toFixed(2),
      median(x.gen.map((v, j) => v - x.genTxn[j]!)).toFixed(0),
      `${spread(x.gen)} / ${spread(x.hand)}`,
      fmtRate(x.rowsWritten / (g / 1000)),
      fmtRate((x.sourceRowsRead ?? 0) / (g / 1000)),
      String(x.gen.length),
      `${x.load[0].toFixed(1)}→${x.load[1].toFixed(1)}`,
      describeCheck(r.checks.get(x.id)!),
    ];
  });
  const header = [
    "feature set",
    "window",
    "rows",
    "gen s",
    "hand s",
    "gen/hand",
    "cpu g/h",
    "gen txn s",
    "txn/hand",
    "min/min",
    "overhead ms",
    "min–max gen / hand s",
    "rows/s",
    "src rows/s",
    "n",
    "load",
    "same rows",
  ];
  const all = r.results.flatMap((x) => x.breakdown);
  const cliWall = median(r.cliRuns.map((c) => c.wallMs));
  const cliReported = median(r.cliRuns.map((c) => c.reportedMs ?? NaN));
  const dryWall = median(r.dryRuns.map((c) => c.wallMs));
  const rss = r.cliRuns.map((c) => c.peakRssKb ?? NaN);
  const dryRss = r.dryRuns.map((c) => c.peakRssKb ?? NaN);
  const cliCase = r.results.find((x) => x.set === CLI_CASE.set && x.window === CLI_CASE.window)!;
  const env = [
    SIZES.customers !== DEFAULT_CUSTOMERS && `BENCH_CUSTOMERS=${SIZES.customers}`,
    SIZES.transactionsPerCustomer !== 500 && `BENCH_TRANSACTIONS=${SIZES.transactionsPerCustomer}`,
    FIXED_REPS && `BENCH_REPS=${REPS}`,
    ...["BENCH_SETS", "BENCH_CASE_BUDGET_S", "BENCH_OPTIONAL_AFTER_S"].map((k) => process.env[k] && `${k}=${process.env[k]}`),
  ].filter(Boolean);

  const out = [
    "",
    "feature-backfill benchmark: generated backfill vs hand-written SQL transaction (DuckDB file, threads=2)",
    `data: ${fmtInt(r.sourceRows.accounts)} raw.customer_accounts + ${fmtInt(r.sourceRows.transactions)} raw.card_transactions rows ` +
      `(${SIZES.customers} customers × ${SIZES.days} days from ${SIZES.from}), file ${r.sourceRows.fileSize}, seeded in ${fmtS(r.seedMs)}`,
    `timings: median of n alternating pairs after an untimed warm-up pair (${FIXED_REPS ? `n = BENCH_REPS` : `n = ${CASE_BUDGET_MS / 1000} s / warm-up pair, clamped to ${MIN_REPS}–${REPS}`}); ` +
      "untimed CHECKPOINT before each run; both on one openEngine() connection",
    "  gen s       planBackfill + executeBackfill: preflight catalog reads, CREATE … IF NOT EXISTS, lease and ledger bookkeeping,",
    "              BEGIN; DELETE; INSERT … SELECT; ledger mark; COMMIT",
    "  hand s      BEGIN; DELETE; hand-written INSERT … SELECT (scripts/bench-hand-sql.ts); COMMIT",
    "  gen txn s   the set's BEGIN … COMMIT alone (DELETE, INSERT … SELECT, the run ledger's mark);",
    "              overhead ms = gen s − gen txn s (plan, preflight, DDL, run ledger and leases)",
    "  cpu g/h     median CPU time (user + system of this process, DuckDB's threads included) of gen / of hand: steadier than",
    "              wall time when other processes take the cores",
    "  min/min     fastest generated run / fastest hand-written run (other load on the machine only ever adds time)",
    "  rows/s      rows written per second of gen s; src rows/s: source rows in the planned read range per second of gen s",
    `  load        1-minute load average at the case's start → end (${THREADS} DuckDB threads on ${availableParallelism()} cores; other processes add noise)`,
    `  same rows   window rows of both tables joined on the keys: no key on one side only, doubles within ${TOLERANCE} relative or ${ABS_TOLERANCE} absolute, others equal`,
    "",
    ...table(header, rows),
    "",
    `gen/hand ≤ ${TARGET}: ${ratios.filter((x) => x <= TARGET).length} of ${ratios.length} cases by wall time, ` +
      `${r.results.filter((x) => median(x.genCpu) / median(x.handCpu) <= TARGET).length} by CPU time; ` +
      `overhead per generated run (medians): plan ${fmtMs(median(all.map((b) => b.planMs)))}, preflight ${fmtMs(median(all.map((b) => b.preflightMs)))}, ` +
      `DDL ${fmtMs(median(all.map((b) => b.ddlMs)))}, run ledger and leases ${fmtMs(median(all.map((b) => b.ledgerMs)))}; ` +
      `inside the set's transaction, the ledger's mark ${fmtMs(median(all.map((b) => b.markMs)))}`,
    ...(r.skipped.length
      ? [`skipped (optional, the bench past ${fmtS(OPTIONAL_AFTER_MS)}): ${r.skipped.map((c) => `${c.set} [${c.window.start}, ${c.window.end})`).join(", ")} — BENCH_SETS=<set> runs them`]
      : []),
    `whole tables after all runs: ${[...r.checks]
      .filter(([k]) => k.startsWith("whole:"))
      .map(([k, c]) => `${k.slice(6)} ${c.identical ? "same" : "DIFFERENT"} (${fmtInt(c.rowsA)} rows)`)
      .join("; ")}`,
    `plan only (planBackfill, no engine, median of 50): ${[...r.planMs].map(([s, v]) => `${s} ${fmtMs(median(v))}`).join(", ")}; ` +
      `project load (feature modules through tsx, once) ${fmtMs(r.loadMs)}`,
    `CLI end to end (${CLI_CASE.set} [${CLI_CASE.window.start}, ${CLI_CASE.window.end}), child process, median of ${REPS}): ` +
      `wall ${fmtS(cliWall)}, of which the set ${fmtS(cliReported)} (cold DuckDB buffer pool) and Node + tsx + load + open ≈ ${fmtS(cliWall - cliReported)}; ` +
      `--dry-run ${fmtS(dryWall)}`,
    `CLI peak RSS (${RSS_METHOD}): run ${fmtMb(Math.max(...rss))} (each: ${rss.map(fmtMb).join(", ")}), --dry-run ${fmtMb(Math.max(...dryRss))}; ` +
      `DuckDB works inside the same process, so this bounds Node's share from above`,
    `rows into JavaScript: none seen. ${r.probe.statements} statements through the engine, ${r.probe.nonCountResults} returned anything but a row count; ` +
      `largest JS heap growth across one statement ${(r.probe.maxHeapGrowth / 1024).toFixed(0)} KB; the CLI run read ${fmtInt(cliCase.sourceRowsRead ?? 0)} ` +
      `source rows (≈${fmtMb(((cliCase.sourceRowsRead ?? 0) * SOURCE_ROW_BYTES) / 1024)} of raw column values) and wrote ${fmtInt(cliCase.rowsWritten)} ` +
      `with ${fmtMb(Math.max(...rss) - Math.max(...dryRss))} more peak RSS than a dry run`,
    `total bench time ${fmtS(performance.now() - benchStarted)}; load average at the end ${fmtLoad()} (1/5/15 min)`,
    `reproduce: ${[...env, "npm run bench"].join(" ")}   (BENCH_KEEP=1 keeps .bench/run-*/ with its features.config.json and bench.duckdb)`,
    `CLI measured: ${path.relative(ROOT, BIN)} ${r.cliArgs.slice(0, -2).join(" ")} --config .bench/run-*/features.config.json`,
  ];
  console.log(out.join("\n"));
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

async function withConnection<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(dbPath, { threads: String(THREADS) });
  const c = await db.connect();
  try {
    return await work(c);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

async function scalar(c: DuckDBConnection, sql: string): Promise<unknown> {
  return (await c.runAndReadAll(sql)).getRows()[0]![0];
}

const stmt = (sql: string): Statement => ({ sql, parameters: [] });
const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => m.set(k, [...(m.get(k) ?? []), v]);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: readonly number[]) => `${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)}`;
const fmtS = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const fmtSec = (ms: number) => (ms / 1000).toFixed(3);
const fmtMs = (ms: number) => `${ms.toFixed(2)} ms`;
const fmtMb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const fmtInt = (n: unknown) => Number(n).toLocaleString("en-US");
const fmtLoad = () => loadavg().map((x) => x.toFixed(2)).join(" / ");
const fmtRate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(0)}k`);
const log = (text: string) => console.error(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(5)} s] ${text}`);

function intFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

// Last, so every const above is initialised before it runs.
process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));

try {
  await main();
} finally {
  await cleanup();
}
