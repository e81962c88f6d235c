/**
 * `npm run demo`: seeds the configured DuckDB file with synthetic data, backfills every example feature set through
 * the real CLI, and prints a sample of each offline table.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { loadProject } from "../src/backfill/run-backfill.ts";
import { runCli } from "../src/cli/main.ts";
import { DEMO_DATA, demoDataStatements } from "./demo-data.ts";

const { config, graph } = await loadProject();
if (config.engine !== "duckdb") throw new Error("the demo seeds a DuckDB warehouse; set \"engine\": \"duckdb\"");

const db = await DuckDBInstance.create(config.duckdb.path);
const connection = await db.connect();
console.log(`Seeding ${config.duckdb.path} with ${DEMO_DATA.customers} customers over ${DEMO_DATA.days} days from ${DEMO_DATA.from} …`);
for (const statement of demoDataStatements(DEMO_DATA)) await connection.run(statement);
connection.closeSync();
db.closeSync();

const sets = [...graph.sets.keys()];
const args = ["run", ...sets.flatMap((s) => ["--set", s]), "--start", "2024-01-01", "--end", "2026-02-01"];
console.log(`\n$ feature-backfill ${args.join(" ")}`);
const code = await runCli(args, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
  signal: new AbortController().signal,
});
if (code !== 0) process.exit(code);

const reader = await DuckDBInstance.create(config.duckdb.path);
const read = await reader.connect();
for (const set of sets) {
  const { schema, name } = config.tableFor(set);
  const table = `"${schema}"."${name}"`;
  const count = (await read.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0];
  const sample = await read.runAndReadAll(`SELECT * FROM ${table} ORDER BY ALL LIMIT 5`);
  console.log(`\n${schema}.${name}: ${count} rows`);
  console.table(sample.getRowObjectsJson());
}
read.closeSync();
reader.closeSync();
