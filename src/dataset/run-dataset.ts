import { executePlanned, loadProjectFor } from "../backfill/run-backfill.ts";
import { planBackfill } from "../backfill/plan.ts";
import { formatWindow } from "../backfill/window.ts";
import { planningProblems } from "../backfill/table-ownership.ts";
import { formatTable, type Statement, tableId } from "../compile/statements.ts";
import type { DialectName } from "../dialects/index.ts";
import { openEngine } from "../engines/open-engine.ts";
import { UsageError } from "../errors.ts";
import { type Duration, DURATION_HELP, parseDuration } from "../ir/duration.ts";
import { resolveSelection, type SelectionRequest } from "../graph/selection.ts";
import { type DatasetPlan, type DatasetSet, planDataset } from "./plan-dataset.ts";
import { incomplete, missingWindows } from "./completeness.ts";
import { checkOutputTable, type DatasetSummary, summarise, writeStatement, writeTable } from "./dataset-output.ts";
import { describeSpine, outputFile, spineOf, spineRange, tableOf } from "./spine.ts";

export type { DatasetSummary } from "./dataset-output.ts";
/** A training set to build (`feature-backfill dataset`; docs/datasets.md). */
export interface DatasetRequest {
  readonly config?: string;
  readonly engine?: DialectName;
  /** `schema.table`, or on DuckDB a `.parquet` or `.csv` file. */
  readonly spine: string;
  readonly sets: readonly string[];
  readonly selection?: SelectionRequest;
  /** The spine's event-time column (default `event_time`). */
  readonly time?: string;
  /** Set key → spine column. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Per set: rows older than this at the event time are no match ("35d"). */
  readonly ttl?: Readonly<Record<string, string>>;
  /** Per set: join as of timestamp + this ("1mo": a left-labelled month is known at its end). */
  readonly shift?: Readonly<Record<string, string>>;
  /** A warehouse table to create or replace, in the offline store's schema. */
  readonly out?: string;
  /** On DuckDB: a `.parquet` or `.csv` file the engine writes. */
  readonly output?: string;
  readonly allowLeakage?: boolean;
  /** Backfill the windows the ledger lacks first (as `run --missing` would), instead of refusing. */
  readonly computeMissing?: boolean;
}

/** The plan, the statement that writes the training set, and (after a run) its summary. */
export interface DatasetResult {
  readonly plan: DatasetPlan;
  /** The statement that writes the training set (what `--dry-run` prints). */
  readonly statement: Statement;
  readonly summary?: DatasetSummary;
}

/**
 * Plans a training set (reading only the spine's column names and types from the warehouse) and, unless `dryRun`,
 * checks the ledger shows every set backfilled over the time the spine needs, writes it, and summarises it in SQL.
 */
export async function buildDataset(request: DatasetRequest, options: { dryRun?: boolean; now?: Date; progress?: (line: string) => void } = {}): Promise<DatasetResult> {
  const project = await loadProjectFor(request);
  const { config, graph } = project;
  const dialect = config.dialect;
  const names = request.selection ? resolveSelection(graph, { ...request.selection, sets: [...request.sets, ...(request.selection.sets ?? [])] }, "error") : request.sets;
  const sets: DatasetSet[] = names.map((set) => ({
    set,
    ...(request.ttl?.[set] !== undefined && { ttl: duration(request.ttl[set]!, `--ttl ${set}`) }),
    ...(request.shift?.[set] !== undefined && { shift: duration(request.shift[set]!, `--shift ${set}`) }),
  }));
  for (const flag of ["ttl", "shift"] as const) {
    for (const set of Object.keys(request[flag] ?? {})) if (!names.includes(set)) throw new UsageError(`--${flag} ${set}=…: "${set}" is not among the sets given`);
  }
  if (request.out && request.output) throw new UsageError("--out (a table) and --output (a file) exclude each other");
  const spine = spineOf(request.spine, dialect.name);
  const output = request.output ? outputFile(request.output) : undefined;
  if (output && !dialect.copyToFile) throw new UsageError(`--output writes a file from the engine, which ${dialect.name} cannot do: use --out schema.table`);
  if (!request.out && !output) throw new UsageError("give where the training set goes: --out schema.table, or on DuckDB --output file.parquet|csv");
  const out = request.out ? tableOf(request.out, "--out") : undefined;

  let engine = await openEngine(config, { readOnly: true });
  let plan: DatasetPlan;
  let range: { lo: Date; hi: Date } | undefined;
  try {
    const spineColumns = await describeSpine(engine, spine);
    plan = planDataset({ graph, dialect, tableFor: config.tableFor, spine, spineColumns, sets, time: request.time, keys: request.keys, allowLeakage: request.allowLeakage });
    if (out) checkOutputTable(project, out);
    if (options.dryRun) return { plan, statement: writeStatement(plan, dialect, out, output) };
    range = await spineRange(engine, spine, plan.time);
  } finally {
    await engine.close();
  }
  for (const leak of plan.leaks) options.progress?.(`warning: leakage accepted (--allow-leakage): ${leak}`);
  if (range) {
    const now = options.now ?? new Date();
    const gaps = await missingWindows(project, sets, range, now);
    if (gaps.length && request.computeMissing) {
      // The same jobs `run --missing` plans for those windows, run first; then the ledger is read again.
      const jobs = gaps.flatMap(({ set, windows }) => windows.flatMap((window) => planBackfill({ graph, sets: [set], window, dialect, tableFor: config.tableFor })));
      const [problem] = planningProblems(jobs, graph.sources.values(), dialect);
      if (problem) throw problem.error;
      options.progress?.(`--compute-missing: backfilling ${gaps.map(({ set, windows }) => `${set} ${windows.map(formatWindow).join(" ")}`).join("; ")}`);
      await executePlanned(project, jobs);
    }
    const still = gaps.length && request.computeMissing ? await missingWindows(project, sets, range, now) : gaps;
    if (still.length) throw incomplete(still);
  }

  engine = await openEngine(config);
  try {
    const statement = writeStatement(plan, dialect, out, output);
    if (output) {
      options.progress?.(`writing ${output.path}`);
      await engine.run(statement);
    } else {
      options.progress?.(`writing ${formatTable(out!)}`);
      await writeTable(engine, out!, statement);
    }
    const summary = await summarise(engine, output ? dialect.readFile!(output.format, output.path) : tableId(out!), plan);
    return { plan, statement, summary };
  } finally {
    await engine.close();
  }
}

function duration(text: string, flag: string): Duration {
  const d = parseDuration(text);
  if (!d || d.n <= 0) throw new UsageError(`${flag}=${text}: not a positive duration (${DURATION_HELP})`);
  return d;
}

/** `--key a=b`, `--ttl a=35d`: NAME=VALUE pairs into a record. */
export function pairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf("=");
    if (i <= 0 || i === v.length - 1) throw new UsageError(`${flag} ${v}: expected NAME=VALUE`);
    result[v.slice(0, i)] = v.slice(i + 1);
  }
  return result;
}
