import { UsageError } from "../errors.ts";
import type { TimeUnit } from "../ir/expr.ts";
import { addPeriods, ceilTo } from "../ir/time.ts";
import type { TimeWindow } from "./window.ts";

const CHUNK_UNITS: Record<string, TimeUnit> = { "1d": "day", "1w": "week", "1mo": "month", "1q": "quarter", "1y": "year" };

/**
 * Splits `[start, end)` at calendar period boundaries (UTC; ISO weeks): `[2025-01-15, 2025-03-10)` by `1mo` is
 * `[01-15, 02-01) [02-01, 03-01) [03-01, 03-10)`. Aligned chunks are what a rerun of one period touches, and each
 * is its own transaction. No `every`: one chunk, the whole window.
 */
export function splitWindow(window: TimeWindow, every?: string): TimeWindow[] {
  if (every === undefined) return [window];
  const unit = CHUNK_UNITS[every];
  if (!unit) throw new UsageError(`--chunk ${JSON.stringify(every)} must be one of ${Object.keys(CHUNK_UNITS).join(", ")}`);
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
