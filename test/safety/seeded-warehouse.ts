import { cli } from "../support/run-cli.ts";
import { makeWarehouse, type TestWarehouse } from "../support/warehouse.ts";

export interface SeededWarehouse extends TestWarehouse {
  /** Every row of the seeded offline tables and of the canary table, in a fixed order. */
  snapshot(): Promise<Record<string, Record<string, unknown>[]>>;
  /** The snapshot right after seeding: a refused command must leave exactly this. */
  readonly before: Record<string, Record<string, unknown>[]>;
}

/**
 * A DuckDB file with the demo data, the offline tables of `sets` backfilled over all of it by the real CLI, and a
 * canary table the tool has no business touching. Safety tests compare snapshots before and after a refused command.
 */
export async function seededWarehouse(sets: readonly string[], options: Parameters<typeof makeWarehouse>[0] = {}): Promise<SeededWarehouse> {
  const warehouse = await makeWarehouse(options);
  await warehouse.exec("CREATE TABLE main.canary (id INTEGER, note VARCHAR)", "INSERT INTO main.canary VALUES (1, 'untouched'), (2, 'still here')");
  const seeded = await cli("run", "-c", warehouse.configPath, ...sets.flatMap((s) => ["--set", s]), "--start", "2024-01-01", "--end", "2026-01-01");
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  const tables = ["main.canary", ...sets.map((s) => `features.${s}`)];
  // One table at a time: each query opens the file, which has a single writer.
  const snapshot = async () => {
    const result: Record<string, Record<string, unknown>[]> = {};
    for (const t of tables) result[t] = await warehouse.query(`SELECT * FROM ${t} ORDER BY ALL`);
    return result;
  };
  const before = await snapshot();
  for (const rows of Object.values(before)) if (rows.length === 0) throw new Error("a seeded table is empty: the test would prove nothing");
  return { ...warehouse, snapshot, before };
}
