import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";
import { expectedRowsSql, HAND_WRITTEN } from "./hand-written.ts";

// Windows chosen to cut through periods: mid-month and mid-quarter starts, a timestamp end with an offset, and the
// whole data range.
const WINDOWS: [string, string][] = [
  ["2024-01-01", "2026-01-01"],
  ["2025-01-15", "2025-10-14"],
  ["2024-05-20T12:00:00Z", "2024-11-03T06:30:00+02:00"],
];

describe("example feature sets against hand-written SQL (DuckDB)", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse();
  });
  afterAll(() => warehouse.cleanup());

  for (const set of Object.keys(HAND_WRITTEN)) {
    for (const [start, end] of WINDOWS) {
      it(`${set} over [${start}, ${end})`, async () => {
        const window = parseWindow(start, end);
        await warehouse.exec(`DROP TABLE IF EXISTS features.${set}`);
        const [result] = await runBackfill({ config: warehouse.configPath, sets: [set], window });
        const actual = await warehouse.query(`SELECT * FROM features.${set}`);
        const expected = await warehouse.query(expectedRowsSql(set, window.start.toISOString(), window.end.toISOString()));
        expect(expected.length).toBeGreaterThan(0);
        expect(result!.rowsWritten).toBe(expected.length);
        expectSameRows(actual, expected, set);
      });
    }
  }
});
