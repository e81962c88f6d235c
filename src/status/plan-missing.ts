import { planBackfill, type SetJob } from "../backfill/plan.ts";
import type { LoadedProject } from "../backfill/run-backfill.ts";
import type { TimeWindow } from "../backfill/window.ts";
import { projectStatus } from "./project-status.ts";
import { unfilled } from "./set-status.ts";

/**
 * `run --missing`: the jobs that write, of each set (in dependency order) over `window`, only what the ledger does
 * not show as filled with today's definition — missing, failed and stale stretches — each split into `chunk`s as a
 * run of that stretch would be. Reads the ledger read-only; plans without writing.
 */
export async function planMissing(
  project: LoadedProject,
  sets: readonly string[],
  window: TimeWindow,
  options: { chunk?: string; stage?: boolean; now: Date },
): Promise<{ jobs: SetJob[]; todo: { set: string; windows: TimeWindow[] }[] }> {
  const { config, graph } = project;
  const status = await projectStatus(config, graph, sets, window, options.now);
  const todo = status.statuses.map((s) => ({ set: s.set, windows: unfilled(s) }));
  const jobs = todo.flatMap(({ set, windows }) =>
    windows.flatMap((w) => planBackfill({ graph, sets: [set], window: w, chunk: options.chunk, stage: options.stage, dialect: config.dialect, tableFor: config.tableFor })),
  );
  return { jobs, todo };
}
