import { setImmediate } from "node:timers/promises";
import { loadConfig, type ResolvedConfig, withEngine } from "../config/config.ts";
import type { DialectName } from "../dialects/index.ts";
import { InterruptedError } from "../errors.ts";
import { openEngine } from "../engines/open-engine.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { loadFeatureGraph } from "../graph/load-modules.ts";
import { executeBackfill, type ExecuteOptions, type SetResult } from "./execute.ts";
import { planJobs, type SetJob } from "./plan.ts";
import type { TimeWindow } from "./window.ts";

export interface BackfillRequest {
  /** Path of features.config.json (default: ./features.config.json). */
  readonly config?: string;
  readonly sets: readonly string[];
  readonly window: TimeWindow;
  /** Calendar chunks, each its own transaction: "1d", "1w", "1mo", "1q", "1y". */
  readonly chunk?: string;
  /** Whether chunks of a set with a lookback share one staged computation (default: yes). */
  readonly stage?: boolean;
  /** Overrides the config's engine (`--engine`). */
  readonly engine?: DialectName;
}

export interface LoadedProject {
  readonly config: ResolvedConfig;
  readonly graph: FeatureGraph;
}

export async function loadProject(configPath?: string): Promise<LoadedProject> {
  const config = await loadConfig(configPath);
  return { config, graph: await loadFeatureGraph(config.featuresDir) };
}

/** Plans without connecting: what `--dry-run` prints. A signal stops planning between two jobs (exit 130). */
export async function planFromConfig(request: BackfillRequest, signal?: AbortSignal): Promise<{ project: LoadedProject; jobs: SetJob[] }> {
  const loaded = await loadProject(request.config);
  const project = request.engine ? { ...loaded, config: withEngine(loaded.config, request.engine) } : loaded;
  const jobs: SetJob[] = [];
  for (const job of planJobs({
    graph: project.graph,
    sets: request.sets,
    window: request.window,
    chunk: request.chunk,
    stage: request.stage,
    dialect: project.config.dialect,
    tableFor: project.config.tableFor,
  })) {
    jobs.push(job);
    // Planning is synchronous: the signal handlers run only when the event loop gets a turn.
    await setImmediate();
    if (signal?.aborted) throw new InterruptedError("interrupted while planning; nothing was written");
  }
  return { project, jobs };
}

/** Loads the project, plans, and runs the backfill in the configured engine. */
export async function runBackfill(
  request: BackfillRequest,
  options: ExecuteOptions = {},
): Promise<SetResult[]> {
  // A stage is a temporary table: visible to one connection, so not with --parallel.
  const { project, jobs } = await planFromConfig({ ...request, stage: request.stage ?? (options.parallel ?? 1) <= 1 }, options.signal);
  // A signal during loading or planning stops the run before the warehouse is touched at all.
  if (options.signal?.aborted) throw new InterruptedError("interrupted before the run started; nothing was written");
  const engine = await openEngine(project.config, { signal: options.signal });
  try {
    return await executeBackfill(jobs, engine, { openWorker: () => openEngine(project.config, { signal: options.signal }), ...options });
  } finally {
    await engine.close();
  }
}
