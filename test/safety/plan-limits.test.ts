import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countChunks, MAX_PLANNED_CHUNKS, splitWindow } from "../../src/backfill/chunks.ts";
import { REPO } from "../support/warehouse.ts";
import { seededWarehouse, type SeededWarehouse } from "./seeded-warehouse.ts";

const BIN = path.join(REPO, "bin/feature-backfill.js");

/** The real process, killed at `deadlineMs` if it has not exited (the old planner ran for minutes and gigabytes). */
function spawnCli(args: string[], deadlineMs: number) {
  const child = spawn(process.execPath, [BIN, ...args]);
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const deadline = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
  const exited = new Promise<{ code: number | null; stderr: string; at: number }>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr, at: Date.now() });
    }),
  );
  return { child, exited, stderr: () => stderr };
}

describe("plan size", () => {
  let w: SeededWarehouse;
  beforeAll(async () => {
    w = await seededWarehouse(["application_utilisation", "avg_monthly_revolving_balance"]);
  }, 60_000);
  afterAll(() => w?.cleanup());

  it("counts chunks by arithmetic, exactly as many as splitting makes", () => {
    const windows = [
      ["2025-01-15T00:00:00Z", "2025-03-10T06:00:00Z"],
      ["2024-02-29T13:00:00Z", "2024-03-01T00:00:00Z"],
      ["2023-12-31T00:00:00Z", "2025-01-01T00:00:00Z"],
      ["2021-01-04T00:00:00Z", "2021-01-11T00:00:00Z"],
      ["2020-05-31T23:59:59.999Z", "2026-06-01T00:00:00.001Z"],
    ];
    for (const [start, end] of windows) {
      const window = { start: new Date(start!), end: new Date(end!) };
      for (const every of [undefined, "1d", "1w", "1mo", "1q", "1y"]) expect([start, every, countChunks(window, every)]).toEqual([start, every, splitWindow(window, every).length]);
    }
  });

  it(`refuses a plan over ${MAX_PLANNED_CHUNKS.toLocaleString("en-US")} chunks at once, naming --chunk and one that fits; nothing is written`, async () => {
    for (const dry of [["--dry-run"], []]) {
      const started = Date.now();
      const { exited } = spawnCli(["run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--start", "0001-01-01", "--end", "9999-12-31", "--chunk", "1d", ...dry], 20_000);
      const r = await exited;
      expect(r.stderr).toContain(
        "error: --chunk 1d splits [0001-01-01, 9999-12-31) into 3,652,058 chunks, more than the 10,000 one run may plan: use --chunk 1y (9,999 chunks), or split the window into several runs",
      );
      expect(r.code).toBe(2);
      expect(r.at - started).toBeLessThan(15_000); // a refusal, not a plan: seconds on a loaded machine
    }
    expect(await w.snapshot()).toEqual(w.before);
  }, 60_000);

  it("counts over every requested set; without a chunk size that fits, says to split the window", async () => {
    const { exited } = spawnCli(["run", "-c", w.configPath, "--set", "avg_monthly_revolving_balance", "--set", "application_utilisation", "--start", "0001-01-01", "--end", "9999-12-31", "--chunk", "1mo"], 20_000);
    const r = await exited;
    expect(r.stderr).toContain("error: --chunk 1mo splits [0001-01-01, 9999-12-31) into 239,976 chunks (over 2 sets), more than the 10,000 one run may plan: split the window into several runs");
    expect(r.code).toBe(2);
    expect(await w.snapshot()).toEqual(w.before);
  }, 30_000);

  it("SIGINT while a large plan is rendered stops it within seconds (exit 130), before the warehouse is touched", async () => {
    // The repo's features, and a last module that says when loading is over (the signal handlers are installed
    // before it, and planning starts right after it).
    const dir = path.join(w.dir, "features-announced");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    for (const file of ["sources.ts", "rolling.ts"]) await writeFile(path.join(dir, file), `export * from ${JSON.stringify(path.join(REPO, "features", file))};\n`);
    await writeFile(path.join(dir, "zz-loaded.ts"), `process.stderr.write("modules loaded\\n");\n`);
    const config = path.join(w.dir, "announced.config.json");
    await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(w.configPath, "utf8")), features: dir }));
    // 9,000 daily chunks: under the limit, and tens of seconds to render whole.
    const { child, exited, stderr } = spawnCli(["run", "-c", config, "--set", "application_utilisation", "--start", "2000-01-01", "--end", "2024-08-23", "--chunk", "1d"], 120_000);
    while (!stderr().includes("modules loaded")) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500)); // planning
    const sent = Date.now();
    child.kill("SIGINT");
    const r = await exited;
    expect(r.stderr).toContain("error: interrupted while planning; nothing was written");
    expect(r.code).toBe(130);
    expect(r.at - sent).toBeLessThan(8_000);
    expect(await w.snapshot()).toEqual(w.before);
  }, 150_000);
});
