import type { Engine } from "../engines/engine.ts";
import type { LedgerStatements } from "./ledger.ts";
import { tableKey } from "./identifier-limits.ts";
import type { SetJob } from "./plan.ts";
import type { TimeWindow } from "./window.ts";

/**
 * The chunks of the jobs' sets the ledger records as written, with the definition hash of the latest writing of
 * each. A row counts only where it was written to the job's target — the same engine, table and table id (`tableIds`:
 * the registered id of each set's table; a set without one has no table, and nothing written) — so a changed
 * offlineStore.table, or a table dropped or recreated, is written again. Rows of earlier versions name no target.
 */
export async function completedChunks(
  engine: Engine,
  ledger: LedgerStatements,
  jobs: readonly Pick<SetJob, "set" | "table">[],
  tableIds: ReadonlyMap<string, string | undefined>,
): Promise<Map<string, string>> {
  const latest = new Map<string, { hash: string; at: number }>();
  for (const r of await countedRows(engine, ledger, jobs, tableIds)) {
    const key = chunkKey(String(r.feature_set), { start: r.chunk_start as Date, end: r.chunk_end as Date });
    const at = (r.finished_at as Date | null)?.getTime() ?? 0;
    if ((latest.get(key)?.at ?? -1) <= at) latest.set(key, { hash: String(r.definition_hash), at });
  }
  return new Map([...latest].map(([key, { hash }]) => [key, hash]));
}

/** The ledger's `succeeded` rows of the jobs' sets that were written where each set's rows are now (see above). */
export async function countedRows(
  engine: Engine,
  ledger: LedgerStatements,
  jobs: readonly Pick<SetJob, "set" | "table">[],
  tableIds: ReadonlyMap<string, string | undefined>,
): Promise<Record<string, unknown>[]> {
  const targets = new Map(jobs.map((j) => [j.set, tableKey(j.table, engine.dialect)]));
  const rows = await engine.query(ledger.completed([...targets.keys()]));
  return rows.filter((r) => {
    const set = String(r.feature_set);
    const id = tableIds.get(set);
    const written = r.target_table == null ? undefined : { ...(r.target_schema != null && { schema: String(r.target_schema) }), name: String(r.target_table) };
    return id !== undefined && r.table_id === id && r.engine === engine.dialect.name && written !== undefined && tableKey(written, engine.dialect) === targets.get(set);
  });
}

export const chunkKey = (set: string, w: TimeWindow) => `${set}|${w.start.getTime()}|${w.end.getTime()}`;
