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
