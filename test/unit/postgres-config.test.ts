import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig, withEngine } from "../../src/config/config.ts";
import { openEngine } from "../../src/engines/open-engine.ts";
import { ConfigError } from "../../src/errors.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "fb-pg-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function configFile(content: unknown): string {
  const file = path.join(root, `features-${++counter}.config.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("the postgres block of features.config.json", () => {
  it("selects the PostgreSQL dialect and passes the connection settings through", async () => {
    const config = await loadConfig(configFile({ engine: "postgres", postgres: { host: "db.internal", port: 6432, database: "features", user: "backfill" } }), {});
    expect(config.engine).toBe("postgres");
    expect(config.dialect.name).toBe("postgres");
    expect(config.postgres).toEqual({ host: "db.internal", port: 6432, database: "features", user: "backfill" });
  });

  it("takes a connection string, with ${VAR} from the environment", async () => {
    const config = await loadConfig(configFile({ engine: "postgres", postgres: { connectionString: "postgres://backfill@${PGHOST_FOR_TEST}:5432/features" } }), {
      PGHOST_FOR_TEST: "10.0.0.7",
    });
    expect(config.postgres).toEqual({ connectionString: "postgres://backfill@10.0.0.7:5432/features" });
  });

  it.each([
    [{ engine: "postgres" }, /postgres: required when engine is "postgres"/],
    [{ engine: "postgres", postgres: { connectionString: "postgres://u:secret@h/db" } }, /postgres\.connectionString: must not contain a password \(user:password@ or \?password=\): set PGPASSWORD/],
    [{ engine: "postgres", postgres: { host: "h", password: "secret" } }, /postgres: Unrecognized key: "password"/],
    [{ engine: "postgres", postgres: { connectionString: "postgres://u@h/db", host: "other" } }, /postgres: give connectionString or host\/port\/database\/user, not both/],
    [{ engine: "postgres", postgres: { port: 70000 } }, /postgres\.port: /],
    [{ engine: "postgres", postgres: { connectionString: "mysql://u@h/db" } }, /postgres\.connectionString: .*postgres:\/\/user@host/],
    [{ engine: "oracle" }, /engine: .*"duckdb"\|"postgres"/],
  ])("rejects %j naming the key", async (content, message) => {
    const error = await loadConfig(configFile(content), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it("is asked for when --engine postgres overrides a file without it, before any connection is tried", async () => {
    const file = configFile({ engine: "duckdb" });
    const error = await openEngine(withEngine(await loadConfig(file, {}), "postgres")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`engine "postgres" needs a "postgres" section in ${file} (connectionString; see docs/engines/postgres.md)`);
  });
});
