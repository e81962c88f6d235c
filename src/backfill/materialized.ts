import type { Engine } from "../engines/engine.ts";
import type { TableRef } from "../ir/definitions.ts";
import type { ReuseCheck } from "../passes/reuse-pass.ts";
import { countedRows } from "./completed-chunks.ts";
import { LedgerStatements } from "./ledger.ts";
import { currentTableIds } from "./table-ownership.ts";
import { formatWindow, type TimeWindow } from "./window.ts";

/**
 * What the ledger proves an offline table holds: the windows written into it (its current table: the same engine,
 * table and table id, as `--resume` counts them), each with the definition hash it was written with and when.
 */
export interface WrittenSpan {
  readonly start: Date;
  readonly end: Date;
  readonly hash: string;
  /** When it committed; a later span overwrote an earlier one where they overlap. */
  readonly at: number;
}

/**
 * Read-only: per set, the spans its current offline table holds. A set without a ledger, registry or table of the
 * tool's has none. The rows are the ones `completedChunks` (`--resume`) counts, so the two never disagree.
 */
export async function readWrittenSpans(engine: Engine, targets: readonly { set: string; table: TableRef }[]): Promise<Map<string, WrittenSpan[]>> {
  const spans = new Map<string, WrittenSpan[]>();
  if (targets.length === 0) return spans;
  const ledger = new LedgerStatements(engine.dialect, targets[0]!.table.schema, "plan");
  const ids = await currentTableIds(engine, ledger, targets);
  if (!ids) return spans;
  for (const r of await countedRows(engine, ledger, targets, ids)) {
    const set = String(r.feature_set);
    const span = { start: r.chunk_start as Date, end: r.chunk_end as Date, hash: String(r.definition_hash), at: (r.finished_at as Date | null)?.getTime() ?? 0 };
    spans.set(set, [...(spans.get(set) ?? []), span]);
  }
  return spans;
}

/**
 * An upstream's table may be read over a range when every instant of it was last written — by a recorded chunk, or
 * by a chunk this run writes first (`planned`, or a span at `at: Infinity`; the executor waits for those) — with the upstream's current
 * definition. A range without a start (a lag or cumulative window over all history) is never proven: no ledger shows
 * that nothing older exists. A changed definition means the upstream is recomputed, not an error: a daily run keeps
 * writing correct rows, and the reason tells how to get the saving back (backfill the upstream).
 */
export function reuseCheck(
  written: ReadonlyMap<string, readonly WrittenSpan[]>,
  currentHash: (set: string) => string,
  planned: ReadonlyMap<string, readonly TimeWindow[]>,
): ReuseCheck {
  return (set, range) => {
    if (!range.start || !range.end) return { reuse: false, reason: `inlined: it is needed over ${formatWindow(range)}, and no ledger proves a table complete without bounds` };
    const hash = currentHash(set);
    const own = (planned.get(set) ?? []).map((w) => ({ ...w, hash, at: Infinity }));
    const spans = [...(written.get(set) ?? []), ...own];
    if (spans.length === 0) return { reuse: false, reason: "inlined: the ledger records no chunk written into its current table" };
    const [a, b] = [range.start.getTime(), range.end.getTime()];
    const cuts = [...new Set([a, b, ...spans.flatMap((s) => [s.start.getTime(), s.end.getTime()])])].filter((t) => t >= a && t <= b).sort((x, y) => x - y);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const piece = { start: new Date(cuts[i]!), end: new Date(cuts[i + 1]!) };
      const last = spans
        .filter((s) => s.start.getTime() <= cuts[i]! && s.end.getTime() >= cuts[i + 1]!)
        .reduce<(typeof spans)[number] | undefined>((latest, s) => (latest && latest.at >= s.at ? latest : s), undefined);
      if (!last) return { reuse: false, reason: `inlined: no chunk written into its table covers ${formatWindow(piece)}` };
      if (last.hash !== hash) return { reuse: false, reason: `inlined: ${formatWindow(piece)} was written with another definition (backfill ${set} to reuse its table)` };
    }
    const byThisRun = spans.some((s) => s.at === Infinity && s.start.getTime() < b && s.end.getTime() > a);
    return { reuse: true, reason: byThisRun ? "materialized, hash ok (partly by this run, first)" : "materialized, hash ok" };
  };
}
