import { existsSync } from "node:fs";
import type { TimeWindow } from "../backfill/window.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { openEngine } from "../engines/open-engine.ts";
import { definitionHash } from "../graph/definition-hash.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { type LedgerHistory, readLedgerHistory } from "./ledger-history.ts";
import { countedRows } from "../backfill/completed-chunks.ts";
import { LedgerStatements } from "../backfill/ledger.ts";
import { currentTableIds } from "../backfill/table-ownership.ts";
import { ledgerRange, setStatus, type SetStatus } from "./set-status.ts";

export interface ProjectStatus {
  /** Undefined when neither a range was given nor the ledger records any chunk of the sets. */
  readonly range?: TimeWindow;
  readonly statuses: readonly SetStatus[];
}

/**
 * The status of `sets` (in the order given) over `range` (default: what the ledger covers for them), compared with
 * today's definitions. Opens the warehouse read-only and reads only the ledger, the leases and the catalog.
 */
export async function projectStatus(config: ResolvedConfig, graph: FeatureGraph, sets: readonly string[], range: TimeWindow | undefined, now: Date): Promise<ProjectStatus> {
  const history = await readHistory(config, sets);
  const over = range ?? ledgerRange(history.entries);
  if (!over) return { statuses: [] };
  return { range: over, statuses: sets.map((set) => setStatus(set, definitionHash(graph, set), history.entries, history.leases, over, now)) };
}

async function readHistory(config: ResolvedConfig, sets: readonly string[]): Promise<LedgerHistory> {
  // A DuckDB file that does not exist yet has no ledger; opening it read-only would fail.
  if (config.engine === "duckdb" && config.duckdb.path !== ":memory:" && !existsSync(config.duckdb.path)) return { entries: [], leases: [] };
  const engine = await openEngine(config, { readOnly: true });
  try {
    // The ledger lives in the offline store's schema (as a run creates it: src/backfill/ledger.ts).
    const schema = sets[0] === undefined ? undefined : config.tableFor(sets[0]).schema;
    const history = await readLedgerHistory(engine, schema, sets);
    // A chunk counts as filled only where it was written to the set's table as it is now (as for --resume).
    const jobs = sets.map((set) => ({ set, table: config.tableFor(set) }));
    const ledger = new LedgerStatements(engine.dialect, schema, "status");
    const ids = history.entries.length ? await currentTableIds(engine, ledger, jobs) : undefined;
    const counted = new Set((ids ? await countedRows(engine, ledger, jobs, ids) : []).map((r) => entryKey(String(r.run_id), String(r.feature_set), r.chunk_start as Date)));
    return { ...history, entries: history.entries.filter((e) => e.status !== "succeeded" || counted.has(entryKey(e.runId, e.set, e.start))) };
  } finally {
    await engine.close();
  }
}

const entryKey = (runId: string, set: string, start: Date) => `${runId}|${set}|${start.getTime()}`;
