import { checkpointsQuery } from "../compile/state-statements.ts";
import type { Engine } from "../engines/engine.ts";
import type { TableRef } from "../ir/definitions.ts";
import { readWrittenSpans, type WrittenSpan } from "./materialized.ts";
import type { SetJob } from "./plan.ts";

/**
 * Read-only: per set that keeps state (state-pass.ts), the checkpoints a run may continue from — those its state
 * tables all hold under the set's current definition, less those made stale since (`usableCheckpoints`). A set whose
 * state tables do not all exist has none: its first chunk reads the whole history and writes them.
 */
export async function readCheckpoints(
  engine: Engine,
  jobs: readonly Pick<SetJob, "set" | "table" | "definitionHash" | "state">[],
  /** The ledger's spans of the sets' tables, where the caller has read them already (`readWrittenSpans`). */
  written?: ReadonlyMap<string, readonly WrittenSpan[]>,
): Promise<Map<string, Date[]>> {
  const result = new Map<string, Date[]>();
  const bySet = new Map(jobs.flatMap((j) => (j.state ? [[j.set, { hash: j.definitionHash, table: j.table, tables: j.state.tables }] as const] : [])));
  if (bySet.size === 0) return result;
  const spans = written ?? (await readWrittenSpans(engine, [...bySet].map(([set, { table }]) => ({ set, table }))));
  for (const [set, { hash, tables }] of bySet) {
    const instants = await commonCheckpoints(engine, tables, hash);
    if (instants) result.set(set, usableCheckpoints(instants, spans.get(set) ?? [], hash));
  }
  return result;
}

async function commonCheckpoints(engine: Engine, tables: readonly TableRef[], hash: string): Promise<Date[] | undefined> {
  if ((await engine.describeTables(tables)).some((columns) => !columns)) return undefined;
  let common: Set<number> | undefined;
  for (const table of tables) {
    const instants = new Set((await engine.query(checkpointsQuery(table, hash, engine.dialect))).map((r) => (r.as_of as Date).getTime()));
    common = common ? new Set([...common].filter((t) => instants.has(t))) : instants;
  }
  return [...(common ?? [])].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * A checkpoint as of X was written by the chunk of the current definition that last ended at X (the ledger's spans
 * of the set's offline table). It is stale once a chunk starting before X committed after it: that rewrite may have
 * read rows before X that changed (late or corrected data), which the checkpoint does not hold. Continuing from an
 * earlier checkpoint, or the whole history, is then the way to the rows a full recompute writes.
 */
export function usableCheckpoints(instants: readonly Date[], spans: readonly WrittenSpan[], hash: string): Date[] {
  return instants.filter((x) => {
    const writers = spans.filter((s) => s.end.getTime() === x.getTime() && s.hash === hash);
    if (writers.length === 0) return false; // no chunk of the table's ledger wrote it: not trusted
    const writtenAt = Math.max(...writers.map((s) => s.at));
    return !spans.some((s) => s.start < x && s.at > writtenAt);
  });
}
