import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { chunkKey, completedChunks } from "../backfill/completed-chunks.ts";
import { chunkPhases, upstreamNotes } from "../backfill/execute.ts";
import { parseLeaseTtl } from "../backfill/leases.ts";
import { LedgerStatements } from "../backfill/ledger.ts";
import { currentTableIds, planningProblems } from "../backfill/table-ownership.ts";
import type { SetJob } from "../backfill/plan.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { openEngine } from "../engines/open-engine.ts";
import { type BackfillRequest, executePlanned, type LoadedProject, loadProjectFor, planFromConfig, reuseUpstreams } from "../backfill/run-backfill.ts";
import type { Engine } from "../engines/engine.ts";
import { formatWindow, resolveRunWindow, type TimeWindow } from "../backfill/window.ts";
import { periodChunk } from "../backfill/relative-time.ts";
import { FeatureBackfillError, UsageError } from "../errors.ts";
import { formatTable, type Statement } from "../compile/statements.ts";
import { DIALECTS, type DialectName, type SqlDialect } from "../dialects/index.ts";
import { createReporter, type LogFormat, type Output } from "./reporter.ts";
import { collect, configOption, type SelectionFlags, selectionOf, selectionOptions } from "./options.ts";
import { planMissing } from "../status/plan-missing.ts";
import { resolveSelection } from "../graph/selection.ts";

interface RunOptions extends SelectionFlags {
  missing?: boolean;
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
  leaseTtl?: string;
  engine?: DialectName;
  adoptTable?: string[];
  inline?: boolean;
  full?: boolean;
}

export function runCommand(out: Output, signal: AbortSignal): Command {
  const command = new Command("run")
    .description("Backfill feature sets over the half-open UTC window [start, end): delete the window's rows and insert them anew, atomically.")
    .option("-s, --set <name>", "feature set to backfill (repeat for several)", collect);
  selectionOptions().forEach((o) => command.addOption(o));
  return command
    .option("--missing", "write only the windows the ledger does not show as filled with today's definitions: missing, failed and stale ones")
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
    .option("--lease-ttl <duration>", "how long the run's lease outlives it should it die, e.g. 90s, 10m (default: offlineStore.leaseTtl, else 10m)")
    .option("--adopt-table <schema.table>", "take over an existing offline table this tool did not create (its columns must match the set's); repeat for several", collect)
    .option("--inline", "recompute every upstream set from the sources, instead of reading the offline tables the ledger proves complete and current")
    .option("--full", "read the whole history for windows that otherwise continue from the state kept by earlier runs (shift, forward fills…), and rebuild that state")
    .option("--dry-run", "print every statement the run would execute, writing nothing (reads the ledger to choose upstream tables, and with --resume the chunks it skips)")
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
  $ feature-backfill run --select tag:daily --window 1d --lag 2              # every set tagged "daily", in dependency order
  $ feature-backfill run --select +quarterly_revolving_balance_trend --start 2024-01-01 --end 2025-01-01 --missing --dry-run

Each set and chunk is written in its own transaction, recorded in the run ledger (feature_backfill_ledger in the
offline store's schema); a failed chunk leaves its table as it was. Exit codes: 0 ok, 2 usage, 3 config,
4 definitions, 5 run failed, 6 cannot log in, 7 some chunks failed (--keep-going), 8 busy (another run holds
the window), 9 refused: a table it would write is a source or was not created by this tool (--adopt-table),
130 interrupted.`,
    )
    .action(async (options: RunOptions) => {
      const now = new Date();
      const window = resolveRunWindow(options, now);
      if (!Number.isSafeInteger(options.retries) || options.retries < 0) throw new UsageError("--retries must be a whole number >= 0");
      if (!Number.isSafeInteger(options.parallel) || options.parallel < 1) throw new UsageError("--parallel must be a whole number >= 1");
      // A stage is a temporary table: visible to one connection, so not with --parallel.
      // A lagged trailing window is written period by period unless told otherwise (see `periodChunk`).
      const chunk = options.chunk ?? (options.window !== undefined && options.lag ? periodChunk(options.window) : undefined);
      const request = { config: options.config, sets: [], selection: selectionOf(options), window, chunk, engine: options.engine, stage: options.parallel <= 1, inline: options.inline, full: options.full };
      if (options.dryRun) {
        const planned = options.missing ? await planMissingFromConfig(request, now, out) : await planFromConfig(request, signal);
        // A dry run connects, read-only, only where a set reads another (which upstream tables the ledger proves
        // current) or with --resume (which chunks the ledger would skip).
        const { jobs, note }: { jobs: SetJob[]; note?: string } = options.missing ? planned : await reuseUpstreams(planned.project, request, planned.jobs, "read-only", signal);
        const written = options.resume ? await readLedger(planned.project.config, jobs) : new Map<string, string>();
        out.stdout(renderDryRun(jobs, planned.project.config.dialect, written, note ?? (options.inline ? "--inline: every upstream set is recomputed" : undefined)));
        return;
      }
      const { project, jobs: inlined } = options.missing ? await planMissingFromConfig(request, now, out) : await planFromConfig(request, signal);
      if (inlined.length === 0) return;
      // Planned again on the run's connection where sets read others: the ledger says which upstream tables to reuse.
      let jobs: readonly SetJob[] = inlined;
      const plan = async (engine: Engine) => (jobs = options.missing ? inlined : (await reuseUpstreams(project, request, inlined, engine, signal)).jobs);
      const touched = new Set<string>();
      const failed = new Set<string>();
      const report = createReporter(out, options.logFormat);
      try {
        await executePlanned(project, plan, {
          onEvent: (event) => {
            if ("set" in event) touched.add(event.set);
            if (event.event === "chunk_failed") failed.add(event.set);
            report(event);
          },
          signal,
          resume: options.resume,
          keepGoing: options.keepGoing,
          retries: options.retries,
          parallel: options.parallel,
          ...(options.leaseTtl !== undefined && { leaseTtlMs: parseLeaseTtl(options.leaseTtl, "--lease-ttl") }),
          windowSpec: windowSpec(options, window, now),
          adoptTables: options.adoptTable,
        });
      } catch (error) {
        // Only where chunks failed: a run refused before writing (login, catalog, busy) has its own one-line error.
        if (error instanceof FeatureBackfillError && failed.size > 0) out.stderr(failureSummary(jobs, touched, failed, options.keepGoing));
        throw error;
      }
    });
}

/** Which sets failed and which were not run, by name: a run of many sets must say where it stopped. */
function failureSummary(jobs: readonly SetJob[], touched: ReadonlySet<string>, failed: ReadonlySet<string>, keepGoing?: boolean): string {
  const planned = [...new Set(jobs.map((j) => j.set))];
  const notRun = planned.filter((set) => !touched.has(set));
  const lines = [`sets with failed chunks: ${[...failed].join(", ") || "none"}`];
  if (notRun.length) lines.push(`not run: ${notRun.join(", ")} (a run stops at its first failure; --keep-going writes the others)`);
  else if (keepGoing && failed.size && planned.length > 1) lines.push("the other sets were written, except chunks that read a failed chunk's rows");
  return `${lines.join("\n")}\n`;
}

/** `--missing`: the selection's missing, failed and stale windows within the run's window, listed on stderr. */
async function planMissingFromConfig(request: BackfillRequest, now: Date, out: Output): Promise<{ project: LoadedProject; jobs: SetJob[] }> {
  const project = await loadProjectFor(request);
  const sets = resolveSelection(project.graph, request.selection ?? {}, "error");
  const { jobs, todo } = await planMissing(project, sets, request.window, { chunk: request.chunk, stage: request.stage, now, inline: request.inline });
  const [problem] = planningProblems(jobs, project.graph.sources.values(), project.config.dialect); // as planFromConfig
  if (problem) throw problem.error;
  const lines = todo.map(({ set, windows }) => `${set}: ${windows.length ? windows.map(formatWindow).join(" ") : "nothing to write"}`);
  out.stderr(`--missing over ${formatWindow(request.window)}:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
  return { project, jobs };
}

/**
 * The whole run as SQL a person can read and paste, in the order a run sends it. The DDL is printed although a run
 * skips it for a table that exists already (it is idempotent either way).
 */
export function renderDryRun(jobs: readonly SetJob[], dialect: SqlDialect, written: ReadonlyMap<string, string> = new Map(), upstreamNote?: string): string {
  const lines = [
    `-- feature-backfill dry run (${dialect.name}): ${jobs.length} chunk(s); nothing was executed`,
    "-- each chunk's transaction also records it in the run ledger (feature_backfill_ledger), under a lease",
    ...(upstreamNote ? [`-- ${upstreamNote}`] : []),
  ];
  lines.push(...upstreamNotes(jobs).map((note) => `-- ${note}`));
  const { begin, commit } = dialect.transaction;
  const reads = (job: SetJob) =>
    job.reads.map((r) =>
      r.state
        ? `--   reads the rows carried in ${formatTable(r.source.backfill)} as of ${job.state!.from!.toISOString()} (state kept by earlier chunks)`
        : `--   reads ${r.upstream ? "upstream set " : ""}${r.source.name} (${formatTable(r.source.backfill)}) over ${formatWindow(r.range)}`,
    );
  const state = (job: SetJob) =>
    job.state
      ? [`--   keeps state: ${job.state.from ? "continues from its checkpoint" : "reads the whole history (no checkpoint at or before what it needs)"}; writes the checkpoint as of ${job.window.end.toISOString()}`]
      : [];
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
    if (!job.stage) lines.push(...reads(job), ...state(job));
    const { before, inTransaction } = chunkPhases(job, job.setup, dialect);
    // The checkpoint a chunk continues from is checked inside its transaction, before its writes (execute.ts).
    const checks = (job.state?.check ?? []).map((c) => `-- the checkpoint must be there (a count of its marker):\n${statementText(c)}`);
    const prepare = job.state?.prepare ?? [];
    if (prepare.length) lines.push("-- each continued node's input, computed once for the statements below:");
    lines.push(...prepare.map(statementText), ...before.map(statementText), `${begin};`, ...checks, ...inTransaction.map(statementText), `${commit};`);
    lines.push(...(job.state?.cleanup ?? []).map(statementText));
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
    // A ledger of an earlier version names no targets: none of its rows counts (a run adds the columns).
    const ids = await currentTableIds(engine, ledger, jobs);
    return ids ? await completedChunks(engine, ledger, jobs, ids) : new Map();
  } finally {
    await engine.close();
  }
}

/** How the window was given and what it resolved to, for the ledger: relative windows are resolved once per run. */
function windowSpec(options: RunOptions, window: TimeWindow, now: Date): string {
  const given = options.window !== undefined ? `--window ${options.window}${options.lag ? ` --lag ${options.lag}` : ""}` : `--start ${options.start} --end ${options.end}`;
  return `${given} = ${formatWindow(window)} at ${now.toISOString()}`;
}

/** A statement as the dry runs print it: its text, and its bound parameters in a comment. */
export const statementText = (s: Statement): string =>
  `${s.sql};${s.parameters.length ? `\n-- parameters: ${JSON.stringify(s.parameters)}` : ""}`;
