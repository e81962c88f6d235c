/** Relative tolerance for doubles: aggregation order differs between plans and engines, so the last bits may too. */
export const DOUBLE_TOLERANCE = 1e-9;

/**
 * The first way two result sets differ, or undefined when they hold the same rows (order-insensitive): sorted by
 * every column's string form, compared value by value, doubles within DOUBLE_TOLERANCE relative error. The
 * conformance suite and `doctor` both judge with this.
 */
export function firstDifference(actual: readonly Record<string, unknown>[], expected: readonly Record<string, unknown>[]): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} rows, expected ${expected.length}`;
  const columns = Object.keys(expected[0] ?? actual[0] ?? {});
  if (actual.length) {
    const got = Object.keys(actual[0]!).sort();
    if (got.join() !== [...columns].sort().join()) return `columns ${got.join(", ")}, expected ${[...columns].sort().join(", ")}`;
  }
  const key = (row: Record<string, unknown>) => columns.map((c) => roundedKey(row[c])).join("|");
  const a = [...actual].sort((x, y) => key(x).localeCompare(key(y)));
  const e = [...expected].sort((x, y) => key(x).localeCompare(key(y)));
  for (let i = 0; i < e.length; i++) {
    for (const c of columns) {
      const [av, ev] = [a[i]![c], e[i]![c]];
      // A double that is integral on one engine may be a last bit off on another (386 and 385.99999999999994).
      if (typeof ev === "number" && typeof av === "number" && !(Number.isInteger(ev) && Number.isInteger(av))) {
        const scale = Math.max(1, Math.abs(ev));
        if (!(Math.abs(av - ev) <= DOUBLE_TOLERANCE * scale) && !(Number.isNaN(av) && Number.isNaN(ev)) && av !== ev) {
          return `row ${JSON.stringify(e[i], replacer)} column ${c}: got ${av}, expected ${ev}`;
        }
      } else if (normalise(av) !== normalise(ev)) {
        return `row ${JSON.stringify(e[i], replacer)} column ${c}: got ${normalise(av)}, expected ${normalise(ev)}`;
      }
    }
  }
  return undefined;
}

// NaN and ±Infinity are not JSON: spelled out, so that neither compares equal to a NULL.
const normalise = (v: unknown): string =>
  v instanceof Date ? v.toISOString() : typeof v === "bigint" || (typeof v === "number" && !Number.isFinite(v)) ? String(v) : JSON.stringify(v, replacer);
// Sort keys must not depend on the last bits of a double.
const roundedKey = (v: unknown): string => (typeof v === "number" ? String(Number(v.toPrecision(8))) : normalise(v));
const replacer = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
