import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/warehouse.ts";
import { seededWarehouse, type SeededWarehouse } from "./seeded-warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");

/**
 * A feature module whose top-level await never settles used to end the process with Node's exit code 13 and no output
 * (nothing else on the event loop), or hang it for good (a timer or socket keeping the loop alive). Both now fail
 * after FEATURE_BACKFILL_MODULE_TIMEOUT seconds with a definition error (exit 4) naming the module.
 */
describe("a feature module that never finishes loading", () => {
  let w: SeededWarehouse;
  beforeAll(async () => {
    w = await seededWarehouse(["avg_monthly_revolving_balance"]);
  }, 60_000);
  afterAll(() => w?.cleanup());

  const hangs: [string, string][] = [
    ["awaits a promise nothing settles", "await new Promise(() => {});\n"],
    ["awaits while a timer keeps the process alive", "await new Promise(() => setInterval(() => {}, 1000));\n"],
  ];

  for (const [what, code] of hangs) {
    it(`${what}: exit 4 naming the module within the timeout, nothing written`, async () => {
      const dir = path.join(w.dir, `features-${hangs.findIndex(([w]) => w === what)}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" })); // as a project's own
      await writeFile(path.join(dir, "balances.ts"), `export * from ${JSON.stringify(path.join(REPO, "features/balances.ts"))};\n`);
      await writeFile(path.join(dir, "remote-thresholds.ts"), code);
      const config = path.join(w.dir, `${path.basename(dir)}.config.json`);
      await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(w.configPath, "utf8")), features: dir }));

      const started = Date.now();
      const child = spawn(process.execPath, [BIN, "run", "-c", config, "--set", "avg_monthly_revolving_balance", "--start", "2024-01-01", "--end", "2025-01-01"], {
        cwd: w.dir,
        env: { ...process.env, FEATURE_BACKFILL_MODULE_TIMEOUT: "2" },
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const exit = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      clearTimeout(deadline);

      expect(stderr).toContain(
        `error: feature module ${path.basename(dir)}/remote-thresholds.ts did not finish loading within 2 s (a top-level await that never settles?); FEATURE_BACKFILL_MODULE_TIMEOUT sets the limit in seconds`,
      );
      expect(exit).toBe(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await w.snapshot()).toEqual(w.before);
    }, 40_000);
  }
});
