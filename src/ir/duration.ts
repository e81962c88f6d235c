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
  const calendar = parts.filter((p) => periodMonths(p) !== undefined);
  const months = calendar.reduce((sum, p) => sum + periodMonths(p)!, 0);
  return [...(calendar.length ? [{ n: months, unit: "month" as const }] : []), ...parts.filter((p) => periodMonths(p) === undefined)];
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

/**
 * The period of `dt.truncate` ("15m", "2w", "1h30m"), as Polars' truncate reads its `every`: `n` whole units, counted
 * from Polars' origins — fixed-length units (seconds to days) from the UNIX epoch 1970-01-01 00:00 UTC, weeks from
 * Monday 1970-01-05, months (and quarters, years) from January 1970. A compound period may combine seconds, minutes
 * and hours only (Polars: "cannot mix month, week, day, and sub-daily units"); it is kept in its finest unit.
 */
export type Period = Duration;

const MONTHS_PER: Partial<Record<DurationUnit, number>> = { month: 1, quarter: 3, year: 12 };

/** The number of months in a calendar period; undefined for a fixed-length one. */
export const periodMonths = (p: Period): number | undefined => (MONTHS_PER[p.unit] === undefined ? undefined : p.n * MONTHS_PER[p.unit]!);

/** The instant (µs since the epoch) fixed-length periods are counted from: the epoch, or its first Monday for weeks. */
export const periodOriginMicros = (p: Period): number => (p.unit === "week" ? 4 * 86_400e6 : 0);

/** A `dt.truncate` period, or an error message saying why `text` is none. */
export function parsePeriod(text: string): Period | string {
  const steps = typeof text === "string" ? parseCompoundDuration(text) : undefined;
  if (!steps) return `${JSON.stringify(text)} is not a period (${DURATION_HELP}, or several sub-daily ones: "1h30m")`;
  if (steps.some((s) => s.n <= 0)) return `${JSON.stringify(text)} is not a positive period`;
  if (steps.length === 1) return steps[0]!;
  if (steps.some((s) => !["second", "minute", "hour"].includes(s.unit))) {
    return `${JSON.stringify(text)} mixes units: only seconds, minutes and hours combine (Polars: "cannot mix month, week, day, and sub-daily units")`;
  }
  const seconds = steps.reduce((sum, s) => sum + fixedMicros(s)! / 1e6, 0);
  const unit = (["hour", "minute", "second"] as const).find((u) => seconds % (MICROS[u]! / 1e6) === 0)!;
  return { n: seconds / (MICROS[unit]! / 1e6), unit };
}

/** Whether every period of `inner` lies inside one period of `outer` (each aligned at its origin). */
export function periodNests(inner: Period, outer: Period): boolean {
  const [innerMonths, outerMonths] = [periodMonths(inner), periodMonths(outer)];
  if (innerMonths !== undefined) return outerMonths !== undefined && outerMonths % innerMonths === 0;
  const length = fixedMicros(inner)!;
  // A month starts at a midnight: periods that divide a day and start at the epoch's midnight never straddle one.
  if (outerMonths !== undefined) return periodOriginMicros(inner) === 0 && MICROS.day! % length === 0;
  return fixedMicros(outer)! % length === 0 && (periodOriginMicros(outer) - periodOriginMicros(inner)) % length === 0;
}

/** Whether moving an instant by `shift` (months count as their shortest, 28 days) moves it by a whole `period` or more. */
export function shiftCoversPeriod(shift: Duration, period: Period): boolean {
  const [shiftMonths, months] = [periodMonths(shift), periodMonths(period)];
  if (months !== undefined) return shiftMonths !== undefined && shiftMonths >= months;
  const shiftMicros = shiftMonths !== undefined ? shiftMonths * 28 * MICROS.day! : fixedMicros(shift)!;
  return shiftMicros >= fixedMicros(period)!;
}

export const DURATION_HELP = 'an integer and a unit: "30d", "12h", "15m", "45s", "2w", "1mo", "1q", "1y"';
