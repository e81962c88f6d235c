import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

const FIXTURE = "test/fixtures/validate-problems";
const at = (file: string, marker: string) => `${FIXTURE}/${file}:${lineOf(file, marker)}`;

describe("feature-backfill validate", () => {
  let dir: string;
  let brokenConfig: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fb-validate-"));
    brokenConfig = path.join(dir, "broken.config.json");
    await writeFile(brokenConfig, JSON.stringify({ features: path.join(REPO, FIXTURE), duckdb: { path: "absent.duckdb" } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("passes the example project, without a warehouse", async () => {
    const { code, stdout, stderr } = await cli("validate", "--config", path.join(REPO, "features.config.json"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // As many as `list` reports (the examples grow).
    const listed = JSON.parse((await cli("list", "--config", path.join(REPO, "features.config.json"), "--format", "json")).stdout);
    expect(listed.sets.length).toBeGreaterThanOrEqual(4);
    expect(stdout).toBe(`ok: ${listed.sets.length} feature set(s) and ${listed.sources.length} source(s) for duckdb\n`);
  });

  it("lists every problem, each with its set, column, file and line (ordered by place), and exits 4", async () => {
    const { code, stdout, stderr } = await cli("validate", "--config", brokenConfig, "--format", "json");
    expect(code).toBe(4);
    expect(stderr).toBe("error: 5 problem(s) found (listed above)\n");
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p: { message: string }) => p.message)).toEqual([
      `feature module ${FIXTURE}/throws.ts failed to load: vp settings missing`,
      `feature set "vp_cycle_a" (${FIXTURE}/cycle.ts:17): dependency cycle: vp_cycle_a -> vp_cycle_b -> vp_cycle_a`,
      `feature set "vp_unknown_column" (${at("sets.ts", "unknown-column-set")}): unknown column "amont"; available: id, at, amount, kind ` +
        `(expression at ${at("sets.ts", "unknown-column")})`,
      `feature set "vp_type_mismatch" (${at("sets.ts", "type-mismatch-set")}): column "total": add() needs numeric operands, got double and varchar ` +
        `(expression at ${at("sets.ts", "type-mismatch")})`,
      `feature set "vp_downstream" (${at("sets.ts", "downstream-set")}): reads feature set "vp_unknown_column", which has errors`,
    ]);
    expect(report.problems[3]).toMatchObject({
      stage: "definitions",
      set: "vp_type_mismatch",
      column: "total",
      definedAt: at("sets.ts", "type-mismatch-set"),
      expressionAt: at("sets.ts", "type-mismatch"),
      kind: "DefinitionError",
    });
    const status = Object.fromEntries(report.sets.map((s: { name: string; ok: boolean }) => [s.name, s.ok]));
    // The module that failed to load is listed but fails no set: the others did not import it.
    expect(status).toEqual({
      vp_good: true,
      vp_ghost_daily: true,
      vp_unknown_column: false,
      vp_downstream: false,
      vp_type_mismatch: false,
      vp_cycle_a: false,
      vp_cycle_b: false,
    });
    expect(existsSync(path.join(dir, "absent.duckdb"))).toBe(false); // no warehouse was opened
  });

  it("--set narrows the report to the set and what it reads", async () => {
    const { code, stdout } = await cli("validate", "--config", brokenConfig, "--set", "vp_downstream");
    expect(code).toBe(4);
    expect(stdout).toContain("checked 2 feature set(s) and 1 source(s) for duckdb: 3 problem(s)");
    expect(stdout).toContain('x feature set "vp_unknown_column"');
    expect(stdout).toContain('x feature set "vp_downstream"');
    expect(stdout).not.toContain("vp_type_mismatch");
    expect(stdout).not.toContain("cycle");
    expect(stdout).toContain("not valid: vp_unknown_column, vp_downstream\nvalid: none\n");

    const good = await cli("validate", "--config", brokenConfig, "--set", "vp_good", "--format", "json");
    // Only the failed module is left: it concerns the whole project.
    expect(JSON.parse(good.stdout).problems.map((p: { message: string }) => p.message)).toEqual([
      `feature module ${FIXTURE}/throws.ts failed to load: vp settings missing`,
    ]);
    expect(JSON.parse(good.stdout).sets).toEqual([{ name: "vp_good", ok: true }]);
  });

  it("an unknown --set is a usage error (exit 2), hinting at the module that failed to load", async () => {
    const { code, stderr, stdout } = await cli("validate", "--config", brokenConfig, "--set", "vp_nope");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/unknown feature set "vp_nope"; known sets: vp_cycle_a, .*vp_unknown_column \(1 feature module\(s\) failed to load; it may be defined there\)/);
  });

  it("--help shows examples", async () => {
    const { code, stdout } = await cli("validate", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("$ feature-backfill validate --set avg_monthly_revolving_balance --against-warehouse");
  });

  describe("--against-warehouse", () => {
    let warehouse: TestWarehouse;
    beforeAll(async () => {
      warehouse = await makeWarehouse({ featuresDir: path.join(REPO, FIXTURE), data: null });
      // vp_events exists with one column of the wrong type; vp_ghost does not exist at all.
      await warehouse.exec("CREATE SCHEMA raw", "CREATE TABLE raw.vp_events (id BIGINT, \"at\" DATE, amount VARCHAR, kind VARCHAR)");
    });
    afterAll(() => warehouse.cleanup());
    const tables = () => warehouse.query("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL");

    it("lists every source table problem, read-only", async () => {
      const before = await tables();
      const { code, stdout } = await cli(
        "validate", "--config", warehouse.configPath, "--set", "vp_good", "--set", "vp_ghost_daily", "--against-warehouse", "--format", "json",
      );
      expect(code).toBe(4);
      const warehouseProblems = JSON.parse(stdout).problems.filter((p: { stage: string }) => p.stage === "warehouse");
      expect(warehouseProblems).toEqual([
        expect.objectContaining({
          source: "vp_events",
          column: "amount",
          message: `source "vp_events" (${FIXTURE}/sources.ts:3): column "amount" is declared double but raw.vp_events.amount is VARCHAR`,
        }),
        expect.objectContaining({
          source: "vp_ghost",
          message: expect.stringMatching(/^source "vp_ghost" \(.*sources\.ts:\d+\): source table raw\.vp_ghost does not exist in duckdb \(/),
        }),
      ]);
      expect(await tables()).toEqual(before); // no schema or offline table was created
    });

    it("exits 5 when the only problem is an offline table that does not match its set", async () => {
      const w = await makeWarehouse();
      try {
        await w.exec("CREATE SCHEMA features", "CREATE TABLE features.avg_monthly_revolving_balance (customer_id BIGINT, date DATE)");
        const { code, stdout } = await cli("validate", "--config", w.configPath, "--set", "avg_monthly_revolving_balance", "--against-warehouse");
        expect(code).toBe(5);
        expect(stdout).toContain("x offline table features.avg_monthly_revolving_balance does not match feature set \"avg_monthly_revolving_balance\"");
        // The other sets' sources are fine: a clean check of them passes.
        const clean = await cli("validate", "--config", w.configPath, "--set", "monthly_card_spend", "--against-warehouse");
        expect(clean.stdout).toBe("ok: 1 feature set(s) and 1 source(s) for duckdb, against the warehouse\n");
        expect(clean.code).toBe(0);
      } finally {
        await w.cleanup();
      }
    });

    it("a missing database file is reported, not created", async () => {
      const { code, stderr } = await cli("validate", "--config", brokenConfig, "--set", "vp_good", "--against-warehouse");
      expect(code).toBe(5);
      expect(stderr).toMatch(/cannot open DuckDB database .*absent\.duckdb/);
      expect(existsSync(path.join(dir, "absent.duckdb"))).toBe(false);
    });
  });
});

/** The line of a `// @marker` comment in a fixture file, so expectations do not hard-code line numbers. */
function lineOf(file: string, marker: string): number {
  const lines = readFileSync(path.join(REPO, FIXTURE, file), "utf8").split("\n");
  const line = lines.findIndex((l) => l.trimEnd().endsWith(`// @${marker}`)) + 1;
  if (line === 0) throw new Error(`no marker @${marker} in ${file}`);
  return line;
}
