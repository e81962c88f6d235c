import { existsSync } from "node:fs";
import { setImmediate } from "node:timers/promises";
import { loadConfig, type ResolvedConfig, withEngine } from "../config/config.ts";
import type { DialectName } from "../dialects/index.ts";
import { InterruptedError, messageOf } from "../errors.ts";
import type { Engine } from "../engines/engine.ts";
import { openEngine } from "../engines/open-engine.ts";
import { type FeatureGraph, selectSets, setDependencies } from "../graph/feature-graph.ts";
import { loadFeatureGraph } from "../graph/load-modules.ts";
import { resolveSelection, type SelectionRequest } from "../graph/selection.ts";
import { executeBackfill, type ExecuteOptions, type SetResult } from "./execute.ts";
import { readWrittenSpans, type WrittenSpan } from "./materialized.ts";
import { readCheckpoints } from "./checkpoints.ts";
import { planJobs, type SetJob } from "./plan.ts";
import { planningProblems } from "./table-ownership.ts";
import type { TimeWindow } from "./window.ts";

/** What to backfill: the sets (or a selection of them), the window, the chunking and the engine. */
export interface BackfillRequest {
  /** Path of features.config.json (default: ./features.config.json). */
  readonly config?: string;
  readonly sets: readonly string[];
  /** Selectors (`--select`, `--exclude`, `--all`), resolved against the loaded graph and added to `sets`. */
  readonly selection?: SelectionRequest;
  readonly window: TimeWindow;
  /** Calendar chunks, each its own transaction: "1d", "1w", "1mo", "1q", "1y". */
  readonly chunk?: string;
  /** Whether chunks of a set with a lookback share one staged computation (default: yes). */
  readonly stage?: boolean;
  /** Overrides the config's engine (`--engine`). */
  readonly engine?: DialectName;
  /** Recompute every upstream set instead of reading the offline tables the ledger proves complete (`--inline`). */
  readonly inline?: boolean;
  /** Read the whole history instead of continuing from the state tables' checkpoints, and rebuild them (`--full`). */
  readonly full?: boolean;
}

export interface LoadedProject {
  readonly config: ResolvedConfig;
  readonly graph: FeatureGraph;
}

/** Reads the config file and imports the feature modules it names into a checked graph. */
export async function loadProject(configPath?: string): Promise<LoadedProject> {
  const config = await loadConfig(configPath);
  return { config, graph: await loadFeatureGraph(config.featuresDir) };
}

/** The project with the request's engine (`--engine`) in place of the config's. */
export async function loadProjectFor(request: Pick<BackfillRequest, "config" | "engine">): Promise<LoadedProject> {
  const loaded = await loadProject(request.config);
  return request.engine ? { ...loaded, config: withEngine(loaded.config, request.engine) } : loaded;
}

/**
 * Plans without connecting, recomputing every upstream set (as `--inline`): every planning error surfaces before the
 * warehouse is touched. `reuseUpstreams` then plans again where the ledger lets sets read upstream tables. A signal
 * stops planning between two jobs (exit 130).
 */
export async function planFromConfig(request: BackfillRequest, signal?: AbortSignal): Promise<{ project: LoadedProject; jobs: SetJob[] }> {
  const project = await loadProjectFor(request);
  return { project, jobs: await planProject(project, request, signal) };
}

async function planProject(project: LoadedProject, request: BackfillRequest, signal?: AbortSignal, facts: WarehouseFacts = {}): Promise<SetJob[]> {
  const sets = request.selection ? resolveSelection(project.graph, { ...request.selection, sets: [...request.sets, ...(request.selection.sets ?? [])] }, "error") : request.sets;
  const jobs: SetJob[] = [];
  for (const job of planJobs({
    graph: project.graph,
    sets,
    window: request.window,
    chunk: request.chunk,
    stage: request.stage,
    dialect: project.config.dialect,
    tableFor: project.config.tableFor,
    ...facts,
  })) {
    jobs.push(job);
    // Planning is synchronous: the signal handlers run only when the event loop gets a turn.
    await setImmediate();
    if (signal?.aborted) throw new InterruptedError("interrupted while planning; nothing was written");
  }
  // Before any connection: names the warehouse would truncate or fold together, and tables that are sources.
  const [problem] = planningProblems(jobs, project.graph.sources.values(), project.config.dialect);
  if (problem) throw problem.error;
  return jobs;
}

/**
 * What the ledger proves the offline tables of the sets (and of everything they read) hold, read without writing.
 * A DuckDB file that does not exist yet holds nothing (a dry run does not create it).
 */
export async function readWritten(project: LoadedProject, sets: readonly string[], ledger: Engine | "read-only"): Promise<Map<string, WrittenSpan[]>> {
  const { config, graph } = project;
  const targets = selectSets(graph, sets).map((n) => ({ set: n.def.name, table: config.tableFor(n.def.name) }));
  return withLedger(project, ledger, (engine) => readWrittenSpans(engine, targets), new Map());
}

/** What planning reads of the warehouse: the spans the ledger proves written, and the state tables' checkpoints. */
interface WarehouseFacts {
  readonly written?: ReadonlyMap<string, readonly WrittenSpan[]>;
  readonly checkpoints?: ReadonlyMap<string, readonly Date[]>;
}

/**
 * The jobs planned again with what the warehouse holds: upstream sets the ledger proves complete and current over
 * what a set needs are read from their offline tables, and sets that keep state continue from their latest usable
 * checkpoint (unless `--inline`, `--full`). Read on `ledger` (the run's connection) or, for a dry run, on a read-only
 * one; a dry run that cannot connect keeps the plan that reads everything, and says why.
 */
export async function reuseUpstreams(
  project: LoadedProject,
  request: BackfillRequest,
  jobs: SetJob[],
  ledger: Engine | "read-only",
  signal?: AbortSignal,
): Promise<{ jobs: SetJob[]; note?: string }> {
  const sets = [...new Set(jobs.map((j) => j.set))];
  const reuse = !request.inline && selectSets(project.graph, sets).some((node) => setDependencies(node).length > 0);
  const continues = !request.full && jobs.some((j) => j.state);
  if (!reuse && !continues) return { jobs };
  let facts: WarehouseFacts;
  try {
    facts = await withLedger(project, ledger, async (engine) => {
      // One read of the ledger serves both: the upstreams' spans, and the spans that say which checkpoints are stale.
      const written = await readWrittenSpans(engine, selectSets(project.graph, sets).map((n) => ({ set: n.def.name, table: project.config.tableFor(n.def.name) })));
      return { ...(reuse && { written }), ...(continues && { checkpoints: await readCheckpoints(engine, jobs, written) }) };
    }, {});
  } catch (error) {
    if (ledger !== "read-only") throw error;
    return { jobs, note: `could not read the run ledger (${messageOf(error)}): every upstream set is recomputed, as with --inline, and state is rebuilt, as with --full` };
  }
  return { jobs: await planProject(project, { ...request, sets, selection: undefined }, signal, facts) };
}

/** `read` on the run's connection, or on a read-only one (`none` when a DuckDB file does not exist yet). */
async function withLedger<T>(project: LoadedProject, ledger: Engine | "read-only", read: (engine: Engine) => Promise<T>, none: T): Promise<T> {
  if (ledger !== "read-only") return read(ledger);
  const { config } = project;
  if (config.engine === "duckdb" && config.duckdb.path !== ":memory:" && !existsSync(config.duckdb.path)) return none;
  const engine = await openEngine(config, { readOnly: true });
  try {
    return await read(engine);
  } finally {
    await engine.close();
  }
}

/** Loads the project, plans (reading the ledger on the run's connection), and runs the backfill in the configured engine. */
export async function runBackfill(
  request: BackfillRequest,
  options: ExecuteOptions = {},
): Promise<SetResult[]> {
  // A stage is a temporary table: visible to one connection, so not with --parallel.
  const staged = { ...request, stage: request.stage ?? (options.parallel ?? 1) <= 1 };
  const { project, jobs } = await planFromConfig(staged, options.signal);
  return executePlanned(project, async (engine) => (await reuseUpstreams(project, staged, jobs, engine, options.signal)).jobs, options);
}

/**
 * Runs jobs in the project's engine: planned already, or planned on the run's connection (which reads the ledger to
 * choose the upstream tables to reuse; nothing is written before the plan is complete).
 */
export async function executePlanned(
  project: LoadedProject,
  planned: readonly SetJob[] | ((engine: Engine) => Promise<readonly SetJob[]>),
  options: ExecuteOptions = {},
): Promise<SetResult[]> {
  // A signal during loading or planning stops the run before the warehouse is touched at all.
  if (options.signal?.aborted) throw new InterruptedError("interrupted before the run started; nothing was written");
  const engine = await openEngine(project.config, { signal: options.signal });
  try {
    const jobs = typeof planned === "function" ? await planned(engine) : planned;
    return await executeBackfill(jobs, engine, {
      openWorker: () => openEngine(project.config, { signal: options.signal }),
      ...(project.config.leaseTtlMs && { leaseTtlMs: project.config.leaseTtlMs }),
      ...options,
    });
  } finally {
    await engine.close();
  }
}
