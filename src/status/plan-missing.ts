import { planBackfill, type SetJob } from "../backfill/plan.ts";
import { type LoadedProject, readWritten } from "../backfill/run-backfill.ts";
import { definitionHash } from "../graph/definition-hash.ts";
import { selectSets, setDependencies } from "../graph/feature-graph.ts";
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
  options: { chunk?: string; stage?: boolean; now: Date; inline?: boolean },
): Promise<{ jobs: SetJob[]; todo: { set: string; windows: TimeWindow[] }[] }> {
  const { config, graph } = project;
  const status = await projectStatus(config, graph, sets, window, options.now);
  // In dependency order: a run writes an upstream's chunks before the chunks that read its table.
  const order = selectSets(graph, sets).map((n) => n.def.name);
  const todo = status.statuses.map((s) => ({ set: s.set, windows: unfilled(s) })).sort((a, b) => order.indexOf(a.set) - order.indexOf(b.set));
  // Upstream tables are read where the ledger, with what this run writes first, proves them current (reuse-pass.ts).
  const reuse = !options.inline && todo.some((t) => t.windows.length) && selectSets(graph, sets).some((n) => setDependencies(n).length);
  const written = reuse ? await readWritten(project, sets, "read-only").catch(() => undefined) : undefined;
  for (const { set, windows } of written ? todo : []) {
    written!.set(set, [...(written!.get(set) ?? []), ...windows.map((w) => ({ ...w, hash: definitionHash(graph, set), at: Infinity }))]);
  }
  const jobs = todo.flatMap(({ set, windows }) =>
    windows.flatMap((w) =>
      planBackfill({ graph, sets: [set], window: w, chunk: options.chunk, stage: options.stage, dialect: config.dialect, tableFor: config.tableFor, ...(written && { written }) }),
    ),
  );
  return { jobs, todo };
}
