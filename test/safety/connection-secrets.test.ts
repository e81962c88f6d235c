import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { seededWarehouse, type SeededWarehouse } from "./seeded-warehouse.ts";

const SECRET = "s3cr3t-Value";

/**
 * A password in a PostgreSQL connection string sits in a file many read and ends up in logs: the config is refused
 * when loaded (exit 3), pointing at PGPASSWORD, before anything is opened, and the password is never repeated.
 */
describe("passwords in PostgreSQL connection strings", () => {
  let w: SeededWarehouse;
  beforeAll(async () => {
    w = await seededWarehouse(["avg_monthly_revolving_balance"]);
  }, 60_000);
  afterAll(() => w?.cleanup());

  const urls: [string, Record<string, unknown>][] = [
    ["user:password@", { postgres: { connectionString: `postgres://fb:${SECRET}@127.0.0.1:5432/feature_backfill` } }],
    ["?password=", { postgres: { connectionString: `postgres://fb@127.0.0.1:5432/feature_backfill?sslmode=disable&password=${SECRET}` } }],
    ["?sslpassword= in the online store", { online: { engine: "postgres", postgres: { connectionString: `postgresql://fb@127.0.0.1/feature_backfill?sslpassword=${SECRET}` } } }],
  ];

  for (const [where, extra] of urls) {
    it(`refuses a password given as ${where}: exit 3 naming PGPASSWORD, never echoed, nothing written`, async () => {
      const config = JSON.parse(await readFile(w.configPath, "utf8"));
      const file = path.join(w.dir, "with-secret.config.json");
      await writeFile(file, JSON.stringify({ ...config, ...extra }));
      const key = "online" in extra ? "online.postgres.connectionString" : "postgres.connectionString";
      for (const argv of [
        ["run", "-c", file, "--set", "avg_monthly_revolving_balance", "--start", "2024-01-01", "--end", "2025-01-01"],
        ["validate", "-c", file],
      ]) {
        const r = await cli(...argv);
        expect(r.stderr).toContain(`${key}: must not contain a password (user:password@ or ?password=): set PGPASSWORD in the environment`);
        expect(r.code).toBe(3);
        expect(r.stdout + r.stderr).not.toContain(SECRET);
      }
      expect(await w.snapshot()).toEqual(w.before);
    });
  }
});
