import { sql } from "kysely";
import { executeBackfill } from "../backfill/execute.ts";
import { planBackfill, type SetJob } from "../backfill/plan.ts";
import { parseWindow } from "../backfill/window.ts";
import { tableId } from "../compile/statements.ts";
import type { OperationCase } from "../conformance/cases.ts";
import type { Engine } from "../engines/engine.ts";
import { FeatureBackfillError, InterruptedError, PartialFailureError, UnsupportedError } from "../errors.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import type { Schema } from "../passes/schema.ts";
import { compiled } from "./scratch.ts";

/** How one case went on one engine: its rows after each window, or the engine's refusal (when planning or running). */
export type CaseOutcome =
  | { readonly rows: { readonly window: string; readonly rows: Record<string, unknown>[] }[] }
  | { readonly refused: string }
  | { readonly unsupported: string };

/**
 * Plans the case on the dialect, window by window, into the scratch schema, in yearly chunks: the first window
 * spans two years, so sets with a lookback are computed once into a stage table that each chunk reads, as long runs do.
 */
export function planCase(c: OperationCase, graph: FeatureGraph, dialect: Engine["dialect"], schema: string): SetJob[][] {
  return c.windows.map(([start, end]) =>
    planBackfill({ graph, sets: [c.set.name], window: parseWindow(start, end), chunk: "1y", dialect, tableFor: (name) => ({ schema, name }) }),
  );
}

/**
 * Backfills every case into its own table of the scratch schema, window after window (each DELETE meets the rows of
 * the windows before), as a run would — catalog check, ledger and lease statements, DDL, DELETE, INSERT … SELECT,
 * COMMIT — and reads each table after each window. One run per window for all cases keeps this to seconds; with
 * keepGoing, a statement the warehouse refuses fails (and rolls back) only its own case.
 */
export async function runCases(cases: readonly OperationCase[], graph: FeatureGraph, engine: Engine, schema: string, signal?: AbortSignal): Promise<Map<string, CaseOutcome>> {
  const outcomes = new Map<string, CaseOutcome>();
  const plans = new Map<OperationCase, SetJob[][]>();
  for (const c of cases) {
    try {
      plans.set(c, planCase(c, graph, engine.dialect, schema));
    } catch (error) {
      if (!(error instanceof UnsupportedError)) throw error;
      outcomes.set(c.name, { unsupported: error.message });
    }
  }
  const rows = new Map<string, { window: string; rows: Record<string, unknown>[] }[]>();
  const windows = [...new Map(cases.flatMap((c) => c.windows).map((w) => [w.join(), w])).values()];
  for (const window of windows) {
    const batch = [...plans].filter(([c]) => !outcomes.has(c.name) && c.windows.some((w) => w.join() === window.join()));
    const jobs = batch.flatMap(([c, perWindow]) => perWindow[c.windows.findIndex((w) => w.join() === window.join())]!);
    const failed = new Map<string, string>();
    try {
      await executeBackfill(jobs, engine, { signal, retries: 0, keepGoing: true, onEvent: (e) => void (e.event === "chunk_failed" && !failed.has(e.set) && failed.set(e.set, e.error)) });
    } catch (error) {
      if (error instanceof InterruptedError || !(error instanceof FeatureBackfillError)) throw error;
      // Not one case's failure (a catalog, ledger or lease statement): every case of the window reports it.
      if (!(error instanceof PartialFailureError)) for (const [c] of batch) failed.set(c.set.name, error.message);
    }
    for (const [c] of batch) {
      const error = failed.get(c.set.name);
      if (error !== undefined) {
        outcomes.set(c.name, { refused: error });
        continue;
      }
      const job = plans.get(c)![0]![0]!;
      const read = rows.get(c.name) ?? [];
      read.push({ window: `[${window.join(", ")})`, rows: await readRows(engine, job.table, job.columns) });
      rows.set(c.name, read);
    }
  }
  for (const [name, read] of rows) if (!outcomes.has(name)) outcomes.set(name, { rows: read });
  return outcomes;
}

/**
 * The scratch table's rows with values every engine reports alike: integers as bigint, doubles as numbers, dates
 * and timestamps as text to the microsecond (read through the dialect's cast to text, then written one way). These
 * are the doctor's own few rows, never a user's.
 */
async function readRows(engine: Engine, table: { schema?: string; name: string }, columns: Schema): Promise<Record<string, unknown>[]> {
  const select = columns.map((c) => {
    const id = sql.id(c.name);
    // Integers as text too: a driver may read a NUMBER(38,0) into a JS number (snowflake-sdk does), losing digits past 2^53.
    const asText = c.type === "date" || c.type === "timestamp" || c.type === "integer" || c.type === "bigint";
    const read = asText ? engine.dialect.cast(id, c.type, "varchar") : id;
    return sql`${read} AS ${id}`;
  });
  const rows = await engine.query(compiled(sql`SELECT ${sql.join(select)} FROM ${tableId(table)}`, engine.dialect));
  return rows.map((row) => {
    const lower = Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
    return Object.fromEntries(columns.map((c) => [c.name, comparable(lower[c.name.toLowerCase()], c.type)]));
  });
}

function comparable(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
    case "bigint":
      return typeof value === "number" ? BigInt(Math.trunc(value)) : BigInt(String(value));
    case "double":
      return Number(value);
    case "boolean":
      return value === true || value === 1 || value === "1" || String(value).toLowerCase() === "true";
    case "date":
      return String(value).slice(0, 10);
    case "timestamp": {
      const [, day, time, fraction] = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(String(value)) ?? [];
      return day ? `${day} ${time}.${(fraction ?? "").padEnd(6, "0").slice(0, 6)}` : String(value);
    }
    default:
      return String(value);
  }
}
