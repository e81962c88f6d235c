import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBackfill } from "../../src/backfill/plan.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { buildOnlineServer } from "../../src/online/online-server.ts";
import { cli } from "../support/run-cli.ts";
import { REPO } from "../support/warehouse.ts";
import { seededWarehouse, type SeededWarehouse } from "./seeded-warehouse.ts";

/**
 * A window at the calendar's edge used to be read as open on that side, so the DELETE lost its WHERE and emptied the
 * offline table. Every bound is now checked after conversion to UTC against 0001-01-01..9999-12-31, refused with exit
 * 2 naming the flag, and nothing in the warehouse changes.
 */
describe("window bounds outside what every engine can represent", () => {
  let w: SeededWarehouse;
  beforeAll(async () => {
    w = await seededWarehouse(["application_utilisation", "avg_monthly_revolving_balance"], {
      config: { online: { engine: "duckdb", duckdb: { path: "warehouse.duckdb" } } },
    });
  }, 60_000);
  afterAll(() => w?.cleanup());

  const RANGE = "outside the range every engine can represent: instants must lie from 0001-01-01 to 9999-12-31 (UTC)";
  const refused: [string, string[], string][] = [
    // 00:30 at +01:00 on the first day is 23:30 UTC on 31 Dec of year 0.
    ["an offset pushing the first day before 0001", ["--set", "application_utilisation", "--start", "0001-01-01T00:30:00+01:00", "--end", "0001-01-01T00:45:00+01:00"], `--start 0001-01-01T00:30:00+01:00 is 0000-12-31T23:30:00.000Z, ${RANGE}`],
    ["a relative offset before year 1", ["--set", "avg_monthly_revolving_balance", "--start", "today-5000y", "--end", "today-5000y+1d"], `--start today-5000y is `],
    ["a relative offset that overflows", ["--set", "avg_monthly_revolving_balance", "--start", "today-1000000000d", "--end", "today"], `--start today-1000000000d overflows the calendar, ${RANGE}`],
    ["an end past 9999", ["--set", "avg_monthly_revolving_balance", "--start", "2024-01-01", "--end", "9999-12-31T23:30:00-01:00"], `--end 9999-12-31T23:30:00-01:00 is +010000-01-01T00:30:00.000Z, ${RANGE}`],
    ["an end on 9999-12-31 after midnight (a date column would round it to 10000)", ["--set", "avg_monthly_revolving_balance", "--start", "2024-01-01", "--end", "9999-12-31T12:00:00Z"], `--end 9999-12-31T12:00:00Z is 9999-12-31T12:00:00.000Z, ${RANGE}`],
    ["--window with a lag that overflows", ["--set", "avg_monthly_revolving_balance", "--window", "1d", "--lag", "100000000000"], `--window 1d --lag 100000000000 overflows the calendar, ${RANGE}`],
  ];

  for (const [what, args, message] of refused) {
    it(`refuses ${what}: exit 2, every table as it was`, async () => {
      const r = await cli("run", "-c", w.configPath, ...args);
      expect(r.stderr).toContain(message);
      if (message.endsWith(" is ")) expect(r.stderr).toContain(RANGE);
      expect(r.code).toBe(2);
      expect(await w.snapshot()).toEqual(w.before);
    });
  }

  it("the first and last representable days are still written exactly, by a DELETE bounded on both sides", async () => {
    const dry = await cli("run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "0001-01-01", "--end", "0001-01-02", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/DELETE FROM "features"\."avg_monthly_revolving_balance"\s+WHERE\s+"date" >= DATE '0001-01-01'\s+AND "date" < DATE '0001-01-02';/);
    const r = await cli("run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "9999-12-30", "--end", "9999-12-31");
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining("avg_monthly_revolving_balance")]);
    expect(await w.snapshot()).toEqual(w.before);
  });

  describe("asOf", () => {
    let client: OnlineClient;
    beforeAll(async () => {
      client = await createOnlineClient({ features: path.join(REPO, "features"), store: { engine: "duckdb", duckdb: { path: w.dbPath } } });
    });
    afterAll(() => client?.close());

    it("serve answers 400 naming the range for an asOf past 9999", async () => {
      const app = buildOnlineServer(client, { log: () => {} });
      const res = await app.inject({
        method: "POST",
        url: "/features/online",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ featureSets: ["avg_monthly_revolving_balance"], entity: { customer_id: 3 }, asOf: "9999-12-31T23:30:00-01:00" }),
      });
      expect([res.statusCode, res.json()]).toEqual([400, { error: `asOf "9999-12-31T23:30:00-01:00" is +010000-01-01T00:30:00.000Z, ${RANGE}` }]);
      await app.close();
    });

    it("serve answers 400 for a request row's timestamp past 9999, naming the field", async () => {
      const app = buildOnlineServer(client, { log: () => {} });
      const row = { application_id: 1, customer_id: 3, applied_at: "9999-12-31T23:30:00-01:00", requested_limit: 100 };
      const res = await app.inject({
        method: "POST",
        url: "/features/online",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ featureSets: ["application_utilisation"], entity: { application_id: 1, customer_id: 3 }, asOf: "2025-01-01T00:00:00Z", rows: { credit_applications: [row] } }),
      });
      expect([res.statusCode, res.json()]).toEqual([400, { error: 'rows.credit_applications[0].applied_at: "9999-12-31T23:30:00-01:00" is not a valid timestamp' }]);
      await app.close();
    });

    it("online --as-of before 0001 is a usage error", async () => {
      const r = await cli("online", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--entity", "customer_id=3", "--as-of", "0001-01-01T00:30:00+01:00");
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`asOf "0001-01-01T00:30:00+01:00" is 0000-12-31T23:30:00.000Z, ${RANGE}`)]);
    });
  });

  it("sub-millisecond digits are refused by name, not as a malformed timestamp; zeros are accepted", async () => {
    const r = await cli("run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "2025-01-01T00:00:00.000001Z", "--end", "2025-02-01");
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--start "2025-01-01T00:00:00.000001Z" has digits below the millisecond')]);
    const zeros = await cli("run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "2025-01-01T00:00:00.000000Z", "--end", "2025-02-01", "--dry-run");
    expect(zeros.code).toBe(0);
    const unit = await cli("run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "today-1x", "--end", "today");
    expect([unit.code, unit.stderr]).toEqual([2, expect.stringContaining('each offset is an integer and a unit: "30d", "12h", "15m", "45s", "2w", "1mo", "1q", "1y"')]);
    expect(await w.snapshot()).toEqual(w.before);
  });
});

describe("the statements that write", () => {
  it("cannot be built from a window with a bound no literal holds (the parse-time check bypassed)", async () => {
    const graph = await loadFeatureGraph(path.join(REPO, "features"));
    const yearZero = new Date(Date.UTC(2000, 5, 1, 12));
    yearZero.setUTCFullYear(0);
    const plan = (set: string) =>
      planBackfill({ graph, sets: [set], window: { start: yearZero, end: new Date(Date.UTC(2001, 0, 1)) }, dialect: DIALECTS.duckdb, tableFor: (name) => ({ name }) });
    for (const set of ["avg_monthly_revolving_balance", "application_utilisation"]) {
      expect(() => plan(set)).toThrow(/refusing to write the window \[0000-06-01T12:00:00.000Z, 2001-01-01T00:00:00.000Z\) of "\w+": a bound no (date|timestamp) literal can hold/);
    }
  });
});
