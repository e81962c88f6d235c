import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWarehouse, REPO } from "../support/warehouse.ts";
import { ACCOUNTS_CATALOG, makeSnowflakeProject, SECRETS, type SnowflakeProject } from "./support/snowflake-project.ts";
import { SnowflakeDouble } from "./support/snowflake-double.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");
const REPORT_MODULES = path.join(import.meta.dirname, "support/report-modules.mjs");
const SET = "avg_monthly_revolving_balance";

/** The real executable, reporting at exit whether snowflake-sdk was loaded; `onStderr` sees output as it comes. */
function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string>; onStderr?: (all: string) => void }) {
  const child = spawn(process.execPath, ["--import", REPORT_MODULES, BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    options.onStderr?.(stderr);
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited };
}

// The offline table's own INSERT, as opposed to the run ledger's.
const DATA_INSERT = /^INSERT INTO\s+"FEATURES"\."AVG_MONTHLY_REVOLVING_BALANCE"/;

describe("the CLI process with --engine snowflake", () => {
  let double: SnowflakeDouble;
  let project: SnowflakeProject;
  beforeAll(async () => {
    double = await new SnowflakeDouble({ catalog: ACCOUNTS_CATALOG }).start();
    project = await makeSnowflakeProject(double.url);
    await project.configure({ authenticator: "password" });
  });
  afterAll(async () => {
    await double.stop();
    await project.cleanup();
  });

  it("SIGTERM during the INSERT: abort request for it, ROLLBACK, session closed, exit 130; no file written, no secret printed", async () => {
    double.script.answers = [{ match: DATA_INSERT, answer: { hold: true } }];
    const before = await readdir(project.dir);
    const { child, exited } = spawnCli(["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-03-01", "--config", project.configPath], {
      cwd: project.dir,
      env: { SNOWFLAKE_PASSWORD: SECRETS.password },
    });
    await double.waitFor((r) => r.path === "/queries/v1/query-request" && DATA_INSERT.test(r.body.sqlText));
    const sent = Date.now();
    child.kill("SIGTERM");
    const { code, stdout, stderr } = await exited;
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(5_000);

    const insert = double.queries().find((q) => DATA_INSERT.test(q.sqlText))!;
    const abort = double.requests.find((r) => r.path === "/queries/v1/abort-request")!;
    expect(abort.body).toEqual({ requestId: insert.requestId }); // the running statement, cancelled in the warehouse
    const after = double.requests.slice(double.requests.indexOf(abort));
    // ROLLBACK first; then the ledger records the chunk as interrupted and the lease is released; nothing commits.
    const statementsAfter = after.filter((r) => r.path === "/queries/v1/query-request").map((r) => r.body.sqlText.split(/\s+/).slice(0, 2).join(" "));
    expect(statementsAfter).toEqual(["ROLLBACK", "INSERT INTO", "DELETE FROM"]);
    expect(after.at(-1)!.path).toBe("/session");
    expect(stderr).toContain("error: interrupted while writing avg_monthly_revolving_balance [2025-01-01, 2025-03-01); its transaction was rolled back");
    expect(stderr).toContain("[report-modules] snowflake-sdk loaded: true"); // the probe below can tell
    expect(stderr).not.toMatch(/AWS SDK|NodeDeprecationWarning|INFO|snowflake\.log/i);
    expect(`${stdout}${stderr}`).not.toContain(SECRETS.password);
    expect(await readdir(project.dir)).toEqual(before); // no snowflake.log or other files in the working directory
  });

  it("--dry-run --engine snowflake does not load snowflake-sdk, needs no credentials and prints none", async () => {
    const { exited } = spawnCli(["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-03-01", "--config", project.configPath, "--dry-run", "--engine", "snowflake"], {
      cwd: project.dir,
      env: { SNOWFLAKE_PASSWORD: SECRETS.password },
    });
    const requests = double.requests.length;
    const { code, stdout, stderr } = await exited;
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`INSERT INTO\n  "FEATURES"."AVG_MONTHLY_REVOLVING_BALANCE"`);
    expect(stderr).toContain("[report-modules] snowflake-sdk loaded: false");
    expect(double.requests.length).toBe(requests);
    expect(`${stdout}${stderr}`).not.toContain(SECRETS.password);
  });

  it("a DuckDB run does not load snowflake-sdk", async () => {
    const warehouse = await makeWarehouse({ data: { customers: 3, from: "2025-01-01", days: 40, transactionsPerCustomer: 2 } });
    try {
      const { exited } = spawnCli(["run", "--set", SET, "--start", "2025-01-01", "--end", "2025-02-01", "--config", warehouse.configPath], { cwd: warehouse.dir });
      const { code, stderr } = await exited;
      expect(code, stderr).toBe(0);
      expect(stderr).toContain(`${SET}: wrote`);
      expect(stderr).toContain("[report-modules] snowflake-sdk loaded: false");
    } finally {
      await warehouse.cleanup();
    }
  });
});
