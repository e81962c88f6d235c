import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { executeBackfill } from "../../src/backfill/execute.ts";
import { planBackfill } from "../../src/backfill/plan.ts";
import { loadProject, runBackfill } from "../../src/backfill/run-backfill.ts";
import { parseWindow } from "../../src/backfill/window.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import type { Engine } from "../../src/engines/engine.ts";
import { DefinitionError, RunError } from "../../src/errors.ts";
import { expectSameRows } from "../support/compare.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { ODD_SET } from "../fixtures/odd-names/features.ts";

const SET = "avg_monthly_revolving_balance";
const TABLE = `features.${SET}`;
const fixture = (name: string) => path.join(REPO, "test/fixtures", name);

let warehouse: TestWarehouse;
afterEach(() => warehouse?.cleanup());

async function snapshot(table = TABLE) {
  return warehouse.query(`SELECT * FROM ${table} ORDER BY ALL`);
}

describe("idempotent, atomic writes", () => {
  it("re-running a window replaces its rows and leaves rows outside it alone", async () => {
    warehouse = await makeWarehouse();
    const all = parseWindow("2024-01-01", "2026-01-01");
    await runBackfill({ config: warehouse.configPath, sets: [SET], window: all });
    const before = await snapshot();

    const inner = parseWindow("2025-01-01", "2025-04-01");
    const first = await runBackfill({ config: warehouse.configPath, sets: [SET], window: inner });
    const second = await runBackfill({ config: warehouse.configPath, sets: [SET], window: inner });
    expect(first[0]!.rowsWritten).toBeGreaterThan(0);
    expect(first[0]!.rowsDeleted).toBe(first[0]!.rowsWritten);
    expect(second[0]).toMatchObject({ rowsDeleted: first[0]!.rowsWritten, rowsWritten: first[0]!.rowsWritten });
    expectSameRows(await snapshot(), before, "after re-running an inner window");
  });

  it("an error after the DELETE rolls the window back (engine fails the INSERT)", async () => {
    warehouse = await makeWarehouse();
    const window = parseWindow("2024-01-01", "2026-01-01");
    await runBackfill({ config: warehouse.configPath, sets: [SET], window });
    const before = await snapshot();

    const { config, graph } = await loadProject(warehouse.configPath);
    const jobs = planBackfill({ graph, sets: [SET], window, dialect: config.dialect, tableFor: config.tableFor });
    const real = await openDuckDB(config.duckdb);
    const statements: string[] = [];
    const failing: Engine = {
      dialect: real.dialect,
      concurrentWriters: false,
      description: real.description,
      run: async (statement) => {
        const [verb, target] = [statement.sql.split(/\s/)[0]!, statement.sql.includes(`"${SET}"`) ? "set" : "ledger"];
        statements.push(`${verb} ${target}`);
        if (verb === "INSERT" && target === "set") throw new RunError("injected failure after the DELETE");
        return real.run(statement);
      },
      transaction: (work) => real.transaction(work),
      describeTables: (tables) => real.describeTables(tables),
      query: (statement) => real.query(statement),
      interrupt: () => real.interrupt(),
      reconnect: () => real.reconnect(),
      close: () => real.close(),
    };
    await expect(executeBackfill(jobs, failing)).rejects.toThrow(/injected failure/);
    await real.close();
    // The offline table exists, so its (idempotent) DDL is skipped; the ledger records the chunk, and its failure.
    expect(statements.filter((s) => s.endsWith(" set"))).toEqual(["DELETE set", "INSERT set"]);
    expect(statements.at(-2)).toBe("INSERT ledger"); // the failure, recorded after the rollback (then the lease is released)
    expectSameRows(await snapshot(), before, "after the failed run");
  });

  it("a statement failing inside the warehouse after the DELETE leaves the table as it was", async () => {
    warehouse = await makeWarehouse({ featuresDir: fixture("failing-cast") });
    const good = parseWindow("2025-01-01", "2025-06-01");
    await runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: good });
    const before = await snapshot("features.fails_from_june");
    expect(before.length).toBeGreaterThan(0);

    const failing = runBackfill({ config: warehouse.configPath, sets: ["fails_from_june"], window: parseWindow("2025-01-01", "2025-07-01") });
    await expect(failing).rejects.toThrow(RunError);
    await expect(failing).rejects.toThrow(/fails_from_june.*rolled back.*Conversion Error/s);
    expectSameRows(await snapshot("features.fails_from_june"), before, "after the failed run");
  });

  it("an existing offline table with other columns is reported before anything is written", async () => {
    warehouse = await makeWarehouse();
    await warehouse.exec("CREATE SCHEMA features", `CREATE TABLE ${TABLE} (customer_id BIGINT, date DATE, avg_balance DOUBLE)`, `INSERT INTO ${TABLE} VALUES (1, DATE '2025-01-01', 1.5)`);
    const run = runBackfill({ config: warehouse.configPath, sets: [SET], window: parseWindow("2025-01-01", "2025-02-01") });
    await expect(run).rejects.toThrow(/offline table features\.avg_monthly_revolving_balance does not match.*avg_balance DOUBLE/);
    expect(await snapshot()).toEqual([{ customer_id: 1n, date: new Date("2025-01-01T00:00:00Z"), avg_balance: 1.5 }]);
  });

  it("a source table missing from the warehouse fails before any DDL, naming the source and its module", async () => {
    warehouse = await makeWarehouse({ featuresDir: fixture("missing-source") });
    const run = runBackfill({ config: warehouse.configPath, sets: ["ghost_daily"], window: parseWindow("2025-01-01", "2025-02-01") });
    await expect(run).rejects.toThrow(DefinitionError);
    await expect(run).rejects.toThrow(/source "ghost_events" \(.*test\/fixtures\/missing-source\/features\.ts:\d+\): source table raw\.ghost_events does not exist/);
    expect(await warehouse.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'features'")).toEqual([]);
  });

  it("names with quotes and semicolons reach SQL only as quoted identifiers", async () => {
    warehouse = await makeWarehouse({ featuresDir: fixture("odd-names"), data: null });
    await warehouse.exec(
      "CREATE SCHEMA raw",
      "CREATE SCHEMA features",
      "CREATE TABLE features.canary (x INTEGER)",
      `CREATE TABLE raw."odd ""table""; DROP" (id BIGINT, "event ""time""" TIMESTAMP, "value; DROP TABLE features.canary; --" DOUBLE, label VARCHAR)`,
      `INSERT INTO raw."odd ""table""; DROP" VALUES
         (1, TIMESTAMP '2025-01-01 10:00:00', 1.5, 'a'), (1, TIMESTAMP '2025-01-01 23:59:59', 2.0, 'a'),
         (1, TIMESTAMP '2025-01-02 00:00:00', 4.0, 'it''s; DROP TABLE features.canary; --'), (2, TIMESTAMP '2025-01-02 08:00:00', 8.0, 'b')`,
    );
    await runBackfill({ config: warehouse.configPath, sets: [ODD_SET], window: parseWindow("2025-01-01", "2025-01-03") });
    const rows = await warehouse.query(`SELECT * FROM features."odd ""set""; DROP TABLE features.canary; --" ORDER BY ALL`);
    expect(rows).toEqual([
      { id: 1n, day: new Date("2025-01-01T00:00:00Z"), "it's total": 3.5 },
      { id: 2n, day: new Date("2025-01-02T00:00:00Z"), "it's total": 8 },
    ]);
    expect(await warehouse.query("SELECT count(*) AS n FROM features.canary")).toEqual([{ n: 0n }]);
  });
});
