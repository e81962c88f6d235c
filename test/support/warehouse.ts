import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { demoDataStatements, type DemoDataOptions } from "../../scripts/demo-data.ts";

export const REPO = path.resolve(import.meta.dirname, "../..");

/** Small but complete: every demo-data edge case (nulls, gaps, empty customers, month-boundary instants) occurs. */
export const SMALL_DATA: DemoDataOptions = { customers: 40, from: "2024-01-01", days: 700, transactionsPerCustomer: 60 };

export interface TestWarehouse {
  readonly dir: string;
  readonly dbPath: string;
  readonly configPath: string;
  /** Runs SQL on the file (opening and closing it: the backfill needs DuckDB's single-writer lock). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  exec(...statements: string[]): Promise<void>;
  cleanup(): Promise<void>;
}

/** A DuckDB file seeded with demo data and a features.config.json pointing at it and at `featuresDir`. */
export async function makeWarehouse(
  options: { featuresDir?: string; data?: DemoDataOptions | null; config?: Record<string, unknown> } = {},
): Promise<TestWarehouse> {
  const dir = await mkdtemp(path.join(tmpdir(), "fb-test-"));
  const dbPath = path.join(dir, "warehouse.duckdb");
  const configPath = path.join(dir, "features.config.json");
  const config = {
    features: options.featuresDir ?? path.join(REPO, "features"),
    duckdb: { path: "warehouse.duckdb", threads: 2 },
    offlineStore: { schema: "features", table: "{set}" },
    ...options.config,
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const withConnection = async <T>(work: (c: Awaited<ReturnType<DuckDBInstance["connect"]>>) => Promise<T>): Promise<T> => {
    const db = await DuckDBInstance.create(dbPath);
    const connection = await db.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  };
  const warehouse: TestWarehouse = {
    dir,
    dbPath,
    configPath,
    query: (sql) => withConnection(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]),
    exec: (...statements) =>
      withConnection(async (c) => {
        for (const s of statements) await c.run(s);
      }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (options.data !== null) await warehouse.exec(...demoDataStatements(options.data ?? SMALL_DATA));
  return warehouse;
}
