/**
 * Durations as Polars spells them: "30d", "12h", "15m", "45s", "2w", "1mo", "1q", "1y" (one integer and a unit).
 * Fixed-length units (up to weeks) are exact spans of time; calendar units (months, quarters, years) move the
 * calendar, so Jan 31 + 1mo = Feb 28.
 */
export const DURATION_UNITS = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface Duration {
  readonly n: number;
  readonly unit: DurationUnit;
}

const SUFFIXES: Record<string, DurationUnit> = { s: "second", m: "minute", h: "hour", d: "day", w: "week", mo: "month", q: "quarter", y: "year" };

export function parseDuration(text: string): Duration | undefined {
  const match = /^(-?\d+)(mo|[smhdwqy])$/.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) ? { n, unit: SUFFIXES[match[2]!]! } : undefined;
}

/**
 * A compound duration as Polars' `offset_by` reads it ("1d12h", "-1mo15d": one sign for the whole), as the steps to
 * apply in Polars' order: the calendar units first, summed into one move of months (Feb 29 + "1y2mo" is Apr 29, not
 * Apr 28), then each fixed unit. Undefined if it is not one.
 */
export function parseCompoundDuration(text: string): Duration[] | undefined {
  const match = /^(-?)((?:\d+(?:mo|[smhdwqy]))+)$/.exec(text);
  if (!match) return undefined;
  const sign = match[1] === "-" ? -1 : 1;
  const parts = [...match[2]!.matchAll(/(\d+)(mo|[smhdwqy])/g)].map((m) => ({ n: sign * Number(m[1]), unit: SUFFIXES[m[2]!]! }));
  if (parts.some((p) => !Number.isSafeInteger(p.n))) return undefined;
  if (parts.length === 1) return parts;
  const monthsPer: Partial<Record<DurationUnit, number>> = { month: 1, quarter: 3, year: 12 };
  const calendar = parts.filter((p) => monthsPer[p.unit] !== undefined);
  const months = calendar.reduce((sum, p) => sum + p.n * monthsPer[p.unit]!, 0);
  return [...(calendar.length ? [{ n: months, unit: "month" as const }] : []), ...parts.filter((p) => monthsPer[p.unit] === undefined)];
}

export const formatDuration = (d: Duration): string =>
  `${d.n}${Object.entries(SUFFIXES).find(([, unit]) => unit === d.unit)![0]}`;

const MICROS: Partial<Record<DurationUnit, number>> = {
  second: 1e6,
  minute: 60e6,
  hour: 3600e6,
  day: 86_400e6,
  week: 7 * 86_400e6,
};

/** The length in microseconds of a fixed-length duration; undefined for calendar units. */
export const fixedMicros = (d: Duration): number | undefined => (MICROS[d.unit] === undefined ? undefined : d.n * MICROS[d.unit]!);

export const DURATION_HELP = 'an integer and a unit: "30d", "12h", "15m", "45s", "2w", "1mo", "1q", "1y"';
