import type { Engine } from "../engines/engine.ts";
import { DefinitionError, FeatureBackfillError, InterruptedError, RunError } from "../errors.ts";
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
    }
  | { readonly event: "set_failed"; readonly set: string; readonly table: string; readonly window: string; readonly error: string };

export interface SetResult {
  readonly set: string;
  readonly rowsDeleted: number;
  readonly rowsWritten: number;
  readonly durationMs: number;
}

/**
 * Runs planned jobs. First checks, for every job, that the source tables and columns exist and that an existing
 * offline table has the set's columns — so bad input fails before anything is written. Then, per set: the idempotent
 * DDL, and DELETE of the window + INSERT … SELECT in one transaction (rolled back on any error, or on `signal`).
 */
export async function executeBackfill(
  jobs: readonly SetJob[],
  engine: Engine,
  options: { onEvent?: (e: BackfillEvent) => void; signal?: AbortSignal } = {},
): Promise<SetResult[]> {
  const emit = options.onEvent ?? (() => undefined);
  const onAbort = () => engine.interrupt();
  options.signal?.addEventListener("abort", onAbort);
  try {
    for (const job of jobs) await preflight(job, engine);
    const results: SetResult[] = [];
    for (const job of jobs) {
      const base = { set: job.set, table: qualified(job.table), window: formatWindow(job.window) };
      emit({ event: "set_started", ...base });
      const started = performance.now();
      try {
        for (const statement of job.setup) await engine.run(statement);
        const [del, insert] = job.write;
        const { deleted, written } = await engine.transaction(async () => {
          const deleted = await engine.run(del);
          options.signal?.throwIfAborted();
          const written = await engine.run(insert);
          options.signal?.throwIfAborted();
          return { deleted: deleted.rowsChanged, written: written.rowsChanged };
        });
        const durationMs = Math.round(performance.now() - started);
        emit({ event: "set_finished", ...base, rowsDeleted: deleted, rowsWritten: written, durationMs });
        results.push({ set: job.set, rowsDeleted: deleted, rowsWritten: written, durationMs });
      } catch (error) {
        const failure = options.signal?.aborted
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
    options.signal?.removeEventListener("abort", onAbort);
  }
}

async function preflight(job: SetJob, engine: Engine): Promise<void> {
  for (const { source } of job.reads) {
    const table = { schema: source.backfill.schema, name: source.backfill.table };
    const columns = await engine.tableColumns(table);
    const where = { source: source.name, at: source.definedAt };
    if (!columns) {
      throw new DefinitionError(`source table ${qualified(table)} does not exist in ${engine.description}`, where);
    }
    const missing = Object.keys(source.columns).filter((c) => !columns.some((w) => w.name === c));
    if (missing.length) {
      throw new DefinitionError(
        `source table ${qualified(table)} lacks declared column(s) ${missing.map((c) => `"${c}"`).join(", ")}; it has ${columns.map((c) => c.name).join(", ")}`,
        { ...where, column: missing[0] },
      );
    }
  }
  const existing = await engine.tableColumns(job.table);
  if (!existing) return;
  const expected = job.columns.map((c) => `${c.name} ${engine.dialect.types[c.type]}`);
  const actual = existing.map((c) => `${c.name} ${c.type}`);
  const differs = expected.length !== actual.length || expected.some((e) => !actual.includes(e));
  if (differs) {
    throw new RunError(
      `offline table ${qualified(job.table)} does not match feature set "${job.set}": the table has (${actual.join(", ")}), ` +
        `the set outputs (${expected.join(", ")}). Drop or rename the table, or use another offlineStore.table name.`,
    );
  }
}

export const qualified = (t: { schema?: string; name: string }): string => (t.schema ? `${t.schema}.${t.name}` : t.name);
