import type { LoadedProject } from "../backfill/run-backfill.ts";
import type { TimeWindow } from "../backfill/window.ts";
import { IncompleteError } from "../errors.ts";
import type { Duration } from "../ir/duration.ts";
import { addDuration, formatInstant } from "../ir/time.ts";
import { projectStatus } from "../status/project-status.ts";
import type { DatasetSet } from "./plan-dataset.ts";

/**
 * The windows, per set, the run ledger does not show filled with today's definition over the stretch the spine's
 * events read: from the first event (minus the TTL and the shift) to the last (minus the shift). The ledger is read as
 * `status` and `run --resume` read it (src/status/project-status.ts: chunks written to the set's table as it is now),
 * so they never disagree.
 */
export async function missingWindows(project: LoadedProject, sets: readonly DatasetSet[], range: { lo: Date; hi: Date }, now: Date) {
  const result: { set: string; windows: (TimeWindow & { state: string })[] }[] = [];
  for (const s of sets) {
    const back = (t: Date, d?: Duration) => (d ? addDuration(t, { ...d, n: -d.n }) : t);
    const need = { start: back(back(range.lo, s.shift), s.ttl), end: new Date(back(range.hi, s.shift).getTime() + 1) };
    const { statuses } = await projectStatus(project.config, project.graph, [s.set], need, now);
    const windows = statuses.flatMap((st) => st.spans.filter((sp) => sp.state !== "filled"));
    if (windows.length) result.push({ set: s.set, windows });
  }
  return result;
}

export function incomplete(gaps: Awaited<ReturnType<typeof missingWindows>>): IncompleteError {
  const lines = gaps.map(({ set, windows }) => {
    const [first, last] = [windows[0]!, windows.at(-1)!];
    return (
      `feature set "${set}": the run ledger does not show it backfilled with its current definition over ${windows.map((g) => `[${formatInstant(g.start)}, ${formatInstant(g.end)}) (${g.state})`).join(", ")}; ` +
      `fill it with: feature-backfill run --set ${set} --start ${formatInstant(first.start)} --end ${formatInstant(last.end)} --missing (or give dataset --compute-missing)`
    );
  });
  return new IncompleteError(`the training set needs rows the offline tables may not hold:\n  ${lines.join("\n  ")}`);
}

