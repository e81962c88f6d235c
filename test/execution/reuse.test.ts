import { writeFile } from "node:fs/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackfillEvent } from "../../src/backfill/execute.ts";
import { runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { expectSameRows } from "../support/compare.ts";
import { cli } from "../support/run-cli.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { expectedRowsSql } from "./hand-written.ts";

/**
 * Reuse of materialized upstream sets: a set reading another reads the upstream's offline table where the ledger
 * proves it complete and current over the range needed, and recomputes the upstream otherwise. Either way it writes
 * exactly the rows of a full recompute, which the hand-written SQL gives.
 */
const DAY = 86_400_000;
const HISTORY = parseWindow("2024-01-01", "2025-10-01"); // the upstreams' backfilled history (the data runs to 2025-12)
const READERS = { rolling_card_spend: "daily_card_spend", quarterly_revolving_balance_trend: "avg_monthly_revolving_balance", revolving_balance_change: "avg_monthly_revolving_balance" } as const;
type Reader = keyof typeof READERS;

// Windows inside the history (reusable) and past its end (needs rows no chunk wrote: recomputed), some chunked.
const window = fc
  .tuple(fc.integer({ min: 0, max: 690 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(undefined, "1mo", "1w"))
  .map(([day, days, chunk]) => ({ start: new Date(HISTORY.start.getTime() + day * DAY), end: new Date(HISTORY.start.getTime() + (day + days) * DAY), chunk }));

const notes = (events: BackfillEvent[]) => events.flatMap((e) => (e.event === "note" ? [e.message] : []));

/** Runs a reader over a window, reusing and then inlining, and checks both against the full recompute. */
async function reuseAndInline(
  warehouse: TestWarehouse,
  config: string,
  rows: (sql: string) => Promise<Record<string, unknown>[]>,
  set: Reader,
  w: { start: Date; end: Date; chunk?: string },
): Promise<string[]> {
  const [s, e] = [w.start.toISOString(), w.end.toISOString()];
  const expected = await warehouse.query(expectedRowsSql(set, s, e));
  const written = () => rows(`SELECT * FROM features.${set} WHERE date >= '${s.slice(0, 10)}' AND date < '${e.slice(0, 10)}'`);
  const events: BackfillEvent[] = [];
  await runBackfill({ config, sets: [set], window: w, chunk: w.chunk }, { onEvent: (event) => events.push(event) });
  expectSameRows(await written(), expected, `${set} ${s}..${e} reusing`);
  await runBackfill({ config, sets: [set], window: w, chunk: w.chunk, inline: true });
  expectSameRows(await written(), expected, `${set} ${s}..${e} inlined`);
  return notes(events);
}

describe("reading materialized upstream sets (DuckDB)", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse();
    await runBackfill({ config: warehouse.configPath, sets: [...new Set(Object.values(READERS))], window: HISTORY, chunk: "1mo" });
  });
  afterAll(() => warehouse.cleanup());

  for (const set of Object.keys(READERS) as Reader[]) {
    it(`${set}: reusing and inlining both equal the full recompute`, async () => {
      const reasons: string[] = [];
      await fc.assert(
        fc.asyncProperty(window, async (w) => {
          reasons.push(...(await reuseAndInline(warehouse, warehouse.configPath, warehouse.query, set, w)));
        }),
        { numRuns: 6, seed: 20261204, endOnFailure: true },
      );
      const upstream = READERS[set];
      if (set === "revolving_balance_change") {
        // A lag over all earlier months needs the upstream's whole history, which no ledger range proves.
        expect(reasons.length).toBeGreaterThan(0);
        expect(reasons.every((r) => r.includes(`recomputes ${upstream} (inlined: it is needed over [-inf,`))).toBe(true);
      } else {
        expect(reasons.some((r) => r.startsWith(`${set}: reads features.${upstream} `) && r.endsWith("— materialized, hash ok"))).toBe(true);
      }
    });
  }

  it("a daily run reads the upstream table and says so, as the dry run and describe do; --inline recomputes it", async () => {
    const events: BackfillEvent[] = [];
    await runBackfill({ config: warehouse.configPath, sets: ["rolling_card_spend"], window: parseWindow("2025-07-03", "2025-07-04") }, { onEvent: (e) => events.push(e) });
    expect(notes(events)).toEqual(["rolling_card_spend: reads features.daily_card_spend [2025-04-04, 2025-07-04) — materialized, hash ok"]);
    const finished = events.find((e) => e.event === "chunk_finished");
    expect(finished && "reads" in finished && finished.reads).toEqual(["features.daily_card_spend [2025-04-04, 2025-07-04) — materialized, hash ok"]);

    const args = ["run", "--set", "rolling_card_spend", "--start", "2025-07-03", "--end", "2025-07-04", "--config", warehouse.configPath, "--dry-run"];
    const dry = await cli(...args);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("-- rolling_card_spend: reads features.daily_card_spend [2025-04-04, 2025-07-04) — materialized, hash ok\n");
    expect(dry.stdout).toContain('FROM\n      "features"."daily_card_spend"\n    WHERE\n      "date" >= DATE \'2025-04-04\'');
    expect(dry.stdout).not.toContain("raw");
    const inline = await cli(...args, "--inline");
    expect(inline.stdout).toContain("-- --inline: every upstream set is recomputed\n");
    expect(inline.stdout).toContain('"raw"."card_transactions"');
    expect(inline.stdout).not.toContain('"features"."daily_card_spend"');

    const described = await cli("describe", "--set", "rolling_card_spend", "--start", "2025-07-03", "--end", "2025-07-04", "--config", warehouse.configPath);
    expect(described.stdout).toContain("upstream sets, for [2025-07-03, 2025-07-04)\n  daily_card_spend: reads features.daily_card_spend [2025-04-04, 2025-07-04) — materialized, hash ok\n");
    const later = await cli("describe", "--set", "rolling_card_spend", "--start", "2025-10-03", "--end", "2025-10-04", "--config", warehouse.configPath, "--format", "json");
    expect(JSON.parse(later.stdout).upstreams).toEqual([
      { set: "daily_card_spend", table: "features.daily_card_spend", range: "[2025-07-05, 2025-10-04)", reused: false, reason: "inlined: no chunk written into its table covers [2025-10-01, 2025-10-04)" },
    ]);
  });
});

describe("an upstream table the ledger does not prove is recomputed instead", () => {
  let warehouse: TestWarehouse;
  const day = parseWindow("2025-07-03", "2025-07-04");
  const reader = "rolling_card_spend";
  beforeAll(async () => {
    warehouse = await makeWarehouse();
  });
  afterAll(() => warehouse.cleanup());

  /** Backfills the upstream's history afresh, lets `spoil` undo part of the proof, and runs one day of the reader. */
  async function dayAfter(spoil: () => Promise<void>): Promise<string[]> {
    await warehouse.exec("DROP SCHEMA IF EXISTS features CASCADE");
    await runBackfill({ config: warehouse.configPath, sets: ["daily_card_spend"], window: parseWindow("2025-01-01", "2025-08-01"), chunk: "1mo" });
    await spoil();
    const events: BackfillEvent[] = [];
    await runBackfill({ config: warehouse.configPath, sets: [reader], window: day }, { onEvent: (e) => events.push(e) });
    const expected = await warehouse.query(expectedRowsSql(reader, "2025-07-03T00:00:00Z", "2025-07-04T00:00:00Z"));
    expectSameRows(await warehouse.query(`SELECT * FROM features.${reader}`), expected, reader);
    return notes(events);
  }
  const ledger = "features.feature_backfill_ledger";
  const may = "chunk_start = TIMESTAMP '2025-05-01'";

  it("a chunk never written", async () => {
    expect(await dayAfter(() => warehouse.exec(`DELETE FROM ${ledger} WHERE ${may}`))).toEqual([
      "rolling_card_spend: recomputes daily_card_spend (inlined: no chunk written into its table covers [2025-05-01, 2025-06-01))",
    ]);
  });

  it("a chunk that failed", async () => {
    expect(await dayAfter(() => warehouse.exec(`UPDATE ${ledger} SET status = 'failed' WHERE ${may}`))).toEqual([
      "rolling_card_spend: recomputes daily_card_spend (inlined: no chunk written into its table covers [2025-05-01, 2025-06-01))",
    ]);
  });

  it("a chunk written with an older definition, even where an earlier current one covers it", async () => {
    const stale = `INSERT INTO ${ledger} SELECT * REPLACE ('old' AS definition_hash, finished_at + INTERVAL 1 HOUR AS finished_at, TIMESTAMP '2025-05-10' AS chunk_start, TIMESTAMP '2025-05-11' AS chunk_end) FROM ${ledger} WHERE ${may}`;
    expect(await dayAfter(() => warehouse.exec(stale))).toEqual([
      "rolling_card_spend: recomputes daily_card_spend (inlined: [2025-05-10, 2025-05-11) was written with another definition (backfill daily_card_spend to reuse its table))",
    ]);
  });

  it("a table dropped and created again outside the tool", async () => {
    const recreate = async () => {
      await warehouse.exec("CREATE TABLE copy AS SELECT * FROM features.daily_card_spend", "DROP TABLE features.daily_card_spend", "CREATE TABLE features.daily_card_spend AS SELECT * FROM copy", "DROP TABLE copy");
    };
    expect(await dayAfter(recreate)).toEqual(["rolling_card_spend: recomputes daily_card_spend (inlined: the ledger records no chunk written into its current table)"]);
  });

  it("history that ends before the range needed", async () => {
    const cut = `DELETE FROM ${ledger} WHERE chunk_start >= TIMESTAMP '2025-07-01'`;
    expect(await dayAfter(() => warehouse.exec(cut))).toEqual([
      "rolling_card_spend: recomputes daily_card_spend (inlined: no chunk written into its table covers [2025-07-01, 2025-07-04))",
    ]);
  });

  it("upstream chunks this run writes first count, and the reader waits for them (with a stage)", async () => {
    await warehouse.exec("DROP SCHEMA IF EXISTS features CASCADE");
    await runBackfill({ config: warehouse.configPath, sets: ["daily_card_spend"], window: parseWindow("2025-01-01", "2025-07-01"), chunk: "1mo" });
    const events: BackfillEvent[] = [];
    const window = parseWindow("2025-07-01", "2025-07-20");
    await runBackfill({ config: warehouse.configPath, sets: [reader, "daily_card_spend"], window, chunk: "1w" }, { onEvent: (e) => events.push(e) });
    expect(notes(events)).toEqual(["rolling_card_spend: reads features.daily_card_spend [2025-04-02, 2025-07-20) — materialized, hash ok (partly by this run, first)"]);
    const expected = await warehouse.query(expectedRowsSql(reader, "2025-07-01T00:00:00Z", "2025-07-20T00:00:00Z"));
    expectSameRows(await warehouse.query(`SELECT * FROM features.${reader}`), expected, reader);
  });
  it("run --missing reads the upstream table too, counting the upstream windows it writes first", async () => {
    await warehouse.exec("DROP SCHEMA IF EXISTS features CASCADE");
    await runBackfill({ config: warehouse.configPath, sets: ["daily_card_spend"], window: parseWindow("2025-01-01", "2025-07-01"), chunk: "1mo" });
    const args = ["run", "--set", reader, "--set", "daily_card_spend", "--missing", "--start", "2025-07-01", "--end", "2025-07-10", "--chunk", "1w", "--config", warehouse.configPath];
    const dry = await cli(...args, "--dry-run");
    expect(dry.stdout).toContain("-- rolling_card_spend: reads features.daily_card_spend [2025-04-02, 2025-07-10) — materialized, hash ok (partly by this run, first)\n");
    const run = await cli(...args, "--log-format", "json");
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as BackfillEvent);
    expect(events.filter((e) => e.event === "chunk_finished").map((e) => e.set)).toEqual(["daily_card_spend", "daily_card_spend", "rolling_card_spend", "rolling_card_spend"]);
    const expected = await warehouse.query(expectedRowsSql(reader, "2025-07-01T00:00:00Z", "2025-07-10T00:00:00Z"));
    expectSameRows(await warehouse.query(`SELECT * FROM features.${reader}`), expected, reader);
  });
});

describe("a chunk that reads an upstream chunk this run failed to write", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ featuresDir: `${REPO}/test/fixtures/reads-failing` });
  });
  afterAll(() => warehouse.cleanup());

  it("fails naming the upstream chunk, and writes nothing; the chunks whose upstream rows were written are written", async () => {
    await runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-04-01", "2025-05-01") });
    const events: BackfillEvent[] = [];
    const run = runBackfill(
      { config: warehouse.configPath, sets: ["reads_fails_from_june", "fails_from_june"], window: parseWindow("2025-04-01", "2025-07-01"), chunk: "1mo" },
      { keepGoing: true, onEvent: (e) => events.push(e) },
    );
    await expect(run).rejects.toThrow(/2 of 6 chunks failed/);
    expect(notes(events)).toEqual(["reads_fails_from_june: reads features.fails_from_june [2025-04-01, 2025-07-01) — materialized, hash ok (partly by this run, first)"]);
    const failed = events.flatMap((e) => (e.event === "chunk_failed" ? [`${e.set} ${e.window}`] : []));
    expect(failed).toEqual(["fails_from_june [2025-06-01, 2025-07-01)", "reads_fails_from_june [2025-06-01, 2025-07-01)"]);
    const reader = events.find((e) => e.event === "chunk_failed" && e.set === "reads_fails_from_june");
    expect(reader && "error" in reader && reader.error).toBe(
      'feature set "reads_fails_from_june" [2025-06-01, 2025-07-01) was not written: it reads features.fails_from_june, and this run\'s chunk [2025-06-01, 2025-07-01) of "fails_from_june" failed. Run again, or with --inline to recompute "fails_from_june" instead',
    );
    const months = await warehouse.query("SELECT DISTINCT CAST(month(date) AS INTEGER) AS m FROM features.reads_fails_from_june ORDER BY m");
    expect(months.map((r) => r.m)).toEqual([4, 5]);
    const ledger = await warehouse.query("SELECT status, error FROM features.feature_backfill_ledger WHERE feature_set = 'reads_fails_from_june' AND chunk_start = TIMESTAMP '2025-06-01'");
    expect(ledger).toEqual([{ status: "failed", error: expect.stringContaining("was not written: it reads features.fails_from_june") }]);
  });
});

describe.skipIf(!postgresAvailable)("reading materialized upstream sets (PostgreSQL)", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse(), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, ["customer_accounts", "card_transactions", "credit_applications"].map((name) => ({ schema: "raw", name })));
    const config = { features: `${REPO}/features`, engine: "postgres", postgres: db.settings, offlineStore: { schema: "features", table: "{set}" } };
    await writeFile(warehouse.configPath, JSON.stringify(config));
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  it("reusing and inlining equal the full recompute, with upstream chunks written in parallel in the same run", async () => {
    await runBackfill({ config: warehouse.configPath, sets: ["daily_card_spend", "avg_monthly_revolving_balance"], window: HISTORY, chunk: "1mo" });
    const rows = (sql: string) => db.query(sql);
    const reasons: string[] = [];
    for (const set of Object.keys(READERS) as Reader[]) {
      reasons.push(...(await reuseAndInline(warehouse, warehouse.configPath, rows, set, { start: new Date("2025-02-03T00:00:00Z"), end: new Date("2025-07-09T00:00:00Z"), chunk: "1mo" })));
    }
    expect(reasons).toEqual([
      "rolling_card_spend: reads features.daily_card_spend [2024-11-05, 2025-07-09) — materialized, hash ok",
      "quarterly_revolving_balance_trend: reads features.avg_monthly_revolving_balance [2025-01-01, 2025-07-01) — materialized, hash ok",
      expect.stringMatching(/^revolving_balance_change: recomputes avg_monthly_revolving_balance \(inlined: it is needed over \[-inf, /),
    ]);
    // Upstream and reader in one parallel run: the reader's chunks wait for the upstream chunks they read.
    const window = parseWindow("2025-09-01", "2025-10-20");
    const events: BackfillEvent[] = [];
    await runBackfill({ config: warehouse.configPath, sets: ["rolling_card_spend", "daily_card_spend"], window, chunk: "1w" }, { parallel: 3, onEvent: (e) => events.push(e) });
    expect(notes(events)).toEqual(["rolling_card_spend: reads features.daily_card_spend [2025-06-03, 2025-10-20) — materialized, hash ok (partly by this run, first)"]);
    const expected = await warehouse.query(expectedRowsSql("rolling_card_spend", "2025-09-01T00:00:00Z", "2025-10-20T00:00:00Z"));
    expectSameRows(await db.query(`SELECT * FROM features.rolling_card_spend WHERE date >= '2025-09-01' AND date < '2025-10-20'`), expected, "parallel");
  });
});
