import { UsageError } from "../errors.ts";
import { formatInstant, INSTANT_RANGE, isInstantInRange } from "../ir/time.ts";
import { resolveInstant, resolveTrailingWindow } from "./relative-time.ts";

/** A half-open UTC interval `[start, end)` of event time. */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

/**
 * Parses `--start`/`--end`: ISO dates, ISO timestamps with a zone, or `now`/`today` with offsets (resolved against
 * `now`, read once per run); start must be before end.
 */
export function parseWindow(start: string, end: string, now: Date = new Date()): TimeWindow {
  return checked({ start: inRange(resolveInstant(start, now, "--start"), `--start ${start}`), end: inRange(resolveInstant(end, now, "--end"), `--end ${end}`) });
}

/** The run's window from either `--start`/`--end` or `--window` (with `--lag`): exactly one of the two forms. */
export function resolveRunWindow(
  options: { start?: string; end?: string; window?: string; lag?: number },
  now: Date = new Date(),
): TimeWindow {
  if (options.window !== undefined) {
    if (options.start !== undefined || options.end !== undefined) throw new UsageError("give either --window or --start/--end, not both");
    const { start, end } = resolveTrailingWindow(options.window, options.lag ?? 0, now);
    const given = `--window ${options.window}${options.lag ? ` --lag ${options.lag}` : ""}`;
    return checked({ start: inRange(start, given), end: inRange(end, given) });
  }
  if (options.lag !== undefined) throw new UsageError("--lag goes with --window");
  if (options.start === undefined || options.end === undefined) {
    throw new UsageError("give the window: --start and --end, or --window (e.g. --window 1d for yesterday)");
  }
  return parseWindow(options.start, options.end, now);
}

/**
 * A window bound or `asOf` outside what every engine can hold is refused at parse time: the statements that write are
 * built only from bounds a literal can carry (src/compile/statements.ts asserts it again), never widened into
 * "everything". `given` is the flag and text as the user wrote them.
 */
export function inRange(t: Date, given: string): Date {
  if (!isInstantInRange(t)) {
    const resolved = Number.isNaN(t.getTime()) ? "overflows the calendar" : `is ${t.toISOString()}`;
    throw new UsageError(`${given} ${resolved}, outside the range every engine can represent: instants must lie ${INSTANT_RANGE}`);
  }
  return t;
}

function checked(window: TimeWindow): TimeWindow {
  if (window.start.getTime() >= window.end.getTime()) {
    throw new UsageError(`--start (${formatInstant(window.start)}) must be before --end (${formatInstant(window.end)}): the window is [start, end)`);
  }
  return window;
}

export const formatWindow = (w: { start?: Date; end?: Date }): string =>
  `[${w.start ? formatInstant(w.start) : "-inf"}, ${w.end ? formatInstant(w.end) : "+inf"})`;
