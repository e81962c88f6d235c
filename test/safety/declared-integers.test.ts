import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

/**
 * A source column declared integer or bigint but stored as DOUBLE or as a DECIMAL with a scale would be read through
 * a cast that rounds differently per engine (DuckDB: DOUBLE 2.5 → 2, DECIMAL 2.5 → 3; PostgreSQL halves to even;
 * Polars truncates): refused before anything is written. An integral DECIMAL(18,0) reads as a bigint everywhere.
 */
describe("a source column declared integral but stored with a fraction", () => {
  let warehouse: TestWarehouse;
  afterEach(() => warehouse?.cleanup());
  const run = () => cli("run", "--set", "avg_monthly_revolving_balance", "--start", "2025-01-01", "--end", "2025-02-01", "--config", warehouse.configPath);

  it.each(["DOUBLE", "DECIMAL(12,2)"])("stored as %s: refused (exit 4), naming the column, nothing written", async (type) => {
    warehouse = await makeWarehouse();
    await warehouse.exec(`ALTER TABLE raw.customer_accounts ALTER customer_id TYPE ${type}`);
    const { code, stderr } = await run();
    expect(code).toBe(4);
    expect(stderr).toContain(`column "customer_id" is declared bigint but raw.customer_accounts.customer_id is ${type}`);
    expect(stderr).toContain("its values may have a fraction, which engines round differently when casting: declare it double, or round it in a view");
    expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'features'")).toEqual([{ n: 0 }]);
  });

  it("stored as DECIMAL(18,0): read as the bigint it is declared", async () => {
    warehouse = await makeWarehouse();
    await warehouse.exec("ALTER TABLE raw.customer_accounts ALTER customer_id TYPE DECIMAL(18,0)");
    const { code, stderr } = await run();
    expect(stderr).toMatch(/wrote [\d,]+ rows/);
    expect(code).toBe(0);
  });
});
