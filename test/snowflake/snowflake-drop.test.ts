import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { LEASE_COLUMNS, LEDGER_COLUMNS, REGISTRY_COLUMNS, tableMark } from "../../src/backfill/ledger.ts";
import { ACCOUNTS_CATALOG, makeSnowflakeProject, type SnowflakeProject } from "./support/snowflake-project.ts";
import { type CatalogColumn, SnowflakeDouble } from "./support/snowflake-double.ts";

/**
 * `drop` on Snowflake, through the real snowflake-sdk against the loopback double (which executes nothing: it answers
 * the catalog, registry, comment and count queries as the test scripts them). Snowflake commits DDL at once, so the
 * order on the wire is what keeps a drop killed midway safe: each table's DROP before its registry rows' DELETE.
 */
const SET = "avg_monthly_revolving_balance";
const [STATE_ID, TABLE_ID] = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"];

let double: SnowflakeDouble;
let project: SnowflakeProject;
beforeAll(async () => {
  double = await new SnowflakeDouble().start();
  project = await makeSnowflakeProject(double.url);
});
afterAll(async () => {
  await double.stop();
  await project.cleanup();
});

const columns = (schema: readonly { name: string }[]): CatalogColumn[] => schema.map((c) => [c.name.toUpperCase(), "TEXT"]);
const text = (name: string) => ({ name, type: "text" as const });

it("drops the state table, then its registry row, then the offline table and its row, outside any transaction, under a lease", async () => {
  const comments = [tableMark(STATE_ID), tableMark(TABLE_ID)]; // asked in the order the tables are checked
  double.script = {
    catalog: {
      ...ACCOUNTS_CATALOG,
      "FEATURES.FEATURE_BACKFILL_LEDGER": columns(LEDGER_COLUMNS),
      "FEATURES.FEATURE_BACKFILL_LEASES": columns(LEASE_COLUMNS),
      "FEATURES.FEATURE_BACKFILL_TABLES": columns(REGISTRY_COLUMNS),
      [`FEATURES.${SET.toUpperCase()}`]: [["CUSTOMER_ID", "NUMBER", 38, 0]],
      [`FEATURES.${SET.toUpperCase()}__STATE`]: [["CUSTOMER_ID", "NUMBER", 38, 0]],
    },
    answers: [
      {
        match: /^SELECT[\s\S]*FROM\s+"FEATURES"\."FEATURE_BACKFILL_TABLES"/,
        answer: {
          rows: {
            columns: ["TABLE_SCHEMA", "TABLE_NAME", "FEATURE_SET", "TABLE_ID", "CREATED_AT", "TOOL_VERSION"].map(text),
            values: [
              ["features", `${SET}__state`, SET, STATE_ID, null, "x"],
              ["features", SET, SET, TABLE_ID, null, "x"],
              ["features", "monthly_card_spend", "monthly_card_spend", "33333333-3333-4333-8333-333333333333", null, "x"],
            ],
          },
        },
      },
      { match: /count\(\*\)/i, answer: { rows: { columns: [{ name: "N", type: "fixed" }], values: [["12"]] } } },
    ],
    respond: (sql) => (/information_schema\.tables/i.test(sql) ? { rows: { columns: [text("COMMENT")], values: [[comments.shift() ?? null]] } } : undefined),
  };
  let stdout = "";
  let stderr = "";
  const code = await runCli(["drop", "--set", SET, "--yes", "--config", project.configPath], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    signal: new AbortController().signal,
  });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toMatch(/dropped features\.avg_monthly_revolving_balance__state \(state table of avg_monthly_revolving_balance, 12 rows\)/);
  const queries = double.queries();
  const from = queries.findIndex((q) => q.sqlText.startsWith("BEGIN")); // the lease's transaction
  expect(queries.slice(from).map((q) => q.sqlText.replace(/\s+/g, " ").replace(/^(SELECT|DELETE FROM|INSERT INTO|DROP TABLE IF EXISTS) ("[^"]*"\."[^"]*"|\S+).*$/, "$1 $2"))).toEqual([
    "BEGIN TRANSACTION",
    'DELETE FROM "FEATURES"."FEATURE_BACKFILL_LEASES"', // expired leases
    'SELECT "RUN_ID"', // a live lease of the set's?
    'INSERT INTO "FEATURES"."FEATURE_BACKFILL_LEASES"', // drop's own, over all time
    "COMMIT",
    'SELECT "TABLE_SCHEMA"', // the registry
    "SELECT w.i,", // are the set's tables there?
    "SELECT COMMENT", // the state table's mark
    "SELECT count(*)",
    "SELECT COMMENT", // the offline table's mark
    "SELECT count(*)",
    `DROP TABLE IF EXISTS "FEATURES"."${SET.toUpperCase()}__STATE"`,
    'DELETE FROM "FEATURES"."FEATURE_BACKFILL_TABLES"',
    `DROP TABLE IF EXISTS "FEATURES"."${SET.toUpperCase()}"`,
    'DELETE FROM "FEATURES"."FEATURE_BACKFILL_TABLES"',
    'DELETE FROM "FEATURES"."FEATURE_BACKFILL_LEASES"', // the lease given back
  ]);
  const deletes = queries.filter((q) => /^DELETE FROM\s+"FEATURES"\."FEATURE_BACKFILL_TABLES"/.test(q.sqlText)).map((q) => Object.values(q.bindings ?? {}).map((b) => b.value));
  expect(deletes).toEqual([[STATE_ID], [TABLE_ID]]);
});
