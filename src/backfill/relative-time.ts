import { UsageError } from "../errors.ts";
import { DURATION_HELP, type Duration, parseDuration } from "../ir/duration.ts";
import type { TimeUnit } from "../ir/expr.ts";
import { addDuration, floorTo, parseInstant } from "../ir/time.ts";
import type { TimeWindow } from "./window.ts";

/**
 * Window bounds for scheduled runs, resolved once per run against one clock reading (`now`, in UTC):
 * - an ISO date or timestamp with a zone, as always;
 * - `now` or `today` (00:00 UTC of the current day), optionally followed by offsets: `today-1d`, `now-6h`,
 *   `today-1mo+2d` (calendar units clamp to the month's end).
 */
export function resolveInstant(text: string, now: Date, flag: string): Date {
  const absolute = parseInstant(text);
  if (absolute) return absolute;
  const match = /^(now|today)((?:[+-]\d+(?:mo|[smhdwqy]))*)$/.exec(text);
  if (!match) {
    if (SUB_MILLISECOND.test(text)) {
      throw new UsageError(
        `${flag} ${JSON.stringify(text)} has digits below the millisecond: window bounds are held to the millisecond, and rounding would move the window silently; give at most three fractional digits (digits after them must be zeros)`,
      );
    }
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not an ISO date (2025-01-31), an ISO timestamp with a zone (2025-01-31T06:00:00Z), or now/today with offsets (today-1d; each offset is ${DURATION_HELP})`,
    );
  }
  let t = match[1] === "today" ? floorTo(now, "day") : now;
  for (const [, sign, amount] of match[2]!.matchAll(/([+-])(\d+(?:mo|[smhdwqy]))/g)) {
    const d = parseDuration(amount!)!;
    t = addDuration(t, { ...d, n: sign === "-" ? -d.n : d.n });
  }
  return t;
}

// A timestamp whose fraction has a non-zero digit past the third: parseInstant refuses it (a JS Date holds milliseconds).
const SUB_MILLISECOND = /[T ]\d{2}:\d{2}:\d{2}\.\d{3}\d*[1-9]\d*(Z|[+-]\d{2}:\d{2})$/;

const CALENDAR: Partial<Record<Duration["unit"], TimeUnit>> = { day: "day", week: "week", month: "month", quarter: "quarter", year: "year" };

/**
 * `--window 1d` (or 1w, 1mo, 1q, 1y, 3d …): the last complete periods — ending at the start of the current period
 * (today 00:00 UTC for days, this Monday for weeks, the 1st for months), `n` periods long. `lag` periods more are
 * re-processed before it, for late-arriving data.
 */
export function resolveTrailingWindow(window: string, lag: number, now: Date): TimeWindow {
  const d = parseDuration(window);
  const unit = d && CALENDAR[d.unit];
  if (!d || !unit || d.n <= 0) throw new UsageError(`--window ${JSON.stringify(window)} must be whole days, weeks, months, quarters or years (${DURATION_HELP})`);
  if (!Number.isSafeInteger(lag) || lag < 0) throw new UsageError(`--lag must be a whole number of periods >= 0, got ${lag}`);
  const end = floorTo(now, unit);
  return { start: addDuration(end, { unit: d.unit, n: -(d.n * (1 + lag)) }), end };
}

/**
 * The chunking of a lagged trailing window: one period (`--window 3d` → "1d"), so that every period is its own
 * transaction and each period's end a checkpoint — the next day's run, starting `lag` periods back, continues from
 * one (state-pass.ts; a single chunk would leave a checkpoint only at its end, after where that run starts).
 */
export function periodChunk(window: string): string {
  const d = parseDuration(window);
  return `1${{ day: "d", week: "w", month: "mo", quarter: "q", year: "y" }[d?.unit as string] ?? "d"}`;
}

