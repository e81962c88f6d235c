import type { DType } from "../ir/dtype.ts";
import { formatDate, formatTimestamp, isMidnight, isRepresentable, parseDate, parseInstant } from "../ir/time.ts";

/** A value in a request (JSON, or `--entity k=v` text). */
export type InputValue = string | number | boolean | null;
/** A value in a response: dates `2025-01-01`, timestamps ISO in UTC, integers as numbers (as text beyond 2^53). */
export type OnlineValue = string | number | boolean | null;

/**
 * A request value as the text bound for a `CAST(? AS type)`, or undefined when it is not one of the type's values.
 * Every value is bound as text and cast in SQL: the same on every engine, whatever its driver makes of JS numbers.
 * Integers may come as JSON numbers or decimal text (`--entity customer_id=42`).
 */
export function bindText(value: InputValue, type: DType): string | null | undefined {
  if (value === null) return null;
  switch (type) {
    case "integer":
    case "bigint": {
      const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : typeof value === "string" && /^-?\d{1,19}$/.test(value) ? value : undefined;
      const limit = type === "integer" ? 2n ** 31n : 2n ** 63n;
      return text !== undefined && BigInt(text) >= -limit && BigInt(text) < limit ? text : undefined;
    }
    case "double":
      if (typeof value === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return value; // command-line text
      return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
      return typeof value === "boolean" ? String(value) : value === "true" || value === "false" ? value : undefined;
    case "varchar":
      return typeof value === "string" ? value : undefined;
    case "date": {
      const t = typeof value === "string" ? parseDate(value) : undefined;
      return t && isMidnight(t) ? formatDate(t) : undefined;
    }
    case "timestamp":
      return typeof value === "string" ? timestampText(value) : undefined;
  }
}

/**
 * An ISO timestamp with a zone as UTC SQL text, to the microsecond: stored event times have microseconds, and a row
 * sent in a request must be the same instant as the stored one. (JS dates hold milliseconds: the last three digits
 * are carried as text.)
 */
function timestampText(value: string): string | undefined {
  const micros = /^(.*[T ]\d{2}:\d{2}:\d{2}\.\d{3})(\d{1,3})(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const t = parseInstant(micros ? `${micros[1]}${micros[3]}` : value);
  if (!t || !isRepresentable(t)) return undefined; // 9999-12-31T23:30-01:00 is in year 10000 in UTC
  if (!micros) return formatTimestamp(t);
  const iso = t.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${micros[2]}`;
}

/** A result value from either store (see OnlineStore) in the response's shape. */
export function toOnlineValue(value: unknown, type: DType): OnlineValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
    case "bigint": {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case "double":
      return Number(value);
    case "date":
      return String(value).slice(0, 10);
    case "timestamp":
      return isoTimestamp(String(value));
    default:
      return value as OnlineValue;
  }
}

/** `2025-01-01 06:00:00.5` → `2025-01-01T06:00:00.500Z`; microseconds are kept when there are any. */
function isoTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  if (!m) return text;
  const fraction = (m[3] ?? "").padEnd(6, "0");
  return `${m[1]}T${m[2]}.${fraction.slice(3) === "000" ? fraction.slice(0, 3) : fraction}Z`;
}
