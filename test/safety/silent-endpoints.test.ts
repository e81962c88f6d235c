import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");

/**
 * A database that accepts connections and never answers (a half-dead load balancer, a firewall that drops replies):
 * every wait ends at its timeout with an error naming the setting, and SIGTERM ends every command within 5 s.
 * Everything stays on 127.0.0.1.
 */
describe("a TCP endpoint that accepts and never answers", () => {
  let silent: Server;
  let port: number;
  const sockets: Socket[] = [];
  let connections = 0;
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    silent = createServer((socket) => {
      connections++;
      sockets.push(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    port = (silent.address() as { port: number }).port;
    warehouse = await makeWarehouse({ data: null });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await warehouse?.cleanup();
  });

  const postgres = () => ({ host: "127.0.0.1", port, user: "nobody", database: "nothing" });
  const configure = (config: Record<string, unknown>) =>
    writeFile(warehouse.configPath, JSON.stringify({ features: path.join(REPO, "features"), ...config, postgres: postgres() }));
  const timed = async <T>(work: Promise<T>) => {
    const started = Date.now();
    return { result: await work, ms: Date.now() - started };
  };

  /** The real executable; resolves once the silent server has been connected to `wanted` more times. */
  function spawnCli(args: string[], env: Record<string, string> = {}) {
    const before = connections;
    const child = spawn(process.execPath, [BIN, ...args, "--config", warehouse.configPath], { env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const waitFor = async (done: () => boolean) => {
      for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(done()).toBe(true);
    };
    return { child, exited, output: () => output, connected: () => waitFor(() => connections > before), printed: (text: string) => waitFor(() => output.includes(text)) };
  }

  async function stopWithin5s(run: ReturnType<typeof spawnCli>): Promise<number | null> {
    const sent = Date.now();
    run.child.kill("SIGTERM");
    const code = await run.exited;
    expect(Date.now() - sent).toBeLessThan(5_000);
    return code;
  }

  it("run: the connect times out (exit 6), naming the setting", async () => {
    await configure({ engine: "postgres", timeouts: { connectSeconds: 1 } });
    const { result, ms } = await timed(cli("run", "--set", "rolling_card_spend", "--start", "2025-01-01", "--end", "2025-01-02", "--config", warehouse.configPath));
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`cannot connect to PostgreSQL nobody@127.0.0.1:${port}/nothing: no answer within 1 s (timeouts.connectSeconds in features.config.json)`);
    expect(ms).toBeLessThan(4_000);
  });

  it("validate --against-warehouse: the same (exit 6)", async () => {
    await configure({ engine: "postgres", timeouts: { connectSeconds: 1 } });
    const { result, ms } = await timed(cli("validate", "--against-warehouse", "--config", warehouse.configPath));
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("no answer within 1 s (timeouts.connectSeconds in features.config.json)");
    expect(ms).toBeLessThan(4_000);
  });

  it("online: the lookup fails (exit 6), naming the setting", async () => {
    await configure({ online: { engine: "postgres", postgres: postgres() }, timeouts: { connectSeconds: 1, lookupSeconds: 1 } });
    const { result, ms } = await timed(cli("online", "--set", "rolling_card_spend", "--entity", "customer_id=3", "--config", warehouse.configPath));
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("the online postgres database failed to answer the lookup: no connection within 1 s (timeouts.connectSeconds in features.config.json)");
    expect(ms).toBeLessThan(4_000);
  });

  it("run: SIGTERM while connecting exits 130 within 5 s", async () => {
    await configure({ engine: "postgres", timeouts: { connectSeconds: 60 } });
    const run = spawnCli(["run", "--set", "rolling_card_spend", "--start", "2025-01-01", "--end", "2025-01-02"]);
    await run.connected();
    expect(await stopWithin5s(run)).toBe(130);
    expect(run.output()).toContain("interrupted while connecting to PostgreSQL");
  });

  it("serve: /healthz answers 503 within the timeout, and SIGTERM ends it within 5 s", async () => {
    await configure({ online: { engine: "postgres", postgres: postgres() }, timeouts: { connectSeconds: 1, lookupSeconds: 1 } });
    const serve = spawnCli(["serve", "--port", "0"]);
    await serve.printed('"event":"listening"');
    const address = JSON.parse(serve.output().split("\n").find((l) => l.includes('"listening"'))!).address as string;
    const { result, ms } = await timed(fetch(`${address}/healthz`));
    expect(result.status).toBe(503);
    expect(ms).toBeLessThan(3_000);
    // A lookup is waiting on the silent server when the signal comes.
    const lookup = fetch(`${address}/features/online`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ featureSets: ["rolling_card_spend"], entity: { customer_id: 3 } }) }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    // A graceful stop: the waiting lookup ends at its timeout with a 503, then the server stops and exits 0.
    expect(await stopWithin5s(serve)).toBe(0);
    expect((await lookup)?.status).toBe(503);
    expect(serve.output()).toContain('"event":"stopped"');
  });

  describe("as Snowflake's accessUrl", () => {
    const snowflake = () => ({ account: "acme-silent", user: "loader", authenticator: "password", accessUrl: `http://127.0.0.1:${port}` });

    it("the login times out (exit 6), naming the setting", async () => {
      await configure({ engine: "snowflake", snowflake: snowflake(), timeouts: { connectSeconds: 1 } });
      process.env.SNOWFLAKE_PASSWORD = "not-a-real-password";
      const { result, ms } = await timed(cli("run", "--set", "rolling_card_spend", "--start", "2025-01-01", "--end", "2025-01-02", "--config", warehouse.configPath));
      expect(result.code).toBe(6);
      expect(result.stderr).toContain("cannot log in to Snowflake account acme-silent as loader (password): no answer within 1 s (timeouts.connectSeconds in features.config.json)");
      expect(result.stderr).not.toContain("not-a-real-password");
      expect(ms).toBeLessThan(5_000);
    });

    it("SIGTERM during the login exits 130 within 5 s", async () => {
      await configure({ engine: "snowflake", snowflake: snowflake(), timeouts: { connectSeconds: 120 } });
      const run = spawnCli(["run", "--set", "rolling_card_spend", "--start", "2025-01-01", "--end", "2025-01-02"], { SNOWFLAKE_PASSWORD: "not-a-real-password" });
      await run.connected();
      expect(await stopWithin5s(run)).toBe(130);
      expect(run.output()).toContain("interrupted while logging in to Snowflake account acme-silent");
    });
  });
});
