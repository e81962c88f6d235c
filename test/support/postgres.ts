import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { PostgresSettings } from "../../src/engines/postgres/postgres-engine.ts";

/**
 * The server the PostgreSQL tests use: by default the one scripts/ensure-postgres.sh sets up (role and password
 * feature_backfill, test-only, on 127.0.0.1). Another is chosen with FEATURE_BACKFILL_TEST_POSTGRES and PGPASSWORD.
 */
export const TEST_POSTGRES_URL = process.env.FEATURE_BACKFILL_TEST_POSTGRES ?? "postgres://feature_backfill@127.0.0.1:5432/feature_backfill";
process.env.PGPASSWORD ??= "feature_backfill";

/**
 * Whether the PostgreSQL tests run. Where the server cannot be reached they are skipped with a notice — unless
 * FEATURE_BACKFILL_REQUIRE_POSTGRES=1 (set by .ci/run), where that is a failure: CI must never pass by skipping them.
 */
export const postgresAvailable: boolean = await (async () => {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    const why = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL}: ${(error as Error).message}`;
    if (process.env.FEATURE_BACKFILL_REQUIRE_POSTGRES === "1") throw new Error(`${why} (FEATURE_BACKFILL_REQUIRE_POSTGRES=1)`);
    console.warn(`SKIPPING the PostgreSQL tests of this file. ${why}. Run scripts/ensure-postgres.sh to set one up.`);
    return false;
  }
})();

// Rows read back as the DuckDB tests read them: BIGINT as bigint, DATE and TIMESTAMP as UTC Dates (pg's default
// reads them in the local zone). NUMERIC stays a string, so a column that should be a double but is not shows up.
const PARSERS: Record<number, (text: string) => unknown> = {
  20: (v) => BigInt(v),
  1082: (v) => new Date(`${v}T00:00:00Z`),
  1114: (v) => new Date(`${v.replace(" ", "T")}Z`),
};
const types = { getTypeParser: (oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text") };

export interface TestDatabase {
  readonly name: string;
  /** What a features.config.json `postgres` block holds to reach it. */
  readonly settings: PostgresSettings;
  query(text: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Loads a CSV file (with a header) into an existing table through COPY FROM STDIN: no row becomes SQL text. */
  copyCsv(table: string, file: string): Promise<number>;
  cleanup(): Promise<void>;
}

/**
 * A fresh database per test file, so files running in parallel never see each other's tables; dropped afterwards.
 * Created with the C collation: text then sorts by code point, as DuckDB's does (docs/engines/postgres.md).
 */
export async function makeTestDatabase(): Promise<TestDatabase> {
  const name = `fb_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString(), types });
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'");
  return {
    name,
    settings: { connectionString: url.toString() },
    query: async (text, parameters) => (await client.query(text, parameters)).rows,
    async copyCsv(table, file) {
      const stream = client.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT csv, HEADER true)`));
      await pipeline(createReadStream(file), stream);
      return stream.rowCount;
    },
    async cleanup() {
      await client.end();
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      // FORCE cannot end an autovacuum worker (it runs as no role) for a non-superuser: wait for it and try again.
      try {
        for (let attempt = 1; ; attempt++) {
          const dropped = await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => true, (error: unknown) => (attempt < 20 ? false : Promise.reject(error)));
          if (dropped) break;
          await new Promise((r) => setTimeout(r, 250));
        }
      } finally {
        await admin.end();
      }
    },
  };
}
