import { formatTable } from "../compile/statements.ts";
import type { Engine, StatementLabel, WarehouseColumn } from "../engines/engine.ts";
import { DefinitionError, FeatureBackfillError, InterruptedError, RunError } from "../errors.ts";
import { type DType, isDType } from "../ir/dtype.ts";
import { formatWindow } from "./window.ts";
import type { SetJob } from "./plan.ts";

export type BackfillEvent =
  | { readonly event: "set_started"; readonly set: string; readonly table: string; readonly window: string }
  | {
      readonly event: "set_finished";
      readonly set: string;
      readonly table: string;
      readonly window: string;
      readonly rowsDeleted: number;
      readonly rowsWritten: number;
      readonly durationMs: number;
      /** The warehouse's ids of the statements run (DDL, DELETE, INSERT), where it has them (Snowflake). */
      readonly queryIds?: readonly string[];
    }
  | { readonly event: "set_failed"; readonly set: string; readonly table: string; readonly window: string; readonly error: string };

export interface SetResult {
  readonly set: string;
  readonly rowsDeleted: number;
  readonly rowsWritten: number;
  readonly durationMs: number;
}

/**
 * Runs planned jobs. First checks, in one catalog query, that every source table has its declared columns with
 * compatible types and that existing offline tables have their set's columns — so bad input fails before anything
 * is written. Then, per set, in one transaction: the DDL for a missing table (before the transaction where the
 * warehouse cannot roll DDL back), DELETE of the window, INSERT … SELECT. Any error, or `signal`, rolls it back.
 */
export async function executeBackfill(
  jobs: readonly SetJob[],
  engine: Engine,
  options: { onEvent?: (e: BackfillEvent) => void; signal?: AbortSignal } = {},
): Promise<SetResult[]> {
  const { signal } = options;
  const emit = options.onEvent ?? (() => undefined);
  const checkSignal = () => {
    if (signal?.aborted) throw new InterruptedError("interrupted before writing; nothing was written");
  };
  const onAbort = () => void engine.interrupt();
  signal?.addEventListener("abort", onAbort);
  try {
    checkSignal();
    const existing = await preflight(jobs, engine, { set: jobs.map((j) => j.set).join(","), window: formatWindow(jobs[0]?.window ?? {}) });
    const results: SetResult[] = [];
    for (const [i, job] of jobs.entries()) {
      checkSignal();
      const base = { set: job.set, table: formatTable(job.table), window: formatWindow(job.window) };
      emit({ event: "set_started", ...base });
      const started = performance.now();
      const ddl = existing[i] ? [] : job.setup;
      const label = { set: job.set, window: base.window };
      const queryIds: string[] = [];
      try {
        const runAll = async (statements: SetJob["setup"]) => {
          const counts = [];
          for (const statement of statements) {
            const { rowsChanged, queryId } = await engine.run(statement, label);
            counts.push(rowsChanged);
            if (queryId) queryIds.push(queryId);
            signal?.throwIfAborted();
          }
          return counts;
        };
        if (!engine.dialect.transactionalDdl) await runAll(ddl);
        const counts = await engine.transaction(() => runAll(engine.dialect.transactionalDdl ? [...ddl, ...job.write] : job.write), label);
        const [deleted, written] = counts.slice(-2) as [number, number];
        const durationMs = Math.round(performance.now() - started);
        emit({ event: "set_finished", ...base, rowsDeleted: deleted, rowsWritten: written, durationMs, ...(queryIds.length ? { queryIds } : {}) });
        results.push({ set: job.set, rowsDeleted: deleted, rowsWritten: written, durationMs });
      } catch (error) {
        const failure = signal?.aborted
          ? new InterruptedError(`interrupted while writing ${job.set}; its transaction was rolled back`)
          : error instanceof FeatureBackfillError
            ? error
            : new RunError(String(error), undefined, { cause: error });
        emit({ event: "set_failed", ...base, error: failure.message });
        if (failure instanceof RunError) {
          throw new RunError(`feature set "${job.set}" failed and was rolled back: ${failure.message}`, failure.sql, { cause: failure });
        }
        throw failure;
      }
    }
    return results;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Checks every table the jobs touch, failing at the first problem; returns, per job, whether its offline table exists. */
async function preflight(jobs: readonly SetJob[], engine: Engine, label: StatementLabel): Promise<boolean[]> {
  const { problems, existing } = await checkTables(jobs, engine, label);
  if (problems[0]) throw problems[0].error;
  return existing;
}

/**
 * Checks, in one catalog query, that every source the jobs read exists with its declared columns in compatible
 * types, and that each existing offline table matches its set. Lists every problem (`validate --against-warehouse`
 * shows them all; a run stops at the first) and, per job, whether its offline table exists already. `label` tags the
 * catalog query where the warehouse records one (Snowflake's QUERY_TAG).
 */
export async function checkTables(
  jobs: readonly Pick<SetJob, "set" | "table" | "columns" | "reads">[],
  engine: Engine,
  label?: StatementLabel,
): Promise<{ problems: TableProblem[]; existing: boolean[] }> {
  const problems: TableProblem[] = [];
  const sources = [...new Map(jobs.flatMap((j) => j.reads.map((r) => [r.source.name, r.source] as const))).values()];
  const sourceTables = sources.map((s) => s.backfill);
  const described = await engine.describeTables([...sourceTables, ...jobs.map((j) => j.table)], label);

  sources.forEach((source, i) => {
    const columns = described[i];
    const where = { source: source.name, at: source.definedAt };
    const table = formatTable(sourceTables[i]!);
    const problem = (error: DefinitionError) => problems.push({ source: source.name, error });
    if (!columns) return void problem(new DefinitionError(`source table ${table} does not exist in ${engine.description}`, where));
    for (const [name, declared] of Object.entries(source.columns)) {
      const found = columns.find((c) => sameName(c.name, name));
      if (!found) {
        problem(new DefinitionError(`source table ${table} has no column "${name}"; it has ${columns.map((c) => c.name).join(", ")}`, {
          ...where,
          column: name,
        }));
        continue;
      }
      if (!readsAs(found, declared)) {
        problem(new DefinitionError(
          `column "${name}" is declared ${declared} but ${table}.${found.name} is ${found.type}` +
            (found.dtype === "timestamptz" ? "; timestamps are read as UTC without a zone: convert it (e.g. in a view)" : ""),
          { ...where, column: name },
        ));
      }
    }
  });

  const exists = jobs.map((job, j) => {
    const existing = described[sources.length + j];
    if (!existing) return false;
    const expected = job.columns.map((c) => `${c.name} ${engine.dialect.types[c.type]}`);
    const matches =
      existing.length === job.columns.length &&
      job.columns.every((c) => existing.some((e) => sameName(e.name, c.name) && sameType(e.dtype, c.type, engine.dialect.types)));
    if (!matches) {
      problems.push({ set: job.set, error: new RunError(
        `offline table ${formatTable(job.table)} does not match feature set "${job.set}": the table has ` +
          `(${existing.map((c) => `${c.name} ${c.type}`).join(", ")}), the set outputs (${expected.join(", ")}). ` +
          "Drop or rename the table, or use another offlineStore.table name.",
      ) });
    }
    return true;
  });
  return { problems, existing: exists };
}

/** A table that does not match its definition: a source's (missing, or lacking a declared column) or a set's offline table. */
export interface TableProblem {
  readonly source?: string;
  readonly set?: string;
  readonly error: FeatureBackfillError;
}

/** Warehouse names resolve without regard to case (the graph rejects names that differ only in case). */
const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Types the dialect spells alike are one type there (Snowflake stores INTEGER and BIGINT both as NUMBER(38,0)). */
const sameType = (found: WarehouseColumn["dtype"], wanted: DType, types: Readonly<Record<DType, string>>): boolean =>
  found === wanted || (isDType(found) && types[found] === types[wanted]);

/** Whether a warehouse column can be read as the declared type without changing meaning. */
function readsAs(column: WarehouseColumn, declared: DType): boolean {
  const numeric = ["integer", "bigint", "double", "decimal"];
  if (numeric.includes(declared)) return numeric.includes(column.dtype);
  return column.dtype === declared;
}
