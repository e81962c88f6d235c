import { existsSync } from "node:fs";
import type { TimeWindow } from "../backfill/window.ts";
import type { ResolvedConfig } from "../config/config.ts";
import { openEngine } from "../engines/open-engine.ts";
import { definitionHash } from "../graph/definition-hash.ts";
import type { FeatureGraph } from "../graph/feature-graph.ts";
import { type LedgerHistory, readLedgerHistory } from "./ledger-history.ts";
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
    return await readLedgerHistory(engine, sets[0] === undefined ? undefined : config.tableFor(sets[0]).schema, sets);
  } finally {
    await engine.close();
  }
}
