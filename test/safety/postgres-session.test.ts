import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySession } from "../../src/engines/postgres/postgres-session.ts";
import { ConnectionError } from "../../src/errors.ts";
import { openOnlineStore } from "../../src/online/online-store.ts";
import { copyToPostgres } from "../support/copy-to-postgres.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FEATURES = path.join(REPO, "test/fixtures/crafted-literal");
const CRAFTED = `\\' AS "crafted" FROM "customer_accounts") SELECT "customer_id", "date", "path", "crafted" FROM "crafted_literal"; DROP TABLE public.canary; WITH "crafted_literal" AS (SELECT 1 AS "crafted", 1 AS "customer_id", 1 AS "date", 1 AS "path" --`;

/**
 * A server whose database or role default has standard_conforming_strings off (as some old installations do): the
 * tool's sessions must still read every literal as the dialect wrote it — a crafted one once dropped a table.
 */
describe.skipIf(!postgresAvailable)("PostgreSQL session settings against hostile server defaults", () => {
  let warehouse: TestWarehouse;
  let db: TestDatabase;
  let user: string;
  beforeAll(async () => {
    [warehouse, db] = await Promise.all([makeWarehouse({ featuresDir: FEATURES }), makeTestDatabase()]);
    await copyToPostgres(warehouse, db, [{ schema: "raw", name: "customer_accounts" }]);
    await db.query("CREATE TABLE public.canary (x int)");
    await db.query("INSERT INTO public.canary VALUES (1), (2)");
    user = String((await db.query("SELECT current_user AS u"))[0]!.u);
    // Both kinds of default, confined to this test's database; both only apply to sessions started afterwards.
    await db.query(`ALTER DATABASE ${db.name} SET standard_conforming_strings = off`);
    await db.query(`ALTER ROLE ${user} IN DATABASE ${db.name} SET standard_conforming_strings = off`);
    await db.query(`ALTER ROLE ${user} IN DATABASE ${db.name} SET TimeZone = 'America/New_York'`);
    await db.query(`ALTER DATABASE ${db.name} SET DateStyle = 'SQL, DMY'`);
    await db.query(`ALTER DATABASE ${db.name} SET IntervalStyle = 'sql_standard'`);
    await writeFile(warehouse.configPath, JSON.stringify({ features: FEATURES, engine: "postgres", postgres: db.settings }));
  });
  afterAll(async () => {
    await db?.query(`ALTER ROLE ${user} IN DATABASE ${db.name} RESET ALL`).catch(() => undefined);
    await db?.cleanup();
    await warehouse?.cleanup();
  });

  it("a new session of the server's own really has the hostile defaults (so the test means something)", async () => {
    const client = new pg.Client({ connectionString: db.settings.connectionString });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT current_setting('standard_conforming_strings') AS s, current_setting('TimeZone') AS z");
      expect(rows).toEqual([{ s: "off", z: "America/New_York" }]);
      // …and one the tool did not set up is refused by the check every connection goes through.
      await expect(verifySession(client, "here")).rejects.toThrow(ConnectionError);
      await expect(verifySession(client, "here")).rejects.toThrow(/standard_conforming_strings = off \(needs on\).*TimeZone = America\/New_York \(needs UTC\)/);
    } finally {
      await client.end();
    }
  });

  it("run: the crafted literal stays a literal, the canary table survives and the rows are right", async () => {
    const result = await cli("run", "--set", "crafted_literal", "--start", "2025-01-01", "--end", "2025-03-01", "--config", warehouse.configPath);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(await db.query("SELECT x FROM public.canary ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
    const expected = await db.query(
      `SELECT count(*)::int AS n FROM raw.customer_accounts WHERE account_type = 'revolving' AND date >= '2025-01-01' AND date < '2025-03-01'`,
    );
    expect(expected[0]!.n).toBeGreaterThan(0);
    const written = await db.query(`SELECT path, crafted, count(*)::int AS n FROM features.crafted_literal GROUP BY path, crafted`);
    expect(written).toEqual([{ path: "C:\\new\\table", crafted: CRAFTED, n: expected[0]!.n }]);
  });

  it("the online store's pooled connections hold the same settings", async () => {
    const store = await openOnlineStore({ engine: "postgres", postgres: db.settings, poolSize: 2 });
    try {
      const rows = await store.query({
        sql: "SELECT current_setting('standard_conforming_strings') AS s, current_setting('TimeZone') AS z, current_setting('DateStyle') AS d, current_setting('IntervalStyle') AS i, 'a\\b' AS t",
        parameters: [],
      });
      expect(rows).toEqual([{ s: "on", z: "UTC", d: "ISO, MDY", i: "postgres", t: "a\\b" }]);
    } finally {
      await store.close();
    }
  });
});
