import type { Engine } from "../engines/engine.ts";
import type { LedgerStatements } from "./ledger.ts";
import type { TimeWindow } from "./window.ts";

/** The chunks of `sets` the ledger records as written, with the definition hash of the latest writing of each. */
export async function completedChunks(engine: Engine, ledger: LedgerStatements, sets: readonly string[]): Promise<Map<string, string>> {
  const rows = await engine.query(ledger.completed(sets));
  const latest = new Map<string, { hash: string; at: number }>();
  for (const r of rows) {
    const key = chunkKey(String(r.feature_set), { start: r.chunk_start as Date, end: r.chunk_end as Date });
    const at = (r.finished_at as Date | null)?.getTime() ?? 0;
    if ((latest.get(key)?.at ?? -1) <= at) latest.set(key, { hash: String(r.definition_hash), at });
  }
  return new Map([...latest].map(([key, { hash }]) => [key, hash]));
}

export const chunkKey = (set: string, w: TimeWindow) => `${set}|${w.start.getTime()}|${w.end.getTime()}`;
