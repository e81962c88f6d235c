import { type ExprNode, outputName, type TimeUnit, unalias } from "../ir/expr.ts";
import { type RelNode, visitRel } from "../ir/rel.ts";
import { addPeriods, ceilTo, floorTo, isRepresentable } from "../ir/time.ts";
import type { FeatureGraph, FeatureSetNode } from "../graph/feature-graph.ts";

/**
 * Read wide, write narrow. For an output window `[S, E)` on a set's timestamp, this pass works out which event-time
 * range of each source the rows in the window depend on, as symbolic bounds evaluated later for any concrete window
 * (or chunk). It walks the tree top-down, carrying the range the parent needs on one time column, and maps it through
 * every operator; where it cannot follow the time column (a timestamp derived from anything it does not model), it
 * reads the source's whole history. Reading more is always correct: the output is clipped to the window.
 */

/** One step applied to a window bound: round to a period, or move by whole periods. */
export type BoundStep =
  | { readonly op: "floor" | "ceil"; readonly unit: TimeUnit }
  | { readonly op: "shift"; readonly unit: TimeUnit; readonly n: number };

/** `null` means no bound: the whole history on that side. */
export interface SymbolicRange {
  readonly start: readonly BoundStep[] | null;
  readonly end: readonly BoundStep[] | null;
  /**
   * Whether the range is exactly the preimage of the window: every row read then lands in the window, so the output
   * needs no clipping. A lookback (reading earlier rows for their effect on later ones) is not exact.
   */
  readonly exact: boolean;
}

export const WINDOW: SymbolicRange = { start: [], end: [], exact: true };
export const FULL_HISTORY: SymbolicRange = { start: null, end: null, exact: false };

/** The event-time ranges each source must be read over (one entry per path that reaches it). */
export type SourceRanges = ReadonlyMap<string, readonly SymbolicRange[]>;

export function inferSourceRanges(graph: FeatureGraph, target: FeatureSetNode): SourceRanges {
  const ranges = new Map<string, SymbolicRange[]>();
  const need = (rel: RelNode, column: string | null, range: SymbolicRange): void => {
    const through = (expr: ExprNode | undefined, input: RelNode): void => {
      const mapped = expr ? mapThroughExpr(expr, range) : undefined;
      if (mapped) need(input, mapped.column, mapped.range);
      else need(input, null, FULL_HISTORY);
    };
    visitRel<void>(rel, {
      scan: (n) => {
        const source = graph.sources.get(n.source)!;
        const list = ranges.get(n.source) ?? [];
        list.push(column === source.timestamp ? range : FULL_HISTORY);
        ranges.set(n.source, list);
      },
      ref: (n) => {
        const set = graph.sets.get(n.set)!;
        if (column === set.def.timestamp) need(set.rel, column, range);
        else need(set.rel, null, FULL_HISTORY);
      },
      // Row-wise: a row's time column is the same above and below a filter.
      filter: (n) => need(n.input, column, range),
      select: (n) => through(column === null ? undefined : n.columns.find((c) => outputName(c) === column), n.input),
      withColumns: (n) => {
        const replaced = column === null ? undefined : n.columns.find((c) => outputName(c) === column);
        if (replaced) through(replaced, n.input);
        else need(n.input, column, column === null ? FULL_HISTORY : range);
      },
      // A group's rows share its key, so an output row at time t depends exactly on the input rows whose key maps
      // to t: the preimage of the range under the key expression. A timestamp computed by an aggregate (max(date))
      // can come from any row, so the whole history is read.
      aggregate: (n) => through(column === null ? undefined : n.keys.find((k) => outputName(k) === column), n.input),
    });
  };
  need(target.rel, target.def.timestamp, WINDOW);
  return ranges;
}

/**
 * If `expr` computes the time column from one input column by a monotone map the pass models, the input column and
 * the range it must cover; otherwise undefined.
 */
function mapThroughExpr(expr: ExprNode, range: SymbolicRange): { column: string; range: SymbolicRange } | undefined {
  const e = unalias(expr);
  switch (e.kind) {
    case "column":
      return { column: e.name, range };
    case "cast":
      // date -> timestamp keeps the instant; timestamp -> date truncates to the day.
      if (e.to === "timestamp") return mapThroughExpr(e.operand, range);
      if (e.to === "date") return mapThroughExpr(e.operand, preimageOfTruncate(range, "day", "left"));
      return undefined;
    case "truncate":
      return mapThroughExpr(e.operand, preimageOfTruncate(range, e.unit, e.label));
    default:
      return undefined;
  }
}

/**
 * The exact preimage. truncate(t) is a period start, so truncate(t) >= lo exactly when t >= ceil(lo), and
 * truncate(t) < hi exactly when t < ceil(hi): t in [ceil(lo), ceil(hi)). The right label is truncate(t) + 1 period,
 * which moves both bounds back one period (exact, since ceil's results are period starts).
 */
function preimageOfTruncate(range: SymbolicRange, unit: TimeUnit, label: "left" | "right"): SymbolicRange {
  const steps: BoundStep[] = [{ op: "ceil", unit }, ...(label === "right" ? [{ op: "shift", unit, n: -1 } as const] : [])];
  return {
    start: range.start && [...range.start, ...steps],
    end: range.end && [...range.end, ...steps],
    exact: range.exact,
  };
}

/**
 * Whether reading these ranges yields only output rows inside the window: each source is read along exact paths
 * that agree (a union of different ranges would hand some path rows it did not ask for). When this holds, clipping
 * the output is a no-op — and not free: DuckDB pushes the clip below the GROUP BY, evaluating the timestamp expression
 * once per input row. The property tests (test/execution/windowing.test.ts) check the claim end to end.
 */
export function readsExactly(ranges: SourceRanges): boolean {
  return [...ranges.values()].every(
    (list) => list.every((r) => r.exact) && list.every((r) => JSON.stringify(r) === JSON.stringify(list[0])),
  );
}

/** A concrete read range; undefined bounds are open. */
export interface ConcreteRange {
  readonly start?: Date;
  readonly end?: Date;
}

/**
 * Evaluates the ranges for one window and returns their union (the smallest range covering all of them). A bound
 * beyond what SQL dates can hold (before 0001 or from 10000 on) is open: nothing lies beyond it.
 */
export function evaluateRanges(ranges: readonly SymbolicRange[], window: { start: Date; end: Date }): ConcreteRange {
  const bound = (t: Date, steps: readonly BoundStep[] | null) => {
    const result = steps && applySteps(t, steps);
    return result && isRepresentable(result) ? result : null;
  };
  const evaluated = ranges.map((r) => ({ start: bound(window.start, r.start), end: bound(window.end, r.end) }));
  const open = (side: "start" | "end") => evaluated.some((r) => r[side] === null);
  const pick = (side: "start" | "end", better: (...values: number[]) => number) =>
    open(side) ? undefined : new Date(better(...evaluated.map((r) => r[side]!.getTime())));
  return { start: pick("start", Math.min), end: pick("end", Math.max) };
}

function applySteps(t: Date, steps: readonly BoundStep[]): Date {
  return steps.reduce(
    (acc, step) => (step.op === "shift" ? addPeriods(acc, step.unit, step.n) : step.op === "floor" ? floorTo(acc, step.unit) : ceilTo(acc, step.unit)),
    t,
  );
}
