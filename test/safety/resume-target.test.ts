import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/**
 * `--resume` counts a chunk as done only where its rows are (issue 10, item 2): for the same engine, table and
 * table id. A changed offlineStore.table, a dropped table, or one dropped and created again, is written again (one
 * created again by hand is first refused: it lacks the tool's mark).
 */
const FEATURES = path.join(REPO, "test/fixtures/ownership");
const RUN = ["run", "--set", "accounts", "--start", "2024-03-01", "--end", "2024-04-01", "--chunk", "1w", "--log-format", "json"];
const CHUNKS = 5; // [03-01, 03-04), three whole ISO weeks, [03-25, 04-01)

let warehouse: TestWarehouse;
afterEach(() => warehouse?.cleanup());

/** Runs the CLI and counts its chunk events. */
async function run(configPath: string, ...extra: string[]) {
  const { code, stdout, stderr } = await cli(...RUN, "--config", configPath, ...extra);
  const events = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { event: string });
  const count = (event: string) => events.filter((e) => e.event === event).length;
  return { code, stderr, written: count("chunk_finished"), skipped: count("chunk_skipped") };
}

const rowsOf = (w: TestWarehouse, table: string) => w.query(`SELECT customer_id, date, total_balance FROM ${table} ORDER BY ALL`);

async function setTable(configPath: string, table: string) {
  const config = JSON.parse(await readFile(configPath, "utf8"));
  await writeFile(configPath, JSON.stringify({ ...config, offlineStore: { schema: "features", table } }));
}

describe("--resume on DuckDB", () => {
  it("after offlineStore.table changes, writes every chunk into the new table", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect(await run(warehouse.configPath)).toMatchObject({ code: 0, written: CHUNKS });
    const expected = await rowsOf(warehouse, "features.accounts");
    expect(expected.length).toBeGreaterThan(100);
    await setTable(warehouse.configPath, "{set}_v2");
    const dry = await cli(...RUN, "--resume", "--dry-run", "--config", warehouse.configPath);
    expect(dry.stdout).not.toContain("skipped by --resume");
    expect(await run(warehouse.configPath, "--resume")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await rowsOf(warehouse, "features.accounts_v2")).toEqual(expected);
    // Back to the first table, whose rows are still there under the same id: nothing to do.
    await setTable(warehouse.configPath, "{set}");
    expect(await run(warehouse.configPath, "--resume")).toMatchObject({ code: 0, written: 0, skipped: CHUNKS });
  });

  it("run --missing, like --resume, counts only chunks written to the set's table as it is now", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect(await run(warehouse.configPath)).toMatchObject({ code: 0, written: CHUNKS });
    expect(await run(warehouse.configPath, "--missing")).toMatchObject({ code: 0, written: 0 });
    await setTable(warehouse.configPath, "{set}_v2");
    expect(await run(warehouse.configPath, "--missing")).toMatchObject({ code: 0, written: CHUNKS });
    expect(await rowsOf(warehouse, "features.accounts_v2")).toEqual(await rowsOf(warehouse, "features.accounts"));
  });

  it("after the table is dropped, writes it again; after it is dropped and created again, redoes the chunks it lacks", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect(await run(warehouse.configPath)).toMatchObject({ code: 0, written: CHUNKS });
    const expected = await rowsOf(warehouse, "features.accounts");
    await warehouse.exec("DROP TABLE features.accounts");
    expect(await run(warehouse.configPath, "--resume")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await rowsOf(warehouse, "features.accounts")).toEqual(expected);

    await warehouse.exec("DROP TABLE features.accounts");
    // A run of the first week creates the table anew (a new id); --resume then skips that week only.
    const week = await cli("run", "--set", "accounts", "--start", "2024-03-01", "--end", "2024-03-04", "--config", warehouse.configPath);
    expect(week.code).toBe(0);
    expect(await run(warehouse.configPath, "--resume")).toMatchObject({ code: 0, written: CHUNKS - 1, skipped: 1 });
    expect(await rowsOf(warehouse, "features.accounts")).toEqual(expected);
  });

  it("after the table is dropped and created again by hand, refuses it; adopted, every chunk is written again", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect(await run(warehouse.configPath)).toMatchObject({ code: 0, written: CHUNKS });
    const expected = await rowsOf(warehouse, "features.accounts");
    await warehouse.exec("DROP TABLE features.accounts", "CREATE TABLE features.accounts (customer_id BIGINT, date DATE, total_balance DOUBLE)");
    const refused = await run(warehouse.configPath, "--resume");
    expect(refused.stderr).toMatch(/offline table features\.accounts is not the table this tool created \(its comment lacks "feature-backfill table [0-9a-f-]{36}": it was dropped and created again/);
    expect(refused.code).toBe(9);
    const dry = await cli(...RUN, "--resume", "--dry-run", "--config", warehouse.configPath);
    expect(dry.stdout).not.toContain("skipped by --resume");
    expect(await run(warehouse.configPath, "--resume", "--adopt-table", "features.accounts")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await rowsOf(warehouse, "features.accounts")).toEqual(expected);
  });

  it("migrates a ledger of an earlier version in place; its rows, which name no table, never count", async () => {
    warehouse = await makeWarehouse({ featuresDir: FEATURES });
    expect(await run(warehouse.configPath)).toMatchObject({ code: 0, written: CHUNKS });
    const expected = await rowsOf(warehouse, "features.accounts");
    // What an earlier version leaves: a ledger without the target columns, no registry.
    await warehouse.exec(
      ...["engine", "target_schema", "target_table", "table_id"].map((c) => `ALTER TABLE features.feature_backfill_ledger DROP COLUMN ${c}`),
      "DROP TABLE features.feature_backfill_tables",
    );
    const dry = await cli(...RUN, "--resume", "--dry-run", "--config", warehouse.configPath);
    expect([dry.code, dry.stdout.includes("skipped by --resume")]).toEqual([0, false]);
    // Its table has no registry row: taken over once, explicitly.
    expect((await run(warehouse.configPath, "--resume")).code).toBe(9);
    expect(await run(warehouse.configPath, "--resume", "--adopt-table", "features.accounts")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await rowsOf(warehouse, "features.accounts")).toEqual(expected);
    const columns = await warehouse.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'feature_backfill_ledger' AND column_name IN ('engine', 'table_id') ORDER BY 1");
    expect(columns).toEqual([{ column_name: "engine" }, { column_name: "table_id" }]);
    expect(await run(warehouse.configPath, "--resume")).toMatchObject({ code: 0, written: 0, skipped: CHUNKS });
  });
});

describe.skipIf(!postgresAvailable)("--resume on PostgreSQL", () => {
  let db: TestDatabase;
  let data: TestWarehouse;
  let configPath: string;
  beforeAll(async () => {
    [data, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES }), makeTestDatabase()]);
    await copyToPostgres(data, db, [{ schema: "raw", name: "customer_accounts" }]);
    configPath = path.join(data.dir, "pg.config.json");
    await writeFile(configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings }));
  });
  afterAll(async () => {
    await db?.cleanup();
    await data?.cleanup();
  });

  it("after offlineStore.table changes or the table is dropped, writes every chunk again", async () => {
    expect(await run(configPath)).toMatchObject({ code: 0, written: CHUNKS });
    const count = async (table: string) => (await db.query(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const rows = await count("features.accounts");
    await setTable(configPath, "{set}_v2");
    expect(await run(configPath, "--resume")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await count("features.accounts_v2")).toBe(rows);
    await db.query("DROP TABLE features.accounts_v2");
    expect(await run(configPath, "--resume")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await count("features.accounts_v2")).toBe(rows);
    // Dropped and created again by hand: not the tool's table any more until adopted, then written again.
    await db.query("DROP TABLE features.accounts_v2");
    await db.query("CREATE TABLE features.accounts_v2 (customer_id bigint, date date, total_balance double precision)");
    expect((await run(configPath, "--resume")).code).toBe(9);
    expect(await run(configPath, "--resume", "--adopt-table", "features.accounts_v2")).toMatchObject({ code: 0, written: CHUNKS, skipped: 0 });
    expect(await count("features.accounts_v2")).toBe(rows);
    expect(await db.query("SELECT DISTINCT engine, target_table FROM features.feature_backfill_ledger ORDER BY 2")).toEqual([
      { engine: "postgres", target_table: "accounts" },
      { engine: "postgres", target_table: "accounts_v2" },
    ]);
  });
});
