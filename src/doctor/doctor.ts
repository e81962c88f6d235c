import type { Statement } from "../compile/statements.ts";
import { firstDifference } from "../conformance/compare-rows.ts";
import { type OperationCase, OPERATION_CASES, UNSUPPORTED_ON_POSTGRES } from "../conformance/cases.ts";
import { duckdbDialect } from "../dialects/duckdb/duckdb-dialect.ts";
import type { SqlDialect } from "../dialects/sql-dialect.ts";
import { openDuckDB } from "../engines/duckdb/duckdb-engine.ts";
import type { Engine } from "../engines/engine.ts";
import { InterruptedError, RunError, UnsupportedError, messageOf } from "../errors.ts";
import { buildGraph, type FeatureGraph } from "../graph/feature-graph.ts";
import { fallbackFor } from "./fallbacks.ts";
import { type CaseOutcome, planCase, runCases } from "./run-case.ts";
import { dropSchemaStatement, edgeRows, loadStatements, retarget, scratchSchemaName, scratchSource } from "./scratch.ts";

/**
 * The constructs `doctor` proves: every operation case of the conformance suite (src/conformance/cases.ts, the one
 * list), including those PostgreSQL refuses when planning (reported as such there, run elsewhere).
 */
export const DOCTOR_CASES: readonly OperationCase[] = [...OPERATION_CASES, ...UNSUPPORTED_ON_POSTGRES.map((u) => u.case)];

/**
 * - ok: the same rows as embedded DuckDB after every window (doubles to DOUBLE_TOLERANCE).
 * - differs: other rows; `detail` names the first differing row.
 * - refused: the warehouse failed a statement; `detail` is its error, `fallback` what a user can write instead.
 * - unsupported: the dialect refuses the construct when planning, so no run ever sends it (not a failure).
 */
export type CaseStatus = "ok" | "differs" | "refused" | "unsupported";

/** How one construct (a conformance case) fared on the warehouse. */
export interface CaseResult {
  readonly name: string;
  readonly status: CaseStatus;
  readonly detail?: string;
  readonly fallback?: string;
}

/** What `runDoctor` found: one result per construct, and whether its scratch schema was dropped. */
export interface DoctorReport {
  readonly engine: string;
  readonly schema: string;
  readonly results: readonly CaseResult[];
  readonly durationMs: number;
  /** Whether the scratch schema was dropped; if not, `schema` names what to drop by hand. */
  readonly cleanedUp: boolean;
}

/** Options of `runDoctor`: cancellation, a subset of the cases, the scratch schema's name, progress. */
export interface DoctorOptions {
  readonly signal?: AbortSignal;
  readonly cases?: readonly OperationCase[];
  /** Default: `feature_backfill_doctor_<8 hex digits>`, new per run. */
  readonly schema?: string;
  /** Called as each construct is judged (the CLI prints a line per call). */
  readonly onResult?: (result: CaseResult) => void;
}

/** Whether a report passes: nothing differs and nothing is refused. */
export const doctorPassed = (report: Pick<DoctorReport, "results">): boolean => report.results.every((r) => r.status === "ok" || r.status === "unsupported");

/**
 * Proves on `engine` that every construct its dialect emits gives the rows embedded DuckDB gives: loads the edge
 * cases into a scratch schema it creates, backfills each case there as a run would (catalog check, ledger, lease,
 * DDL, DELETE, INSERT … SELECT), computes the same case in an in-process DuckDB, and compares. It reads and writes
 * nothing outside the scratch schema, which it drops at the end — after a failure or an interruption too.
 */
export async function runDoctor(engine: Engine, options: DoctorOptions = {}): Promise<DoctorReport> {
  const started = performance.now();
  const schema = options.schema ?? scratchSchemaName();
  const cases = options.cases ?? DOCTOR_CASES;
  const graph = doctorGraph(schema, cases);
  const results: CaseResult[] = [];
  const reference = await openDuckDB({ path: ":memory:", threads: 2 });
  let cleanedUp = false;
  try {
    const rows = await edgeRows(reference);
    for (const statement of loadStatements(schema, rows, duckdbDialect)) await reference.run(statement);
    const [createSchema, ...load] = loadStatements(schema, rows, engine.dialect);
    await engine.run(createSchema!).catch((error: unknown) => {
      // Not made by this run (it exists, or cannot be made): left alone, never dropped.
      throw new RunError(`doctor could not create its scratch schema ${schema} on ${engine.description} (it must not exist yet): ${messageOf(error)}`, undefined, { cause: error });
    });
    let failure: unknown;
    try {
      for (const statement of load) await engine.run(statement);
      for (const result of await checkCases(cases, graph, reference, engine, schema, options.signal)) {
        results.push(result);
        options.onResult?.(result);
      }
    } catch (error) {
      failure = error;
    }
    // The scratch schema goes whatever happened: CASCADE takes its tables, the ledger and the leases with it.
    cleanedUp = await engine.run(dropSchemaStatement(schema, engine.dialect)).then(
      () => true,
      () => false,
    );
    const left = cleanedUp ? `its scratch schema ${schema} was dropped` : `drop its scratch schema ${schema} by hand`;
    if (failure instanceof InterruptedError) throw new InterruptedError(`doctor interrupted; ${left}`, { cause: failure });
    if (failure instanceof RunError) throw new RunError(`doctor could not run on ${engine.description}: ${failure.message}; ${left}`, undefined, { cause: failure });
    if (failure) throw failure;
  } finally {
    await reference.close();
  }
  return { engine: engine.description, schema, results, durationMs: performance.now() - started, cleanedUp };
}

/** Judges each case: the warehouse's outcome against the reference's, in the order of `cases`. */
async function checkCases(cases: readonly OperationCase[], graph: FeatureGraph, reference: Engine, engine: Engine, schema: string, signal?: AbortSignal): Promise<CaseResult[]> {
  // At once: the warehouse works in its own process while DuckDB works in this one.
  // Both settle before either error is thrown: the reference is closed afterwards, which must not happen mid-statement.
  const settled = await Promise.allSettled([runCases(cases, graph, reference, schema, signal), runCases(cases, graph, engine, schema, signal)]);
  const [expected, actual] = settled.map((s) => {
    if (s.status === "rejected") throw s.reason;
    return s.value;
  }) as [Map<string, CaseOutcome>, Map<string, CaseOutcome>];
  return cases.map((c): CaseResult => {
    const [want, got] = [expected.get(c.name)!, actual.get(c.name)!];
    // The reference must compute every case: a failure there is a bug in the tool, not a finding about the warehouse.
    if (!("rows" in want)) throw new Error(`internal: embedded DuckDB cannot compute the conformance case "${c.name}": ${"refused" in want ? want.refused : want.unsupported}`);
    if ("unsupported" in got) return { name: c.name, status: "unsupported", detail: `${got.unsupported} (refused when planning: no run sends it)` };
    if ("refused" in got) return { name: c.name, status: "refused", detail: got.refused, fallback: fallbackFor(c.name) };
    for (const [i, { window, rows }] of want.rows.entries()) {
      const difference = firstDifference(got.rows[i]!.rows, rows);
      if (difference) return { name: c.name, status: "differs", detail: `after ${window}: ${difference}` };
    }
    return { name: c.name, status: "ok" };
  });
}

/** The cases' sets, reading the edge cases from the scratch schema. */
export function doctorGraph(schema: string, cases: readonly OperationCase[]): FeatureGraph {
  const source = scratchSource(schema);
  return buildGraph([source, ...cases.map((c) => retarget(c.set, source))]);
}

/**
 * What `doctor --dry-run` prints: every statement it would send to a `dialect` warehouse, in order, except the
 * ledger's and leases' small statements (as `run --dry-run`). Needs no connection: the edge cases come from DuckDB in
 * process.
 */
export async function doctorStatements(dialect: SqlDialect, options: Pick<DoctorOptions, "cases" | "schema"> = {}): Promise<{ label: string; statements: Statement[] }[]> {
  const schema = options.schema ?? scratchSchemaName();
  const cases = options.cases ?? DOCTOR_CASES;
  const graph = doctorGraph(schema, cases);
  const duck = await openDuckDB({ path: ":memory:", threads: 1 });
  let rows;
  try {
    rows = await edgeRows(duck);
  } finally {
    await duck.close();
  }
  const parts: { label: string; statements: Statement[] }[] = [{ label: `scratch schema ${schema} and the edge cases`, statements: loadStatements(schema, rows, dialect) }];
  for (const c of cases) {
    let plans;
    try {
      plans = planCase(c, graph, dialect, schema);
    } catch (error) {
      if (error instanceof UnsupportedError) {
        parts.push({ label: `${c.name}: unsupported (${error.message})`, statements: [] });
        continue;
      }
      throw error;
    }
    const statements = plans.flatMap((jobs) => [
      ...(jobs[0]?.stage ? [jobs[0].stage.create] : []),
      ...jobs.flatMap((job) => [
        ...(job.state?.prepare ?? []),
        ...job.setup,
        { sql: dialect.transaction.begin, parameters: [] },
        ...job.write,
        ...(job.state?.write ?? []),
        { sql: dialect.transaction.commit, parameters: [] },
        ...(job.state?.cleanup ?? []),
      ]),
      ...(jobs[0]?.stage ? [jobs[0].stage.drop] : []),
    ]);
    parts.push({ label: c.name, statements });
  }
  parts.push({ label: "cleanup", statements: [dropSchemaStatement(schema, dialect)] });
  return parts;
}
