import { type Duration, fixedMicros, type Period, periodMonths, periodOriginMicros } from "./duration.ts";
import type { TimeUnit } from "./expr.ts";

/**
 * UTC calendar arithmetic shared by window parsing, the time-range pass and literal rendering. Every function takes
 * and returns instants (`Date`), and every calendar field is read in UTC.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 with an explicit zone (Z or ±hh:mm); 'T' or a space between date and time; seconds and fraction optional.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO date (`2025-01-01`, midnight UTC) or an ISO timestamp with a zone (`2025-01-01T06:00:00Z`,
 * `2025-01-01T08:00+02:00`). Anything else — a missing zone, `2025-02-30`, `01/02/2025` — returns undefined.
 * Fractions finer than milliseconds must be zeros: JS dates cannot hold them and the window must not move silently.
 */
export function parseInstant(text: string): Date | undefined {
  const date = DATE_ONLY.exec(text);
  if (date) return checkedUtc(+date[1]!, +date[2]!, +date[3]!, 0, 0, 0, 0, 0);
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const fraction = (m[7] ?? "").padEnd(6, "0");
  if (fraction.slice(3) !== "000") return undefined;
  const zone = m[8]!;
  const offsetMinutes = zone === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (+zone.slice(1, 3) * 60 + +zone.slice(4, 6));
  if (zone !== "Z" && (+zone.slice(1, 3) > 23 || +zone.slice(4, 6) > 59)) return undefined;
  return checkedUtc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), +fraction.slice(0, 3), offsetMinutes);
}

/** Parses `YYYY-MM-DD` strictly (a date literal). */
export function parseDate(text: string): Date | undefined {
  return DATE_ONLY.test(text) ? parseInstant(text) : undefined;
}

function checkedUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number) {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  if (y < MIN_YEAR) return undefined;
  const local = utc(y, mo - 1, d, h, mi, s, ms);
  if (local.getUTCDate() !== d || local.getUTCMonth() !== mo - 1) return undefined; // 2025-02-30
  return new Date(local.getTime() - offsetMinutes * 60_000);
}

// SQL dates run from 0001-01-01 to 9999-12-31; the year must render as four digits.
const MIN_YEAR = 1;
const END_OF_TIME = Date.UTC(10000, 0, 1);
const START_OF_TIME = utc(MIN_YEAR, 0, 1).getTime();

/** Whether a SQL literal can hold `t`; bounds outside this are open (the whole history on that side). */
export const isRepresentable = (t: Date): boolean => t.getTime() >= START_OF_TIME && t.getTime() < END_OF_TIME;

// The last day's midnight: a bound up to it stays representable when a date column rounds it up to the next midnight.
const LAST_BOUND = Date.UTC(9999, 11, 31);

/** The instants a window bound or an `asOf` may be, as messages and docs/semantics.md spell them. */
export const INSTANT_RANGE = "from 0001-01-01 to 9999-12-31 (UTC)";

/**
 * Whether every engine can hold `t` as a bound of what is written or looked up, date columns included (which round
 * a bound up to midnight): from 0001-01-01T00:00:00Z to 9999-12-31T00:00:00Z. An invalid Date (an offset that
 * overflowed) is not.
 */
export const isInstantInRange = (t: Date): boolean => t.getTime() >= START_OF_TIME && t.getTime() <= LAST_BOUND;

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999. */
function utc(y: number, month: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  const t = new Date(Date.UTC(2000, 0, 1, h, mi, s, ms));
  t.setUTCFullYear(y, month, d);
  return t;
}

/** The first instant of the period containing `t` (ISO weeks start on Monday). */
export function floorTo(t: Date, unit: TimeUnit): Date {
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  switch (unit) {
    case "day":
      return utc(y, m, t.getUTCDate());
    case "week": {
      const day = utc(y, m, t.getUTCDate());
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      return new Date(day.getTime() - sinceMonday * 86_400_000);
    }
    case "month":
      return utc(y, m, 1);
    case "quarter":
      return utc(y, m - (m % 3), 1);
    case "year":
      return utc(y, 0, 1);
  }
}

/** The first period start at or after `t`. */
export function ceilTo(t: Date, unit: TimeUnit): Date {
  const floor = floorTo(t, unit);
  return floor.getTime() === t.getTime() ? floor : addPeriods(floor, unit, 1);
}

/**
 * The first instant of the `dt.truncate` period containing `t`, counted from Polars' origins (see `Period`): "2w"
 * starts on every other Monday from 1970-01-05, "2mo" in every odd month, "15m" on the quarter hours.
 */
export function floorToPeriod(t: Date, p: Period): Date {
  const months = periodMonths(p);
  if (months !== undefined) {
    const sinceEpoch = (t.getUTCFullYear() - 1970) * 12 + t.getUTCMonth();
    return utc(t.getUTCFullYear(), t.getUTCMonth() - mod(sinceEpoch, months), 1);
  }
  const length = fixedMicros(p)! / 1000;
  return new Date(t.getTime() - mod(t.getTime() - periodOriginMicros(p) / 1000, length));
}

/** The first `dt.truncate` period start at or after `t`. */
export function ceilToPeriod(t: Date, p: Period): Date {
  const floor = floorToPeriod(t, p);
  return floor.getTime() === t.getTime() ? floor : addDuration(floor, p);
}

const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** `t` moved by `n` periods; month-based periods clamp to the month's last day (Jan 31 + 1 month = Feb 28). */
export function addPeriods(t: Date, unit: TimeUnit, n: number): Date {
  switch (unit) {
    case "day":
      return new Date(t.getTime() + n * 86_400_000);
    case "week":
      return new Date(t.getTime() + n * 7 * 86_400_000);
    default: {
      const months = n * ({ month: 1, quarter: 3, year: 12 } as const)[unit];
      const target = new Date(t.getTime());
      target.setUTCDate(1);
      target.setUTCMonth(target.getUTCMonth() + months);
      const lastDay = utc(target.getUTCFullYear(), target.getUTCMonth() + 1, 0).getUTCDate();
      target.setUTCDate(Math.min(t.getUTCDate(), lastDay));
      return target;
    }
  }
}

/** `t` moved by a duration: fixed units exactly, calendar units as `addPeriods`. */
export function addDuration(t: Date, d: Duration): Date {
  const ms = { second: 1000, minute: 60_000, hour: 3_600_000 }[d.unit as "second" | "minute" | "hour"];
  return ms === undefined ? addPeriods(t, d.unit as TimeUnit, d.n) : new Date(t.getTime() + d.n * ms);
}

export const isMidnight = (t: Date): boolean => t.getTime() % 86_400_000 === 0;

/** `2025-01-01` */
export const formatDate = (t: Date): string => t.toISOString().slice(0, 10);

/** `2025-01-01 06:30:00` or `2025-01-01 06:30:00.250`: the UTC wall clock, as SQL timestamp literals spell it. */
export function formatTimestamp(t: Date): string {
  const iso = t.toISOString(); // 2025-01-01T06:30:00.250Z
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === "000" ? "" : `.${ms}`}`;
}

/** A window bound as a human reads it: a date when it is midnight, else the full UTC timestamp. */
export const formatInstant = (t: Date): string => (isMidnight(t) ? formatDate(t) : t.toISOString());
