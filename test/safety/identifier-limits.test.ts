import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";
import { LONG_A, LONG_B } from "../fixtures/long-names/features.ts";

/**
 * Names the tool creates are checked against the warehouse's identifier rules at planning time (issue 10, item 3):
 * PostgreSQL truncates to 63 bytes, so two sets sharing their first 63 bytes would write one table.
 */
const LONG = path.join(REPO, "test/fixtures/long-names");
const OWNERSHIP = path.join(REPO, "test/fixtures/ownership");
const WINDOW = ["--start", "2024-03-01", "--end", "2024-04-01"];

let warehouse: TestWarehouse;
afterEach(() => warehouse?.cleanup());

describe("limits without a connection", () => {
  it("Snowflake keeps 255 characters: a longer table name is refused by the dry run, naming the set; DuckDB has no limit", async () => {
    warehouse = await makeWarehouse({ featuresDir: OWNERSHIP, config: { offlineStore: { schema: "features", table: `${"x".repeat(250)}_{set}` } } });
    const dry = await cli("run", "--set", "accounts", ...WINDOW, "--dry-run", "--engine", "snowflake", "--config", warehouse.configPath);
    expect(dry.stderr).toMatch(/feature set "accounts": offline table name "x{250}_accounts" is 259 characters, but snowflake keeps at most 255 characters of an identifier/);
    expect(dry.code).toBe(4);
    expect((await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath)).code).toBe(0);
    expect(await warehouse.query(`SELECT count(*) > 0 AS written FROM features."${"x".repeat(250)}_accounts"`)).toEqual([{ written: true }]);
  });

  it("PostgreSQL counts bytes of UTF-8: 37 characters that are 65 bytes are refused", async () => {
    warehouse = await makeWarehouse({ featuresDir: OWNERSHIP, data: null, config: { offlineStore: { schema: "features", table: `${"é".repeat(28)}_{set}` } } });
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--dry-run", "--engine", "postgres", "--config", warehouse.configPath);
    expect(stderr).toContain(`offline table name "${"é".repeat(28)}_accounts" is 65 bytes, but postgres keeps at most 63 bytes of an identifier`);
    expect(code).toBe(4);
  });

  it("a set that keeps state: its state table's longer name is checked too", async () => {
    // 48 bytes fit; with "__state_" and 8 hex digits the state table's name does not.
    warehouse = await makeWarehouse({ featuresDir: path.join(REPO, "features"), data: null, config: { offlineStore: { schema: "features", table: `${"s".repeat(28)}_{set}` } } });
    const { code, stderr } = await cli("run", "--set", "days_since_overdraft", ...WINDOW, "--dry-run", "--engine", "postgres", "--config", warehouse.configPath);
    expect(stderr).toMatch(new RegExp(`state table name "s{28}_days_since_overdraft__state_[0-9a-f]{8}" is 65 bytes, but postgres keeps at most 63 bytes`));
    expect(code).toBe(4);
  });

  it("validate lists both sets whose PostgreSQL tables would be one", async () => {
    warehouse = await makeWarehouse({ featuresDir: LONG, data: null, config: { engine: "postgres", postgres: { host: "127.0.0.1" } } });
    const { code, stdout } = await cli("validate", "--config", warehouse.configPath);
    expect(stdout).toContain(`x feature set "${LONG_B}": its offline table features.${LONG_B} is the same postgres table as feature set "${LONG_A}"'s`);
    expect(stdout).toContain(`x feature set "${LONG_A}": offline table name "${LONG_A}" is 71 bytes, but postgres keeps at most 63 bytes`);
    expect(code).toBe(4);
  });
});

describe.skipIf(!postgresAvailable)("on PostgreSQL", () => {
  let db: TestDatabase;
  let configPath: string;
  let data: TestWarehouse;
  beforeAll(async () => {
    [data, db] = await Promise.all([makeWarehouse({ featuresDir: LONG }), makeTestDatabase()]);
    await copyToPostgres(data, db, [{ schema: "raw", name: "customer_accounts" }]);
    configPath = path.join(data.dir, "pg.config.json");
    await writeFile(configPath, JSON.stringify({ features: LONG, engine: "postgres", postgres: db.settings }));
  });
  afterAll(async () => {
    await db?.cleanup();
    await data?.cleanup();
  });

  it("two sets sharing their first 63 bytes are refused before anything is written, naming both; the truncated table keeps its rows", async () => {
    // Rows already in the table both names truncate to (as a run of the first set would have left them).
    const truncated = LONG_A.slice(0, 63);
    await db.query("CREATE SCHEMA features");
    await db.query(`CREATE TABLE features."${truncated}" (customer_id bigint, date date, total double precision)`);
    await db.query(`INSERT INTO features."${truncated}" VALUES (1, DATE '2024-03-05', 1.5)`);
    const both = await cli("run", "--set", LONG_A, "--set", LONG_B, ...WINDOW, "--config", configPath);
    expect(both.stderr).toContain(`feature set "${LONG_B}": its offline table features.${LONG_B} is the same postgres table as feature set "${LONG_A}"'s`);
    expect(both.code).toBe(4);
    for (const set of [LONG_A, LONG_B]) {
      const one = await cli("run", "--set", set, ...WINDOW, "--config", configPath);
      expect(one.stderr).toContain(`is 71 bytes, but postgres keeps at most 63 bytes of an identifier (it would be cut to "${truncated}")`);
      expect(one.code).toBe(4);
    }
    expect(await db.query(`SELECT customer_id::int AS id, total FROM features."${truncated}"`)).toEqual([{ id: 1, total: 1.5 }]);
    expect(await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'features'")).toEqual([{ table_name: truncated }]);
  });
});
