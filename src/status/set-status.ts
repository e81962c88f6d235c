import type { TimeWindow } from "../backfill/window.ts";
import type { LeaseEntry, LedgerEntry } from "./ledger-history.ts";

/**
 * What the offline table holds for a stretch of time, as the ledger tells it:
 * - filled: the latest successful write used today's definition hash (which covers the set, every set it reads and
 *   the declared columns and types of every source it reads: src/graph/definition-hash.ts);
 * - stale: the latest successful write used another hash, so the rows were computed by an older definition;
 * - failed: never written, and some run failed or was interrupted there (rolled back: nothing of it is in the table);
 * - missing: no run wrote it.
 * A failure after a success leaves the earlier rows in place (its transaction rolled back), so the stretch keeps
 * the success's state; the failure is still listed among `failures`.
 */
export type SpanState = "filled" | "stale" | "failed" | "missing";

export interface Span extends TimeWindow {
  readonly state: SpanState;
}

export interface SetStatus {
  readonly set: string;
  readonly definitionHash: string;
  readonly range: TimeWindow;
  /** Adjacent, in time order, covering `range`; neighbours differ in state. */
  readonly spans: readonly Span[];
  /** Failed or interrupted chunks in the range not written successfully since. */
  readonly failures: readonly LedgerEntry[];
  /** Leases not yet expired: runs writing the set now (or killed within the lease's life). */
  readonly running: readonly LeaseEntry[];
  /** The latest run that wrote (or tried) any chunk of the set, anywhere in time. */
  readonly lastRun?: { readonly runId: string; readonly startedAt: Date; readonly finishedAt: Date; readonly durationMs: number; readonly chunks: number; readonly failed: number };
}

/** The status of one set over `range`, from its ledger entries and leases (any order). */
export function setStatus(set: string, definitionHash: string, entries: readonly LedgerEntry[], leases: readonly LeaseEntry[], range: TimeWindow, now: Date): SetStatus {
  const mine = entries.filter((e) => e.set === set).sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
  const inRange = mine.filter((e) => e.start < range.end && e.end > range.start);
  const cuts = [range.start, range.end, ...inRange.flatMap((e) => [e.start, e.end])]
    .map((t) => t.getTime())
    .filter((t) => t >= range.start.getTime() && t <= range.end.getTime());
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const spans: Span[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    const covering = inRange.filter((e) => e.start.getTime() <= from && e.end.getTime() >= to);
    const written = covering.filter((e) => e.status === "succeeded").at(-1);
    const state: SpanState = written ? (written.definitionHash === definitionHash ? "filled" : "stale") : covering.length > 0 ? "failed" : "missing";
    const last = spans.at(-1);
    if (last?.state === state) spans[spans.length - 1] = { ...last, end: new Date(to) };
    else spans.push({ start: new Date(from), end: new Date(to), state });
  }
  // A failure is resolved once successful writes made after it cover its whole window.
  const failures = inRange.filter(
    (f) => f.status !== "succeeded" && !covered(f, inRange.filter((e) => e.status === "succeeded" && e.finishedAt > f.finishedAt)),
  );
  const running = leases.filter((l) => l.set === set && l.expiresAt > now && l.start < range.end && l.end > range.start);
  return { set, definitionHash, range, spans, failures, running, ...(mine.length ? { lastRun: lastRun(mine) } : {}) };
}

function lastRun(entries: readonly LedgerEntry[]): NonNullable<SetStatus["lastRun"]> {
  const runId = entries.at(-1)!.runId;
  const run = entries.filter((e) => e.runId === runId);
  const startedAt = new Date(Math.min(...run.map((e) => e.startedAt.getTime())));
  const finishedAt = new Date(Math.max(...run.map((e) => e.finishedAt.getTime())));
  return { runId, startedAt, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime(), chunks: run.length, failed: run.filter((e) => e.status !== "succeeded").length };
}

/** Whether the union of `by` covers `window`. */
function covered(window: TimeWindow, by: readonly TimeWindow[]): boolean {
  let reached = window.start.getTime();
  for (const w of [...by].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    if (w.start.getTime() > reached) break;
    reached = Math.max(reached, w.end.getTime());
  }
  return reached >= window.end.getTime();
}

/** The stretches a `run --missing` writes: everything not filled with today's definition. */
export const unfilled = (status: SetStatus): TimeWindow[] =>
  status.spans.filter((s) => s.state !== "filled").map(({ start, end }) => ({ start, end }));

/** The range a status covers by default: from the first chunk the ledger records for the sets to the last one's end. */
export function ledgerRange(entries: readonly LedgerEntry[]): TimeWindow | undefined {
  if (entries.length === 0) return undefined;
  return {
    start: new Date(Math.min(...entries.map((e) => e.start.getTime()))),
    end: new Date(Math.max(...entries.map((e) => e.end.getTime()))),
  };
}
