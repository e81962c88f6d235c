import { UsageError } from "../errors.ts";
import { formatInstant, parseInstant } from "../ir/time.ts";

/** A half-open UTC interval `[start, end)` of event time. */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

/** Parses `--start`/`--end`: ISO dates or ISO timestamps with a zone; start must be before end. */
export function parseWindow(start: string, end: string): TimeWindow {
  const parse = (flag: string, text: string): Date => {
    const t = parseInstant(text);
    if (!t) {
      throw new UsageError(
        `${flag} ${JSON.stringify(text)} is not an ISO date (2025-01-31) or an ISO timestamp with a zone (2025-01-31T06:00:00Z)`,
      );
    }
    return t;
  };
  const window = { start: parse("--start", start), end: parse("--end", end) };
  if (window.start.getTime() >= window.end.getTime()) {
    throw new UsageError(`--start (${formatInstant(window.start)}) must be before --end (${formatInstant(window.end)}): the window is [start, end)`);
  }
  return window;
}

export const formatWindow = (w: { start?: Date; end?: Date }): string =>
  `[${w.start ? formatInstant(w.start) : "-inf"}, ${w.end ? formatInstant(w.end) : "+inf"})`;
