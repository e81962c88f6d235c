import fc from "fast-check";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { expectedRowsSql, HAND_WRITTEN } from "./hand-written.ts";

/**
 * Read wide, write narrow (DESIGN.md §2): a backfill of any window, written in any chunking and in any order, with
 * chunks repeated, leaves exactly the rows a full-history computation produces for that window.
 */
const DAY = 86_400_000;
const ORIGIN = Date.UTC(2023, 11, 1); // a month before the data starts, so empty edges occur too
const SPAN_DAYS = 800;

// An instant: mostly midnights, sometimes an arbitrary minute, so date and timestamp bounds are both exercised.
const instant = fc
  .tuple(fc.integer({ min: 0, max: SPAN_DAYS }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 24 * 60 - 1 })))
  .map(([day, minute]) => ORIGIN + day * DAY + minute * 60_000);

const chunkedWindow = fc
  .tuple(instant, instant, fc.array(instant, { maxLength: 3 }), fc.integer({ min: 0, max: 1000 }))
  .filter(([a, b]) => a !== b)
  .map(([a, b, cuts, seed]) => {
    const [start, end] = a < b ? [a, b] : [b, a];
    const bounds = [...new Set([start, ...cuts.filter((c) => c > start && c < end), end])].sort((x, y) => x - y);
    const chunks = bounds.slice(1).map((e, i) => [bounds[i]!, e] as const);
    // Run chunks in a seeded shuffled order, then the first one again: order and repetition must not matter.
    const order = chunks.map((c, i) => [c, (i * 7919 + seed) % 1009] as const).sort((x, y) => x[1] - y[1]).map(([c]) => c);
    return { start, end, runs: [...order, order[0]!] };
  });

/**
 * Sets truncating to sub-daily periods and multiples (test/fixtures/periods), written by hand with epoch arithmetic
 * rather than the functions the tool emits: Polars counts periods from 1970-01-01 00:00, weeks from Monday 1970-01-05,
 * months from January 1970.
 */
const PERIOD_SETS: Record<string, { timestamp: string; sql: string }> = {
  quarter_hour_spend: {
    timestamp: "slot",
    sql: `
      SELECT customer_id, make_timestamp(epoch_us(transaction_ts) // 900000000 * 900000000) AS slot,
             sum(amount) AS spend, count(*) AS transactions
      FROM raw.card_transactions GROUP BY ALL`,
  },
  fortnightly_spend: {
    timestamp: "fortnight_end",
    sql: `
      SELECT customer_id, CAST(DATE '1970-01-05' + CAST(14 * ((CAST(transaction_ts AS DATE) - DATE '1970-01-05') // 14 + 1) AS INTEGER) AS TIMESTAMP) AS fortnight_end,
             sum(amount) AS spend
      FROM raw.card_transactions GROUP BY ALL`,
  },
  bimonthly_min_balance: {
    timestamp: "period",
    sql: `
      SELECT customer_id, make_date(CAST(1970 + (months - months % 2) // 12 AS INTEGER), CAST((months - months % 2) % 12 + 1 AS INTEGER), 1) AS period,
             min(balance) AS min_balance
      FROM (SELECT *, (year(date) - 1970) * 12 + month(date) - 1 AS months FROM raw.customer_accounts) GROUP BY ALL`,
  },
};

describe("windowed and chunked backfills equal the full-history computation", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse();
  });
  afterAll(() => warehouse.cleanup());

  for (const set of Object.keys(HAND_WRITTEN)) {
    it(`${set}`, { timeout: 90_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(chunkedWindow, async ({ start, end, runs }) => {
          await warehouse.exec(`DROP TABLE IF EXISTS features.${set}`);
          for (const [s, e] of runs) {
            await runBackfill({ config: warehouse.configPath, sets: [set], window: { start: new Date(s), end: new Date(e) } });
          }
          const actual = await warehouse.query(`SELECT * FROM features.${set}`);
          const expected = await warehouse.query(expectedRowsSql(set, new Date(start).toISOString(), new Date(end).toISOString()));
          expectSameRows(actual, expected, `${set} [${new Date(start).toISOString()}, ${new Date(end).toISOString()})`);
        }),
        { numRuns: 8, seed: 20251127, endOnFailure: true },
      );
    });
  }
});

describe("windowed and chunked backfills of sub-daily and multi-period truncations equal the full-history computation", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: path.join(REPO, "test/fixtures/periods") });
  });
  afterAll(() => warehouse.cleanup());

  for (const [set, { timestamp, sql }] of Object.entries(PERIOD_SETS)) {
    it(`${set}`, { timeout: 90_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(chunkedWindow, async ({ start, end, runs }) => {
          await warehouse.exec(`DROP TABLE IF EXISTS features.${set}`);
          for (const [s, e] of runs) {
            await runBackfill({ config: warehouse.configPath, sets: [set], window: { start: new Date(s), end: new Date(e) } });
          }
          const actual = await warehouse.query(`SELECT * FROM features.${set}`);
          const [from, to] = [new Date(start).toISOString(), new Date(end).toISOString()];
          const expected = await warehouse.query(`SELECT * FROM (${sql}) WHERE ${timestamp} >= TIMESTAMP '${from}' AND ${timestamp} < TIMESTAMP '${to}'`);
          expectSameRows(actual, expected, `${set} [${from}, ${to})`);
        }),
        { numRuns: 8, seed: 20251127, endOnFailure: true },
      );
    });
  }
});
