import { createHash, verify } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { ACCOUNTS_CATALOG, makeSnowflakeProject, SECRETS, type SnowflakeProject } from "./support/snowflake-project.ts";
import { SnowflakeDouble } from "./support/snowflake-double.ts";

/**
 * The Snowflake engine driven by the real snowflake-sdk against a loopback double of Snowflake's REST protocol.
 * Nothing here executes SQL: the double records what the driver sends and answers as the test scripts it.
 */
const SET = "avg_monthly_revolving_balance";
const RUN = ["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-03-01"];
const WINDOW = "[2025-01-01, 2025-03-01)";

let double: SnowflakeDouble;
let project: SnowflakeProject;
const outputs: string[] = [];

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli([...argv, "--config", project.configPath], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    signal: new AbortController().signal,
  });
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

const login = () => double.requests.find((r) => r.path === "/session/v1/login-request");

beforeAll(async () => {
  double = await new SnowflakeDouble().start();
  project = await makeSnowflakeProject(double.url);
});
afterAll(async () => {
  await double.stop();
  await project.cleanup();
});
beforeEach(async () => {
  double.requests.length = 0;
  double.queryIds.length = 0;
  double.script = { catalog: ACCOUNTS_CATALOG };
  await project.configure({ privateKeyPath: "rsa_key.p8" });
});
afterEach(() => void vi.unstubAllEnvs());

// The offline table's own DELETE and INSERT, as opposed to the run ledger's statements.
const DATA_DELETE = /^DELETE FROM\s+"FEATURES"\."AVG_MONTHLY_REVOLVING_BALANCE"/;
const DATA_INSERT = /^INSERT INTO\s+"FEATURES"\."AVG_MONTHLY_REVOLVING_BALANCE"/;

describe("login, per authentication kind", () => {
  it("key pair: an RS256 JWT for ACCOUNT.USER, signed by the configured key and naming its public key's fingerprint", async () => {
    expect((await cli(...RUN)).code).toBe(0);
    const { body, query } = login()!;
    expect(body.data).toMatchObject({ AUTHENTICATOR: "SNOWFLAKE_JWT", ACCOUNT_NAME: "myorg-acct", LOGIN_NAME: "backfill_bot" });
    expect(body.data.PASSWORD).toBeUndefined();
    expect(Object.fromEntries(query)).toMatchObject({ warehouse: "BACKFILL_WH", databaseName: "ANALYTICS", roleName: "TRANSFORMER" });
    const [header, payload, signature] = (body.data.TOKEN as string).split(".") as [string, string, string];
    const fingerprint = createHash("sha256").update(project.publicKey.export({ type: "spki", format: "der" })).digest("base64");
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toMatchObject({ alg: "RS256" });
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toMatchObject({
      iss: `MYORG-ACCT.BACKFILL_BOT.SHA256:${fingerprint}`,
      sub: "MYORG-ACCT.BACKFILL_BOT",
    });
    expect(verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), project.publicKey, Buffer.from(signature, "base64url"))).toBe(true);
  });

  it("key pair from an encrypted key file, with the passphrase from the environment", async () => {
    await project.configure({ privateKeyPath: project.encryptedKeyFile, privateKeyPassphraseEnv: "MY_KEY_PASS" });
    vi.stubEnv("MY_KEY_PASS", SECRETS.passphrase);
    expect((await cli(...RUN)).code).toBe(0);
    const [header, payload, signature] = (login()!.body.data.TOKEN as string).split(".") as [string, string, string];
    expect(verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), project.publicKey, Buffer.from(signature, "base64url"))).toBe(true);
  });

  it("OAuth: the token from the environment", async () => {
    await project.configure({ authenticator: "oauth" });
    vi.stubEnv("SNOWFLAKE_OAUTH_TOKEN", SECRETS.token);
    expect((await cli(...RUN)).code).toBe(0);
    expect(login()!.body.data).toMatchObject({ AUTHENTICATOR: "OAUTH", TOKEN: SECRETS.token, LOGIN_NAME: "backfill_bot" });
  });

  it("password: from the environment variable the config names", async () => {
    await project.configure({ authenticator: "password", passwordEnv: "BOT_PASSWORD" });
    vi.stubEnv("BOT_PASSWORD", SECRETS.password);
    expect((await cli(...RUN)).code).toBe(0);
    expect(login()!.body.data).toMatchObject({ AUTHENTICATOR: "SNOWFLAKE", PASSWORD: SECRETS.password, LOGIN_NAME: "backfill_bot" });
  });
});

describe("statements", () => {
  it("catalog check, DDL before BEGIN, DELETE and INSERT, COMMIT, each tagged; the session is closed", async () => {
    double.script.answers = [
      { match: DATA_DELETE, answer: { rowsChanged: 7 } },
      { match: DATA_INSERT, answer: { rowsChanged: 42 } },
    ];
    const { code, stdout } = await cli(...RUN, "--log-format", "json");
    expect(code).toBe(0);
    const queries = double.queries();
    expect(queries.map((q) => q.sqlText.split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "ALTER SESSION", // the session's parameters, before anything else
      "SELECT w.i,", // the catalog
      "CREATE SCHEMA", // the run ledger, leases and table registry (DDL commits implicitly: outside any transaction)
      "CREATE TABLE",
      "CREATE TABLE",
      "CREATE TABLE",
      "BEGIN TRANSACTION", // the lease: expire stale ones, look for an overlapping one, take it
      "DELETE FROM",
      'SELECT "RUN_ID"',
      "INSERT INTO",
      "COMMIT",
      "CREATE SCHEMA", // the offline table, before the transaction
      "CREATE TABLE",
      "DELETE FROM", // its registry row and mark, right after the CREATE
      "INSERT INTO",
      "COMMENT ON",
      "BEGIN TRANSACTION",
      "DELETE FROM",
      "INSERT INTO",
      "INSERT INTO", // the chunk's ledger row: committed with its rows
      "COMMIT",
      "DELETE FROM", // the lease released (the last chunk needs no renewal)
    ]);
    // The catalog query names each table as resolved (upper case, as an unquoted CREATE TABLE stores it), in literals,
    // and the run ledger's three tables in the same query.
    expect(queries[1]!.sqlText).toContain(
      `VALUES (0, 'RAW', 'CUSTOMER_ACCOUNTS'), (1, 'FEATURES', '${SET.toUpperCase()}'), ` +
        "(2, 'FEATURES', 'FEATURE_BACKFILL_LEDGER'), (3, 'FEATURES', 'FEATURE_BACKFILL_LEASES'), (4, 'FEATURES', 'FEATURE_BACKFILL_TABLES')",
    );
    expect(queries[1]!.bindings ?? {}).toEqual({});
    expect(queries[17]!.sqlText).toMatch(DATA_DELETE);
    for (const q of queries.slice(1)) {
      expect(JSON.parse(q.parameters!.QUERY_TAG!)).toEqual({ tool: "feature-backfill", version: expect.any(String), set: SET, window: WINDOW });
    }
    expect(double.requests.at(-1)!.path).toBe("/session");
    expect(double.requests.at(-1)!.query.get("delete")).toBe("true");

    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    // The ids Snowflake gave the CREATE SCHEMA, CREATE TABLE, registry row and mark, DELETE and INSERT, as query history shows them.
    expect(events[1]).toMatchObject({ event: "chunk_finished", rowsDeleted: 7, rowsWritten: 42, queryIds: [11, 12, 13, 14, 15, 17, 18].map((i) => double.queryIds[i]) });
  });

  it("an offline table that exists with the set's columns gets no DDL (here adopted: the double has no registry)", async () => {
    double.script.catalog = {
      ...ACCOUNTS_CATALOG,
      "FEATURES.AVG_MONTHLY_REVOLVING_BALANCE": [["CUSTOMER_ID", "NUMBER", 38, 0], ["DATE", "DATE"], ["AVG_MONTHLY_REVOLVING_BALANCE", "FLOAT"]],
    };
    expect((await cli(...RUN, "--adopt-table", `features.${SET}`)).code).toBe(0);
    const queries = double.queries();
    expect(queries.some((q) => /^CREATE TABLE[^(]*"AVG_MONTHLY_REVOLVING_BALANCE"/.test(q.sqlText))).toBe(false);
    const data = queries.findIndex((q) => DATA_DELETE.test(q.sqlText));
    expect(queries.slice(data - 1, data + 4).map((q) => q.sqlText.split(/\s+/)[0])).toEqual(["BEGIN", "DELETE", "INSERT", "INSERT", "COMMIT"]);
  });

  it("a failing INSERT: ROLLBACK is sent, exit 5 with the Snowflake message and query id on one line", async () => {
    double.script.answers = [{ match: DATA_INSERT, answer: { fail: { code: "100038", message: "Numeric value 'abc' is not recognized\n  Row 3", sqlState: "22018" } } }];
    const { code, stderr } = await cli(...RUN);
    expect(code).toBe(5);
    const verbs = double.queries().map((q) => q.sqlText.split(/\s+/)[0]);
    const data = double.queries().findIndex((q) => DATA_DELETE.test(q.sqlText));
    // Rolled back; then the ledger records the failure and the lease is released, each on its own.
    expect(verbs.slice(data, data + 5)).toEqual(["DELETE", "INSERT", "ROLLBACK", "INSERT", "DELETE"]);
    expect(verbs.slice(data)).not.toContain("COMMIT");
    const insertId = double.queryIds[double.queries().findIndex((q) => DATA_INSERT.test(q.sqlText))];
    expect(stderr.split("\n").at(-2)).toBe(
      `error: feature set "${SET}" ${WINDOW} failed and was rolled back: Numeric value 'abc' is not recognized Row 3 (Snowflake query id ${insertId})`,
    );
  });

  it("a source table missing from the catalog: exit 4 before anything is written", async () => {
    double.script.catalog = {};
    const { code, stderr } = await cli(...RUN);
    expect(code).toBe(4);
    expect(stderr).toMatch(/source table raw\.customer_accounts does not exist in snowflake \(account myorg-acct, database ANALYTICS\)/);
    expect(double.queries()).toHaveLength(2); // the session's parameters, the catalog query
  });

  it("a column stored as quoted lower case fails the preflight before any DDL, naming both spellings", async () => {
    const accounts = ACCOUNTS_CATALOG["RAW.CUSTOMER_ACCOUNTS"].map((c) => (c[0] === "BALANCE" ? (["balance", "FLOAT"] as const) : c));
    double.script.catalog = { "RAW.CUSTOMER_ACCOUNTS": accounts };
    const { code, stderr } = await cli(...RUN);
    expect(code).toBe(4);
    expect(stderr).toContain(
      'column "balance" is written "BALANCE" in the snowflake statements, but raw.customer_accounts has it as "balance" (quoted names are case-sensitive there): ' +
        'rename it in the warehouse, or read the table through a view that does (e.g. "balance" AS BALANCE)',
    );
    expect(double.queries().map((q) => q.sqlText.split(/\s+/).slice(0, 2).join(" "))).toEqual(["ALTER SESSION", "SELECT w.i,"]);
  });

  it("the session is made independent of the account's defaults first thing, and a killed client's statement is aborted", async () => {
    await project.configure({ privateKeyPath: "rsa_key.p8", lockTimeoutSeconds: 120 });
    expect((await cli(...RUN)).code).toBe(0);
    const [first, ...rest] = double.queries();
    expect(first!.sqlText).toBe(
      "ALTER SESSION SET TIMEZONE = 'UTC', TIMESTAMP_TYPE_MAPPING = 'TIMESTAMP_NTZ', TIMESTAMP_INPUT_FORMAT = 'AUTO', " +
        "DATE_INPUT_FORMAT = 'AUTO', TIMESTAMP_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6', TIMESTAMP_NTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6', " +
        "DATE_OUTPUT_FORMAT = 'YYYY-MM-DD', QUOTED_IDENTIFIERS_IGNORE_CASE = FALSE, ABORT_DETACHED_QUERY = TRUE, LOCK_TIMEOUT = 120, " +
        "STATEMENT_TIMEOUT_IN_SECONDS = 21600",
    );
    // The ledger's and leases' timestamps are TIMESTAMP_NTZ by name: a bare TIMESTAMP follows TIMESTAMP_TYPE_MAPPING.
    const ledger = rest.filter((q) => /FEATURE_BACKFILL_(LEDGER|LEASES)/.test(q.sqlText) && /\?/.test(q.sqlText));
    expect(ledger.length).toBeGreaterThan(3);
    for (const q of ledger) expect(q.sqlText).not.toMatch(/AS TIMESTAMP\)/);
    expect(ledger.filter((q) => q.sqlText.includes("CAST(? AS TIMESTAMP_NTZ)")).length).toBeGreaterThan(3);
  });
});

describe("bad input: one line naming what to fix, a distinct exit code, nothing sent or written", () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, number, RegExp][] = [
    ["missing account", { account: undefined }, {}, 3, /snowflake\.account is not set in .*features\.config\.json/],
    ["missing user", { user: "" }, {}, 3, /snowflake\.user is not set/],
    ["missing key file setting", { privateKeyPath: undefined }, {}, 3, /snowflake\.privateKeyPath is not set .*keypair authenticator needs the PEM private key file/],
    ["unreadable key file", { privateKeyPath: "no-such-key.p8" }, {}, 3, /cannot read the private key file .*no-such-key\.p8 \(snowflake\.privateKeyPath\): ENOENT/],
    ["encrypted key without passphrase", { privateKeyPath: "rsa_key_encrypted.p8" }, {}, 3, /the private key .*rsa_key_encrypted\.p8 is encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE to its passphrase/],
    ["wrong passphrase", { privateKeyPath: "rsa_key_encrypted.p8" }, { SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: "nope" }, 3, /cannot load the private key .*: wrong passphrase in SNOWFLAKE_PRIVATE_KEY_PASSPHRASE/],
    ["a file that is no key", { privateKeyPath: "features.config.json" }, {}, 3, /cannot load the private key .*features\.config\.json: not a PEM private key/],
    ["password not in the environment", { authenticator: "password" }, {}, 3, /password authenticator needs the password in the environment variable SNOWFLAKE_PASSWORD, which is not set/],
    ["no OAuth token", { authenticator: "oauth", tokenEnv: "TOKEN_X" }, {}, 3, /oauth authenticator needs a token: set TOKEN_X, or snowflake\.tokenPath/],
  ];
  for (const [name, settings, env, exitCode, message] of cases) {
    it(`${name} -> exit ${exitCode}`, async () => {
      await project.configure({ privateKeyPath: "rsa_key.p8", ...settings });
      vi.stubEnv("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", "");
      for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
      const { code, stderr, stdout } = await cli(...RUN);
      expect(code).toBe(exitCode);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stdout).toBe("");
      expect(double.requests).toEqual([]); // not even a login
    });
  }

  it("a rejected login -> exit 6, naming the account, user and authentication kind", async () => {
    double.script.loginFailure = { code: "390144", message: "JWT token is invalid." };
    const { code, stderr } = await cli(...RUN);
    expect(code).toBe(6);
    expect(stderr).toBe("error: cannot log in to Snowflake account myorg-acct as backfill_bot (key pair): JWT token is invalid.\n");
    expect(double.queries()).toEqual([]);
  });

  it("a warehouse error in the catalog query -> exit 5, nothing written", async () => {
    double.script.answers = [{ match: /information_schema/, answer: { fail: { code: "000606", message: "No active warehouse selected in the current session." } } }];
    const { code, stderr } = await cli(...RUN);
    expect(code).toBe(5);
    expect(stderr).toMatch(/^error: cannot read the catalog: No active warehouse selected in the current session\. \(Snowflake query id [0-9a-f-]{36}\)\n$/);
    expect(double.queries()).toHaveLength(2);
  });
});

describe("--dry-run --engine snowflake", () => {
  it("prints the Snowflake statements without a connection or credentials", async () => {
    await project.configure({ authenticator: "password", account: undefined });
    const { code, stdout } = await cli(...RUN, "--dry-run", "--engine", "snowflake");
    expect(code).toBe(0);
    expect(double.requests).toEqual([]);
    expect(stdout).toContain("-- feature-backfill dry run (snowflake)");
    const order = ["CREATE SCHEMA", "CREATE TABLE", "BEGIN TRANSACTION;", "DELETE FROM", "INSERT INTO", "COMMIT;"].map((s) => stdout.indexOf(s));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true); // DDL first: it commits implicitly
    expect(stdout).toContain(`"DATE" >= TO_DATE('2025-01-01', 'YYYY-MM-DD')`);
  });
});

afterAll(() => {
  // Every line the tool printed in this file, including --verbose cause chains, is free of the secrets it was given.
  const all = outputs.join("\n");
  for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
  expect(all).not.toContain("PRIVATE KEY");
});
