import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const MODULE = `import { col, featureSet, source } from "feature-backfill";
export const accounts = source({ name: "f_accounts", keys: ["customer_id"], timestamp: "date",
  columns: { customer_id: "bigint", date: "date", balance: "double" }, backfill: { table: "raw.accounts" } });
export const total = featureSet({ name: "f_total", inputs: { accounts }, keys: ["customer_id"], timestamp: "date",
  build: ({ accounts }) => accounts.groupBy("customer_id", "date").agg(col("balance").sum().alias("t")) });
`;

describe("a features folder made by hand", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "fb-friction-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** A project with a feature module; `manifest` is its package.json (none where undefined). */
  async function projectWith(name: string, manifest?: Record<string, unknown>): Promise<string> {
    const dir = path.join(root, name);
    await mkdir(path.join(dir, "features"), { recursive: true });
    await mkdir(path.join(dir, "node_modules"));
    await symlink(REPO, path.join(dir, "node_modules/feature-backfill"), "dir");
    await writeFile(path.join(dir, "features/total.ts"), MODULE);
    if (manifest) await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
    await writeFile(path.join(dir, "features.config.json"), JSON.stringify({ features: "features" }));
    return path.join(dir, "features.config.json");
  }

  // vitest loads modules its own way; the CLI's loader (tsx) is what a user meets, so these run it in a process.
  const spawnList = async (config: string) => {
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "list", "--config", config], { cwd: path.dirname(config), encoding: "utf8" });
    return { code: result.status, stderr: result.stderr };
  };

  it('without "type": "module" in its package.json: says which file to add it to (exit 4)', async () => {
    const config = await projectWith("no-type", { name: "my-features" });
    const { code, stderr } = await spawnList(config);
    expect(code).toBe(4);
    const manifest = path.join(path.dirname(config), "package.json");
    expect(stderr).toBe(
      `error: feature module features/total.ts failed to load: it is loaded as CommonJS because ${manifest} has no "type": "module"; feature modules are ES modules: add "type": "module" to ${manifest} (or name the files .mts)\n`,
    );
  });

  it("with no package.json at all: says to create one", async () => {
    const config = await projectWith("no-manifest");
    const { code, stderr } = await spawnList(config);
    expect(code).toBe(4);
    expect(stderr).toMatch(/it is loaded as CommonJS because no package\.json above .*no-manifest\/features says "type": "module"; .*add "type": "module" to a package\.json in the project's root/);
  });

  it('with "type": "module": loads', async () => {
    const config = await projectWith("module", { name: "my-features", type: "module" });
    expect(await spawnList(config)).toEqual({ code: 0, stderr: "" });
  });
});

describe("online after the demo", () => {
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    warehouse = await makeWarehouse();
    // The demo's own config, its features folder made absolute: the DuckDB path stays the default, warehouse.duckdb.
    const demo = JSON.parse(await readFile(path.join(REPO, "features.config.json"), "utf8"));
    await writeFile(warehouse.configPath, JSON.stringify({ ...demo, $schema: undefined, features: path.join(REPO, "features") }));
  });
  afterAll(() => warehouse?.cleanup());
  const lookup = () => cli("online", "--set", "rolling_card_spend", "--entity", "customer_id=1", "--as-of", "2025-06-01T00:00:00Z", "--config", warehouse.configPath);

  it("works with the demo config as it is", async () => {
    const { code, stdout, stderr } = await lookup();
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout).rolling_card_spend).toMatchObject({ customer_id: 1 });
  });

  it("against a DuckDB file another process is writing: busy, naming that process (exit 8), as run says", async () => {
    const holder = spawn(
      process.execPath,
      ["--input-type=module", "-e", `const { DuckDBInstance } = await import("@duckdb/node-api"); await DuckDBInstance.create(${JSON.stringify(warehouse.dbPath)}); console.log("held"); setInterval(() => {}, 1000);`],
      { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
        holder.on("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      const { code, stdout, stderr } = await lookup();
      expect({ code, stdout }).toEqual({ code: 8, stdout: "" });
      expect(stderr).toBe(`error: the DuckDB database ${warehouse.dbPath} is in use by another process (PID ${holder.pid}); try again when it is done (a backfill holds the file while it writes)\n`);
    } finally {
      holder.kill();
    }
  });
});
