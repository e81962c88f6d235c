import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * The tool writes only tables it created (issue 10, item 4): an offline table that is a source, or a table that
 * exists without a row in the registry, is refused before anything is written; `--adopt-table` takes one over.
 */
const FEATURES = path.join(REPO, "test/fixtures/ownership");
const RAW_INTO_SOURCE = { offlineStore: { schema: "raw", table: "customer_{set}" } };
const WINDOW = ["--start", "2024-03-01", "--end", "2024-04-01"];
const SOURCE_TAKEN = /feature set "accounts": its offline table raw\.customer_accounts is the table source "customer_accounts" \(.*ownership\/features\.ts:\d+\) reads/;

let warehouse: TestWarehouse;
afterEach(() => warehouse?.cleanup());

/** What a table holds, to compare before and after: its row count and a checksum of its rows. */
const fingerprint = (w: TestWarehouse, table: string) => w.query(`SELECT count(*)::INTEGER AS n, sum(hash(t))::VARCHAR AS h FROM ${table} AS t`);
const tables = async (w: TestWarehouse) => (await w.query("SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() ORDER BY 1")).map((r) => r.t);

describe("an offline table that is a source", () => {
  it("is refused by run (exit 9, naming set, table and source) and every raw row stays", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES, config: RAW_INTO_SOURCE });
    await warehouse.exec("CREATE TABLE main.canary AS SELECT 42 AS x");
    const [raw, before] = [await fingerprint(warehouse, "raw.customer_accounts"), await tables(warehouse)];
    expect(raw[0]!.n).toBeGreaterThan(1000);
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath);
    expect(stderr).toMatch(SOURCE_TAKEN);
    expect(code).toBe(9);
    expect(await fingerprint(warehouse, "raw.customer_accounts")).toEqual(raw);
    expect(await warehouse.query("SELECT x FROM main.canary")).toEqual([{ x: 42 }]);
    expect(await tables(warehouse)).toEqual(before); // not even the ledger was created
  });

  it("is refused by a dry run, and reported by validate with and without the warehouse (exit 9)", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES, config: RAW_INTO_SOURCE });
    const dry = await cli("run", "--set", "accounts", ...WINDOW, "--dry-run", "--config", warehouse.configPath);
    expect([dry.code, dry.stdout]).toEqual([9, ""]);
    for (const extra of [[], ["--against-warehouse"]]) {
      const { code, stdout } = await cli("validate", "--config", warehouse.configPath, ...extra);
      expect(stdout).toMatch(SOURCE_TAKEN);
      expect(stdout).toContain("not valid: accounts");
      expect(code).toBe(9);
    }
  });

  it("is found as DuckDB resolves names: a schema spelled RAW is the schema raw", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES, config: { offlineStore: { schema: "RAW", table: "CUSTOMER_{set}" } } });
    const raw = await fingerprint(warehouse, "raw.customer_accounts");
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath);
    expect(stderr).toMatch(/offline table RAW\.CUSTOMER_accounts is the table source "customer_accounts"/);
    expect(code).toBe(9);
    expect(await fingerprint(warehouse, "raw.customer_accounts")).toEqual(raw);
  });
});

describe("a table the tool did not create", () => {
  const HAND_MADE = [
    "CREATE SCHEMA features",
    "CREATE TABLE features.accounts (customer_id BIGINT, date DATE, total_balance DOUBLE)",
    "INSERT INTO features.accounts VALUES (1, DATE '2024-03-05', 1.5), (2, DATE '2020-01-01', 2.5)",
  ];

  it("is refused (exit 9) with its rows untouched, reported by validate, and taken over with --adopt-table", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    await warehouse.exec(...HAND_MADE);
    const before = await fingerprint(warehouse, "features.accounts");
    const refused = await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath);
    expect(refused.stderr).toContain(
      'feature set "accounts": offline table features.accounts exists but was not created by this tool (it has no row in features.feature_backfill_tables); nothing was written.',
    );
    expect(refused.stderr).toContain("run once with --adopt-table features.accounts");
    expect(refused.code).toBe(9);
    expect(await fingerprint(warehouse, "features.accounts")).toEqual(before);

    const validate = await cli("validate", "--against-warehouse", "--config", warehouse.configPath);
    expect(validate.stdout).toContain("x feature set \"accounts\": offline table features.accounts exists but was not created by this tool");
    expect(validate.code).toBe(9);

    const adopted = await cli("run", "--set", "accounts", ...WINDOW, "--adopt-table", "features.accounts", "--config", warehouse.configPath);
    expect(adopted.code).toBe(0);
    const [registered] = await warehouse.query("SELECT table_schema, table_name, feature_set, table_id FROM features.feature_backfill_tables");
    expect(registered).toMatchObject({ table_schema: "features", table_name: "accounts", feature_set: "accounts", table_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // The window was rewritten; the row outside it was left alone.
    expect(await warehouse.query("SELECT total_balance FROM features.accounts WHERE date = DATE '2020-01-01'")).toEqual([{ total_balance: 2.5 }]);
    expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM features.accounts WHERE customer_id = 1 AND date = DATE '2024-03-05' AND total_balance = 1.5")).toEqual([{ n: 0 }]);
    // Once adopted, it is the tool's.
    expect((await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath)).code).toBe(0);
  });

  it("--adopt-table naming a table the run does not write is a usage error", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    await warehouse.exec(...HAND_MADE);
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--adopt-table", "raw.customer_accounts", "--config", warehouse.configPath);
    expect(stderr).toContain("--adopt-table raw.customer_accounts: not a table this run writes (it writes features.accounts)");
    expect(code).toBe(2);
  });

  it("a table the tool creates is registered with the id its ledger rows carry", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect((await cli("run", "--set", "accounts", ...WINDOW, "--chunk", "1w", "--config", warehouse.configPath)).code).toBe(0);
    const [registered] = await warehouse.query("SELECT table_id, tool_version FROM features.feature_backfill_tables");
    const ledger = await warehouse.query("SELECT DISTINCT engine, target_schema, target_table, table_id FROM features.feature_backfill_ledger");
    expect(ledger).toEqual([{ engine: "duckdb", target_schema: "features", target_table: "accounts", table_id: registered!.table_id }]);
  });

  it("a table named as the ledger that is not one is refused, and nothing is written", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    await warehouse.exec("CREATE SCHEMA features", "CREATE TABLE features.feature_backfill_ledger (note VARCHAR)", "INSERT INTO features.feature_backfill_ledger VALUES ('theirs')");
    const before = await tables(warehouse);
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--config", warehouse.configPath);
    expect(stderr).toMatch(/features\.feature_backfill_ledger exists but is not a feature-backfill table \(it lacks run_id, /);
    expect(code).toBe(9);
    expect(await tables(warehouse)).toEqual(before);
    expect(await warehouse.query("SELECT * FROM features.feature_backfill_ledger")).toEqual([{ note: "theirs" }]);
  });
});

describe.skipIf(!postgresAvailable)("on PostgreSQL", () => {
  let db: TestDatabase;
  let data: TestWarehouse; // the rows PostgreSQL is given
  let configPath: string;
  beforeAll(async () => {
    [data, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES }), makeTestDatabase()]);
    await copyToPostgres(data, db, [{ schema: "raw", name: "customer_accounts" }]);
    await db.query("CREATE TABLE public.canary AS SELECT 42 AS x");
  });
  afterAll(async () => {
    await db?.cleanup();
    await data?.cleanup();
  });
  const configure = (extra: object) => {
    configPath = path.join(data.dir, "pg.config.json");
    return writeFile(configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings, ...extra }));
  };
  const pgFingerprint = (table: string) => db.query(`SELECT count(*)::int AS n, sum(balance)::text AS s FROM ${table}`);

  it("refuses an offline table that is a source, and the source's rows stay", async () => {
    await configure(RAW_INTO_SOURCE);
    const before = await pgFingerprint("raw.customer_accounts");
    const { code, stderr } = await cli("run", "--set", "accounts", ...WINDOW, "--config", configPath);
    expect(stderr).toMatch(SOURCE_TAKEN);
    expect(code).toBe(9);
    expect(await pgFingerprint("raw.customer_accounts")).toEqual(before);
    expect(await db.query("SELECT x FROM public.canary")).toEqual([{ x: 42 }]);
  });

  it("refuses a hand-made table until --adopt-table names it", async () => {
    await configure({});
    await db.query("CREATE SCHEMA features");
    await db.query("CREATE TABLE features.accounts (customer_id bigint, date date, total_balance double precision)");
    await db.query("INSERT INTO features.accounts VALUES (2, DATE '2020-01-01', 2.5)");
    const refused = await cli("run", "--set", "accounts", ...WINDOW, "--config", configPath);
    expect(refused.stderr).toContain("offline table features.accounts exists but was not created by this tool");
    expect(refused.code).toBe(9);
    expect(await db.query("SELECT count(*)::int AS n FROM features.accounts")).toEqual([{ n: 1 }]);
    expect((await cli("run", "--set", "accounts", ...WINDOW, "--adopt-table", "features.accounts", "--config", configPath)).code).toBe(0);
    expect(await db.query("SELECT count(*)::int AS n FROM features.accounts WHERE date = DATE '2020-01-01'")).toEqual([{ n: 1 }]);
    expect(await db.query("SELECT feature_set FROM features.feature_backfill_tables")).toEqual([{ feature_set: "accounts" }]);
  });
});
