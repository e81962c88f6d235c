import type { Duration, DurationUnit, Period } from "../ir/duration.ts";
import { containsWindow, type ExprNode, outputName, truncatePeriod, unalias, type WindowExpr, windowsIn } from "../ir/expr.ts";
import { joinColumns } from "../ir/join-columns.ts";
import { isShorthand, lowerFrame } from "../ir/lower-frame.ts";
import { type AsofJoinRel, type JoinRel, type RelNode, visitRel } from "../ir/rel.ts";
import { addDuration, ceilToPeriod, floorToPeriod, isRepresentable, parseInstant } from "../ir/time.ts";
import type { FeatureGraph, FeatureSetNode } from "../graph/feature-graph.ts";
import { columnNames } from "./schema.ts";
import { type TypedSet, typeGraph } from "./type-pass.ts";

/**
 * Read wide, write narrow. For an output window `[S, E)` on a set's timestamp, this pass works out which event-time
 * range of each source the rows in the window depend on, as symbolic bounds evaluated later for any concrete window
 * (or chunk). It walks the tree top-down, carrying the range the parent needs on one time column, and maps it through
 * every operator; where it cannot follow the time column (a timestamp derived from anything it does not model), it
 * reads the source's whole history. Reading more is always correct: the output is clipped to the window.
 */

/**
 * One step applied to a window bound: round to a `dt.truncate` period (of `n` units, absent for one), or move by
 * whole units.
 */
export type BoundStep =
  | { readonly op: "floor" | "ceil"; readonly unit: DurationUnit; readonly n?: number }
  | { readonly op: "shift"; readonly unit: DurationUnit; readonly n: number }
  /** A fixed instant from a filter on the time column (`at`: the bound was open; `atLeast`: the later of the two). */
  | { readonly op: "at"; readonly at: Date }
  | { readonly op: "atLeast"; readonly at: Date }
  | { readonly op: "atMost"; readonly at: Date };

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

const DAY: Period = { n: 1, unit: "day" };

export const WINDOW: SymbolicRange = { start: [], end: [], exact: true };
export const FULL_HISTORY: SymbolicRange = { start: null, end: null, exact: false };

/**
 * The whole history, read either to produce output rows from a time the pass cannot follow (not exact), or for a
 * part of the plan no output row's time comes from — a lookup side, where `exact` carries on from the parent.
 */
const anyTime = (exact: boolean): SymbolicRange => (exact ? { ...FULL_HISTORY, exact } : FULL_HISTORY);

/** The event-time ranges each source must be read over (one entry per path that reaches it). */
export type SourceRanges = ReadonlyMap<string, readonly SymbolicRange[]>;

export interface RangeOptions {
  /**
   * Window expressions whose earlier rows come from state carried across the read's start (state-pass.ts): they add
   * no reach of their own, as their input is read from a fixed instant (a filter on the time column).
   */
  readonly continued?: ReadonlySet<WindowExpr>;
  /** Told of every relation the pass reaches: the time column it follows there (null: none) and the range needed. */
  readonly observe?: (rel: RelNode, column: string | null, range: SymbolicRange) => void;
  /** What is needed of the target's timestamp: the window (the default), or all of it where filters alone bound the read. */
  readonly range?: SymbolicRange;
}

export function inferSourceRanges(
  graph: FeatureGraph,
  target: FeatureSetNode,
  typed: ReadonlyMap<string, TypedSet> = typeGraph(graph, [target.def.name]),
  options: RangeOptions = {},
): SourceRanges {
  const schemas = new Map([...typed.values()].flatMap((t) => [...t.relSchemas]));
  const names = (rel: RelNode) => columnNames(schemas.get(rel)!);
  const ranges = new Map<string, SymbolicRange[]>();
  const need = (rel: RelNode, column: string | null, range: SymbolicRange): void => {
    options.observe?.(rel, column, range);
    // `exprs` are evaluated over `input`: map the time column through `expr` (the one producing it, if any), then
    // widen by how far the window functions among `exprs` reach along it; a filter may bound it (`bounds`).
    const through = (expr: ExprNode | undefined, exprs: readonly ExprNode[], input: RelNode, bounds?: TimeBounds): void => {
      const mapped = expr ? mapThroughExpr(expr, range) : column === null ? undefined : { column, range };
      if (!mapped) return need(input, null, anyTime(column === null && range.exact));
      need(input, mapped.column, within(widen(mapped.range, windowReach(exprs, mapped.column, options.continued)), bounds));
    };
    const find = (exprs: readonly ExprNode[]) => (column === null ? undefined : exprs.find((c) => outputName(c) === column));
    visitRel<void>(rel, {
      scan: (n) => {
        const source = graph.sources.get(n.source)!;
        const list = ranges.get(n.source) ?? [];
        list.push(column === source.timestamp ? range : anyTime(column === null && range.exact));
        ranges.set(n.source, list);
      },
      ref: (n) => {
        const set = graph.sets.get(n.set)!;
        if (column === set.def.timestamp) need(set.rel, column, range);
        else need(set.rel, null, anyTime(column === null && range.exact));
      },
      // Row-wise, but a predicate with windows (keep the latest row per key) looks at other rows.
      // Bounds on the time column narrow the read, unless windows in the predicate see the rows it drops (QUALIFY).
      filter: (n) => through(undefined, [n.predicate], n.input, column === null || containsWindow(n.predicate) ? undefined : timeBounds(n.predicate, column)),
      select: (n) => through(find(n.columns), n.columns, n.input),
      withColumns: (n) => through(find(n.columns), n.columns, n.input),
      // A group's rows share its key, so an output row at time t depends exactly on the input rows whose key maps
      // to t: the preimage of the range under the key expression. A timestamp computed by an aggregate (max(date))
      // can come from any row, so the whole history is read.
      aggregate: (n) => (column !== null && !find(n.keys) ? need(n.input, null, FULL_HISTORY) : through(find(n.keys), [], n.input)),
      join: (n) => joinNeeds(n, column, range, names, need),
      asofJoin: (n) => (isShorthand(n) ? need(lowerFrame(n, names), column, range) : joinNeeds(n, column, range, names, need)),
      rename: (n) => need(lowerFrame(n, names), column, range),
      drop: (n) => need(lowerFrame(n, names), column, range),
      unique: (n) => need(lowerFrame(n, names), column, range),
      groupHead: (n) => need(lowerFrame(n, names), column, range),
      rowIndex: (n) => need(lowerFrame(n, names), column, range),
      // Each input's rows are output rows, at their own time: each is read over the same range.
      concat: (n) => n.inputs.forEach((input) => need(input, column, range)),
    });
  };
  need(target.rel, target.def.timestamp, options.range ?? WINDOW);
  return ranges;
}

/**
 * The side of a join that carries the time column drives it: its rows are the output's rows, read over the range.
 * The other side is looked up: keyed on that same time, it needs the same range; as of that time, the range moved by
 * the tolerance (or unbounded on the far side); otherwise its whole history. Rows read on a lookup side never become
 * output rows of their own, so they keep the range exact — except where the driving side is optional (the right side
 * of a left join, the left of a right join, either of a full join): the other side's unmatched rows come out without
 * a time, to be clipped. A full join's coalesced time key is driven by both sides: an output row at t is a left or
 * an unmatched right row at t, and rows of equal keys have equal times, so each side is read over the range, exactly.
 */
function joinNeeds(
  n: JoinRel | AsofJoinRel,
  column: string | null,
  range: SymbolicRange,
  names: (rel: RelNode) => string[],
  need: (rel: RelNode, column: string | null, range: SymbolicRange) => void,
): void {
  const out = column === null ? undefined : joinColumns(n, names(n.left), names(n.right)).find((c) => c.name === column);
  if (!out) {
    need(n.left, null, anyTime(column === null && range.exact));
    need(n.right, null, anyTime(column === null && range.exact));
    return;
  }
  if (out.side === "both") {
    need(n.left, out.source, range);
    need(n.right, out.other, range);
    return;
  }
  const optional = n.kind === "join" && ((n.how === "left" && out.side === "right") || (n.how === "right" && out.side === "left") || n.how === "full");
  const exact = range.exact && !optional;
  const driving = { ...range, exact };
  const lookupAll = anyTime(exact);
  const [drive, other] = out.side === "left" ? [n.left, n.right] : [n.right, n.left];
  need(drive, out.source, driving);
  if (n.kind === "join") {
    const key = n.on.find((k) => (out.side === "left" ? k.left : k.right) === out.source);
    need(other, key ? (out.side === "left" ? key.right : key.left) : null, key ? driving : lookupAll);
    return;
  }
  if (out.side !== "left" || n.leftOn !== out.source) return need(other, null, lookupAll);
  const tolerance = n.tolerance;
  const back = tolerance ? [{ op: "shift", unit: tolerance.unit, n: -tolerance.n } as const] : null;
  const ahead = tolerance ? [{ op: "shift", unit: tolerance.unit, n: tolerance.n } as const] : null;
  need(
    other,
    n.rightOn,
    n.strategy === "backward"
      ? { start: back && range.start && [...range.start, ...back], end: range.end, exact }
      : { start: range.start, end: ahead && range.end && [...range.end, ...ahead], exact },
  );
}

interface Reach {
  /** How far before a row's time the window functions look: a duration, or without bound. */
  readonly back: Duration | "unbounded" | null;
  readonly ahead: "unbounded" | null;
}

/**
 * How far the window functions in `exprs` reach from a row along the time column `time`. Only windows ordered
 * ascending by that column have a known reach: a time-based rolling frame looks back its duration; lags, ranks,
 * cumulative and row-count frames and forward fills look back without bound (a row count is no time span); leads
 * and backward fills look ahead. Any
 * other window (a whole partition, another order) may see any row of its partition: both ways without bound.
 */
export function windowReach(exprs: readonly ExprNode[], time: string, continued?: ReadonlySet<WindowExpr>): Reach {
  const windows = windowsIn(exprs);
  // Ascending with nulls first: rows whose time is null come before all others, and a read range open at the start
  // includes them (rangePredicate). Nulls last would put them after the window's end: such a window is unordered here.
  const isTime = (key: { expr: ExprNode; descending: boolean; nullsLast: boolean } | undefined) => {
    const e = key && unalias(key.expr);
    return e?.kind === "column" && e.name === time && !key!.descending && !key!.nullsLast;
  };
  let back: Reach["back"] = null;
  let ahead: Reach["ahead"] = null;
  for (const w of windows) {
    if (continued?.has(w)) continue;
    const f = w.func;
    // Ranks order by their operand (only they carry a direction of their own).
    const ordered = "descending" in f ? isTime({ expr: f.operand, descending: f.descending, nullsLast: false }) : isTime(w.orderBy[0]);
    const wholePartition = f.op === "agg" && w.frame === null;
    if (!ordered || wholePartition) return { back: "unbounded", ahead: "unbounded" };
    if (f.op === "lead" || (f.op === "fill" && f.direction === "backward")) ahead = "unbounded";
    else if (w.frame?.kind === "range") back = back === "unbounded" ? back : longer(back, w.frame.preceding);
    else back = "unbounded";
  }
  return { back, ahead };
}

const longer = (a: Duration | null, b: Duration): Duration => (a && durationMillis(a) >= durationMillis(b) ? a : b);
const durationMillis = (d: Duration): number => addDuration(new Date(0), d).getTime();

/** Fixed instants a filter bounds its time column by: rows outside `[from, until)` never pass, so need not be read. */
interface TimeBounds {
  readonly from?: Date;
  readonly until?: Date;
}

/** The bounds of `col(time) >= lit(t)` and `col(time) < lit(t)` conjuncts of a filter (other conjuncts may narrow more). */
function timeBounds(predicate: ExprNode, time: string): TimeBounds {
  const e = unalias(predicate);
  if (e.kind !== "binary") return {};
  if (e.op === "and") {
    const [a, b] = [timeBounds(e.left, time), timeBounds(e.right, time)];
    const pick = (x: Date | undefined, y: Date | undefined, later: boolean) => (x && y ? ((x > y) === later ? x : y) : (x ?? y));
    return { from: pick(a.from, b.from, true), until: pick(a.until, b.until, false) };
  }
  // `col(time).isNull().or(col(time).lt(t))`: everything before t, with the rows whose time is null, as a read
  // open at the start takes them (`rangePredicate`).
  if (e.op === "or") {
    const [l, r] = [unalias(e.left), unalias(e.right)];
    const nullTime = l.kind === "isNull" && !l.negated && unalias(l.operand).kind === "column" && (unalias(l.operand) as { name: string }).name === time;
    const before = timeBounds(r, time);
    return nullTime && before.until && !before.from ? { until: before.until } : {};
  }
  const [l, r] = [unalias(e.left), unalias(e.right)];
  if ((e.op !== "ge" && e.op !== "lt") || l.kind !== "column" || l.name !== time || l.qualifier || r.kind !== "literal") return {};
  if ((r.dtype !== "date" && r.dtype !== "timestamp") || r.value === null) return {};
  const at = parseInstant(String(r.value));
  return e.op === "ge" ? { from: at } : { until: at };
}

/** The range, within fixed bounds where a filter gives them. */
function within(range: SymbolicRange, { from, until }: TimeBounds = {}): SymbolicRange {
  return {
    ...range,
    ...(from && { start: range.start === null ? [{ op: "at", at: from } as const] : [...range.start, { op: "atLeast", at: from } as const] }),
    ...(until && { end: range.end === null ? [{ op: "at", at: until } as const] : [...range.end, { op: "atMost", at: until } as const] }),
  };
}

/** The range widened by a reach; any widening yields rows outside the window, so the result is not exact. */
function widen(range: SymbolicRange, reach: Reach): SymbolicRange {
  if (!reach.back && !reach.ahead) return range;
  const back = reach.back === "unbounded" ? null : reach.back;
  return {
    start: reach.back === "unbounded" ? null : range.start && [...range.start, ...(back ? [{ op: "shift", unit: back.unit, n: -back.n } as const] : [])],
    end: reach.ahead === "unbounded" ? null : range.end,
    exact: false,
  };
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
      if (e.to === "date") return mapThroughExpr(e.operand, preimageOfTruncate(range, DAY, "left"));
      return undefined;
    case "truncate":
      return mapThroughExpr(e.operand, preimageOfTruncate(range, truncatePeriod(e), e.label));
    case "func":
      // dt.date() is the cast to a date: a day truncation.
      return e.fn === "toDate" ? mapThroughExpr(e.args[0]!, preimageOfTruncate(range, DAY, "left")) : undefined;
    default:
      return undefined;
  }
}

/**
 * The exact preimage. truncate(t) is a period start, so truncate(t) >= lo exactly when t >= ceil(lo), and
 * truncate(t) < hi exactly when t < ceil(hi): t in [ceil(lo), ceil(hi)). The right label is truncate(t) + 1 period,
 * which moves both bounds back one period (exact, since ceil's results are period starts).
 */
function preimageOfTruncate(range: SymbolicRange, period: Period, label: "left" | "right"): SymbolicRange {
  const { unit, n } = period;
  const ceil: BoundStep = n === 1 ? { op: "ceil", unit } : { op: "ceil", unit, n };
  const steps: BoundStep[] = [ceil, ...(label === "right" ? [{ op: "shift", unit, n: -n } as const] : [])];
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

/**
 * `readsExactly` for one window: an exact bound that lands beyond what SQL can hold (a month's ceiling past
 * 9999-12-31) is read as open by `evaluateRanges`, so that read is wider than the window and the output needs its clip.
 */
export function readsExactlyOver(ranges: SourceRanges, window: { start: Date; end: Date }): boolean {
  const held = (t: Date, steps: readonly BoundStep[] | null) => steps !== null && isRepresentable(applySteps(t, steps));
  return readsExactly(ranges) && [...ranges.values()].every((list) => list.every((r) => held(window.start, r.start) && held(window.end, r.end)));
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
  return steps.reduce((acc, step) => {
    switch (step.op) {
      case "shift":
        return addDuration(acc, step);
      case "floor":
        return floorToPeriod(acc, { n: step.n ?? 1, unit: step.unit });
      case "ceil":
        return ceilToPeriod(acc, { n: step.n ?? 1, unit: step.unit });
      case "at":
        return step.at;
      case "atLeast":
        return acc > step.at ? acc : step.at;
      case "atMost":
        return acc < step.at ? acc : step.at;
    }
  }, t);
}
