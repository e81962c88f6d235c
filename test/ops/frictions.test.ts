import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { REPO } from "../support/warehouse.ts";

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
