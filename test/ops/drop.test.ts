import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropStatements, type DropPlan } from "../../src/backfill/drop-sets.ts";
import { LedgerStatements, registerTable } from "../../src/backfill/ledger.ts";
import { runCli } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config/config.ts";
import { snowflakeDialect } from "../../src/dialects/snowflake/snowflake-dialect.ts";
import { openEngine } from "../../src/engines/open-engine.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const DATA = { customers: 8, from: "2024-01-01", days: 120, transactionsPerCustomer: 5 };
const WINDOW = ["--start", "2024-02-01", "--end", "2024-04-01", "--chunk", "1mo"];
const SET = "daily_card_spend";
/** A set whose runs keep state (state-pass.ts: a lag across months), in a state table registered under it. */
const STATEFUL = "revolving_balance_change";

/** Runs SQL on the test's warehouse: DuckDB through the file, PostgreSQL through its database. */
interface Sql {
  query(text: string): Promise<Record<string, unknown>[]>;
  exec(text: string): Promise<void>;
}

/**
 * The same story on each engine: two sets written, a canary table beside them, and two state tables registered under
 * the set by hand through `registerTable` (one created, one whose table is gone: a stale registry row).
 */
async function prepare(configPath: string, db: Sql): Promise<void> {
  for (const set of [SET, "avg_monthly_revolving_balance", STATEFUL]) {
    const run = await cli("run", "--set", set, ...WINDOW, "--config", configPath);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
  }
  await db.exec("CREATE TABLE features.canary (id INTEGER)");
  await db.exec("INSERT INTO features.canary VALUES (1), (2), (3)");
  await db.exec(`CREATE TABLE features.${SET}__state (customer_id BIGINT, total FLOAT8)`);
  await db.exec(`INSERT INTO features.${SET}__state VALUES (1, 2.5)`);
  const engine = await openEngine(await loadConfig(configPath));
  try {
    const at = new Date("2026-01-01T00:00:00Z");
    for (const s of registerTable(engine.dialect, { table: { schema: "features", name: `${SET}__state` }, set: SET, tableId: "11111111-1111-4111-8111-111111111111", at })) await engine.run(s);
    // Registered, but its table never made (or dropped by hand since): only the registry's row and no COMMENT.
    const [, insert] = registerTable(engine.dialect, { table: { schema: "features", name: `${SET}__state2` }, set: SET, tableId: "22222222-2222-4222-8222-222222222222", at });
    await engine.run(insert!);
  } finally {
    await engine.close();
  }
}

/** Every table in the features schema with its rows, and the registry as (table, set). */
async function snapshot(db: Sql): Promise<{ tables: Record<string, number>; registry: string[] }> {
  const names = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'features' ORDER BY table_name");
  const tables: Record<string, number> = {};
  for (const { table_name } of names) tables[String(table_name)] = Number((await db.query(`SELECT count(*) AS n FROM features."${String(table_name)}"`))[0]!.n);
  const registry = (await db.query("SELECT table_name, feature_set FROM features.feature_backfill_tables ORDER BY table_name")).map((r) => `${r.table_name} -> ${r.feature_set}`);
  return { tables, registry };
}

/** A table's rows, comparable across reads (bigints and dates as text), in a fixed order. */
async function rowsOf(db: Sql, table: string): Promise<string[]> {
  const rows = await db.query(`SELECT * FROM features.${table}`);
  return rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v))).sort();
}

/** The checks every engine must pass, in order, on a warehouse `prepare` set up. */
async function dropStory(configPath: string, db: Sql): Promise<void> {
  const before = await snapshot(db);
  expect(before.tables[SET]).toBeGreaterThan(0);
  expect(before.registry).toContain(`${SET}__state2 -> ${SET}`);
  const ledgerRows = (await db.query(`SELECT count(*) AS n FROM features.feature_backfill_ledger WHERE feature_set = '${SET}'`))[0]!.n;

  // Without a terminal to ask on, --yes is required: a usage error, nothing dropped.
  const unasked = await cli("drop", "--set", SET, "--config", configPath);
  expect(unasked.code).toBe(2);
  expect(unasked.stderr).toMatch(/no terminal to ask on: give --yes/);
  // A dry run prints the statements and drops nothing.
  const dry = await cli("drop", "--set", SET, "--dry-run", "--config", configPath);
  expect(dry.stderr).toBe("");
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(new RegExp(`-- drop features\\.${SET}__state \\(state table of ${SET}, 1 row\\)`));
  expect(dry.stdout).toMatch(new RegExp(`-- drop features\\.${SET} \\(offline table of ${SET}, ${before.tables[SET]!.toLocaleString("en-US")} rows\\)`));
  expect(dry.stdout).toMatch(new RegExp(`-- remove the stale registry row of features\\.${SET}__state2`));
  expect(dry.stdout.match(/^DROP TABLE .*$/gm)).toEqual([`DROP TABLE IF EXISTS "features"."${SET}__state";`, `DROP TABLE IF EXISTS "features"."${SET}";`]);
  // Asked on a terminal: anything but y drops nothing.
  const asked: string[] = [];
  const declined = await ask("no", asked, "drop", "--set", SET, "--config", configPath);
  expect(declined.code).toBe(0);
  expect(asked).toEqual(["Drop 2 table(s)? Their rows cannot be recovered by this tool. [y/N] "]);
  expect(declined.stderr).toMatch(new RegExp(`drop features\\.${SET} \\(offline table of ${SET}, [\\d,]+ rows\\)[\\s\\S]*nothing was dropped`));
  // A run writing the set elsewhere holds a live lease: busy, naming it.
  await db.exec(
    `INSERT INTO features.feature_backfill_leases VALUES ('${SET}', 'run-elsewhere', TIMESTAMP '2024-02-01 00:00:00', TIMESTAMP '2024-03-01 00:00:00', TIMESTAMP '2999-01-01 00:00:00', 'other-host:4242', TIMESTAMP '2024-02-01 00:00:00')`,
  );
  const busy = await cli("drop", "--set", SET, "--yes", "--config", configPath);
  expect(busy.code).toBe(8);
  expect(busy.stderr).toMatch(/feature set "daily_card_spend" is being backfilled over \[2024-02-01, 2024-03-01\) by run run-elsewhere on host other-host/);
  await db.exec("DELETE FROM features.feature_backfill_leases WHERE run_id = 'run-elsewhere'");
  expect(await snapshot(db)).toEqual(before);

  // The drop: exactly the set's tables and registry rows; every other table, registry row and the ledger stay.
  const dropped = await cli("drop", "--set", SET, "--yes", "--config", configPath);
  expect(dropped.stderr).toBe("");
  expect(dropped.code).toBe(0);
  expect(dropped.stdout).toMatch(new RegExp(`dropped features\\.${SET} \\(offline table`));
  const after = await snapshot(db);
  const { [SET]: _, [`${SET}__state`]: __, feature_backfill_tables: ___, ...others } = before.tables;
  delete after.tables.feature_backfill_tables;
  expect(after.tables).toEqual(others);
  expect(after.tables.canary).toBe(3);
  expect(after.registry).toEqual(before.registry.filter((r) => !r.endsWith(`-> ${SET}`)));
  expect((await db.query(`SELECT count(*) AS n FROM features.feature_backfill_ledger WHERE feature_set = '${SET}'`))[0]!.n).toEqual(ledgerRows);
  expect(await db.query("SELECT * FROM features.feature_backfill_leases")).toEqual([]); // its own lease given back
  expect((await cli("drop", "--set", SET, "--yes", "--config", configPath)).stdout).toMatch(/^nothing to drop: no table of daily_card_spend/);

  // The ledger's rows name the dropped table's id: status shows the set unwritten, --resume writes it again.
  const status = await cli("status", "--set", SET, "--start", "2024-02-01", "--end", "2024-04-01", "--format", "json", "--config", configPath);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout).sets[0].spans.map((s: { state: string }) => s.state)).toEqual(["missing"]);
  const missing = await cli("run", "--set", SET, "--missing", ...WINDOW, "--dry-run", "--config", configPath);
  expect(missing.stderr).toBe(`--missing over [2024-02-01, 2024-04-01):\n  ${SET}: [2024-02-01, 2024-04-01)\n`);
  // A set reading the dropped one recomputes it from the sources.
  const reader = await cli("run", "--set", "rolling_card_spend", "--start", "2024-03-01", "--end", "2024-04-01", "--config", configPath);
  expect(reader.code).toBe(0);
  const resumed = await cli("run", "--set", SET, ...WINDOW, "--resume", "--config", configPath);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/: 2 chunk\(s\) written, 0 skipped, 0 failed/);
  expect((await snapshot(db)).tables[SET]).toBe(before.tables[SET]);

  // A set with real state: its state table is registered under it and dropped with it; the next run, finding no
  // state, reads the whole history, rebuilds it and writes the same rows.
  const stateful = await rowsOf(db, STATEFUL);
  const [stateTable, ...more] = Object.keys((await snapshot(db)).tables).filter((t) => t.startsWith(`${STATEFUL}__state`));
  expect([stateTable, more]).toEqual([expect.any(String), []]);
  const droppedState = await cli("drop", "--set", STATEFUL, "--yes", "--config", configPath);
  expect(droppedState.code).toBe(0);
  expect(droppedState.stdout).toContain(`dropped features.${stateTable} (state table of ${STATEFUL}, `);
  const withoutState = await snapshot(db);
  expect(Object.keys(withoutState.tables).filter((t) => t.startsWith(STATEFUL))).toEqual([]);
  expect(withoutState.registry.filter((r) => r.endsWith(`-> ${STATEFUL}`))).toEqual([]);
  expect((await cli("run", "--set", STATEFUL, ...WINDOW, "--config", configPath)).code).toBe(0);
  expect(await rowsOf(db, STATEFUL)).toEqual(stateful);
  expect(Object.keys((await snapshot(db)).tables)).toContain(stateTable);

  // A table at the set's name that is not the tool's (made again by hand: its comment lacks the mark) is never dropped.
  await db.exec(`DROP TABLE features.${SET}`);
  await db.exec(`CREATE TABLE features.${SET} (id INTEGER)`);
  const foreign = await cli("drop", "--set", SET, "--yes", "--config", configPath);
  expect(foreign.code).toBe(9);
  expect(foreign.stderr).toMatch(/offline table features\.daily_card_spend is not the table this tool created .*; nothing was dropped/);
  // Nor is one the registry does not list at all.
  await db.exec("CREATE TABLE features.days_since_overdraft (id INTEGER)");
  const unregistered = await cli("drop", "--set", "days_since_overdraft", "--yes", "--config", configPath);
  expect(unregistered.code).toBe(9);
  expect(unregistered.stderr).toMatch(/exists but was not created by this tool/);
  const last = await snapshot(db);
  expect([last.tables[SET], last.tables.days_since_overdraft]).toEqual([0, 0]);
}

/** The CLI with a terminal that answers `answer`, recording the questions. */
async function ask(answer: string, asked: string[], ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: true,
    signal: new AbortController().signal,
    ask: async (question) => (asked.push(question), answer),
  });
  return { code, stdout, stderr };
}

describe("drop on DuckDB", () => {
  let warehouse: TestWarehouse;
  const db: Sql = { query: (text) => warehouse.query(text), exec: (text) => warehouse.exec(text) };
  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: DATA });
    await prepare(warehouse.configPath, db);
  });
  afterAll(() => warehouse?.cleanup());

  it("drops exactly the set's tables and registry rows, only the tool's, not while leased, only when confirmed", async () => {
    await dropStory(warehouse.configPath, db);
  });

  it("confirmed on a terminal, drops; a drop's lease keeps runs out; an unknown set is a usage error", async () => {
    const confirmed = await ask("y", [], "drop", "--set", "avg_monthly_revolving_balance", "--config", warehouse.configPath);
    expect(confirmed.code).toBe(0);
    expect((await snapshot(db)).tables).not.toHaveProperty("avg_monthly_revolving_balance");
    // While a drop (elsewhere) holds its lease on a set, a run of the set is refused, saying so.
    await warehouse.exec(
      "INSERT INTO features.feature_backfill_leases VALUES ('monthly_card_spend', 'drop-elsewhere', TIMESTAMP '0001-01-01 00:00:00', TIMESTAMP '9999-12-31 00:00:00', TIMESTAMP '2999-01-01 00:00:00', 'other-host:4242', TIMESTAMP '2024-02-01 00:00:00')",
    );
    const kept = await cli("run", "--set", "monthly_card_spend", ...WINDOW, "--config", warehouse.configPath);
    expect(kept.code).toBe(8);
    expect(kept.stderr).toMatch(/feature set "monthly_card_spend" is being dropped by run drop-elsewhere on host other-host/);
    const unknown = await cli("drop", "--set", "nope", "--yes", "--config", warehouse.configPath);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown feature set "nope"/);
  });
});

describe.skipIf(!postgresAvailable)("drop on PostgreSQL", () => {
  let warehouse: TestWarehouse;
  let pg: TestDatabase;
  afterAll(async () => {
    await warehouse?.cleanup();
    await pg?.cleanup();
  });

  it("does the same as on DuckDB, and rolls back the whole drop when one DROP fails", async () => {
    [warehouse, pg] = await Promise.all([makeWarehouse({ data: DATA }), makeTestDatabase()]);
    await copyToPostgres(warehouse, pg, [{ schema: "raw", name: "card_transactions" }, { schema: "raw", name: "customer_accounts" }]);
    await writeFile(warehouse.configPath, JSON.stringify({ features: path.join(REPO, "features"), engine: "postgres", postgres: pg.settings, offlineStore: { schema: "features", table: "{set}" } }));
    const db: Sql = { query: (text) => pg.query(text), exec: async (text) => void (await pg.query(text)) };
    await prepare(warehouse.configPath, db);
    // All or nothing: the offline table (dropped last) has a dependent view, so its DROP fails, and the state table
    // dropped before it in the same transaction is back.
    const before = await snapshot(db);
    await db.exec(`CREATE VIEW public.spend_view AS SELECT * FROM features.${SET}`);
    const failed = await cli("drop", "--set", SET, "--yes", "--config", warehouse.configPath);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/cannot drop table features\.daily_card_spend because other objects depend on it/);
    expect(await snapshot(db)).toEqual(before);
    expect(await db.query("SELECT * FROM features.feature_backfill_leases")).toEqual([]);
    await db.exec("DROP VIEW public.spend_view");
    await dropStory(warehouse.configPath, db);
  });
});

describe("drop statements", () => {
  it("on Snowflake (golden: it cannot be reached from here): each table dropped before its registry rows go, the offline table last", () => {
    const plan: Pick<DropPlan, "targets" | "ledger"> = {
      ledger: new LedgerStatements(snowflakeDialect, "features", "drop-x"),
      targets: [
        { set: SET, table: { schema: "features", name: `${SET}__state` }, role: "state table", rows: 1, registryIds: ["id-state"] },
        { set: SET, table: { schema: "features", name: `${SET}__state2` }, role: "state table", registryIds: ["id-stale"] },
        { set: SET, table: { schema: "features", name: SET }, role: "offline table", rows: 10, registryIds: ["id-a", "id-b"] },
      ],
    };
    expect(dropStatements(plan, snowflakeDialect).map((s) => `${s.sql}; ${JSON.stringify(s.parameters)}`).join("\n")).toMatchInlineSnapshot(`
      "DROP TABLE IF EXISTS "FEATURES"."DAILY_CARD_SPEND__STATE"; []
      DELETE FROM "FEATURES"."FEATURE_BACKFILL_TABLES"
      WHERE
        "TABLE_ID" IN (?); ["id-state"]
      DELETE FROM "FEATURES"."FEATURE_BACKFILL_TABLES"
      WHERE
        "TABLE_ID" IN (?); ["id-stale"]
      DROP TABLE IF EXISTS "FEATURES"."DAILY_CARD_SPEND"; []
      DELETE FROM "FEATURES"."FEATURE_BACKFILL_TABLES"
      WHERE
        "TABLE_ID" IN (?, ?); ["id-a","id-b"]"
    `);
  });
});
