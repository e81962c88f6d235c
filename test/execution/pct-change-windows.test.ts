import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { parseWindow, type TimeWindow } from "../../src/backfill/window.ts";
import { DIALECTS } from "../../src/dialects/index.ts";
import { col, featureSet } from "../../src/dsl/index.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import { buildGraph } from "../../src/graph/feature-graph.ts";
import { cardTransactions } from "../../features/sources.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

/**
 * Read wide, write narrow (DESIGN.md §2) for pctChange, a lag and a lead: a window backfilled in monthly chunks holds
 * exactly the rows the full-history computation has there.
 */
const changes = featureSet({
  name: "spend_changes",
  inputs: { t: cardTransactions },
  keys: ["transaction_id"],
  timestamp: "transaction_ts",
  build: ({ t }) =>
    t.select(
      "transaction_id",
      "transaction_ts",
      col("amount").pctChange().over("customer_id", { orderBy: ["transaction_ts", "transaction_id"] }).alias("pct"),
      col("amount").pctChange(-2).over("customer_id", { orderBy: ["transaction_ts", "transaction_id"] }).alias("pct_ahead"),
      col("amount").mod(7.5).alias("amount_mod"),
    ),
});

describe("pctChange over windows and chunks equals the full-history computation", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: { customers: 20, from: "2024-01-01", days: 400, transactionsPerCustomer: 30 } });
  });
  afterAll(() => warehouse?.cleanup());

  async function backfill(window: TimeWindow, chunk?: string) {
    const jobs = planBackfill({ graph: buildGraph([changes]), sets: [changes.name], window, chunk, dialect: DIALECTS.duckdb, tableFor: (name) => ({ schema: "features", name }) });
    const engine = await openDuckDB({ path: warehouse.dbPath });
    try {
      await executeBackfill(jobs, engine);
    } finally {
      await engine.close();
    }
  }
  const read = (w: TimeWindow) =>
    warehouse.query(
      `SELECT * FROM features.spend_changes WHERE transaction_ts >= TIMESTAMP '${w.start.toISOString().slice(0, 19)}' AND transaction_ts < TIMESTAMP '${w.end.toISOString().slice(0, 19)}'`,
    );

  it("mid-month windows in monthly chunks", async () => {
    await backfill(parseWindow("2023-01-01", "2026-01-01"));
    const windows = [parseWindow("2024-03-15", "2024-07-02"), parseWindow("2024-11-30T12:00:00Z", "2025-02-01")];
    const full = await Promise.all(windows.map(read));
    for (const rows of full) expect(rows.length).toBeGreaterThan(20);
    await warehouse.exec("DROP TABLE features.spend_changes");
    for (const [i, w] of windows.entries()) {
      await backfill(w, "1mo");
      expectSameRows(await read(w), full[i]!, `pctChange ${w.start.toISOString()}`);
    }
  });
});
