import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { loadFeatureGraph } from "../../src/graph/load-modules.ts";
import { createOnlineClient, type OnlineClient } from "../../src/online/online-client.ts";
import { buildOnlineServer } from "../../src/online/online-server.ts";
import { type OnlineStore, OnlineStoreError, openOnlineStore } from "../../src/online/online-store.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");
const DATA = { customers: 8, from: "2024-01-01", days: 400, transactionsPerCustomer: 30 };
const AS_OF = "2024-09-15T12:00:00Z";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

describe("online interfaces (DuckDB online store)", () => {
  let warehouse: TestWarehouse;
  let client: OnlineClient;
  /** The expected answer, from the library API (whose values the parity test checks). */
  let expected: Awaited<ReturnType<OnlineClient["get"]>>;

  beforeAll(async () => {
    warehouse = await makeWarehouse({ data: DATA, config: { online: { engine: "duckdb", duckdb: { path: "warehouse.duckdb" } } } });
    client = await createOnlineClient({ features: path.join(REPO, "features"), store: { engine: "duckdb", duckdb: { path: warehouse.dbPath } } });
    expected = await client.get(["rolling_card_spend", "monthly_card_spend"], { customer_id: 3 }, { asOf: AS_OF });
  });
  afterAll(async () => {
    await client?.close();
    await warehouse?.cleanup();
  });

  it("the library answer is a row at or before asOf", () => {
    expect(expected.rolling_card_spend).toMatchObject({ customer_id: 3 });
    expect(String(expected.rolling_card_spend!.date) <= "2024-09-15").toBe(true);
    expect(expected.monthly_card_spend).toMatchObject({ customer_id: 3, month: "2024-09-01" });
  });

  describe("feature-backfill online", () => {
    it("prints the same rows as JSON", async () => {
      const r = await cli("online", "-c", warehouse.configPath, "--set", "rolling_card_spend", "--set", "monthly_card_spend", "--entity", "customer_id=3", "--as-of", AS_OF);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });

    it("reads request rows from a file", async () => {
      const file = path.join(warehouse.dir, "rows.json");
      await writeFile(file, JSON.stringify({ credit_applications: [{ application_id: 9999, customer_id: 3, applied_at: "2024-09-15T08:00:00Z", requested_limit: 2000 }] }));
      const r = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "-e", "application_id=9999", "-e", "customer_id=3", "--as-of", AS_OF, "--rows", file);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).application_utilisation).toMatchObject({ application_id: 9999, customer_id: 3, applied_at: "2024-09-15T08:00:00.000Z" });
    });

    it("--explain says which sources the entity filters, and which it cannot", async () => {
      const withCustomer = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "-e", "application_id=1", "-e", "customer_id=3", "--explain");
      expect(withCustomer.code).toBe(0);
      expect(withCustomer.stdout).toContain("customer_accounts: table raw.customer_accounts, filtered on customer_id = entity.customer_id");
      expect(withCustomer.stdout).toMatch(/"customer_id" = CAST\(\$\d+ AS BIGINT\)/); // bound, never spliced
      const withoutCustomer = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "-e", "application_id=1", "--explain");
      expect(withoutCustomer.stdout).toContain("customer_accounts: table raw.customer_accounts, NOT filtered on the entity");
      // Checked as a lookup is: a missing key, a misspelt field or no set is an error, not a statement for every entity.
      const noKey = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "-e", "customer_id=3", "--explain");
      expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringContaining('entity is missing "application_id"')]);
      const misspelt = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "-e", "application_id=1", "-e", "custmer_id=3", "--explain");
      expect([misspelt.code, misspelt.stderr]).toEqual([2, expect.stringContaining('entity field "custmer_id" is not a column of "application_utilisation"')]);
      // As in a lookup of several sets, a field needs to be a column of one of them only.
      const two = await cli("online", "-c", warehouse.configPath, "--set", "application_utilisation", "--set", "rolling_card_spend", "-e", "application_id=1", "-e", "customer_id=3", "--explain");
      expect([two.code, two.stdout.match(/^-- \w+, entity .*:$/gm)]).toEqual([0, ["-- application_utilisation, entity application_id, customer_id:", "-- rolling_card_spend, entity customer_id:"]]);
      const noSet = await cli("online", "-c", warehouse.configPath, "-e", "application_id=1", "--explain");
      expect([noSet.code, noSet.stderr]).toEqual([2, expect.stringContaining("required option '-s, --set <name>' not specified")]);
    });

    it("bad input: exit 2 naming the problem", async () => {
      const unknown = await cli("online", "-c", warehouse.configPath, "--set", "nope", "--entity", "customer_id=3");
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown feature set "nope"')]);
      const missing = await cli("online", "-c", warehouse.configPath, "--set", "rolling_card_spend", "--entity", "account_id=3");
      expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('entity is missing "customer_id"')]);
      const typed = await cli("online", "-c", warehouse.configPath, "--set", "rolling_card_spend", "--entity", "customer_id=abc");
      expect([typed.code, typed.stderr]).toEqual([2, expect.stringContaining('entity.customer_id: "abc" is not a valid bigint')]);
    });
  });

  describe("HTTP service", () => {
    const logs: string[] = [];
    const post = (app: ReturnType<typeof buildOnlineServer>, payload: unknown) =>
      app.inject({ method: "POST", url: "/features/online", headers: { "content-type": "application/json" }, payload: typeof payload === "string" ? payload : JSON.stringify(payload) });

    it("POST /features/online answers as the library does, and logs one JSON line", async () => {
      const app = buildOnlineServer(client, { log: (l) => logs.push(l) });
      const r = await post(app, { featureSets: ["rolling_card_spend", "monthly_card_spend"], entity: { customer_id: 3 }, asOf: AS_OF });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(expected);
      expect(JSON.parse(logs.at(-1)!)).toMatchObject({ method: "POST", url: "/features/online", status: 200, sets: ["rolling_card_spend", "monthly_card_spend"] });
      expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
      await app.close();
    });

    it("bad input gets a 4xx naming the problem", async () => {
      const app = buildOnlineServer(client, { log: (l) => logs.push(l), bodyLimit: 2048 });
      const cases: [unknown, number, string][] = [
        [{ featureSets: ["nope"], entity: { customer_id: 3 } }, 400, 'unknown feature set "nope"'],
        [{ featureSets: ["rolling_card_spend"], entity: { account_id: 3 } }, 400, 'entity is missing "customer_id"'],
        [{ featureSets: ["rolling_card_spend"], entity: { customer_id: "x" } }, 400, 'entity.customer_id: "x" is not a valid bigint'],
        [{ featureSets: ["rolling_card_spend"], entity: { customer_id: 3.5 } }, 400, "is not a valid bigint"],
        [{ featureSets: ["rolling_card_spend"], entity: { customer_id: 3 }, asOf: "yesterday" }, 400, 'asOf "yesterday" is not an ISO date'],
        [{ featureSets: ["rolling_card_spend"] }, 400, "must have required property 'entity'"],
        [{ featureSets: "rolling_card_spend", entity: { customer_id: 3 } }, 400, "featureSets must be array"],
        [{ featureSets: ["rolling_card_spend"], entity: { customer_id: 3 }, extra: 1 }, 400, "must NOT have additional properties"],
        ['{"featureSets": [', 400, "malformed JSON body"],
        [{ featureSets: ["rolling_card_spend"], entity: { customer_id: 3 }, rows: { x: [{ a: "y".repeat(3000) }] } }, 413, "request body larger than 2048 bytes"],
      ];
      for (const [payload, status, message] of cases) {
        const r = await post(app, payload);
        expect([r.statusCode, r.json().error], JSON.stringify(payload).slice(0, 80)).toEqual([status, expect.stringContaining(message)]);
      }
      await app.close();
    });

    it("a failing database is a 503 without connection details, and the server keeps serving", async () => {
      let fail = true;
      const flaky: OnlineStore = {
        ...client.store,
        query: (s) => (fail ? Promise.reject(new OnlineStoreError("the online duckdb database failed to answer the lookup", { cause: new Error("IO Error: /secret/path.duckdb") })) : client.store.query(s)),
        ping: () => (fail ? Promise.reject(new Error("down")) : Promise.resolve()),
      };
      const flakyClient = await createOnlineClient({ graph: await loadFeatureGraph(path.join(REPO, "features")), store: flaky });
      const lines: string[] = [];
      const app = buildOnlineServer(flakyClient, { log: (l) => lines.push(l) });
      const body = { featureSets: ["rolling_card_spend"], entity: { customer_id: 3 }, asOf: AS_OF };
      const down = await post(app, body);
      expect(down.statusCode).toBe(503);
      expect(down.body).not.toContain("secret");
      expect(down.json()).toEqual({ error: "the online database is unavailable; try again" });
      expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(503);
      expect(JSON.parse(lines[0]!).error).toContain("IO Error"); // the cause is in the server's own log
      fail = false;
      const up = await post(app, body);
      expect([up.statusCode, up.json()]).toEqual([200, { rolling_card_spend: expected.rolling_card_spend }]);
      await app.close();
    });

    it("serve: listens, answers, and on SIGTERM finishes and exits 0", async () => {
      const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "-c", warehouse.configPath], { env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${stdout}`)), 20_000);
        child.stdout.on("data", () => {
          const m = /"address":"([^"]+)"/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const r = await fetch(`${address}/features/online`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ featureSets: ["monthly_card_spend"], entity: { customer_id: 3 }, asOf: AS_OF }) });
      expect(await r.json()).toEqual({ monthly_card_spend: expected.monthly_card_spend });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(events.map((e) => e.event ?? e.status)).toEqual(["listening", 200, "shutting_down", "stopped"]);
    });
  });
});

describe("online store errors", () => {
  it("a DuckDB file that cannot be opened is an OnlineStoreError whose message has no path", async () => {
    const error = await openOnlineStore({ engine: "duckdb", duckdb: { path: "/nonexistent/dir/x.duckdb" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnlineStoreError);
    expect((error as Error).message).not.toContain("nonexistent");
  });
});
