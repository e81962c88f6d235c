import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { chunkKey, completedChunks } from "../backfill/completed-chunks.ts";
import { chunkPhases } from "../backfill/execute.ts";
import { LedgerStatements } from "../backfill/ledger.ts";
import type { SetJob } from "../backfill/plan.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { openEngine } from "../engines/open-engine.ts";
import { planFromConfig, runBackfill } from "../backfill/run-backfill.ts";
import { formatWindow, resolveRunWindow, type TimeWindow } from "../backfill/window.ts";
import { UsageError } from "../errors.ts";
import { formatTable, type Statement } from "../compile/statements.ts";
import { DIALECTS, type DialectName, type SqlDialect } from "../dialects/index.ts";
import { createReporter, type LogFormat, type Output } from "./reporter.ts";
import { collect, configOption } from "./options.ts";

interface RunOptions {
  set: string[];
  start?: string;
  end?: string;
  window?: string;
  lag?: number;
  config?: string;
  dryRun?: boolean;
  logFormat: LogFormat;
  chunk?: string;
  resume?: boolean;
  keepGoing?: boolean;
  retries: number;
  parallel: number;
  engine?: DialectName;
}

export function runCommand(out: Output, signal: AbortSignal): Command {
  return new Command("run")
    .description("Backfill feature sets over the half-open UTC window [start, end): delete the window's rows and insert them anew, atomically.")
    .requiredOption("-s, --set <name>", "feature set to backfill (repeat for several)", collect)
    .option("--start <date>", "window start, inclusive: ISO date (2025-01-01), timestamp with zone (2025-01-01T06:00:00Z), or today/now with offsets (today-7d)")
    .option("--end <date>", "window end, exclusive: same formats as --start")
    .option("--window <period>", "instead of --start/--end: the last complete periods, e.g. 1d (yesterday, UTC), 1w, 1mo")
    .option("--lag <n>", "with --window: also re-process the n periods before it (late-arriving data)", (v) => Number(v))
    .addOption(configOption())
    .option("--chunk <period>", "split the window at calendar boundaries, one transaction per chunk: 1d, 1w, 1mo, 1q, 1y")
    .option("--resume", "skip chunks the run ledger records as written with the same definition")
    .option("--keep-going", "after a chunk fails (and is rolled back), go on with the others; exit 7 at the end")
    .option("--retries <n>", "retries of a chunk after a transient warehouse error, with backoff", (v) => Number(v), 2)
    .option("--parallel <n>", "chunks written at once, each on its own connection (DuckDB: one at a time, it has one writer)", (v) => Number(v), 1)
    .option("--dry-run", "print every statement the run would execute, and open no connection")
    .addOption(new Option("--engine <engine>", "warehouse to run in, instead of the config's engine").choices(Object.keys(DIALECTS)))
    .addOption(new Option("--log-format <format>", "progress output when not a terminal").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Examples:
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14
  $ feature-backfill run --set monthly_card_spend --set quarterly_revolving_balance_trend --start 2024-01-01 --end 2025-01-01
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14 --dry-run
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-01-01 --end 2025-10-14 --dry-run --engine snowflake
  $ feature-backfill run --set avg_monthly_revolving_balance --start 2025-03-01T00:00:00Z --end 2025-04-01T00:00:00Z --log-format json
  $ feature-backfill run --set rolling_card_spend --window 1d --lag 2        # yesterday and the 2 days before (UTC)
  $ feature-backfill run --set rolling_card_spend --start today-7d --end today
  $ feature-backfill run --set rolling_card_spend --start 2021-01-01 --end 2026-01-01 --chunk 1mo --resume

Each set and chunk is written in its own transaction, recorded in the run ledger (feature_backfill_ledger in the
offline store's schema); a failed chunk leaves its table as it was. Exit codes: 0 ok, 2 usage, 3 config,
4 definitions, 5 run failed, 6 cannot log in, 7 some chunks failed (--keep-going), 8 busy (another run holds
the window), 130 interrupted.`,
    )
    .action(async (options: RunOptions) => {
      const now = new Date();
      const window = resolveRunWindow(options, now);
      const request = { config: options.config, sets: options.set, window, chunk: options.chunk, engine: options.engine };
      if (options.dryRun) {
        const { project, jobs } = await planFromConfig(request, signal);
        // Only with --resume does a dry run connect: to read which chunks the ledger would skip.
        const written = options.resume ? await readLedger(project.config, jobs) : new Map<string, string>();
        out.stdout(renderDryRun(jobs, project.config.dialect, written));
        return;
      }
      if (!Number.isSafeInteger(options.retries) || options.retries < 0) throw new UsageError("--retries must be a whole number >= 0");
      if (!Number.isSafeInteger(options.parallel) || options.parallel < 1) throw new UsageError("--parallel must be a whole number >= 1");
      await runBackfill(request, {
        onEvent: createReporter(out, options.logFormat),
        signal,
        resume: options.resume,
        keepGoing: options.keepGoing,
        retries: options.retries,
        parallel: options.parallel,
        windowSpec: windowSpec(options, window, now),
      });
    });
}

/**
 * The whole run as SQL a person can read and paste, in the order a run sends it. The DDL is printed although a run
 * skips it for a table that exists already (it is idempotent either way).
 */
export function renderDryRun(jobs: readonly SetJob[], dialect: SqlDialect, written: ReadonlyMap<string, string> = new Map()): string {
  const lines = [
    `-- feature-backfill dry run (${dialect.name}): ${jobs.length} chunk(s); nothing was executed`,
    "-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease",
  ];
  const { begin, commit } = dialect.transaction;
  const reads = (job: SetJob) => job.reads.map((r) => `--   reads ${r.source.name} (${formatTable(r.source.backfill)}) over ${formatWindow(r.range)}`);
  const staged = new Map<string, Statement>(); // as a run: created before the first chunk that is not skipped, dropped at the end
  for (const [i, job] of jobs.entries()) {
    const header = `-- [${i + 1}/${jobs.length}] ${job.set} -> ${formatTable(job.table)}, window ${formatWindow(job.window)}`;
    const hash = written.get(chunkKey(job.set, job.window));
    if (hash === job.definitionHash) {
      lines.push("", header, "--   skipped by --resume: written by an earlier run with the same definition");
      continue;
    }
    if (job.stage && !staged.has(job.stage.table.name)) {
      staged.set(job.stage.table.name, job.stage.drop);
      lines.push("", `-- ${job.set}: computed once over ${formatWindow(job.stage.window)}; each chunk below writes its part of it`, ...reads(job));
      lines.push(statementText(job.stage.create));
    }
    lines.push("", header);
    if (hash) lines.push("--   redone by --resume: the definition changed since an earlier run wrote it");
    if (!job.stage) lines.push(...reads(job));
    const { before, inTransaction } = chunkPhases(job, job.setup, dialect);
    lines.push(...before.map(statementText), `${begin};`, ...inTransaction.map(statementText), `${commit};`);
  }
  if (staged.size) lines.push("", "-- at the end of the run", ...[...staged.values()].map(statementText));
  return `${lines.join("\n")}\n`;
}

/** What `--resume` would skip, read without writing: a warehouse file or ledger that does not exist yet has no chunks. */
async function readLedger(config: ResolvedConfig, jobs: readonly SetJob[]): Promise<Map<string, string>> {
  if (config.engine === "duckdb" && config.duckdb.path !== ":memory:" && !existsSync(config.duckdb.path)) return new Map();
  const engine = await openEngine(config, { readOnly: true });
  try {
    const ledger = new LedgerStatements(engine.dialect, jobs[0]?.table.schema, "dry-run");
    const [exists] = await engine.describeTables([ledger.ledger]);
    return exists ? await completedChunks(engine, ledger, [...new Set(jobs.map((j) => j.set))]) : new Map();
  } finally {
    await engine.close();
  }
}

/** How the window was given and what it resolved to, for the ledger: relative windows are resolved once per run. */
function windowSpec(options: RunOptions, window: TimeWindow, now: Date): string {
  const given = options.window !== undefined ? `--window ${options.window}${options.lag ? ` --lag ${options.lag}` : ""}` : `--start ${options.start} --end ${options.end}`;
  return `${given} = ${formatWindow(window)} at ${now.toISOString()}`;
}

const statementText = (s: Statement): string =>
  `${s.sql};${s.parameters.length ? `\n-- parameters: ${JSON.stringify(s.parameters)}` : ""}`;
