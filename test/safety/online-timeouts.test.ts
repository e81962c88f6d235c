import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/failing-cast");

/** An online lookup the database does not answer (here: a table locked by another session) ends at lookupSeconds. */
describe.skipIf(!postgresAvailable)("online lookups against a PostgreSQL that does not answer in time", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "customer_accounts" }]);
    await writeFile(
      warehouse.configPath,
      JSON.stringify({ features: FEATURES, online: { engine: "postgres", postgres: db.settings }, timeouts: { lookupSeconds: 1 } }),
    );
  });
  afterAll(async () => {
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  const lookup = () => cli("online", "--set", "fails_from_june", "--entity", "customer_id=3", "--as-of", "2025-03-01T00:00:00Z", "--config", warehouse.configPath);

  it("answers when the table is free, and fails after timeouts.lookupSeconds (exit 6) naming it when it is locked", async () => {
    const free = await lookup();
    expect(free.stderr).toBe("");
    expect(free.code).toBe(0);
    const locker = new pg.Client({ connectionString: db.settings.connectionString });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE raw.customer_accounts IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      const locked = await lookup();
      expect(locked.code).toBe(6);
      expect(locked.stderr).toContain("the online postgres database failed to answer the lookup: no answer within 1 s (timeouts.lookupSeconds in features.config.json)");
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await locker.end();
    }
  });
});
