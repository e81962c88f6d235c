import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCTOR_CASES } from "../../src/doctor/doctor.ts";
import { DOUBLE_OVERFLOW, OPERATION_CASES, UNSUPPORTED_ON_POSTGRES } from "../../src/conformance/cases.ts";
import { runDoctor } from "../../src/doctor/doctor.ts";
import { openPostgres } from "../../src/engines/postgres/postgres-engine.ts";
import { InterruptedError } from "../../src/errors.ts";
import { makeTestDatabase, postgresAvailable, type TestDatabase } from "../support/postgres.ts";
import { cli } from "../support/run-cli.ts";
import { makeWarehouse, REPO, type TestWarehouse } from "../support/warehouse.ts";

/** `doctor --engine postgres` through the CLI against the CI PostgreSQL: every construct must agree with DuckDB. */
describe.skipIf(!postgresAvailable)("doctor --engine postgres", () => {
  let db: TestDatabase;
  let project: TestWarehouse;
  beforeAll(async () => {
    [db, project] = await Promise.all([makeTestDatabase(), makeWarehouse({ data: null })]);
    await writeFile(project.configPath, JSON.stringify({ features: path.join(project.dir, "none"), engine: "duckdb", postgres: db.settings }));
  });
  afterAll(async () => {
    await db?.cleanup();
    await project?.cleanup();
  });

  it("reports every construct ok (those PostgreSQL refuses when planning as unsupported), exits 0 and leaves nothing behind", async () => {
    const { code, stdout, stderr } = await cli("doctor", "--engine", "postgres", "--format", "json", "--config", project.configPath);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const unsupported = new Set(UNSUPPORTED_ON_POSTGRES.map((u) => u.case.name));
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(DOCTOR_CASES.map((c) => c.name));
    for (const r of report.results) expect([r.name, r.status, r.detail]).toEqual([r.name, unsupported.has(r.name) ? "unsupported" : "ok", r.detail]);
    expect(report.summary).toEqual({ ok: DOCTOR_CASES.length - unsupported.size, differs: 0, refused: 0, unsupported: unsupported.size });
    expect(report.schema).toMatch(/^feature_backfill_doctor_[0-9a-f]{8}$/);
    expect(report.cleanedUp).toBe(true);
    expect(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'feature_backfill_doctor%'`)).toEqual([]);
  }, 120_000);

  it("a statement the warehouse refuses is reported as refused with its error, the other cases still judged", async () => {
    const engine = await openPostgres(db.settings);
    try {
      const report = await runDoctor(engine, { cases: [DOUBLE_OVERFLOW, OPERATION_CASES[0]!] });
      expect(report.results.map((r) => [r.name, r.status])).toEqual([[DOUBLE_OVERFLOW.name, "refused"], [OPERATION_CASES[0]!.name, "ok"]]);
      expect(report.results[0]!.detail).toMatch(/value out of range: overflow/);
    } finally {
      await engine.close();
    }
    expect(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'feature_backfill_doctor%'`)).toEqual([]);
  });

  it("interrupted: exits with InterruptedError and still drops its scratch schema", async () => {
    const engine = await openPostgres(db.settings);
    const controller = new AbortController();
    controller.abort();
    try {
      await expect(runDoctor(engine, { signal: controller.signal, cases: OPERATION_CASES.slice(0, 2) })).rejects.toThrow(InterruptedError);
    } finally {
      await engine.close();
    }
    expect(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'feature_backfill_doctor%'`)).toEqual([]);
  });

  it("SIGTERM to a spawned doctor: exit 130, and its scratch schema is dropped", async () => {
    const child = spawn(process.execPath, [path.join(REPO, "bin/feature-backfill.js"), "doctor", "--engine", "postgres", "--config", project.configPath]);
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const scratch = () => db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'feature_backfill_doctor%'`);
    // Once its cases are being backfilled: the run ledger exists in the scratch schema.
    for (let i = 0; i < 600 && (await db.query(`SELECT 1 FROM pg_tables WHERE schemaname LIKE 'feature_backfill_doctor%' AND tablename = 'feature_backfill_leases'`)).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await scratch()).toHaveLength(1);
    const sent = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    expect(Date.now() - sent).toBeLessThan(15_000); // generous: 2 shared cores; it takes about a second here
    expect(stderr).toMatch(/error: doctor interrupted; its scratch schema feature_backfill_doctor_[0-9a-f]{8} was dropped\n$/);
    expect(await scratch()).toEqual([]);
  }, 60_000);

  it("--dry-run prints the scratch schema, the edge data, every case's statements and the cleanup, without connecting", async () => {
    await writeFile(project.configPath, JSON.stringify({ features: path.join(project.dir, "none"), engine: "postgres", postgres: { connectionString: "postgres://nobody@127.0.0.1:1/none" } }));
    const { code, stdout } = await cli("doctor", "--dry-run", "--config", project.configPath);
    await writeFile(project.configPath, JSON.stringify({ features: path.join(project.dir, "none"), engine: "duckdb", postgres: db.settings }));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^-- feature-backfill doctor dry run \(postgres\)/);
    expect(stdout).toMatch(/CREATE SCHEMA IF NOT EXISTS "feature_backfill_doctor_[0-9a-f]{8}"/i);
    expect(stdout).toMatch(/INSERT INTO "feature_backfill_doctor_[0-9a-f]{8}"\."edge_cases"/);
    for (const c of OPERATION_CASES) expect(stdout).toContain(`-- ${c.name}\n`);
    expect(stdout).toMatch(/-- cleanup\nDROP SCHEMA IF EXISTS "feature_backfill_doctor_[0-9a-f]{8}" CASCADE;\n$/);
  });
});
