import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { snowflakeName } from "../../src/dialects/snowflake/snowflake-query-compiler.ts";
import { duckdbDialect } from "../../src/dialects/duckdb/duckdb-dialect.ts";
import { DOCTOR_CASES, doctorGraph } from "../../src/doctor/doctor.ts";
import { runCases } from "../../src/doctor/run-case.ts";
import { edgeRows, loadStatements } from "../../src/doctor/scratch.ts";
import { openDuckDB } from "../../src/engines/duckdb/duckdb-engine.ts";
import type { CatalogColumn, ColumnType, SnowflakeDouble as Double } from "../snowflake/support/snowflake-double.ts";
import { SnowflakeDouble } from "../snowflake/support/snowflake-double.ts";
import { makeSnowflakeProject, type SnowflakeProject } from "../snowflake/support/snowflake-project.ts";

/**
 * `doctor --engine snowflake` through the CLI, the real snowflake-sdk and the loopback double. The double executes
 * no SQL, so it answers each case's result read with the rows embedded DuckDB computes for that case (in this test,
 * before the run), and refuses one case's INSERT as Snowflake would refuse a construct. What this proves: login and
 * session setup, the scratch schema created, every case's statements sent and decoded back through the driver, the
 * comparison and the report (ok, and refused with the warehouse's message and a fallback), and the cleanup. What it
 * cannot prove: that Snowflake computes those rows — only `doctor` against a real account shows that.
 */
const REFUSED = DOCTOR_CASES.find((c) => c.name === "as-of join forward")!;
const COMPILATION_ERROR = "SQL compilation error: syntax error line 3 at position 12 unexpected 'MATCH_CONDITION'.";

const EDGE_CATALOG: readonly CatalogColumn[] = [
  ["ID", "NUMBER", 38, 0], ["TS", "TIMESTAMP_NTZ"], ["D", "DATE"], ["N", "NUMBER", 38, 0], ["K", "NUMBER", 38, 0], ["M", "NUMBER", 38, 0],
  ["X", "FLOAT"], ["Y", "FLOAT"], ["S", "TEXT"], ["FLAG", "BOOLEAN"], ["GRP", "TEXT"],
];

let double: Double;
let project: SnowflakeProject;
/** Per case's table (as the Snowflake statements name it): DuckDB's rows after each window, in order. */
const expected = new Map<string, Record<string, unknown>[][]>();

beforeAll(async () => {
  double = await new SnowflakeDouble().start();
  project = await makeSnowflakeProject(double.url);
  const duck = await openDuckDB({ path: ":memory:", threads: 2 });
  try {
    const rows = await edgeRows(duck);
    for (const s of loadStatements("reference", rows, duckdbDialect)) await duck.run(s);
    const outcomes = await runCases(DOCTOR_CASES, doctorGraph("reference", DOCTOR_CASES), duck, "reference");
    for (const c of DOCTOR_CASES) {
      const outcome = outcomes.get(c.name)!;
      if (!("rows" in outcome)) throw new Error(`DuckDB cannot compute ${c.name}`);
      expected.set(snowflakeName(c.set.name), outcome.rows.map((w) => w.rows));
    }
  } finally {
    await duck.close();
  }
}, 60_000);
afterAll(async () => {
  await double?.stop();
  await project?.cleanup();
});

/** The rows as Snowflake's JSON rowset carries them: every value as text, typed by the column. */
function resultSet(rows: Record<string, unknown>[]) {
  const names = Object.keys(rows[0] ?? {});
  const typeOf = (name: string): ColumnType => {
    const v = rows.map((r) => r[name]).find((x) => x !== null);
    // Integers come back as text: the doctor reads them through a cast to varchar (exact beyond 2^53).
    return typeof v === "number" ? "real" : typeof v === "boolean" ? "boolean" : "text";
  };
  return {
    columns: names.map((name) => ({ name: name.toUpperCase(), type: typeOf(name) })),
    values: rows.map((r) => names.map((n) => (r[n] === null ? null : typeof r[n] === "boolean" ? (r[n] ? "1" : "0") : String(r[n])))),
  };
}

describe("doctor --engine snowflake against the loopback double", () => {
  it("logs in, creates the scratch schema, sends every case's statements, reports ok and one refused construct, and drops the schema", async () => {
    const reads = new Map<string, number>();
    double.script = {
      catalogFor: (key) => (/^FEATURE_BACKFILL_DOCTOR_[0-9A-F]{8}\.EDGE_CASES$/.test(key) ? EDGE_CATALOG : undefined),
      answers: [
        {
          match: new RegExp(`^INSERT INTO\\s+"FEATURE_BACKFILL_DOCTOR_[0-9A-F]{8}"\\."${snowflakeName(REFUSED.set.name)}"`),
          answer: { fail: { code: "001003", message: COMPILATION_ERROR, sqlState: "42000" } },
        },
      ],
      respond: (sqlText) => {
        // A chunk continuing from the checkpoint the chunk before wrote finds its marker (state-pass.ts).
        if (/^SELECT\s+COUNT\(\*\) AS "N"\s+FROM\s.*"_FB_MARKER"$/s.test(sqlText)) return { rows: { columns: [{ name: "N", type: "text" }], values: [["1"]] } };
        const table = /^SELECT .* FROM "FEATURE_BACKFILL_DOCTOR_[0-9A-F]{8}"\."(\w+)"$/s.exec(sqlText)?.[1];
        if (!table || !expected.has(table)) return undefined;
        const n = reads.get(table) ?? 0;
        reads.set(table, n + 1);
        return { rows: resultSet(expected.get(table)![n]!) };
      },
    };
    let stdout = "";
    let stderr = "";
    const code = await runCli(["doctor", "--engine", "snowflake", "--config", project.configPath], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      isTTY: false,
      signal: new AbortController().signal,
    });

    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe("doctor: snowflake (account myorg-acct, database ANALYTICS), against embedded DuckDB");
    const results = lines.slice(1, -1);
    expect(results).toHaveLength(DOCTOR_CASES.length);
    // Constructs the Snowflake dialect refuses when planning (no product aggregate; no framed MEDIAN; no skew): not failures.
    const unsupported = new Map([["cumProd", "cumProd()"], ["rollingMedian and rollingQuantile", "rollingMedian()"], ["skew with and without bias", "skew()"]]);
    for (const [i, c] of DOCTOR_CASES.entries()) {
      if (unsupported.has(c.name)) {
        expect(results[i]).toBe(`unsupported ${c.name}: ${unsupported.get(c.name)} is not supported by the snowflake dialect (refused when planning: no run sends it)`);
      } else if (c === REFUSED) {
        expect(results[i]).toMatch(new RegExp(`^refused +${c.name}: feature set "${c.set.name}" \\[2024-01-01, 2025-01-01\\) failed and was rolled back: ${COMPILATION_ERROR.replace(/[.()]/g, "\\$&")} \\(Snowflake query id [0-9a-f-]{36}\\) \\(fallback: join on the by keys`));
      } else {
        expect(results[i]).toBe(`ok          ${c.name}`);
      }
    }
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${DOCTOR_CASES.length} constructs on snowflake .*: ${DOCTOR_CASES.length - 1 - unsupported.size} ok, 0 differ, 1 refused, ${unsupported.size} unsupported by the dialect \\(refused when planning\\); [\\d.]+ s; scratch schema feature_backfill_doctor_[0-9a-f]{8} dropped$`),
    );
    expect(code).toBe(5);
    expect(stderr).toBe("error: doctor: 0 construct(s) differ from embedded DuckDB and 1 were refused by snowflake (account myorg-acct, database ANALYTICS)\n");

    const queries = double.queries().map((q) => q.sqlText);
    expect(queries[0]).toMatch(/^ALTER SESSION SET TIMEZONE = 'UTC'/);
    const schema = /^CREATE SCHEMA "(FEATURE_BACKFILL_DOCTOR_[0-9A-F]{8})"$/i.exec(queries[1]!)?.[1];
    expect(schema).toBeDefined();
    expect(queries.filter((q) => q.startsWith(`INSERT INTO "${schema}"."EDGE_CASES"`))).toHaveLength(6); // 600 rows, 100 a statement
    // Every case's INSERT … SELECT, once per yearly chunk of each window (the first window spans two years); the
    // refused one only in its first window's chunks (refused, it is not tried in the next window).
    for (const c of DOCTOR_CASES) {
      const insert = new RegExp(`^INSERT INTO\\s+"${schema}"\\."${snowflakeName(c.set.name)}"`);
      expect(queries.filter((q) => insert.test(q)).length, c.name).toBe(unsupported.has(c.name) ? 0 : c === REFUSED ? 2 : 3);
    }
    // Sets with a lookback are computed once per window into a stage that each chunk reads, then dropped.
    expect(queries.filter((q) => q.startsWith("CREATE TEMPORARY TABLE")).length).toBeGreaterThan(10);
    expect(queries.at(-1)).toBe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    expect(double.requests.at(-1)!.path).toBe("/session"); // the session is closed
    // Nothing outside the scratch schema is written: every CREATE, INSERT, DELETE, UPDATE and DROP names it.
    // (Stages and continued windows' computed inputs are temporary tables, which vanish with the session.)
    for (const q of queries.filter((text) => /^(CREATE|INSERT|DELETE|UPDATE|DROP)\b/.test(text) && !/^(CREATE TEMPORARY|DROP TABLE IF EXISTS "FEATURE_BACKFILL_(STAGE|INPUT)_)/.test(text))) {
      expect(q).toContain(`"${schema}"`);
    }
  }, 120_000);
});
