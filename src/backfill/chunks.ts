import { UsageError } from "../errors.ts";
import type { TimeUnit } from "../ir/expr.ts";
import { addPeriods, ceilTo, floorTo } from "../ir/time.ts";
import { formatWindow, type TimeWindow } from "./window.ts";

const CHUNK_UNITS: Record<string, TimeUnit> = { "1d": "day", "1w": "week", "1mo": "month", "1q": "quarter", "1y": "year" };

/**
 * Jobs (chunks × sets) one run may plan. Each is planned whole before the run starts — its statements rendered and
 * formatted, 2–5 ms and ~30 KB each on the 2-core benchmark machine — and written in its own transaction with a
 * ledger row: 10,000 is 27 years of daily chunks of one set, 20–50 s of planning and a few hundred MB. Beyond it,
 * a coarser chunk or several runs (docs/long-backfills.md).
 */
export const MAX_PLANNED_CHUNKS = 10_000;

function chunkUnit(every: string): TimeUnit {
  const unit = CHUNK_UNITS[every];
  if (!unit) throw new UsageError(`--chunk ${JSON.stringify(every)} must be one of ${Object.keys(CHUNK_UNITS).join(", ")}`);
  return unit;
}

/** How many chunks `splitWindow` makes, counted without making them: one per calendar period the window touches. */
export function countChunks(window: TimeWindow, every?: string): number {
  if (every === undefined) return 1;
  const unit = chunkUnit(every);
  const [first, last] = [floorTo(window.start, unit), ceilTo(window.end, unit)];
  const months = (t: Date) => t.getUTCFullYear() * 12 + t.getUTCMonth();
  switch (unit) {
    case "day":
      return (last.getTime() - first.getTime()) / 86_400_000;
    case "week":
      return (last.getTime() - first.getTime()) / (7 * 86_400_000);
    default:
      return (months(last) - months(first)) / ({ month: 1, quarter: 3, year: 12 } as const)[unit];
  }
}

/** Refuses a plan of more than MAX_PLANNED_CHUNKS jobs before any is built, naming a chunk size that fits. */
export function checkPlanSize(window: TimeWindow, every: string | undefined, sets: number): void {
  const jobs = countChunks(window, every) * sets;
  if (jobs <= MAX_PLANNED_CHUNKS) return;
  const coarser = Object.keys(CHUNK_UNITS)
    .slice(Object.keys(CHUNK_UNITS).indexOf(every!) + 1)
    .find((c) => countChunks(window, c) * sets <= MAX_PLANNED_CHUNKS);
  const n = (x: number) => x.toLocaleString("en-US");
  const instead = coarser ? `use --chunk ${coarser} (${n(countChunks(window, coarser) * sets)} chunks), or split the window into several runs` : "split the window into several runs";
  throw new UsageError(
    `--chunk ${every} splits ${formatWindow(window)} into ${n(jobs)} chunks${sets > 1 ? ` (over ${sets} sets)` : ""}, more than the ${n(MAX_PLANNED_CHUNKS)} one run may plan: ${instead}`,
  );
}

/**
 * Splits `[start, end)` at calendar period boundaries (UTC; ISO weeks): `[2025-01-15, 2025-03-10)` by `1mo` is
 * `[01-15, 02-01) [02-01, 03-01) [03-01, 03-10)`. Aligned chunks are what a rerun of one period touches, and each
 * is its own transaction. No `every`: one chunk, the whole window.
 */
export function splitWindow(window: TimeWindow, every?: string): TimeWindow[] {
  if (every === undefined) return [window];
  const unit = chunkUnit(every);
  const chunks: TimeWindow[] = [];
  let start = window.start;
  while (start < window.end) {
    const boundary = ceilTo(start, unit).getTime() === start.getTime() ? addPeriods(start, unit, 1) : ceilTo(start, unit);
    const end = boundary < window.end ? boundary : window.end;
    chunks.push({ start, end });
    start = end;
  }
  return chunks;
}
