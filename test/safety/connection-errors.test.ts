import { createServer } from "node:net";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/failing-cast");
const RUN = ["run", "--set", "fails_from_june", "--start", "2025-01-01", "--end", "2025-02-01"];

/** A PostgreSQL server that cannot be used is "cannot connect" (exit 6, nothing written), not a failed run (5). */
describe.skipIf(!postgresAvailable)("PostgreSQL connection failures exit 6", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  let closedPort: number;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES, data: null }), makeTestDatabase()]);
    // A port nothing listens on: bound, then released.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closedPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  const runWith = async (connectionString: string, env: Record<string, string> = {}) => {
    await writeFile(warehouse.configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: { connectionString } }));
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await cli(...RUN, "--config", warehouse.configPath);
    } finally {
      for (const key of Object.keys(env)) process.env[key] = saved[key];
    }
  };
  const url = (change: (u: URL) => void) => {
    const u = new URL(db.settings.connectionString!);
    change(u);
    return u.toString();
  };

  it("unreachable: exit 6 naming the host and port", async () => {
    const result = await runWith(url((u) => (u.port = String(closedPort))));
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(new RegExp(`error: cannot connect to PostgreSQL feature_backfill@127\\.0\\.0\\.1:${closedPort}/${db.name}: .*ECONNREFUSED`));
  });

  it("wrong password: exit 6 naming the user and database, never the password", async () => {
    const result = await runWith(db.settings.connectionString!, { PGPASSWORD: "not-the-password-xyzzy" });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(new RegExp(`error: cannot connect to PostgreSQL feature_backfill@127\\.0\\.0\\.1:5432/${db.name}: password authentication failed`));
    expect(result.stderr).not.toContain("xyzzy");
  });

  it("missing database: exit 6 naming it", async () => {
    const result = await runWith(url((u) => (u.pathname = "/no_such_database_here")));
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/error: cannot connect to PostgreSQL feature_backfill@127\.0\.0\.1:5432\/no_such_database_here: database "no_such_database_here" does not exist/);
  });
});
